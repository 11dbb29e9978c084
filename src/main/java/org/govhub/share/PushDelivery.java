package org.govhub.share;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.camel.Exchange;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.govhub.Backoff;
import org.govhub.audit.ExchangeLog;
import org.govhub.normalise.CanonicalJson;
import org.govhub.prioritise.Priority;
import org.govhub.share.Grants.Grant;
import org.govhub.share.Subscriptions.Position;
import org.govhub.share.Subscriptions.SharedBatch;
import org.govhub.share.Subscriptions.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The push channels, used by the routes of {@code routes/subscription-delivery.yaml}: each WEBHOOK or
 * AMQP subscription gets its granted records batch by batch, urgent classes first, each batch with a
 * delivery id (subscription and batch) that stays the same on every attempt. A webhook gets an
 * HMAC-signed POST and the department stores a repeat once; a broker queue gets a message whose
 * duplicate-detection id is the delivery id, so the broker drops a repeat. The position moves only
 * after the POST's 2xx or the broker's acceptance. Failures back off per subscription; a batch the
 * department refuses (4xx) or that failed {@code max-attempts} times goes to the subscription's dead
 * letters and the subscription moves on. Each subscription is pushed by one worker at a time, and a
 * slow or dead one holds up only itself; a broker queue that holds {@code max-queued} batches waits
 * until the department reads.
 */
@Component("pushDelivery")
public class PushDelivery {

    private static final Logger log = LoggerFactory.getLogger(PushDelivery.class);
    public static final String DELIVERY_ID = "X-GovHub-Delivery";
    public static final String TIMESTAMP = "X-GovHub-Timestamp";
    public static final String SIGNATURE = "X-GovHub-Signature";
    static final String SUBSCRIPTION = "govhubSubscription";
    /** The queue a broker subscription's message goes to (route: {@code jms:queue:${exchangeProperty.govhubQueue}}). */
    static final String QUEUE = "govhubQueue";
    /** Artemis's duplicate-detection header (Message.HDR_DUPLICATE_DETECTION_ID). */
    static final String DUPLICATE_ID = "_AMQ_DUPL_ID";
    private static final String SENT = "govhubPushSent";
    private static final String STOP = "govhubPushStop";
    private static final String SEQ = "govhubShareSeq";
    private static final String CLASS = "govhubShareClass";
    private static final String DEAD_LETTER = "govhubDeadLetter";
    static final int MAX_PER_TURN = 20;

    private final JdbcTemplate jdbc;
    private final Subscriptions subscriptions;
    private final SubscriptionFeed feed;
    private final Backoff backoff;
    private final int maxAttempts;
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
    private final ObjectProvider<SubscriptionBroker> queues;
    private final ExchangeLog exchangeLog;
    private static final String PAYLOAD_SHA256 = "govhubPushSha256";
    private static final String BATCH = "govhubPushBatch";

    public PushDelivery(JdbcTemplate jdbc, Subscriptions subscriptions, SubscriptionFeed feed,
            ObjectProvider<SubscriptionBroker> queues, ExchangeLog exchangeLog,
            @Value("${govhub.share.webhook.first-backoff:2s}") Duration firstBackoff,
            @Value("${govhub.share.webhook.max-backoff:5m}") Duration maxBackoff,
            @Value("${govhub.share.webhook.max-attempts:30}") int maxAttempts) {
        this.jdbc = jdbc;
        this.subscriptions = subscriptions;
        this.feed = feed;
        this.backoff = new Backoff(firstBackoff, maxBackoff);
        this.maxAttempts = maxAttempts;
        this.queues = queues;
        this.exchangeLog = exchangeLog;
    }

    /** Subscriptions of a push channel (WEBHOOK, AMQP) with an active grant that are due and not being pushed; each is taken for one worker. */
    public List<String> due(String channel) {
        return candidates(channel).stream().filter(inFlight::add).toList();
    }

