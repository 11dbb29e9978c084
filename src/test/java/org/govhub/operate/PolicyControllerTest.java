package org.govhub.operate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.govhub.batch.BatchAssembler;
import org.govhub.enrich.PolicyEnricher;
import org.govhub.enrich.PolicyRules;
import org.govhub.normalise.CanonicalJson;
import org.junit.jupiter.api.Test;

/**
 * The policy API answers with the facts the enriched records carry, not a second computation:
 * records enriched here, held by a stand-in for the batch store, and the API's answer compared
 * fact by fact (the whole hub's version is PolicyEndToEndTest).
 */
class PolicyControllerTest {

    private static final String ENTERPRISE = "91360102MA35XXXX0X";
    private final PolicyRules rules = PolicyRules.standard();
    private final PolicyEnricher enricher = new PolicyEnricher(rules);
    private final List<Map<String, Object>> held = new ArrayList<>();

    /** The batch store, reduced to the records it holds about the enterprise. */
    private final BatchAssembler batches = new BatchAssembler(null, null, null, null) {
        @Override
        public List<Map<String, Object>> recordsAbout(String enterpriseCode) {
            return held;
        }
    };

    private ObjectNode hold(String schema, String key, ObjectNode record) {
        record.put("schema", schema);
        ObjectNode provenance = record.putObject("provenance");
        provenance.put("sourceId", "test");
        provenance.put("sourceRecordKey", key);
        provenance.put("ingestedAt", "2020-11-01T00:00:00Z");
        record.set("policy", enricher.enrich(schema, record));
        Map<String, Object> row = new HashMap<>();
        row.put("record", CanonicalJson.write(record));
        row.put("batch_id", "b1");
        row.put("source_id", "test");
        row.put("source_record_key", key);
        held.add(row);
        return record;
    }

    private JsonNode answer(String period) {
        return CanonicalJson.read(new PolicyController(batches, rules).enterprise(ENTERPRISE, period).getBody());
    }

    @Test
    void theAnswerCarriesTheEnrichedFactsOfTaxDeadlinesAndLoanDeferrals() {
        ObjectNode september = JsonNodeFactory.instance.objectNode();
        september.put("creditCode", ENTERPRISE);
        september.put("regionCode", "360102");
        september.put("filingFrequency", "MONTHLY");
        september.put("period", "2020-09");
        september.put("declaredAt", "2020-10-16");
        september.put("deferralGranted", false);
        ObjectNode tax = hold("TaxRecord", "t1", september);
        ObjectNode lastDay = hold("CreditRecord", "c1", loan("2020-06-30"));
        ObjectNode dayAfter = hold("CreditRecord", "c2", loan("2020-07-01"));

        JsonNode all = answer(null);
        JsonNode deadline = all.path("tax").get(0).path("facts").path("declarationDeadline");
        assertThat(same(deadline, tax.path("policy").path("declarationDeadline"))).isTrue();
        assertThat(deadline.path("deadline").asText()).isEqualTo("2020-10-23");
        assertThat(deadline.path("onTime").asBoolean()).isTrue();

        JsonNode june = answer("2020-06").path("credit");
        assertThat(june).hasSize(1);
        for (String fact : List.of("loanDeferral", "overdueReporting", "publicity")) {
            assertThat(same(june.get(0).path("facts").path(fact), lastDay.path("policy").path(fact))).as(fact).isTrue();
        }
        assertThat(june.get(0).path("facts").path("loanDeferral").path("overdue").asBoolean()).isFalse();
        JsonNode july = answer("2020-07").path("credit").get(0).path("facts");
        assertThat(same(july.path("loanDeferral"), dayAfter.path("policy").path("loanDeferral"))).isTrue();
        assertThat(july.path("loanDeferral").path("overdue").asBoolean()).isTrue();
    }

    /** The same JSON once written (a number read back is an int where the enricher put a long). */
    private static boolean same(JsonNode answered, JsonNode enriched) {
        return CanonicalJson.write(answered).equals(CanonicalJson.write(enriched));
    }

    private static ObjectNode loan(String occurredOn) {
        ObjectNode r = JsonNodeFactory.instance.objectNode();
        r.put("subjectType", "ENTERPRISE");
        r.put("subjectId", ENTERPRISE);
        r.put("recordType", "LOAN_OVERDUE");
        r.put("occurredOn", occurredOn);
        r.put("epidemicImpact", false);
        r.put("epidemicSituation", "NONE");
        r.put("repaymentCommitmentSigned", false);
        r.put("temporaryDeferral", true);
        r.put("sizeClass", "SMALL");
        r.put("regionCode", "360102");
        return r;
    }
}
