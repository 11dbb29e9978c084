package org.govhub.batch;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * The states of a batch and the only way to change them: each change is conditional on the state
 * it leaves (so two writers cannot both move a batch) and is recorded with time and reason.
 *
 * <pre>
 * OPEN → SEALED → SENDING → ACKNOWLEDGED
 *                 SENDING → FAILED → RETRYING → SENDING …
 *                                    FAILED → DEAD → (operator re-sends) → RETRYING
 * </pre>
 */
@Component
public class BatchLifecycle {

    public enum State { OPEN, SEALED, SENDING, ACKNOWLEDGED, FAILED, RETRYING, DEAD }

    private final JdbcTemplate jdbc;

    public BatchLifecycle(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** Records the creation of a batch (it starts OPEN). */
    public void opened(String batchId, String reason) {
        record(batchId, null, State.OPEN, reason);
    }

    /**
     * Moves a batch from one state to another, with extra column assignments done in the same
     * statement ({@code "attempts = ?"} plus its arguments).
     *
     * @return false when the batch was not in {@code from} (someone else moved it)
     */
    @Transactional // the change and its record together, or neither
    public boolean move(String batchId, State from, State to, String reason, String extraSet, Object... extraArgs) {
        String sql = "UPDATE batch SET status = ?" + (extraSet == null ? "" : ", " + extraSet) + " WHERE batch_id = ? AND status = ?";
        Object[] args = new Object[extraArgs.length + 3];
        args[0] = to.name();
        System.arraycopy(extraArgs, 0, args, 1, extraArgs.length);
        args[extraArgs.length + 1] = batchId;
        args[extraArgs.length + 2] = from.name();
        if (jdbc.update(sql, args) != 1) {
            return false;
        }
        record(batchId, from, to, reason);
        return true;
    }

    public List<Map<String, Object>> history(String batchId) {
        return jdbc.queryForList("SELECT from_status, to_status, at, reason FROM batch_transition WHERE batch_id = ? ORDER BY id",
                batchId);
    }

    private void record(String batchId, State from, State to, String reason) {
        jdbc.update("INSERT INTO batch_transition (batch_id, from_status, to_status, at, reason) VALUES (?, ?, ?, ?, ?)",
                batchId, from == null ? null : from.name(), to.name(), Timestamp.from(Instant.now()),
                reason.length() > 2000 ? reason.substring(0, 2000) : reason);
    }
}
