package org.govhub.deliver;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.apache.camel.util.ObjectHelper;
import org.govhub.Backoff;
import org.govhub.audit.ExchangeLog;
import org.govhub.batch.BatchAssembler;
import org.govhub.batch.BatchLifecycle;
import org.govhub.batch.BatchLifecycle.State;
import org.govhub.normalise.Queues;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Delivery of mature (sealed) batches to the national platform, used by the
 * {@code platform-delivery} route. The batch id is the idempotency key: if the hub dies after the
 * platform stored a batch but before the receipt was recorded, the re-sent batch is answered with
 * the same receipt and stored once. Failures are retried with exponential back-off behind a
 * circuit breaker; a batch the platform refuses, or that failed too often, is dead until an
 * operator re-sends it. Each delivered batch's manifest is published on
 * {@code govhub.delivered.<schema>} for the departments' feeds.
 */
@Component("platformDelivery")
public class PlatformDelivery {

    private static final Logger log = LoggerFactory.getLogger(PlatformDelivery.class);
    public static final String BATCH_ID = "govhubBatchId";
    public static final String SCHEMA = "govhubBatchSchema";

    private final JdbcTemplate jdbc;
    private final BatchAssembler assembler;
    private final BatchLifecycle lifecycle;
    private final PlatformProperties platform;
    private final CircuitBreaker circuit;
    private final ProducerTemplate producer;
    private final ExchangeLog exchangeLog;

    public PlatformDelivery(JdbcTemplate jdbc, BatchAssembler assembler, BatchLifecycle lifecycle, PlatformProperties platform,
            CircuitBreaker circuit, ProducerTemplate producer, ExchangeLog exchangeLog,
            org.springframework.core.env.Environment environment) {
        this.jdbc = jdbc;
        this.exchangeLog = exchangeLog;
        this.assembler = assembler;
        this.lifecycle = lifecycle;
        this.platform = platform;
        this.circuit = circuit;
        this.producer = producer;
        if (!org.govhub.cluster.ClusterSettings.clustered(environment)) {
            // A batch left SENDING was being sent when the hub stopped: send it again (idempotent).
            sendAgainWhatIsStillSending("the hub stopped while the batch was being sent");
            roundsStarted = true;
        }
    }

    /**
     * Whether this node has looked for batches a stopped hub left SENDING. In a cluster not at start,
     * where it would take the batch another node is sending at that moment, but in the first round of
     * the node that takes delivery over (docs/cluster.md).
     */
    private volatile boolean roundsStarted;

    /** Batches SENDING while no send is under way go again now; the platform answers a repeat with its first receipt. */
    private void sendAgainWhatIsStillSending(String why) {
        for (String batchId : jdbc.queryForList("SELECT batch_id FROM batch WHERE status = 'SENDING'", String.class)) {
            lifecycle.move(batchId, State.SENDING, State.RETRYING, why, "next_attempt_at = ?", Timestamp.from(Instant.now()));
        }
    }

    /**
     * Starts a delivery round. Rounds run one after another on one thread: a batch still SENDING now
     * lost its outcome (the hub database failed while it was being recorded).
     */
    public void startRound(Exchange exchange) {
        exchange.setProperty(ROUND_SENT, 0);
        if (!roundsStarted) {
            sendAgainWhatIsStillSending("the hub stopped while the batch was being sent");
            roundsStarted = true;
        }
        sendAgainWhatIsStillSending("its last attempt ended without a recorded outcome; sent again");
    }

