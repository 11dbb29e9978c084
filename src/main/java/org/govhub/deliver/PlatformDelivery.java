package org.govhub.deliver;

import com.fasterxml.jackson.databind.JsonNode;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.govhub.batch.BatchAssembler;
import org.govhub.normalise.CanonicalJson;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Delivery of sealed batches to the national platform, used by the {@code platform-delivery}
 * route. The batch id is the idempotency key: if the hub dies after the platform stored a batch
 * but before the receipt was recorded, the re-sent batch is answered with the same receipt and
 * stored once.
 */
@Component("platformDelivery")
public class PlatformDelivery {

    private static final Logger log = LoggerFactory.getLogger(PlatformDelivery.class);
    public static final String BATCH_ID = "govhubBatchId";

    private final JdbcTemplate jdbc;
    private final BatchAssembler assembler;
    private final PlatformProperties platform;

    public PlatformDelivery(JdbcTemplate jdbc, BatchAssembler assembler, PlatformProperties platform) {
        this.jdbc = jdbc;
        this.assembler = assembler;
        this.platform = platform;
    }

    /** Sealed batches whose next attempt is due, oldest first. */
    public List<String> dueBatches() {
        return jdbc.queryForList("SELECT batch_id FROM batch WHERE status = 'SEALED' AND next_attempt_at <= ?"
                + " ORDER BY sealed_at, batch_id LIMIT 50", String.class, Timestamp.from(Instant.now()));
    }

    /** Turns the exchange into the platform request for one batch: manifest plus records. */
    public void prepare(Exchange exchange) {
        String batchId = exchange.getMessage().getBody(String.class);
        Map<String, Object> batch = jdbc.queryForMap("SELECT manifest, payload_sha256 FROM batch WHERE batch_id = ?", batchId);
        String payload = assembler.payload(batchId);
        if (!CanonicalJson.sha256(payload).equals(batch.get("payload_sha256"))) {
            throw new IllegalStateException("batch " + batchId + " payload no longer matches its manifest hash");
        }
        exchange.setProperty(BATCH_ID, batchId);
        var message = exchange.getMessage();
        // Only what the platform contract names goes out as HTTP headers.
        message.removeHeaders("*");
        message.setHeader(Exchange.HTTP_METHOD, "POST");
        message.setHeader(Exchange.CONTENT_TYPE, "application/json; charset=utf-8");
        message.setHeader("Idempotency-Key", batchId);
        if (platform.token() != null && !platform.token().isBlank()) {
            message.setHeader("Authorization", "Bearer " + platform.token());
        }
        message.setBody("{\"manifest\":" + batch.get("manifest") + ",\"records\":" + payload + "}");
    }

    /** Records the platform's receipt. */
    public void acknowledged(Exchange exchange) {
        String batchId = exchange.getProperty(BATCH_ID, String.class);
        JsonNode receipt = CanonicalJson.read(exchange.getMessage().getBody(String.class));
        String receiptId = receipt.path("receiptId").asText(null);
        if (receiptId == null) {
            throw new IllegalStateException("platform answered batch " + batchId + " without a receiptId");
        }
        jdbc.update("UPDATE batch SET status = 'ACKNOWLEDGED', acknowledged_at = ?, receipt_id = ?, last_error = NULL"
                + " WHERE batch_id = ?", Timestamp.from(Instant.now()), receiptId, batchId);
        log.info("batch {} acknowledged by the national platform, receipt {}{}", batchId, receiptId,
                receipt.path("duplicate").asBoolean() ? " (already held: answered idempotently)" : "");
        exchange.getMessage().removeHeaders("*");
    }

    /** Keeps the batch sealed and schedules the next attempt with exponential back-off. */
    public void failed(Exchange exchange) {
        String batchId = exchange.getProperty(BATCH_ID, String.class);
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        String reason = describe(cause);
        if (batchId == null) {
            log.error("platform delivery failed before a batch was prepared: {}", reason);
            return;
        }
        Integer attempts = jdbc.queryForObject("SELECT attempts FROM batch WHERE batch_id = ?", Integer.class, batchId);
        int attempt = (attempts == null ? 0 : attempts) + 1;
        Duration wait = backoff(attempt, platform.maxBackoff());
        jdbc.update("UPDATE batch SET attempts = ?, last_error = ?, next_attempt_at = ? WHERE batch_id = ?",
                attempt, truncate(reason, 2000), Timestamp.from(Instant.now().plus(wait)), batchId);
        log.warn("batch {} not delivered (attempt {}): {}; next attempt in {}s", batchId, attempt, reason, wait.toSeconds());
    }

    static Duration backoff(int attempt, Duration max) {
        long seconds = 1L << Math.min(attempt, 20);
        return Duration.ofSeconds(Math.min(seconds, max.toSeconds()));
    }

    private static String describe(Exception e) {
        if (e instanceof HttpOperationFailedException http) {
            return "HTTP " + http.getStatusCode() + " from platform: " + truncate(http.getResponseBody(), 500);
        }
        return e == null ? "unknown error" : e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    private static String truncate(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }
}
