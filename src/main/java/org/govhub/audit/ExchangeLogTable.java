package org.govhub.audit;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.TransactionException;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The exchange log on the hub database (table {@code exchange_log}, V19). Each append is its own
 * transaction (committed before the exchange goes ahead, whatever transaction the caller is in; with
 * the change it records when {@link #appendWith} is used)
 * and locks the chain's head row first, so concurrent appends take turns and the chain never forks.
 * Several nodes append to one chain (docs/cluster.md), so they must sign with one key: a node whose
 * key did not sign the newest entry refuses to start, and refuses to append (fails closed) when
 * another node's entry shows up signed otherwise, instead of writing a log the verifier rejects.
 */
@Component
public class ExchangeLogTable implements ExchangeLog, SmartInitializingSingleton {

    static final String COLUMNS = "seq, logged_at_ms, actor, action, resource, department, batch_id, payload_sha256, outcome,"
            + " prev_hash, entry_hash, signature";

    private final JdbcTemplate jdbc;
    private final TransactionTemplate ownTransaction;
    private final ExchangeLogKey key;
    /** The hash of the last entry this node appended: a head with another hash was written by another node. */
    private volatile String lastAppended;

    public ExchangeLogTable(JdbcTemplate jdbc, PlatformTransactionManager transactions, ExchangeLogKey key) {
        this.jdbc = jdbc;
        this.key = key;
        this.ownTransaction = new TransactionTemplate(transactions);
        ownTransaction.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
    }

    @Override
    public Entry append(Event e) {
        try {
            return ownTransaction.execute(status -> write(e));
        } catch (RuntimeException failure) {
            throw unavailable(e, failure);
        }
    }

    @Override
    public boolean appendWith(Event e, BooleanSupplier change) {
        try {
            return Boolean.TRUE.equals(ownTransaction.execute(status -> {
                try {
                    write(e);
                } catch (RuntimeException failure) {
                    throw unavailable(e, failure);
                }
                if (change.getAsBoolean()) {
                    return true;
                }
                status.setRollbackOnly();
                return false;
            }));
        } catch (TransactionException failure) {
            throw unavailable(e, failure);
        }
    }

    /** The next entry of the chain, in the transaction under way (which holds the head's row until it ends). */
    private Entry write(Event e) {
        Map<String, Object> head = jdbc.queryForMap("SELECT last_seq, last_hash FROM exchange_log_head WHERE id = 1 FOR UPDATE");
        long seq = ((Number) head.get("last_seq")).longValue() + 1;
        if (seq > 1 && !head.get("last_hash").equals(lastAppended)) {
            checkSignedWithThisKey(seq - 1);
        }
        Entry unsigned = new Entry(seq, Instant.now().toEpochMilli(), cut(e.actor(), 200), cut(e.action(), 200),
                cut(e.resource(), 1000), cut(e.department(), 64), cut(e.batch(), 100), e.payloadSha256(),
                cut(e.outcome(), 2000), (String) head.get("last_hash"), null, null);
        byte[] signed = unsigned.signedBytes();
        Entry entry = new Entry(seq, unsigned.timeMillis(), unsigned.actor(), unsigned.action(), unsigned.resource(),
                unsigned.department(), unsigned.batch(), unsigned.payloadSha256(), unsigned.outcome(), unsigned.prevHash(),
                ExchangeLog.sha256(signed), key.sign(signed));
        jdbc.update("INSERT INTO exchange_log (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", entry.seq(),
                entry.timeMillis(), entry.actor(), entry.action(), entry.resource(), entry.department(), entry.batch(),
                entry.payloadSha256(), entry.outcome(), entry.prevHash(), entry.entryHash(), entry.signature());
        jdbc.update("UPDATE exchange_log_head SET last_seq = ?, last_hash = ? WHERE id = 1", seq, entry.entryHash());
        lastAppended = entry.entryHash();
        return entry;
    }

    private static Unavailable unavailable(Event e, RuntimeException failure) {
        return failure instanceof Unavailable u ? u : new Unavailable("the exchange log cannot be written (" + failure.getMessage()
                + "); " + e.action() + " " + e.resource() + " not done", failure);
    }

    /** At start: the newest entry, if any, must be signed with this node's key. */
    @Override
    public void afterSingletonsInstantiated() {
        Long last = jdbc.queryForObject("SELECT last_seq FROM exchange_log_head WHERE id = 1", Long.class);
        if (last != null && last > 0) {
            checkSignedWithThisKey(last);
        }
    }

    private void checkSignedWithThisKey(long seq) {
        Entry entry = jdbc.queryForObject("SELECT " + COLUMNS + " FROM exchange_log WHERE seq = ?", (rs, n) -> read(rs), seq);
        if (!ExchangeLogKey.verify(key.publicKey(), entry.signedBytes(), entry.signature())) {
            throw new IllegalStateException("exchange log entry " + seq + " is not signed with this node's key: every node of a hub"
                    + " must sign with the same key (GOVHUB_AUDIT_KEY_PATH, docs/cluster.md), or the log cannot be verified");
        }
    }

    private static String cut(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }

    /** Filters of the auditors' API; null means any. */
    public record Filter(String department, String resource, String batch, Instant from, Instant to) {
    }

    public List<Entry> find(Filter f, int page, int size) {
        List<Object> args = new ArrayList<>();
        String where = where(f, args);
        args.add(size);
        args.add((long) page * size);
        return jdbc.query("SELECT " + COLUMNS + " FROM exchange_log" + where + " ORDER BY seq LIMIT ? OFFSET ?",
                (rs, n) -> read(rs), args.toArray());
    }

    public long count(Filter f) {
        List<Object> args = new ArrayList<>();
        return jdbc.queryForObject("SELECT COUNT(*) FROM exchange_log" + where(f, args), Long.class, args.toArray());
    }

    private static String where(Filter f, List<Object> args) {
        List<String> terms = new ArrayList<>();
        if (f.department() != null) {
            terms.add("department = ?");
            args.add(f.department());
        }
        if (f.resource() != null) {
            terms.add("resource LIKE ?");
            args.add(f.resource().replace("%", "\\%").replace("_", "\\_") + "%");
        }
        if (f.batch() != null) {
            terms.add("batch_id = ?");
            args.add(f.batch());
        }
        if (f.from() != null) {
            terms.add("logged_at_ms >= ?");
            args.add(f.from().toEpochMilli());
        }
        if (f.to() != null) {
            terms.add("logged_at_ms < ?");
            args.add(f.to().toEpochMilli());
        }
        return terms.isEmpty() ? "" : " WHERE " + String.join(" AND ", terms);
    }

    /** Every entry from {@code fromSeq} on, in order, one at a time (the export streams them). */
    public void forEach(long fromSeq, Consumer<Entry> each) {
        jdbc.query("SELECT " + COLUMNS + " FROM exchange_log WHERE seq >= ? ORDER BY seq", rs -> {
            each.accept(read(rs));
        }, fromSeq);
    }

    /** The export of a whole log, as JSON lines, read straight from a hub database (also used with the hub stopped). */
    public static List<String> exportLines(JdbcTemplate jdbc) {
        return jdbc.query("SELECT " + COLUMNS + " FROM exchange_log ORDER BY seq", (rs, n) -> read(rs).toJsonLine());
    }

    static Entry read(ResultSet rs) throws SQLException {
        return new Entry(rs.getLong("seq"), rs.getLong("logged_at_ms"), rs.getString("actor"), rs.getString("action"),
                rs.getString("resource"), rs.getString("department"), rs.getString("batch_id"), rs.getString("payload_sha256"),
                rs.getString("outcome"), rs.getString("prev_hash"), rs.getString("entry_hash"), rs.getString("signature"));
    }
}