    /** Subscriptions of a push channel with an active grant whose next attempt is due, being pushed or not. */
    public List<String> candidates(String channel) {
        return jdbc.queryForList("SELECT s.subscription_id FROM subscription s JOIN share_grant g ON g.grant_id = s.grant_id"
                + " WHERE s.channel = ? AND s.status = 'ACTIVE' AND g.status = 'ACTIVE' AND s.next_attempt_at <= ?"
                + " ORDER BY s.next_attempt_at", String.class, Subscriptions.Channel.valueOf(channel).name(), Timestamp.from(Instant.now()));
    }

    /** The worker is done with the subscription (whatever happened). */
    public void release(Exchange exchange) {
        inFlight.remove(exchange.getProperty(SUBSCRIPTION, String.class));
    }

    /**
     * Turns the exchange into the next POST of the subscription: a dead letter an operator asked to
     * re-send first, then the most urgent next batch. Null ends the worker's turn: nothing waits, the
     * last attempt failed, the grant was revoked, or the turn sent its share.
     */
    public String next(Exchange exchange) {
        String id = exchange.getProperty(SUBSCRIPTION, String.class);
        if (id == null) {
            id = exchange.getMessage().getBody(String.class);
            exchange.setProperty(SUBSCRIPTION, id);
        }
        try {
            return prepareNext(exchange, id);
        } catch (RuntimeException e) {
            // a batch that cannot be read (a damaged chunk, the hub database down): the subscription backs off
            // and says why, instead of being taken again every round
            exchange.getMessage().setBody(null);
            log.warn("subscription {} could not prepare its next delivery: {}", id, e.toString());
            backOff(id, subscriptions.find(id).map(Subscription::attempts).orElse(0) + 1, "preparing the delivery failed: " + e);
            return null;
        }
    }

    private String prepareNext(Exchange exchange, String id) {
        exchange.getMessage().getHeaders().clear();
        exchange.removeProperty(DEAD_LETTER);
        int sent = exchange.getProperty(SENT, 0, Integer.class);
        if (exchange.getProperty(STOP, false, Boolean.class) || sent >= MAX_PER_TURN) {
            return null;
        }
        exchange.setProperty(SENT, sent + 1);
        Optional<Subscription> found = subscriptions.find(id);
        if (found.isEmpty()) {
            return null;
        }
        Subscription s = found.get();
        SubscriptionBroker broker = queues.getIfAvailable();
        if (s.channel() == Subscriptions.Channel.AMQP
                && (broker == null || broker.depth(SubscriptionBroker.queueOf(s)) >= broker.maxQueued())) {
            return null; // no broker channel here, or the department is not reading: its queue stays bounded, the batches wait in the hub
        }
        Grant grant;
        try {
            grant = feed.activeGrant(s);
        } catch (SubscriptionFeed.Forbidden revoked) {
            return null;
        }
        // a re-send asked for by an operator goes before the position's next batch
        List<Map<String, Object>> resend = jdbc.queryForList("SELECT id, share_seq FROM subscription_dead_letter"
                + " WHERE subscription_id = ? AND status = 'RESEND' ORDER BY id LIMIT 1", id);
        if (!resend.isEmpty()) {
            Optional<SharedBatch> batch = subscriptions.batchAt(((Number) resend.get(0).get("share_seq")).longValue());
            if (batch.isPresent()) {
                exchange.setProperty(DEAD_LETTER, ((Number) resend.get(0).get("id")).longValue());
                return request(exchange, s, grant, batch.get());
            }
        }
        Map<Integer, Position> positions = subscriptions.positions(id);
        for (int c : Subscriptions.CLASSES) {
            Optional<SharedBatch> batch = subscriptions.nextBatch(grant, c, positions.get(c).seq());
            while (batch.isPresent()) {
                String body = request(exchange, s, grant, batch.get());
                if (body != null) {
                    return body;
                }
                // nothing of this batch is granted: past it without a call
                subscriptions.save(id, Map.of(c, new Position(batch.get().seq(), 0, positions.get(c).start())));
                batch = subscriptions.nextBatch(grant, c, batch.get().seq());
            }
        }
        return null;
    }