    /**
     * The batch to send next: the most urgent mature batch that is due (class, then sealing order),
     * asked afresh before every send, so a batch sealed meanwhile, or made due by the platform coming
     * back, goes ahead of less urgent ones. Null ends the round: nothing is due, the circuit breaker
     * holds calls back, the last step could not even prepare a batch, or the round sent its share.
     */
    public String nextDue(Exchange exchange) {
        exchange.removeProperty(BATCH_ID);
        exchange.removeProperty(SCHEMA);
        int sent = exchange.getProperty(ROUND_SENT, 0, Integer.class);
        if (exchange.getProperty(ROUND_OVER, false, Boolean.class) || sent >= MAX_PER_ROUND || PlatformCircuit.holding(circuit)) {
            return null;
        }
        exchange.setProperty(ROUND_SENT, sent + 1);
        if (circuit.getState() != CircuitBreaker.State.CLOSED) {
            // the trial call after an outage: the most urgent waiting batch, whatever its own back-off
            return first(jdbc.queryForList("SELECT batch_id FROM batch WHERE status IN ('SEALED', 'RETRYING')"
                    + " ORDER BY priority_class, sealed_at, batch_id LIMIT 1", String.class));
        }
        return first(jdbc.queryForList("SELECT batch_id FROM batch WHERE status IN ('SEALED', 'RETRYING')"
                + " AND next_attempt_at <= ? ORDER BY priority_class, sealed_at, batch_id LIMIT 1", String.class,
                Timestamp.from(Instant.now())));
    }

    private static String first(List<String> ids) {
        return ids.isEmpty() ? null : ids.get(0);
    }

    /** Batches one round sends at most; the timer starts the next round at once after a full one. */
    static final int MAX_PER_ROUND = 100;
    private static final String ROUND_SENT = "govhubRoundSent";
    private static final String ROUND_OVER = "govhubRoundOver";
    /** This call is the trial after an outage (the breaker was half-open when the batch was prepared). */
    private static final String TRIAL = "govhubTrialCall";
    /** Calls failed lately: an answer now means the platform is back. */
    private static final String AFTER_FAILURES = "govhubAfterFailures";

    /** Turns the exchange into the platform request for one batch: manifest plus records. */
    public void prepare(Exchange exchange) {
        String batchId = exchange.getMessage().getBody(String.class);
        Map<String, Object> batch = jdbc.queryForMap("SELECT status, schema_name, manifest, payload_sha256 FROM batch"
                + " WHERE batch_id = ?", batchId);
        State from = State.valueOf((String) batch.get("status"));
        BatchAssembler.Payload payload = assembler.payload(batchId);
        if (!payload.sha256().equals(batch.get("payload_sha256"))) {
            // never send what the manifest does not describe; keep it for an operator to examine
            lifecycle.move(batchId, from, State.DEAD, "stored records no longer match the manifest's SHA-256", null);
            throw new IllegalStateException("batch " + batchId + " payload no longer matches its manifest hash");
        }
        // the attempt is logged and the batch SENDING in one commit: an entry that cannot be written leaves the
        // batch as it was, unsent, and (no batch id on the exchange yet) ends the round
        if (!exchangeLog.appendWith(new ExchangeLog.Event(ExchangeLog.HUB, "platform send", "national-platform/batches", null,
                batchId, (String) batch.get("payload_sha256"), "attempt"),
                () -> lifecycle.move(batchId, from, State.SENDING, "attempt to deliver", null))) {
            throw new IllegalStateException("batch " + batchId + " changed state while being prepared");
        }
        exchange.setProperty(BATCH_ID, batchId);
        // what the breaker says before the call: the EIP has recorded the call's outcome by the time we look again
        exchange.setProperty(TRIAL, circuit.getState() != CircuitBreaker.State.CLOSED);
        exchange.setProperty(AFTER_FAILURES, circuit.getState() != CircuitBreaker.State.CLOSED
                || circuit.getMetrics().getNumberOfFailedCalls() > 0);
        exchange.setProperty(SCHEMA, batch.get("schema_name"));
        var message = exchange.getMessage();
        // Only what the platform contract names goes out as HTTP headers.
        message.removeHeaders("*");
        message.setHeader(Exchange.HTTP_METHOD, "POST");
        message.setHeader(Exchange.CONTENT_TYPE, "application/json; charset=utf-8");
        message.setHeader("Idempotency-Key", batchId);
        if (platform.token() != null && !platform.token().isBlank()) {
            message.setHeader("Authorization", "Bearer " + platform.token());
        }
        // the payload's bytes as hashed: the platform checks its SHA-256 over exactly what it receives
        byte[] records = payload.bytes();
        byte[] head = ("{\"manifest\":" + batch.get("manifest") + ",\"records\":").getBytes(StandardCharsets.UTF_8);
        byte[] body = new byte[head.length + records.length + 1];
        System.arraycopy(head, 0, body, 0, head.length);
        System.arraycopy(records, 0, body, head.length, records.length);
        body[body.length - 1] = '}';
        message.setBody(body);
    }

