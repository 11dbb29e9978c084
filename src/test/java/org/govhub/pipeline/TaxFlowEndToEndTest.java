package org.govhub.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.NotifyBuilder;
import org.govhub.SandboxHubTest;
import org.govhub.normalise.CanonicalJson;
import org.govhub.sandbox.NationalPlatformReceiver;
import org.govhub.sandbox.TaxBureauSandbox;
import org.govhub.sandbox.GeneratedRow;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

/** The whole tax flow on the sandbox: SQL source → broker → batches → national platform. */
class TaxFlowEndToEndTest extends SandboxHubTest {

    @Autowired
    CamelContext camel;
    @Autowired
    TaxBureauSandbox taxBureau;
    @Autowired
    NationalPlatformReceiver platform;
    @Autowired
    JdbcTemplate hub;

    @Test
    void everyValidRowReachesThePlatformOnceAndEveryInvalidRowIsQuarantinedWithReasons() {
        List<GeneratedRow> rows = taxBureau.rows();
        Set<String> validKeys = keys(rows, r -> r.valid());
        Set<String> invalidKeys = keys(rows, r -> !r.valid());
        assertThat(invalidKeys).hasSizeGreaterThan(7); // every kind of defect appears at least once

        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                .until(() -> taxRecords().size() >= validKeys.size()
                        && hub.queryForObject("SELECT COUNT(*) FROM quarantine WHERE source_id = 'tax-bureau'", Integer.class)
                        >= invalidKeys.size());
        // let a few more polls and delivery rounds run: nothing more may arrive
        NotifyBuilder morePolls = new NotifyBuilder(camel).fromRoute("tax-bureau-source").whenCompleted(3).create();
        assertThat(morePolls.matches(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();

        List<Map<String, Object>> received = taxRecords();
        Map<String, Long> timesReceived = received.stream()
                .collect(Collectors.groupingBy(r -> (String) r.get("source_record_key"), Collectors.counting()));
        assertThat(timesReceived.keySet()).isEqualTo(validKeys);
        assertThat(timesReceived.values()).allMatch(n -> n == 1);

        List<Map<String, Object>> quarantined = hub.queryForList("SELECT * FROM quarantine WHERE source_id = 'tax-bureau'");
        assertThat(quarantined).extracting(q -> (String) q.get("source_record_key"))
                .containsExactlyInAnyOrderElementsOf(invalidKeys);
        Map<String, String> defectByKey = new HashMap<>();
        rows.stream().filter(r -> !r.valid()).forEach(r -> defectByKey.put(r.key(), r.defect()));
        for (Map<String, Object> q : quarantined) {
            String key = (String) q.get("source_record_key");
            JsonNode reasons = CanonicalJson.read((String) q.get("reasons"));
            JsonNode raw = CanonicalJson.read((String) q.get("raw_payload"));
            assertThat(raw.path("decl_id").asText()).isEqualTo(key);
            assertThat(reasons.size()).isPositive();
            String all = reasons.toString();
            switch (defectByKey.get(key)) {
                case "credit code with a wrong check character" -> assertThat(all).contains("creditCode", "GB32100 check character");
                case "region code missing from GB/T 2260" -> assertThat(all).contains("regionCode", "369999", "GB/T 2260");
                case "impossible date and unreadable amount" -> {
                    // both problems are reported, not just the first
                    assertThat(all).contains("declaredAt (from sbrq)", "declaredAmountFen (from ybtse)");
                    assertThat(reasons.size()).isEqualTo(2);
                }
                case "unknown tax type code" -> assertThat(all).contains("taxType (from zsxm_dm)", "99999");
                case "no credit code and a negative payment" -> assertThat(all).contains("creditCode", "paidAmountFen");
                case "amount with fractions of a fen" -> assertThat(all).contains("1234.567", "whole number of fen");
                case "deferral granted without an end date" -> assertThat(all).contains("deferralUntil");
                default -> throw new AssertionError("unexpected defect " + defectByKey.get(key));
            }
        }
    }

    @Test
    void theHubDatabaseKeepsTheParsedStatementsOfAPooledConnection() {
        // H2 keeps 8 by default, fewer than the hub runs on one pooled connection: most calls parsed their SQL again
        assertThat(hub.queryForObject("SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME = 'QUERY_CACHE_SIZE'",
                Integer.class)).isGreaterThanOrEqualTo(64);
    }

    @Test
    void deliveredBatchesCarryCorrectManifestsAndTheirReceiptsAreRecorded() {
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                .until(() -> hub.queryForObject("SELECT COUNT(*) FROM batch WHERE status <> 'ACKNOWLEDGED'", Integer.class) == 0
                        && taxRecords().size() >= keys(taxBureau.rows(), r -> r.valid()).size());

        List<Map<String, Object>> batches = hub.queryForList("SELECT * FROM batch WHERE schema_name = 'TaxRecord'");
        Map<String, Map<String, Object>> receivedById = platform.receivedBatches().stream()
                .filter(b -> CanonicalJson.read((String) b.get("manifest")).path("schema").asText().equals("TaxRecord"))
                .collect(Collectors.toMap(b -> (String) b.get("batch_id"), Function.identity()));
        assertThat(receivedById.keySet()).isEqualTo(batches.stream().map(b -> (String) b.get("batch_id")).collect(Collectors.toSet()));
        for (Map<String, Object> batch : batches) {
            String id = (String) batch.get("batch_id");
            Map<String, Object> atPlatform = receivedById.get(id);
            assertThat(batch.get("receipt_id")).isEqualTo(atPlatform.get("receipt_id"));
            assertThat(((Number) atPlatform.get("submissions")).intValue()).isEqualTo(1);

            JsonNode manifest = CanonicalJson.read((String) atPlatform.get("manifest"));
            int count = manifest.path("recordCount").asInt();
            assertThat(count).isBetween(1, 40);
            assertThat(manifest.path("batchId").asText()).isEqualTo(id);
            assertThat(manifest.path("schema").asText()).isEqualTo("TaxRecord");
            assertThat(manifest.path("schemaVersion").asText()).isEqualTo("1.0.0");
            assertThat(manifest.path("sources").toString()).isEqualTo("[\"tax-bureau\"]");
            // the hash in the manifest is the hash of the records the platform holds
            List<String> records = platform.receivedRecordsOf(id);
            assertThat(records).hasSize(count);
            assertThat(manifest.path("payloadSha256").asText())
                    .isEqualTo(CanonicalJson.sha256("[" + String.join(",", records) + "]"));
            // the time range spans the records' declaration dates
            List<String> dates = records.stream().map(r -> CanonicalJson.read(r).path("declaredAt").asText()).sorted().toList();
            assertThat(manifest.path("timeRange").path("from").asText()).isEqualTo(dates.get(0));
            assertThat(manifest.path("timeRange").path("to").asText()).isEqualTo(dates.get(dates.size() - 1));
        }
    }

    private List<Map<String, Object>> taxRecords() {
        return platform.receivedRecords("tax-bureau");
    }

    private static Set<String> keys(List<GeneratedRow> rows, java.util.function.Predicate<GeneratedRow> which) {
        return rows.stream().filter(which).map(r -> r.key()).collect(Collectors.toSet());
    }
}