    private String request(Exchange exchange, Subscription s, Grant grant, SharedBatch batch) {
        List<SubscriptionFeed.Item> items = feed.batch(grant, batch);
        if (items.isEmpty()) {
            return null;
        }
        ObjectNode body = CanonicalJson.MAPPER.createObjectNode();
        String deliveryId = s.id() + ":" + batch.batchId();
        body.put("deliveryId", deliveryId);
        body.put("subscription", s.id());
        body.put("resource", grant.resourceCode());
        body.put("batchId", batch.batchId());
        body.put("priorityClass", batch.priorityClass());
        body.put("sealedAt", batch.sealedAt().toInstant().toString());
        body.put("recordCount", items.size());
        ArrayNode records = body.putArray("records");
        for (SubscriptionFeed.Item item : items) {
            ObjectNode r = records.addObject();
            r.put("recordId", item.recordId());
            r.set("record", item.record());
        }
        String json = CanonicalJson.write(body);
        String sha256 = ExchangeLog.sha256(json);
        // logged before it goes: if the entry cannot be written this throws, and the subscription backs off unsent
        exchangeLog.append(new ExchangeLog.Event(ExchangeLog.HUB, "subscription push", "subscription/" + s.id(), s.departmentId(),
                batch.batchId(), sha256, "attempt (" + s.channel() + ", " + items.size() + " records of " + grant.resourceCode() + ")"));
        exchange.setProperty(PAYLOAD_SHA256, sha256);
        exchange.setProperty(BATCH, batch.batchId());
        var message = exchange.getMessage();
        if (s.channel() == Subscriptions.Channel.AMQP) {
            exchange.setProperty(QUEUE, SubscriptionBroker.queueOf(s));
            message.setHeader(DUPLICATE_ID, deliveryId);
            message.setHeader("JMSPriority", new Priority(batch.priorityClass(), null).jmsPriority());
            message.setHeader("govhubDeliveryId", deliveryId);
            message.setHeader("govhubBatchId", batch.batchId());
            message.setHeader("govhubPriorityClass", batch.priorityClass());
            message.setBody(json);
        } else {
            String timestamp = String.valueOf(Instant.now().getEpochSecond());
            message.setHeader(Exchange.HTTP_METHOD, "POST");
            message.setHeader(Exchange.HTTP_URI, s.endpoint());
            message.setHeader(Exchange.CONTENT_TYPE, "application/json; charset=utf-8");
            message.setHeader(DELIVERY_ID, deliveryId);
            message.setHeader(TIMESTAMP, timestamp);
            message.setHeader(SIGNATURE, "sha256=" + sign(s.signingSecret(), timestamp, json));
            message.setBody(json.getBytes(StandardCharsets.UTF_8));
        }
        exchange.setProperty(SEQ, batch.seq());
        exchange.setProperty(CLASS, batch.priorityClass());
        return json;
    }