    /** Records the platform's receipt, after telling the departments' feed. */
    public void acknowledged(Exchange exchange) throws org.apache.camel.InvalidPayloadException {
        String batchId = exchange.getProperty(BATCH_ID, String.class);
        JsonNode receipt = exchange.getMessage().getMandatoryBody(JsonNode.class);
        exchange.getMessage().removeHeaders("*");
        String receiptId = receipt.path("receiptId").asText(null);
        if (receiptId == null) {
            throw new IllegalStateException("platform answered batch " + batchId + " without a receiptId");
        }
        if (exchange.getProperty(AFTER_FAILURES, false, Boolean.class)) {
            // the platform is back: everything waiting goes now, most urgent first, not when each
            // batch's own back-off from the outage would have let it. Not a batch whose call timed out:
            // the platform may still be storing it, and it keeps its back-off.
            jdbc.update("UPDATE batch SET next_attempt_at = ? WHERE status = 'RETRYING' AND (last_error IS NULL"
                    + " OR last_error NOT LIKE '%Timeout%')", Timestamp.from(Instant.now()));
        }
        Map<String, Object> batch = jdbc.queryForMap("SELECT manifest, payload_sha256 FROM batch WHERE batch_id = ?", batchId);
        String receipted = "receipt " + receiptId + (receipt.path("duplicate").asBoolean() ? " (platform already held it)" : "");
        // Published before the receipt is recorded: a crash in between re-sends the batch and
        // publishes it again (subscribers recognise the batch id) rather than never.
        producer.sendBodyAndHeader("jms:topic:" + Queues.deliveredTopic(exchange.getProperty(SCHEMA, String.class)),
                batch.get("manifest"), "govhubReceiptId", receiptId);
        // the receipt is logged and recorded in one commit: if it cannot be logged, the batch stays SENDING and is
        // sent again (the platform answers a repeat with the same receipt)
        if (!exchangeLog.appendWith(new ExchangeLog.Event(ExchangeLog.HUB, "platform receipt", "national-platform/batches", null, batchId,
                (String) batch.get("payload_sha256"), "acknowledged, " + receipted),
                () -> lifecycle.move(batchId, State.SENDING, State.ACKNOWLEDGED, receipted,
                        "acknowledged_at = ?, receipt_id = ?, last_error = NULL", Timestamp.from(Instant.now()), receiptId))) {
            log.warn("batch {} was no longer SENDING when receipt {} came; receipt not recorded (the batch's own state stands)",
                    batchId, receiptId);
            return;
        }
        log.info("batch {} acknowledged by the national platform, receipt {}{}", batchId, receiptId,
                receipt.path("duplicate").asBoolean() ? " (already held: answered idempotently)" : "");
    }

