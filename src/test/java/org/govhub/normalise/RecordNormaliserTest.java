package org.govhub.normalise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Mapping + conversion + JSON Schema + identifier checks on single rows, without a hub. */
class RecordNormaliserTest {

    private final SchemaRegistry schemas = new SchemaRegistry();
    private final RecordNormaliser normaliser = new RecordNormaliser(
            new MappingRegistry(schemas, Path.of("mappings")), schemas, new RecordValidator(new RegionCodes(), (standard, code) -> false), new org.govhub.prioritise.PriorityRules(new org.springframework.core.io.ClassPathResource("rules/priority-classes.yaml")),
            new org.govhub.enrich.PolicyEnricher(org.govhub.enrich.PolicyRules.standard()));

    private static Map<String, Object> row() {
        Map<String, Object> row = new HashMap<>();
        row.put("DECL_ID", 42L); // H2 reports upper-case column names
        row.put("NSRSBH", "91350100M000100Y43");
        row.put("NSRMC", "南昌恒盛医疗器械有限公司");
        row.put("SSSQ", "202002");
        row.put("ZSXM_DM", "10101");
        row.put("NSRLX", "2");
        row.put("SBRQ", "2020年2月24日");
        row.put("YBTSE", "12,345.60");
        row.put("SJJE", "12345.6");
        row.put("YJBZ", "N");
        row.put("YJQX", null);
        row.put("XZQH_DM", "360102");
        return row;
    }

    @Test
    void aGoodRowBecomesAValidCanonicalTaxRecordWithProvenance() {
        NormalisedRecord r = normaliser.normalise("tax-bureau", "tax-bureau", row(), Instant.parse("2020-02-25T01:02:03Z"));
        assertThat(r.reasons()).isEmpty();
        JsonNode json = CanonicalJson.read(r.canonicalJson());
        assertThat(json.path("schema").asText()).isEqualTo("TaxRecord");
        assertThat(json.path("declaredAt").asText()).isEqualTo("2020-02-24");
        assertThat(json.path("declaredAmountFen").asLong()).isEqualTo(1_234_560L);
        assertThat(json.path("taxpayerCategory").asText()).isEqualTo("SMALL_SCALE");
        assertThat(json.path("deferralGranted").asBoolean()).isFalse();
        assertThat(json.path("provenance").path("sourceRecordKey").asText()).isEqualTo("42");
        assertThat(json.path("provenance").path("ingestedAt").asText()).isEqualTo("2020-02-25T01:02:03Z");
        assertThat(json.path("provenance").path("contentHash").asText()).isEqualTo(r.contentHash());
        assertThat(r.eventTime()).isEqualTo("2020-02-24");
        // canonical form: keys sorted, so the serialisation is stable
        assertThat(r.canonicalJson()).isEqualTo(CanonicalJson.write(json));
    }

    @Test
    void aMappingThatIsNotRegisteredIsFollowedAsGivenAndTheRegisteredPathIsTheSame(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        // a candidate's mapping (a source on trial): the registry has no 'tax-bureau-next', and it reads the amount from another column
        Path file = dir.resolve("tax-bureau-next.yaml");
        java.nio.file.Files.writeString(file, java.nio.file.Files.readString(Path.of("mappings/tax-bureau.yaml"))
                .replace("mapping: tax-bureau", "mapping: tax-bureau-next").replace("source: sjje", "source: sjje_new"));
        MappingDefinition candidate = new MappingLoader(schemas).load(file);
        Map<String, Object> row = row();
        row.put("SJJE_NEW", "99.5");
        Instant at = Instant.parse("2020-02-25T01:02:03Z");

        NormalisedRecord r = normaliser.normalise("tax-bureau", candidate, row, at);
        assertThat(r.reasons()).isEmpty();
        assertThat(r.mappingId()).isEqualTo("tax-bureau-next");
        assertThat(CanonicalJson.read(r.canonicalJson()).path("paidAmountFen").asLong()).isEqualTo(9_950L);
        assertThat(normaliser.normalise("tax-bureau", new MappingLoader(schemas).load(Path.of("mappings/tax-bureau.yaml")), row(), at))
                .isEqualTo(normaliser.normalise("tax-bureau", "tax-bureau", row(), at));
    }

