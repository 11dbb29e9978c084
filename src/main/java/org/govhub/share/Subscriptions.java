package org.govhub.share;

import java.net.URI;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.govhub.share.Grants.Grant;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Subscriptions: a grant delivered over one channel, and where each stands in the shared batches.
 * The position is kept per priority class, as a consumer's offsets per partition are: batches of a
 * class go in the order they were sealed, and a class-1 batch does not wait behind a class-3 backlog.
 */
@Component
public class Subscriptions {

    private static final Logger log = LoggerFactory.getLogger(Subscriptions.class);

    public enum Channel { FEED, WEBHOOK, AMQP }

    public static final List<Integer> CLASSES = List.of(1, 2, 3, 4);

    public record Subscription(String id, long grantId, String departmentId, Channel channel, String endpoint, String signingSecret,
            int attempts) {
    }

    /** Done: every batch of the class up to {@code seq} and the first {@code offset} records of the next; replayable back to {@code start}. */
    public record Position(long seq, int offset, long start) {
    }

    /** A mature batch in the share order. */
    public record SharedBatch(String batchId, long seq, int priorityClass, int recordCount, Timestamp sealedAt) {
    }

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final Grants grants;
    private final boolean allowPlainHttp;
    private final ObjectProvider<SubscriptionBroker> queues;

