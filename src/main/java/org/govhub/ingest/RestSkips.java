package org.govhub.ingest;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The items an operator asked a REST source to skip (table {@code rest_skip}, admin API
 * {@code POST /api/admin/sources/{id}/mark/skip}). Skipping never loses an item: when it next
 * arrives (any version that is new to the pull), it goes to quarantine with the operator's reason
 * instead of to the broker, counted as quarantined; that version keeps going there if it is read
 * again, and a later version of the item passes as usual.
 */
@Component
public class RestSkips {

    /** One skip: pending until an item with this id arrives, then bound to the version it took. */
    public record Skip(long id, String itemId, String changeText, Instant requestedAt, String takenUpdatedAt, Instant takenAt) {

        public boolean pending() {
            return takenAt == null;
        }

        /** Whether this skip sends an arriving item (its id, its updatedAt as served) to quarantine. */
        boolean applies(String updatedAtAsServed) {
            return pending() || Objects.equals(takenUpdatedAt, updatedAtAsServed);
        }
    }

    private final JdbcTemplate jdbc;

    public RestSkips(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** Every skip of a source, oldest first. */
    public List<Skip> of(String sourceId) {
        return jdbc.query("""
                SELECT id, item_id, change_text, requested_at, taken_updated_at, taken_at FROM rest_skip
                 WHERE source_id = ? ORDER BY id""",
                (rs, i) -> new Skip(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getTimestamp(4).toInstant(),
                        rs.getString(5), rs.getTimestamp(6) == null ? null : rs.getTimestamp(6).toInstant()),
                sourceId);
    }

    /** The skip that applies to an arriving item, if any (from {@link #of}, read once per page). */
    static Skip applying(List<Skip> skips, String itemId, String updatedAtAsServed) {
        if (itemId == null) {
            return null;
        }
        for (Skip s : skips) {
            if (s.itemId().equals(itemId) && s.applies(updatedAtAsServed)) {
                return s;
            }
        }
        return null;
    }

    /** Records a new skip, requested at {@code at}; {@code changeText} is the to_mark of its source_mark_change record. */
    void add(String sourceId, String itemId, String changeText, Instant at) {
        jdbc.update("INSERT INTO rest_skip (source_id, item_id, change_text, requested_at) VALUES (?, ?, ?, ?)",
                sourceId, itemId, changeText, Timestamp.from(at));
    }

    /** The skip took the arriving version of its item (once: a re-read of that version finds it bound). */
    void taken(Skip skip, String updatedAtAsServed) {
        if (skip.pending()) {
            jdbc.update("UPDATE rest_skip SET taken_updated_at = ?, taken_at = ? WHERE id = ? AND taken_at IS NULL",
                    updatedAtAsServed, Timestamp.from(Instant.now()), skip.id());
        }
    }

    /** The quarantine reason of a skipped item: who asked, when and why (from the record of the change). */
    String reason(String sourceId, Skip skip) {
        List<Map<String, Object>> change = jdbc.queryForList("""
                SELECT changed_by, changed_at, reason FROM source_mark_change
                 WHERE source_id = ? AND action = 'SKIP' AND to_mark = ?""", sourceId, skip.changeText());
        if (change.isEmpty()) {
            return "skipped on an operator's request of " + skip.requestedAt();
        }
        Map<String, Object> c = change.get(0);
        return "skipped by " + c.get("changed_by") + " on " + ((Timestamp) c.get("changed_at")).toInstant() + ": " + c.get("reason");
    }

    /** The pending skips of a source, for the admin API. */
    List<Map<String, Object>> describe(String sourceId) {
        List<Map<String, Object>> list = new ArrayList<>();
        for (Skip s : of(sourceId)) {
            Map<String, Object> m = new java.util.LinkedHashMap<>();
            m.put("item", s.itemId());
            m.put("requestedAt", s.requestedAt().toString());
            m.put("status", s.pending() ? "PENDING" : "TAKEN");
            if (!s.pending()) {
                m.put("takenAt", s.takenAt().toString());
                m.put("takenVersion", s.takenUpdatedAt());
            }
            list.add(m);
        }
        return list;
    }
}
