package org.govhub.normalise;

import static org.assertj.core.api.Assertions.assertThat;

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
}