    @Test
    void anUnknownMappingFailsThePollInsteadOfQuarantiningTheRowAsUnreadable() {
        // not the row's fault: the poll fails (the source shows FAILING, its mark stays), no row goes to quarantine
        var logged = new ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent>();
        var logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(RecordNormaliser.class);
        logged.start();
        logger.addAppender(logged);
        try {
            assertThatThrownBy(() -> normaliser.normalise("tax-bureau", "tax-bureau-typo", row(), Instant.now()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("no mapping 'tax-bureau-typo' (loaded: [")
                    .hasMessageContaining(" tax-bureau]");
            // no "kept in quarantine as unreadable#..." either
            assertThat(logged.list).isEmpty();
        } finally {
            logger.detachAppender(logged);
        }
    }

    @Test
    void theContentHashIgnoresWhenARowWasReadButNotWhatItSays() {
        NormalisedRecord first = normaliser.normalise("tax-bureau", "tax-bureau", row(), Instant.parse("2020-02-25T00:00:00Z"));
        NormalisedRecord again = normaliser.normalise("tax-bureau", "tax-bureau", row(), Instant.parse("2020-03-01T00:00:00Z"));
        Map<String, Object> changed = row();
        changed.put("SJJE", "12345.61");
        NormalisedRecord other = normaliser.normalise("tax-bureau", "tax-bureau", changed, Instant.parse("2020-02-25T00:00:00Z"));
        assertThat(again.contentHash()).isEqualTo(first.contentHash());
        assertThat(other.contentHash()).isNotEqualTo(first.contentHash());
    }

    @Test
    void everyProblemOfARowIsAReason() {
        Map<String, Object> bad = row();
        bad.put("NSRSBH", "91350100M000100Y40");
        bad.put("XZQH_DM", "369999");
        bad.put("SBRQ", "2020-02-30");
        bad.put("SJJE", "-1");
        NormalisedRecord r = normaliser.normalise("tax-bureau", "tax-bureau", bad, Instant.now());
        assertThat(r.valid()).isFalse();
        assertThat(r.reasons()).hasSize(4);
        assertThat(String.join("\n", r.reasons()))
                .contains("creditCode '91350100M000100Y40': GB32100 check character is '0', GB 32100 gives '3'")
                .contains("regionCode '369999'")
                .contains("declaredAt (from sbrq): '2020-02-30' is not a calendar date")
                .contains("paidAmountFen: ");
        assertThat(CanonicalJson.read(r.rawJson()).path("NSRSBH").asText()).isEqualTo("91350100M000100Y40");
    }

    @Test
    void aKeyTooLongToStoreIsAReasonAndIsShortenedUniquely() {
        Map<String, Object> row = row();
        row.put("DECL_ID", "4".repeat(300));
        NormalisedRecord r = normaliser.normalise("tax-bureau", "tax-bureau", row, Instant.now());
        Map<String, Object> other = row();
        other.put("DECL_ID", "4".repeat(299) + "5");
        NormalisedRecord o = normaliser.normalise("tax-bureau", "tax-bureau", other, Instant.now());
        assertThat(r.reasons()).anySatisfy(reason -> assertThat(reason).contains("record key is 300 characters long"));
        assertThat(r.recordKey()).hasSizeLessThanOrEqualTo(200);
        assertThat(o.recordKey()).hasSizeLessThanOrEqualTo(200).isNotEqualTo(r.recordKey());
    }

    @Test
    void aDeferralNeedsItsEndDate() {
        Map<String, Object> deferred = row();
        deferred.put("YJBZ", "Y");
        NormalisedRecord r = normaliser.normalise("tax-bureau", "tax-bureau", deferred, Instant.now());
        assertThat(r.reasons()).singleElement().asString().startsWith("deferralUntil");
        deferred.put("YJQX", "2020-05-24");
        assertThat(normaliser.normalise("tax-bureau", "tax-bureau", deferred, Instant.now()).reasons()).isEmpty();
    }

    /** Every code point of Unicode's Cc category but tab, line feed and carriage return, in any column. */
    static java.util.stream.IntStream forbiddenControls() {
        return java.util.stream.IntStream.concat(java.util.stream.IntStream.rangeClosed(0x00, 0x1F),
                java.util.stream.IntStream.rangeClosed(0x7F, 0x9F)).filter(cp -> cp != '\t' && cp != '\n' && cp != '\r');
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.MethodSource("forbiddenControls")
    void aControlCharacterInAnyValueQuarantinesTheRowNamingTheFieldAndTheCodePoint(int control) {
        Map<String, Object> row = row();
        row.put("NSRMC", "南昌恒盛" + Character.toString(control) + "医疗器械有限公司");
        NormalisedRecord r = normaliser.normalise("tax-bureau", "tax-bureau", row, Instant.now());
        assertThat(r.valid()).isFalse();
        String code = String.format("U+%04X", control);
        assertThat(r.reasons()).singleElement().asString()
                .startsWith("'NSRMC' holds " + code + " ").contains("at character 5 of 13");
        // kept as the department sent it, for correction and replay; never in a reason or log raw
        assertThat(CanonicalJson.read(r.rawJson()).path("NSRMC").asText()).contains(Character.toString(control));
        assertThat(r.reasons().get(0).chars()).noneMatch(c -> Character.getType(c) == Character.CONTROL);
    }

    @Test
    void tabLineFeedAndCarriageReturnAreText() {
        Map<String, Object> row = row();
        row.put("NSRMC", "南昌恒盛\t医疗器械\r\n有限公司");
        assertThat(normaliser.normalise("tax-bureau", "tax-bureau", row, Instant.now()).reasons()).isEmpty();
    }

    @Test
    void theRuleReachesNestedObjectsListsFieldNamesAndKeysAndCountsEveryField() {
        Map<String, Object> enterprise = new HashMap<>();
        enterprise.put("uscc", "91360100MA35XXXX0K");
        enterprise.put("name", "赣江\u001b[31m物流");
        Map<String, Object> row = new HashMap<>();
        row.put("filingId", "F\u00002020");
        row.put("enterprise", enterprise);
        row.put("contacts", java.util.List.of("甲", "乙\u0085"));
        row.put("note\u0007", "x");
        NormalisedRecord r = normaliser.normalise("provincial-filings", "provincial-filings", row, Instant.now());
        String all = String.join("\n", r.reasons());
        assertThat(all).contains("'enterprise.name' holds U+001B ESCAPE at character 3 of 9")
                .contains("'filingId' holds U+0000 NULL")
                .contains("'contacts[1]' holds U+0085")
                .contains("field name 'note\\u0007' holds U+0007");
        // the key is stored escaped (PostgreSQL keeps no NUL in a text column); the raw row as it came
        assertThat(r.recordKey()).isEqualTo("F\\u00002020");
        assertThat(CanonicalJson.read(r.rawJson()).path("filingId").asText()).isEqualTo("F\u00002020");
        // an unpaired surrogate is not text either
        Map<String, Object> half = row();
        half.put("NSRMC", "南昌\ud800");
        assertThat(normaliser.normalise("tax-bureau", "tax-bureau", half, Instant.now()).reasons())
                .anySatisfy(reason -> assertThat(reason).contains("U+D800 (half of a surrogate pair"));
    }

    @Test
    void theColumnsAFileSourceAddsAreNotTheDepartmentsValues() {
        Map<String, Object> row = row();
        row.put("_file", "名单\u0001.csv");
        row.put("_text", "a line \u001b as read");
        assertThat(normaliser.normalise("tax-bureau", "tax-bureau", row, Instant.now()).reasons()).isEmpty();
        row.put("NSRMC", "南昌\u0001");
        assertThat(normaliser.normalise("tax-bureau", "tax-bureau", row, Instant.now()).reasons()).singleElement().asString()
                .startsWith("'NSRMC' holds U+0001");
    }

    @Test
    void aConverterMessageQuotingAControlCharacterIsEscaped() {
        Map<String, Object> row = row();
        row.put("SJJE", "12\u001b34");
        NormalisedRecord r = normaliser.normalise("tax-bureau", "tax-bureau", row, Instant.now());
        assertThat(r.reasons()).hasSize(2).anySatisfy(reason -> assertThat(reason).contains("'12\\u001B34' is not an amount"));
    }
}
