package org.govhub.normalise;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.govhub.enrich.PolicyEnricher;
import org.govhub.enrich.PolicyRules;
import org.govhub.prioritise.PriorityRules;
import org.govhub.sandbox.SocialInsuranceGenerator;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.ClassPathResource;

/** Rows through the project's mappings: valid records carry their policy, and still meet their schema with it. */
class PolicyEnrichmentTest {

    private final SchemaRegistry schemas = new SchemaRegistry();
    private final RecordValidator validator = new RecordValidator(new RegionCodes(), (standard, code) -> false);
    private final RecordNormaliser normaliser = new RecordNormaliser(new MappingRegistry(schemas, Path.of("mappings")), schemas,
            validator, new PriorityRules(new ClassPathResource("rules/priority-classes.yaml")), new PolicyEnricher(PolicyRules.standard()));

    private static Map<String, Object> unitRow() {
        Map<String, Object> row = new HashMap<>();
        row.put(SocialInsuranceGenerator.CODE, "91350100M000100Y43");
        row.put(SocialInsuranceGenerator.NAME, "南昌恒盛医疗器械有限公司");
        row.put(SocialInsuranceGenerator.TYPE, "10");
        row.put(SocialInsuranceGenerator.PERIOD, "202003");
        row.put(SocialInsuranceGenerator.EMPLOYEES, "120");
        row.put(SocialInsuranceGenerator.BASE, "600000.00");
        row.put(SocialInsuranceGenerator.PENSION, "96000.00");
        row.put(SocialInsuranceGenerator.UNEMPLOYMENT, "3000.00");
        row.put(SocialInsuranceGenerator.WORK_INJURY, "2400.00");
        row.put(SocialInsuranceGenerator.DEFERRAL, "Y");
        row.put(SocialInsuranceGenerator.REGION, "360102");
        row.put(SocialInsuranceGenerator.INDUSTRY, "C3581");
        row.put(SocialInsuranceGenerator.REVENUE, "1,800.00");
        row.put(SocialInsuranceGenerator.ASSETS, "");
        row.put(SocialInsuranceGenerator.SIZE, "2");
        row.put(SocialInsuranceGenerator.DEFERRAL_MONTHS, "8");
        return row;
    }

    private void assertMeetsItsSchema(NormalisedRecord r) {
        JsonNode json = CanonicalJson.read(r.canonicalJson());
        assertThat(validator.validate(schemas.get(r.schema(), r.schemaVersion()), json)).as(r.canonicalJson()).isEmpty();
    }

    @Test
    void aContributionRowCarriesItsSizeReliefAndDeferralWithTheirBasis() {
        NormalisedRecord r = normaliser.normalise("social-insurance", "social-insurance", unitRow(), Instant.now());
        assertThat(r.reasons()).isEmpty();
        JsonNode policy = CanonicalJson.read(r.canonicalJson()).path("policy");
        // C3581, 120 insured, 1800万: small (revenue < 2000万); HRSS says medium: both kept, flagged
        assertThat(policy.path("enterpriseSize").path("derived").asText()).isEqualTo("SMALL");
        assertThat(policy.path("enterpriseSize").path("given").asText()).isEqualTo("MEDIUM");
        assertThat(policy.path("enterpriseSize").path("mismatch").asBoolean()).isTrue();
        JsonNode relief = policy.path("socialInsuranceRelief");
        assertThat(relief.path("relief").asText()).isEqualTo("EXEMPT");
        assertThat(relief.path("relievedFen").asLong()).isEqualTo(10_140_000L);
        assertThat(relief.path("allowance").path("monthsLeft").asInt()).isEqualTo(3);
        assertThat(policy.path("deferral").path("honouredMonths").asInt()).isEqualTo(6);
        assertThat(policy.path("deferral").path("withinLimit").asBoolean()).isFalse();
        assertThat(policy.path("rulesVersion").asText()).isEqualTo("2020.1");
        assertMeetsItsSchema(r);
    }

    @Test
    void thePolicyIsOutsideTheContentHash() {
        NormalisedRecord r = normaliser.normalise("social-insurance", "social-insurance", unitRow(), Instant.now());
        JsonNode json = CanonicalJson.read(r.canonicalJson());
        var content = (com.fasterxml.jackson.databind.node.ObjectNode) json.deepCopy();
        content.remove(List.of("provenance", "priority", "policy"));
        assertThat(CanonicalJson.sha256(CanonicalJson.write(content))).isEqualTo(r.contentHash());
    }

    @Test
    void anEnterpriseWhoseReliefCannotBeDecidedIsQuarantinedWithTheReason() {
        Map<String, Object> row = unitRow();
        row.put(SocialInsuranceGenerator.REVENUE, "");
        row.put(SocialInsuranceGenerator.SIZE, "");
        NormalisedRecord r = normaliser.normalise("social-insurance", "social-insurance", row, Instant.now());
        assertThat(r.valid()).isFalse();
        assertThat(r.reasons()).singleElement().asString().contains("size class of 91350100M000100Y43 is unknown", "sme-exempt",
                "人社部发〔2020〕11号", "工信部联企业〔2011〕300号");
        assertThat(r.priority()).isNull();
    }

    @Test
    void taxCreditAndFilingRecordsCarryTheirPolicyAndMeetTheirSchemas() {
        Map<String, Object> tax = new HashMap<>();
        tax.put("decl_id", 7L);
        tax.put("nsrsbh", "91350100M000100Y43");
        tax.put("sssq", "202001");
        tax.put("zsxm_dm", "10101");
        tax.put("nsrlx", "1");
        tax.put("sbrq", "2020-02-24");
        tax.put("ybtse", "100.00");
        tax.put("sjje", "0");
        tax.put("yjbz", "Y");
        tax.put("yjqx", "2020-05-25");
        tax.put("xzqh_dm", "360102");
        NormalisedRecord t = normaliser.normalise("tax-bureau", "tax-bureau", tax, Instant.now());
        assertThat(t.reasons()).isEmpty();
        JsonNode tp = CanonicalJson.read(t.canonicalJson());
        assertThat(tp.path("filingFrequency").asText()).isEqualTo("MONTHLY"); // no nsqx column: a monthly filer
        assertThat(tp.path("policy").path("declarationDeadline").path("deadline").asText()).isEqualTo("2020-02-24");
        assertThat(tp.path("policy").path("declarationDeadline").path("onTime").asBoolean()).isTrue();
        assertThat(tp.path("policy").path("paymentDeferral").path("withinLimit").asBoolean()).isFalse();
        assertMeetsItsSchema(t);

        Map<String, Object> credit = new HashMap<>();
        credit.put("event_id", 9L);
        credit.put("zt_lx", "2");
        credit.put("zt_dm", "360102199001010018");
        credit.put("zt_mc", "张三");
        credit.put("jl_lx", "01");
        credit.put("je", "5000.00");
        credit.put("fs_rq", "2020-02-10");
        credit.put("yq_yx", "1");
        credit.put("yq_qk", "2");
        credit.put("hk_cn", "N");
        credit.put("xzqh", "360102");
        NormalisedRecord c = normaliser.normalise("credit-reference", "credit-reference", credit, Instant.now());
        assertThat(c.reasons()).isEmpty();
        JsonNode cp = CanonicalJson.read(c.canonicalJson()).path("policy");
        // an isolated person's overdue caused by the epidemic: not reported
        assertThat(cp.path("overdueReporting").path("mayBeReported").asBoolean()).isFalse();
        assertThat(cp.path("publicity").path("covered").asBoolean()).isFalse();
        assertMeetsItsSchema(c);
    }
}