    /** A failed attempt: retry later with back-off, or dead when retrying cannot help. */
    public void failed(Exchange exchange) {
        String batchId = exchange.getProperty(BATCH_ID, String.class);
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        exchange.getMessage().removeHeaders("*");
        if (batchId == null) {
            // the same batch would come next again: the round ends, the next one tries again
            exchange.setProperty(ROUND_OVER, true);
            log.error("platform delivery failed before a batch was prepared: {}", describe(cause));
            return;
        }
        if (ObjectHelper.getException(CallNotPermittedException.class, cause) != null) {
            // the breaker opened after this batch was chosen: not an attempt, the batch waits for it to close
            exchange.setProperty(ROUND_OVER, true);
            lifecycle.move(batchId, State.SENDING, State.RETRYING, "not sent: the circuit breaker is open", null);
            return;
        }
        String reason = describe(cause);
        logFailure(batchId, reason);
        boolean refused = PlatformCircuit.refusal(cause);
        // A trial call after an outage that fails again is the outage going on, not this batch failing:
        // it does not count towards max-attempts (else a long outage would make the most urgent
        // batches dead one after another, each trial spending one of their attempts)
        boolean trial = !refused && exchange.getProperty(TRIAL, false, Boolean.class);
        Integer attempts = jdbc.queryForObject("SELECT attempts FROM batch WHERE batch_id = ?", Integer.class, batchId);
        int attempt = (attempts == null ? 0 : attempts) + (trial ? 0 : 1);
        if (!lifecycle.move(batchId, State.SENDING, State.FAILED, (trial ? "trial call after an outage: " : "attempt " + attempt + ": ") + reason,
                "attempts = ?, last_error = ?", attempt, truncate(reason, 2000))) {
            log.error("batch {} failed but was not SENDING: {}", batchId, reason);
            return;
        }
        if (refused || !trial && attempt >= platform.maxAttempts()) {
            String why = refused ? "the platform refused the batch; re-send it once the cause is fixed"
                    : attempt + " attempts failed; re-send it once the platform is back";
            lifecycle.move(batchId, State.FAILED, State.DEAD, why, null);
            log.error("batch {} is dead: {} ({})", batchId, why, reason);
            return;
        }
        Duration wait = backoff(attempt, platform.maxBackoff());
        lifecycle.move(batchId, State.FAILED, State.RETRYING, "next attempt in " + wait.toSeconds() + "s",
                "next_attempt_at = ?", Timestamp.from(Instant.now().plus(wait)));
        log.warn("batch {} not delivered (attempt {}): {}; next attempt in {}s (circuit {})", batchId, attempt, reason,
                wait.toSeconds(), circuit.getState());
    }

    /** A failed attempt is logged too; if it cannot be, the attempt entry stands alone and the batch is retried anyway. */
    private void logFailure(String batchId, String reason) {
        try {
            exchangeLog.append(new ExchangeLog.Event(ExchangeLog.HUB, "platform send", "national-platform/batches", null, batchId,
                    null, "failed: " + reason));
        } catch (ExchangeLog.Unavailable e) {
            log.error("batch {}: its failed attempt could not be logged: {}", batchId, e.getMessage());
        }
    }

    /** An operator re-sends a dead batch: it is retried now, with a fresh count of attempts. */
    public boolean resend(String batchId, String operator) {
        return lifecycle.move(batchId, State.DEAD, State.RETRYING, "re-sent by operator " + operator,
                "attempts = 0, next_attempt_at = ?", Timestamp.from(Instant.now()));
    }

    /** Two seconds after the first failed attempt, doubling up to {@code max}. */
    static Duration backoff(int attempt, Duration max) {
        return new Backoff(Duration.ofSeconds(2), max).after(attempt);
    }

    private static String describe(Exception e) {
        // the circuitBreaker EIP hands the HTTP failure over wrapped
        HttpOperationFailedException http = ObjectHelper.getException(HttpOperationFailedException.class, e);
        if (http != null) {
            return "HTTP " + http.getStatusCode() + " from platform: " + truncate(http.getResponseBody(), 500);
        }
        Throwable cause = e instanceof org.apache.camel.RuntimeCamelException && e.getCause() != null ? e.getCause() : e;
        return cause == null ? "unknown error" : cause.getClass().getSimpleName() + ": " + cause.getMessage();
    }

    private static String truncate(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }
}
