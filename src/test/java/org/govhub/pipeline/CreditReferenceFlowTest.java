package org.govhub.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.govhub.SandboxHubTest;
import org.govhub.normalise.CanonicalJson;
import org.govhub.sandbox.CreditReferenceSandbox;
import org.govhub.sandbox.GeneratedRow;
import org.govhub.sandbox.NationalPlatformReceiver;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

/** Credit events from the credit-reference centre's database, as CreditRecord, on the sandbox. */
class CreditReferenceFlowTest extends SandboxHubTest {

    @Autowired
    CreditReferenceSandbox centre;
    @Autowired
    NationalPlatformReceiver platform;
    @Autowired
    JdbcTemplate hub;

    @Test
    void validEventsArriveOnceAndBrokenOnesAreQuarantinedWithoutExposingIdentityNumbers() {
        List<GeneratedRow> rows = centre.rows();
        Set<String> valid = rows.stream().filter(GeneratedRow::valid).map(GeneratedRow::key).collect(Collectors.toSet());
        Map<String, GeneratedRow> invalid = rows.stream().filter(r -> !r.valid())
                .collect(Collectors.toMap(GeneratedRow::key, r -> r));
        assertThat(invalid).hasSizeGreaterThanOrEqualTo(6);

        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                .until(() -> platform.receivedRecords("credit-reference").size() >= valid.size()
                        && hub.queryForObject("SELECT COUNT(*) FROM quarantine WHERE source_id = 'credit-reference'",
                                Integer.class) >= invalid.size());

        Map<String, Long> times = platform.receivedRecords("credit-reference").stream()
                .collect(Collectors.groupingBy(r -> (String) r.get("source_record_key"), Collectors.counting()));
        assertThat(times.keySet()).isEqualTo(valid);
        assertThat(times.values()).allMatch(n -> n == 1);

        List<Map<String, Object>> quarantined = hub.queryForList("SELECT * FROM quarantine WHERE source_id = 'credit-reference'");
        assertThat(quarantined).extracting(q -> (String) q.get("source_record_key"))
                .containsExactlyInAnyOrderElementsOf(invalid.keySet());
        for (Map<String, Object> q : quarantined) {
            GeneratedRow row = invalid.get((String) q.get("source_record_key"));
            String reasons = (String) q.get("reasons");
            String subjectId = (String) row.columns().get("zt_dm");
            switch (row.defect()) {
                case "identity number with a wrong check character" -> assertThat(reasons)
                        .contains("subjectId", "GB11643 check character does not match").doesNotContain(subjectId);
                case "identity number with an impossible birth date" -> assertThat(reasons)
                        .contains("GB11643 birth date part is not a calendar date").doesNotContain(subjectId);
                case "enterprise credit code with a wrong check character" -> assertThat(reasons)
                        .contains("subjectId '" + subjectId + "': GB32100 check character");
                case "unknown record type code" -> assertThat(reasons).contains("recordType (from jl_lx)", "'09'");
                case "negative amount" -> assertThat(reasons).contains("amountFen");
                case "region code missing from GB/T 2260" -> assertThat(reasons).contains("regionCode", "GB/T 2260");
                default -> throw new AssertionError(row.defect());
            }
        }
    }

    @Test
    void deliveredPersonsCarryTheirEpidemicSituationAndEnterprisesTheirCommitment() {
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                .until(() -> !platform.receivedRecords("credit-reference").isEmpty());
        String batchId = (String) platform.receivedRecords("credit-reference").get(0).get("batch_id");
        List<String> records = platform.receivedRecordsOf(batchId);
        assertThat(records).allSatisfy(r -> {
            var json = CanonicalJson.read(r);
            assertThat(json.path("schema").asText()).isEqualTo("CreditRecord");
            assertThat(json.path("subjectType").asText()).isIn("ENTERPRISE", "PERSON");
            assertThat(json.path("epidemicSituation").asText())
                    .isIn("PATIENT", "ISOLATED", "UNDER_OBSERVATION", "PREVENTION_WORKER", "LOST_INCOME", "NONE");
            assertThat(json.path("occurredOn").asText()).matches("2020-0[1-4]-\\d{2}");
        });
    }
}
