package org.govhub.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.govhub.normalise.CanonicalJson;
import org.govhub.normalise.MappingRegistry;
import org.govhub.normalise.NormalisedRecord;
import org.govhub.normalise.RecordNormaliser;
import org.govhub.normalise.RecordValidator;
import org.govhub.normalise.RegionCodes;
import org.govhub.normalise.SchemaRegistry;
import org.junit.jupiter.api.Test;

/**
 * The generated REST sandbox data through the project's mapping files, without a hub: every version
 * meant to be valid is, every broken one fails for the reason it was broken, and the mappings do
 * what they say (nested paths, code tables, 万元, given-or-derived size class, masked identity numbers).
 */
class RestSandboxDataTest {

    private static final ObjectMapper JSON = JsonMapper.builder().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).build();
    private static final RegionCodes REGIONS = new RegionCodes();
    private final SchemaRegistry schemas = new SchemaRegistry();
    private final RecordNormaliser normaliser = new RecordNormaliser(new MappingRegistry(schemas, Path.of("mappings")), schemas,
            new RecordValidator(REGIONS, (standard, code) -> false), new org.govhub.prioritise.PriorityRules(new org.springframework.core.io.ClassPathResource("rules/priority-classes.yaml")),
            new org.govhub.enrich.PolicyEnricher(org.govhub.enrich.PolicyRules.standard()));

    /** The item as the hub reads it off the wire. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> overTheWire(Map<String, Object> item) throws Exception {
        return JSON.readValue(JSON.writeValueAsString(item), LinkedHashMap.class);
    }

    private NormalisedRecord normalise(String mapping, SandboxFeed.Version v) throws Exception {
        return normaliser.normalise(mapping, mapping, overTheWire(v.item()), Instant.now());
    }

    @Test
    void filingsAreValidUnlessBrokenOnPurposeAndBrokenOnesSayWhy() throws Exception {
        List<SandboxFeed.Version> versions = new FilingGenerator(2020, REGIONS.countiesUnder("36"), 20).generate(240);
        assertThat(versions.stream().map(SandboxFeed.Version::defect).filter(d -> d != null).collect(Collectors.toSet()))
                .containsExactlyInAnyOrder(FilingGenerator.DEFECTS);
        assertThat(versions.stream().filter(v -> v.stage() == 1)).hasSizeGreaterThan(10);
        Set<String> sizeSources = new HashSet<>();
        Set<String> hashes = new HashSet<>();
        for (SandboxFeed.Version v : versions) {
            NormalisedRecord r = normalise("provincial-filings", v);
            String all = r.reasons().toString();
            if (v.defect() == null) {
                assertThat(r.reasons()).as(v.id() + " " + v.item()).isEmpty();
                assertThat(hashes.add(r.contentHash())).as("content of %s is unique", v.id()).isTrue();
                JsonNode json = CanonicalJson.read(r.canonicalJson());
                sizeSources.add(json.path("sizeClassSource").asText());
                assertThat(json.path("updatedAt").asText()).matches("2020-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\+08:00");
                continue;
            }
            assertThat(r.valid()).as(v.id()).isFalse();
            switch (v.defect()) {
                case "credit code with a wrong check character" -> assertThat(all).contains("creditCode", "GB32100 check character");
                case "unknown industry code" -> assertThat(all).contains("industryCode", "Z01");
                case "industry division not in its section" -> assertThat(all).contains("industryCode", "division 52 is not in section C");
                case "region code missing from GB/T 2260" -> assertThat(all).contains("regionCode", "369999", "GB/T 2260");
                case "unknown status code" -> assertThat(all).contains("status (from status)", "'99'");
                case "revenue with fractions of a fen" -> assertThat(all).contains("operatingRevenueFen (from enterprise.revenueWan)",
                        "whole number of fen");
                case "impossible planned date and unreadable returned count" -> assertThat(all).contains(
                        "plannedResumptionDate (from resumption.plannedDate)", "employeesReturned (from workforce.returned)");
                default -> throw new AssertionError(v.defect());
            }
        }
        assertThat(sizeSources).containsExactlyInAnyOrder("GIVEN", "DERIVED");
    }

    @Test
    void aFilingMapsNestedFieldsCodesWanYuanAndTheSizeClassGivenOrDerived() throws Exception {
        Map<String, Object> item = new LinkedHashMap<>(Map.of(
                "filingId", "GFT2020000001", "updatedAt", "2020-03-02T10:15:00+08:00", "status", "30",
                "filedAt", "2020/2/8 9:30",
                "enterprise", new LinkedHashMap<>(Map.of("uscc", "91350100M000100Y43", "name", "南昌洪都医药有限公司",
                        "divisionCode", "360102", "industryCode", "C2710", "staffCount", 320, "revenueWan", "2,500.50")),
                "workforce", Map.of("total", 330, "returned", 300),
                "resumption", Map.of("plannedDate", "20200210", "actualDate", "2020年2月12日", "capacityRate", 85)));
        NormalisedRecord derived = normaliser.normalise("provincial-filings", "provincial-filings", item, Instant.now());
        assertThat(derived.reasons()).isEmpty();
        JsonNode json = CanonicalJson.read(derived.canonicalJson());
        assertThat(json.path("status").asText()).isEqualTo("RESUMED");
        assertThat(json.path("operatingRevenueFen").asLong()).isEqualTo(2_500_500_000L);
        assertThat(json.path("sizeClass").asText()).isEqualTo("MEDIUM"); // industry: ≥ 300 staff and ≥ 2000万
        assertThat(json.path("sizeClassSource").asText()).isEqualTo("DERIVED");
        assertThat(json.path("aboveDesignatedSize").asBoolean()).isTrue();
        assertThat(json.path("keyGuaranteeList").asBoolean()).isFalse();
        assertThat(json.path("filedAt").asText()).isEqualTo("2020-02-08T09:30:00+08:00");
        assertThat(json.path("plannedResumptionDate").asText()).isEqualTo("2020-02-10");
        assertThat(json.path("actualResumptionDate").asText()).isEqualTo("2020-02-12");

        @SuppressWarnings("unchecked")
        Map<String, Object> enterprise = (Map<String, Object>) item.get("enterprise");
        enterprise.put("scale", "小型");
        JsonNode given = CanonicalJson.read(normaliser.normalise("provincial-filings", "provincial-filings", item, Instant.now())
                .canonicalJson());
        assertThat(given.path("sizeClass").asText()).isEqualTo("SMALL");
        assertThat(given.path("sizeClassSource").asText()).isEqualTo("GIVEN");
    }

    @Test
    void creditEventsAreValidUnlessBrokenAndIdentityNumbersOnlyEverAppearMasked() throws Exception {
        List<SandboxFeed.Version> versions = new CreditRecordGenerator(2021, REGIONS.countiesUnder("36"), 16).generate(160);
        assertThat(versions.stream().map(SandboxFeed.Version::defect).filter(d -> d != null).collect(Collectors.toSet()))
                .containsExactlyInAnyOrder(CreditRecordGenerator.DEFECTS);
        assertThat(versions.stream().filter(v -> v.stage() == 1 && v.newContent())).isNotEmpty();
        assertThat(versions.stream().filter(v -> v.stage() == 1 && !v.newContent())).isNotEmpty();
        Map<String, String> firstHash = new LinkedHashMap<>();
        Set<String> persons = new HashSet<>();
        for (SandboxFeed.Version v : versions) {
            NormalisedRecord r = normalise("credit-portal", v);
            @SuppressWarnings("unchecked")
            String subjectCode = (String) ((Map<String, Object>) v.item().get("subject")).get("code");
            String all = r.reasons().toString();
            if (v.defect() == null) {
                assertThat(r.reasons()).as(v.id() + " " + v.item()).isEmpty();
                if (CanonicalJson.read(r.canonicalJson()).path("subjectType").asText().equals("PERSON")) {
                    persons.add(v.id());
                }
                String before = firstHash.putIfAbsent(v.id(), r.contentHash());
                if (before != null) {
                    // a repaired event is new content; a merely touched one is the same content
                    assertThat(before.equals(r.contentHash())).as(v.id()).isEqualTo(!v.newContent());
                }
                continue;
            }
            assertThat(r.valid()).as(v.id()).isFalse();
            switch (v.defect()) {
                case "invalid identity number" -> {
                    assertThat(all).contains("subjectId", "GB11643", "check character", subjectCode.substring(0, 6) + "**********");
                    assertThat(all).doesNotContain(subjectCode);
                }
                case "credit code with a wrong check character" -> assertThat(all).contains("subjectId", "GB32100 check character");
                case "unknown credit category" -> assertThat(all).contains("recordType (from category)", "'99'");
                case "region code missing from GB/T 2260" -> assertThat(all).contains("regionCode", "369999");
                case "impossible occurrence date" -> assertThat(all).contains("occurredOn (from occurredOn)", "2020-13-01");
                default -> throw new AssertionError(v.defect());
            }
        }
        assertThat(persons).isNotEmpty();
    }
}