    /** HMAC-SHA256 over "timestamp.body" with the subscription's secret, hex: what the department recomputes. */
    public static String sign(String secret, String timestamp, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal((timestamp + "." + body).getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The department answered 2xx: the position moves past the batch (or the dead letter is re-sent). */
    public void delivered(Exchange exchange) {
        String id = exchange.getProperty(SUBSCRIPTION, String.class);
        // logged before the position moves: if it cannot be, the delivery counts as failed and is repeated (same delivery id)
        exchangeLog.append(pushOutcome(exchange, id, "delivered"));
        Long deadLetter = exchange.getProperty(DEAD_LETTER, Long.class);
        if (deadLetter != null) {
            jdbc.update("UPDATE subscription_dead_letter SET status = 'RESENT', resent_at = ? WHERE id = ?",
                    Timestamp.from(Instant.now()), deadLetter);
        } else {
            int c = exchange.getProperty(CLASS, Integer.class);
            Position p = subscriptions.positions(id).get(c);
            subscriptions.save(id, Map.of(c, new Position(exchange.getProperty(SEQ, Long.class), 0, p.start())));
        }
        jdbc.update("UPDATE subscription SET attempts = 0, last_error = NULL WHERE subscription_id = ?", id);
    }

    /** The POST failed: back off, or give the batch up to the dead letters when retrying cannot help. */
    public void failed(Exchange exchange) {
        exchange.setProperty(STOP, true);
        String id = exchange.getProperty(SUBSCRIPTION, String.class);
        Exception e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        long seq = exchange.getProperty(SEQ, Long.class);
        int status = e instanceof HttpOperationFailedException h ? h.getStatusCode() : 0;
        String why = status > 0 ? "the department answered " + status : "no answer: " + e.getClass().getSimpleName()
                + (e.getMessage() == null ? "" : ": " + e.getMessage());
        int attempts = subscriptions.find(id).map(Subscription::attempts).orElse(0) + 1;
        try {
            exchangeLog.append(pushOutcome(exchange, id, "failed: " + why));
        } catch (ExchangeLog.Unavailable unlogged) {
            log.error("subscription {}: a failed push could not be logged: {}", id, unlogged.getMessage());
        }
        // only a department's answer can refuse a batch; a broker that does not take it is an outage
        boolean refused = status >= 400 && status < 500 && status != 408 && status != 429;
        Long deadLetter = exchange.getProperty(DEAD_LETTER, Long.class);
        if (deadLetter != null) {
            // a re-send that fails stays asked for, behind the back-off
            backOff(id, attempts, "re-send failed: " + why);
        } else if (refused || attempts >= maxAttempts) {
            int c = exchange.getProperty(CLASS, Integer.class);
            String reason = (refused ? "refused: " : "gave up after " + attempts + " attempts: ") + why;
            jdbc.update("INSERT INTO subscription_dead_letter (subscription_id, batch_id, share_seq, reason, status, dead_at)"
                    + " SELECT ?, batch_id, share_seq, ?, 'DEAD', ? FROM batch WHERE share_seq = ?", id, reason, Timestamp.from(Instant.now()), seq);
            Position p = subscriptions.positions(id).get(c);
            subscriptions.save(id, Map.of(c, new Position(seq, 0, p.start())));
            jdbc.update("UPDATE subscription SET attempts = 0, last_error = ?, next_attempt_at = ? WHERE subscription_id = ?",
                    reason, Timestamp.from(Instant.now()), id);
            log.warn("subscription {}: batch at share position {} dead-lettered ({})", id, seq, reason);
        } else {
            backOff(id, attempts, why);
        }
    }

    private ExchangeLog.Event pushOutcome(Exchange exchange, String subscriptionId, String outcome) {
        String department = subscriptions.find(subscriptionId).map(Subscription::departmentId).orElse(null);
        return new ExchangeLog.Event(ExchangeLog.HUB, "subscription push", "subscription/" + subscriptionId, department,
                exchange.getProperty(BATCH, String.class), exchange.getProperty(PAYLOAD_SHA256, String.class), outcome);
    }

    private void backOff(String id, int attempts, String why) {
        Duration wait = backoff.after(attempts);
        jdbc.update("UPDATE subscription SET attempts = ?, last_error = ?, next_attempt_at = ? WHERE subscription_id = ?",
                attempts, why.length() > 2000 ? why.substring(0, 2000) : why, Timestamp.from(Instant.now().plus(wait)), id);
        log.info("subscription {}: attempt {} failed ({}), next in {}", id, attempts, why, wait);
    }

    /** Asks for a dead letter to be sent again; false when the subscription has no such dead letter waiting. */
    public boolean resend(String subscriptionId, long deadLetterId) {
        int n = jdbc.update("UPDATE subscription_dead_letter SET status = 'RESEND' WHERE id = ? AND subscription_id = ? AND status = 'DEAD'",
                deadLetterId, subscriptionId);
        if (n == 1) {
            jdbc.update("UPDATE subscription SET attempts = 0, next_attempt_at = ? WHERE subscription_id = ?", Timestamp.from(Instant.now()), subscriptionId);
        }
        return n == 1;
    }

    public List<Map<String, Object>> deadLetters(String subscriptionId) {
        return jdbc.queryForList("SELECT id AS \"id\", batch_id AS \"batchId\", share_seq AS \"sharePosition\", reason AS \"reason\","
                + " status AS \"status\", dead_at AS \"deadAt\", resent_at AS \"resentAt\" FROM subscription_dead_letter"
                + " WHERE subscription_id = ? ORDER BY id", subscriptionId);
    }
}
