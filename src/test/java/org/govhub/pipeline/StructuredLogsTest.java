package org.govhub.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.govhub.SandboxHubTest;
import org.govhub.normalise.CanonicalJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * JSON logs on demand ({@code logging.structured.format.console=ecs}): every line the hub writes is
 * one JSON object, and a line about a source, a batch or a record names it in its context, whether the
 * line comes from a route (camel-mdc) or from code that loops over a page's records (LogFields). A
 * record's trail ({@code /api/admin/records}) leads from its provenance to its batch and the
 * platform's receipt, the same batch and receipt the log lines and the platform name.
 */
class StructuredLogsTest {

    private static final int TAX_ROWS = 100;

    @Test
    @Timeout(300)
    void everyLineIsJsonNamingItsSourceBatchAndRecordAndARecordsTrailEndsInItsReceipt() {
        Path dir = SandboxHubTest.newDataDir("govhub-json-logs");
        ExactlyOnce expected = new ExactlyOnce(TAX_ROWS, 0);
        List<String> args = new ArrayList<>(List.of(ExactlyOnce.sandbox(TAX_ROWS, 0)));
        args.add("--logging.config=classpath:hub-process-json-logback.xml");
        args.add("--logging.structured.format.console=ecs");
        try (HubJvm hub = HubJvm.start(dir, "json-logs", args.toArray(String[]::new))) {
            expected.awaitDelivered(hub, Duration.ofMinutes(3));

            List<JsonNode> lines = new ArrayList<>();
            for (String line : hub.log()) {
                // logged by Spring while it takes over from the -Dlogback.configurationFile HubJvm starts every hub with
                if (line.contains("Ignoring 'logback.configurationFile'")) {
                    continue;
                }
                JsonNode json = parse(line);
                assertThat(json.isObject()).as("a JSON object: %s", line).isTrue();
                assertThat(json.path("@timestamp").asText()).as("@timestamp of %s", line).isNotEmpty();
                assertThat(json.path("message").asText()).as("message of %s", line).isNotEmpty();
                lines.add(json);
            }
            assertThat(lines).as("JSON lines").hasSizeGreaterThan(20);

            // a source's poll, logged in its route: the source, and the route
            JsonNode poll = lines.stream().filter(l -> l.path("message").asText().startsWith("source tax-bureau: ")
                    && l.path("message").asText().contains(" done: ")).findFirst().orElseThrow(() -> new AssertionError("no poll line"));
            assertThat(field(poll, "govhubSourceId")).isEqualTo("tax-bureau");
            assertThat(field(poll, "camel.routeId")).isNotEmpty();

            // a broken row, logged for one record of a poll's rows: the source and the record
            String brokenKey = expected.invalid.iterator().next().substring("tax-bureau|".length());
            JsonNode kept = only(lines, m -> m.startsWith("quarantined tax-bureau record " + brokenKey + ":"));
            assertThat(field(kept, "govhubSourceId")).isEqualTo("tax-bureau");
            assertThat(field(kept, "govhubRecordKey")).isEqualTo(brokenKey);

            // a valid record's trail: provenance -> batch -> receipt, as the log lines and the platform say
            String key = expected.valid.iterator().next().substring("tax-bureau|".length());
            JsonNode trail = hub.get("/api/admin/records?source=tax-bureau&key=" + key);
            assertThat(trail.path("versions")).hasSize(1);
            assertThat(trail.path("quarantine")).isEmpty();
            JsonNode version = trail.path("versions").get(0);
            assertThat(version.path("provenance").path("sourceId").asText()).isEqualTo("tax-bureau");
            assertThat(version.path("provenance").path("sourceRecordKey").asText()).isEqualTo(key);
            assertThat(version.path("provenance").path("mappingVersion").asText()).isNotEmpty();
            JsonNode batch = version.path("batch");
            assertThat(batch.path("status").asText()).isEqualTo("ACKNOWLEDGED");
            String batchId = batch.path("batchId").asText();
            String receiptId = batch.path("receiptId").asText();
            assertThat(receiptId).isNotEmpty();
            JsonNode sealed = only(lines, m -> m.startsWith("batch " + batchId + " sealed with "));
            assertThat(field(sealed, "govhubBatchId")).isEqualTo(batchId);
            JsonNode acknowledged = only(lines, m -> m.startsWith("batch " + batchId + " acknowledged by the national platform, receipt "
                    + receiptId));
            assertThat(field(acknowledged, "govhubBatchId")).isEqualTo(batchId);
            JsonNode received = hub.get("/sandbox/platform/batches/" + batchId);
            assertThat(received.has("RECEIPT_ID") ? received.path("RECEIPT_ID").asText() : received.path("receipt_id").asText())
                    .as("the platform's receipt for batch %s", batchId).isEqualTo(receiptId);
            assertThat(received.path("records").findValuesAsText("sourceRecordKey")).contains(key);

            // a broken row's trail: its quarantine entry with the reasons, no batch
            JsonNode brokenTrail = hub.get("/api/admin/records?source=tax-bureau&key=" + brokenKey);
            assertThat(brokenTrail.path("versions")).isEmpty();
            assertThat(brokenTrail.path("quarantine")).hasSize(1);
            assertThat(brokenTrail.path("quarantine").get(0).path("status").asText()).isEqualTo("OPEN");
            assertThat(brokenTrail.path("quarantine").get(0).path("reasons")).isNotEmpty();
            assertThat(brokenTrail.path("quarantine").get(0).has("raw_payload")).isFalse();
        }
    }

    private static JsonNode parse(String line) {
        try {
            return CanonicalJson.read(line);
        } catch (IllegalArgumentException e) {
            throw new AssertionError("not a JSON line: " + line, e);
        }
    }

    /** The one line whose message passes {@code test}. */
    private static JsonNode only(List<JsonNode> lines, Predicate<String> test) {
        List<JsonNode> found = lines.stream().filter(l -> test.test(l.path("message").asText())).toList();
        assertThat(found).as("lines matching").hasSize(1);
        return found.get(0);
    }

    /** A context field, flat ("a.b": ...) or nested ({"a": {"b": ...}}) as the format writes it. */
    private static String field(JsonNode line, String name) {
        if (line.has(name)) {
            return line.path(name).asText();
        }
        JsonNode node = line;
        for (String part : name.split("\\.")) {
            node = node.path(part);
        }
        return node.asText();
    }
}