    public Subscriptions(JdbcTemplate jdbc, TransactionTemplate tx, Grants grants,
            @Value("${govhub.share.webhook.allow-plain-http:false}") boolean allowPlainHttp,
            ObjectProvider<SubscriptionBroker> queues) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.grants = grants;
        this.allowPlainHttp = allowPlainHttp;
        this.queues = queues;
    }

    /**
     * Subscribes a department to one of its active grants. {@code from}: "now" (default), "beginning"
     * (everything the hub has shared), or an instant (batches sealed from then on). A webhook's signing
     * secret is returned here once.
     */
    public Map<String, Object> create(String departmentId, long grantId, Channel channel, String endpoint, String from) {
        Grant grant = grants.find(grantId).filter(g -> g.departmentId().equals(departmentId))
                .orElseThrow(() -> new NoSuchElementException("no grant " + grantId + " of department " + departmentId));
        if (!grant.active()) {
            throw new IllegalStateException("grant " + grantId + " is revoked");
        }
        if (channel == Channel.WEBHOOK) {
            checkEndpoint(endpoint);
        } else if (endpoint != null) {
            throw new IllegalArgumentException("only a WEBHOOK subscription has an endpoint");
        }
        SubscriptionBroker broker = queues.getIfAvailable();
        if (channel == Channel.AMQP && broker == null) {
            throw new IllegalArgumentException("the broker channel is off here (govhub.share.amqp.enabled): subscribe with FEED or WEBHOOK");
        }
        String id = UUID.randomUUID().toString();
        String secret = channel == Channel.WEBHOOK ? "whs_" + DepartmentAccounts.random(32) : null;
        String queue = SubscriptionBroker.queuePrefix(departmentId) + id;
        if (channel == Channel.AMQP) {
            // the queue before the subscription: a push round never meets a subscription whose queue is not there yet
            broker.open(departmentId, queue);
        }
        try {
            store(id, grantId, departmentId, channel, endpoint, secret, from);
        } catch (RuntimeException e) {
            if (channel == Channel.AMQP) {
                broker.close(queue); // no subscription, no queue: reconciliation knows only queues of subscriptions
            }
            throw e;
        }
        Map<String, Object> shown = new LinkedHashMap<>(describe(find(id).orElseThrow()));
        if (secret != null) {
            shown.put("signingSecret", secret);
            shown.put("note", "the signing secret is shown only now: keep it to check X-GovHub-Signature");
        }
        return shown;
    }

    private void store(String id, long grantId, String departmentId, Channel channel, String endpoint, String secret, String from) {
        tx.executeWithoutResult(s -> {
            long start = startSeq(from);
            jdbc.update("INSERT INTO subscription (subscription_id, grant_id, department_id, channel, endpoint, signing_secret, status,"
                    + " created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, 'ACTIVE', ?, ?)", id, grantId, departmentId, channel.name(),
                    endpoint, secret, Timestamp.from(Instant.now()), Timestamp.from(Instant.now()));
            for (int c : CLASSES) {
                jdbc.update("INSERT INTO subscription_position (subscription_id, priority_class, share_seq, record_offset, start_seq)"
                        + " VALUES (?, ?, ?, 0, ?)", id, c, start, start);
            }
        });
    }

    private void checkEndpoint(String endpoint) {
        URI uri;
        try {
            uri = URI.create(String.valueOf(endpoint));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("endpoint '" + endpoint + "' is not a URL");
        }
        if (!"https".equals(uri.getScheme()) && !(allowPlainHttp && "http".equals(uri.getScheme()))) {
            throw new IllegalArgumentException("a webhook endpoint must be an https URL" + (allowPlainHttp ? " (or http here)" : ""));
        }
        if (uri.getHost() == null || uri.getUserInfo() != null) {
            throw new IllegalArgumentException("a webhook endpoint needs a host and no user:password (requests are signed instead)");
        }
    }

    private long startSeq(String from) {
        if (from == null || from.isBlank() || from.equals("now")) {
            return jdbc.queryForObject("SELECT last_seq FROM share_sequence WHERE id = 1", Long.class);
        }
        if (from.equals("beginning")) {
            return 0;
        }
        try {
            Instant since = Instant.parse(from);
            return jdbc.queryForObject("SELECT COALESCE(MAX(share_seq), 0) FROM batch WHERE share_seq IS NOT NULL AND sealed_at < ?",
                    Long.class, Timestamp.from(since));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("from must be 'now', 'beginning' or an instant such as 2020-03-01T00:00:00Z");
        }
    }

    public Optional<Subscription> find(String subscriptionId) {
        return jdbc.query("SELECT * FROM subscription WHERE subscription_id = ?", (rs, i) -> new Subscription(
                rs.getString("subscription_id"), rs.getLong("grant_id"), rs.getString("department_id"),
                Channel.valueOf(rs.getString("channel")), rs.getString("endpoint"), rs.getString("signing_secret"),
                rs.getInt("attempts")), subscriptionId).stream().findFirst();
    }

    /** Subscriptions as shown with their backlog: a department's own, or all. */
    public List<Map<String, Object>> list(String departmentId) {
        List<Map<String, Object>> shown = new ArrayList<>();
        jdbc.queryForList("SELECT subscription_id FROM subscription" + (departmentId == null ? "" : " WHERE department_id = ?")
                + " ORDER BY created_at", String.class, departmentId == null ? new Object[0] : new Object[] {departmentId})
                .forEach(id -> shown.add(describe(find(id).orElseThrow())));
        return shown;
    }

    /** A subscription as shown: channel, grant state, position (as a cursor), backlog, last error, dead letters. */
    public Map<String, Object> describe(Subscription s) {
        Map<String, Object> row = jdbc.queryForMap("SELECT s.created_at, s.last_error, s.next_attempt_at, g.status AS grant_status,"
                + " g.resource_code FROM subscription s JOIN share_grant g ON g.grant_id = s.grant_id WHERE s.subscription_id = ?", s.id());
        Map<String, Object> shown = new LinkedHashMap<>();
        shown.put("subscription", s.id());
        shown.put("department", s.departmentId());
        shown.put("grant", s.grantId());
        shown.put("resource", row.get("resource_code"));
        shown.put("channel", s.channel().name());
        shown.put("endpoint", s.endpoint());
        shown.put("grantStatus", row.get("grant_status"));
        shown.put("createdAt", row.get("created_at"));
        Map<Integer, Position> positions = positions(s.id());
        shown.put("position", Cursor.write(positions));
        shown.put("backlog", backlog(s, positions));
        shown.put("attempts", s.attempts());
        shown.put("lastError", row.get("last_error"));
        shown.put("nextAttemptAt", row.get("next_attempt_at"));
        if (s.channel() == Channel.AMQP && queues.getIfAvailable() != null) {
            Map<String, Object> broker = new LinkedHashMap<>();
            broker.put("url", queues.getObject().url());
            broker.put("user", "ghk_<keyId>: one of the department's API keys up to its dot");
            broker.put("password", "that whole API key");
            broker.put("queue", SubscriptionBroker.queueOf(s));
            broker.put("queued", queues.getObject().depth(SubscriptionBroker.queueOf(s)));
            broker.put("maxQueued", queues.getObject().maxQueued());
            shown.put("broker", broker);
        }
        shown.put("deadLetters", jdbc.queryForObject("SELECT COUNT(*) FROM subscription_dead_letter WHERE subscription_id = ? AND status <> 'RESENT'",
                Integer.class, s.id()));
        return shown;
    }

    /** What waits for the subscription: batches and records (before the grant's row filter), per class and the age of the oldest. */
    public Map<String, Object> backlog(Subscription s, Map<Integer, Position> positions) {
        Grant grant = grants.find(s.grantId()).orElseThrow();
        long batches = 0;
        long records = 0;
        Timestamp oldest = null;
        Map<String, Object> perClass = new TreeMap<>();
        for (int c : CLASSES) {
            Map<String, Object> r = jdbc.queryForMap("SELECT COUNT(*) AS n, COALESCE(SUM(record_count), 0) AS records, MIN(sealed_at) AS oldest"
                    + " FROM batch WHERE schema_name = ? AND schema_version = ? AND priority_class = ? AND share_seq > ?",
                    grant.schema(), grant.version(), c, positions.get(c).seq());
            long n = ((Number) r.get("n")).longValue();
            long rec = ((Number) r.get("records")).longValue() - (n > 0 ? positions.get(c).offset() : 0);
            if (n > 0) {
                perClass.put(String.valueOf(c), Map.of("batches", n, "records", rec));
                Timestamp o = (Timestamp) r.get("oldest");
                oldest = oldest == null || o.before(oldest) ? o : oldest;
            }
            batches += n;
            records += rec;
        }
        Map<String, Object> backlog = new LinkedHashMap<>();
        backlog.put("batches", batches);
        backlog.put("records", records);
        backlog.put("oldestSealedAt", oldest == null ? null : oldest.toInstant().toString());
        backlog.put("perClass", perClass);
        return backlog;
    }

    /** Brings the broker's queues and logins to what this database says (route subscription-broker-reconcile). */
    public List<String> reconcileBroker() {
        SubscriptionBroker broker = queues.getIfAvailable();
        if (broker == null) {
            return List.of();
        }
        try {
            return broker.reconcile();
        } catch (RuntimeException e) {
            log.warn("the subscription broker cannot be reconciled now (the next round tries again): {}", e.getMessage());
            return List.of();
        }
    }

    /** A revoked grant's broker queues go with what they hold: nothing more of it can be read. */
    public long closeBrokerQueues(long grantId) {
        SubscriptionBroker broker = queues.getIfAvailable();
        if (broker == null) {
            return 0;
        }
        long removed = 0;
        for (String id : jdbc.queryForList("SELECT subscription_id FROM subscription WHERE grant_id = ? AND channel = 'AMQP'",
                String.class, grantId)) {
            removed += broker.close(SubscriptionBroker.queueOf(find(id).orElseThrow()));
        }
        return removed;
    }

    public Map<Integer, Position> positions(String subscriptionId) {
        Map<Integer, Position> positions = new TreeMap<>();
        jdbc.query("SELECT priority_class, share_seq, record_offset, start_seq FROM subscription_position WHERE subscription_id = ?",
                rs -> {
                    positions.put(rs.getInt(1), new Position(rs.getLong(2), rs.getInt(3), rs.getLong(4)));
                }, subscriptionId);
        return positions;
    }

    public void save(String subscriptionId, Map<Integer, Position> positions) {
        positions.forEach((c, p) -> jdbc.update("UPDATE subscription_position SET share_seq = ?, record_offset = ?"
                + " WHERE subscription_id = ? AND priority_class = ?", p.seq(), p.offset(), subscriptionId, c));
    }

    /** The next batch after {@code after} in one class of the grant's resource, if one is mature. */
    public Optional<SharedBatch> nextBatch(Grant grant, int priorityClass, long after) {
        return jdbc.query("SELECT batch_id, share_seq, priority_class, record_count, sealed_at FROM batch WHERE schema_name = ?"
                + " AND schema_version = ? AND priority_class = ? AND share_seq > ? ORDER BY share_seq LIMIT 1",
                (rs, i) -> new SharedBatch(rs.getString(1), rs.getLong(2), rs.getInt(3), rs.getInt(4), rs.getTimestamp(5)),
                grant.schema(), grant.version(), priorityClass, after).stream().findFirst();
    }

    /** The batch with a share position, for a re-send. */
    public Optional<SharedBatch> batchAt(long seq) {
        return jdbc.query("SELECT batch_id, share_seq, priority_class, record_count, sealed_at FROM batch WHERE share_seq = ?",
                (rs, i) -> new SharedBatch(rs.getString(1), rs.getLong(2), rs.getInt(3), rs.getInt(4), rs.getTimestamp(5)), seq)
                .stream().findFirst();
    }

    /** Positions as a cursor a department can keep and hand back: {@code class.seq.offset} per class, joined by dashes. */
    public static final class Cursor {
        private Cursor() {
        }

        public static String write(Map<Integer, Position> positions) {
            List<String> parts = new ArrayList<>();
            positions.forEach((c, p) -> parts.add(c + "." + p.seq() + "." + p.offset()));
            return String.join("-", parts);
        }

        /** The positions a cursor names, checked against where the subscription began (no replay before its start). */
        public static Map<Integer, Position> read(String cursor, Map<Integer, Position> current) {
            Map<Integer, Position> read = new TreeMap<>(current);
            for (String part : cursor.split("-")) {
                String[] f = part.split("\\.");
                try {
                    if (f.length != 3) {
                        throw new NumberFormatException();
                    }
                    int c = Integer.parseInt(f[0]);
                    long seq = Long.parseLong(f[1]);
                    int offset = Integer.parseInt(f[2]);
                    Position now = current.get(c);
                    if (now == null || offset < 0) {
                        throw new NumberFormatException();
                    }
                    if (seq < now.start()) {
                        throw new IllegalArgumentException("cursor " + cursor + " is before the subscription's start (class " + c
                                + " began after position " + now.start() + ")");
                    }
                    read.put(c, new Position(seq, offset, now.start()));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("'" + cursor + "' is not a cursor of this subscription (class.seq.offset per class, joined by '-')");
                }
            }
            return read;
        }
    }
}
