package org.govhub.ingest;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.govhub.normalise.ControlCharacters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.actuate.health.Health;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The files each FTP drop folder holds that the hub does not take yet, each with why
 * ({@link DropFolderRules}) and since when: what health and {@code /api/admin/sources/{id}} show,
 * so that every file of a folder is either taken (to done/ or error/) or listed here. Kept in the
 * hub database ({@code source_file_waiting}), so a file's waiting time survives a restart. A file
 * that waits longer than {@code govhub.ingest.waiting-alert-after} (1 h) makes its source not UP,
 * with the file and the reason; each file's start and end of waiting, and its alert, are logged once.
 */
@Component("dropFolders")
public class DropFolders {

    private static final Logger log = LoggerFactory.getLogger(DropFolders.class);

    /** A file the hub leaves in the folder for now. */
    public record Waiting(String file, String reason, Long size, Instant since) {
    }

    private final JdbcTemplate jdbc;
    private final Duration alertAfter;
    private final Map<String, Map<String, Waiting>> bySource = new ConcurrentHashMap<>();
    private final Set<String> alerted = ConcurrentHashMap.newKeySet();

    public DropFolders(JdbcTemplate jdbc, @Value("${govhub.ingest.waiting-alert-after:1h}") Duration alertAfter) {
        this.jdbc = jdbc;
        this.alertAfter = alertAfter;
    }

    /** One complete look at a source's folder: the files now waiting replace those before. */
    public void looked(String sourceId, DropFolderFtpComponent.Consumer.Look look) {
        Map<String, Waiting> before = waiting(sourceId);
        Map<String, Waiting> now = new LinkedHashMap<>();
        Instant time = Instant.now();
        look.verdicts().forEach((name, verdict) -> {
            if (verdict.waiting() == null) {
                return;
            }
            Long size = look.sizes().get(name);
            Waiting earlier = before.get(name);
            if (earlier == null) {
                jdbc.update("INSERT INTO source_file_waiting (source_id, file_name, reason, file_size, since) VALUES (?, ?, ?, ?, ?)",
                        sourceId, name, verdict.waiting(), size, Timestamp.from(time));
                log.info("source {}: file {} waits: {}", sourceId, ControlCharacters.escape(name), verdict.waiting());
                now.put(name, new Waiting(name, verdict.waiting(), size, time));
            } else if (!earlier.reason().equals(verdict.waiting()) || !java.util.Objects.equals(earlier.size(), size)) {
                jdbc.update("UPDATE source_file_waiting SET reason = ?, file_size = ? WHERE source_id = ? AND file_name = ?",
                        verdict.waiting(), size, sourceId, name);
                if (!earlier.reason().equals(verdict.waiting())) {
                    log.info("source {}: file {} waits, now because: {}", sourceId, ControlCharacters.escape(name), verdict.waiting());
                }
                now.put(name, new Waiting(name, verdict.waiting(), size, earlier.since()));
            } else {
                now.put(name, earlier);
            }
        });
        for (Waiting gone : before.values()) {
            if (!now.containsKey(gone.file())) {
                jdbc.update("DELETE FROM source_file_waiting WHERE source_id = ? AND file_name = ?", sourceId, gone.file());
                alerted.remove(sourceId + "/" + gone.file());
                log.info("source {}: file {} no longer waits ({}; it waited since {})", sourceId, ControlCharacters.escape(gone.file()),
                        look.verdicts().containsKey(gone.file()) ? "taken" : "gone from the folder", gone.since());
            }
        }
        bySource.put(sourceId, now);
        for (Waiting w : now.values()) {
            if (tooLong(w, time) && alerted.add(sourceId + "/" + w.file())) {
                log.warn("source {}: file {} has waited since {}, longer than {}: {}", sourceId, ControlCharacters.escape(w.file()),
                        w.since(), alertAfter, w.reason());
            }
        }
    }

    /** The files waiting in a source's folder, by name (from the hub database until the first look). */
    public Map<String, Waiting> waiting(String sourceId) {
        return bySource.computeIfAbsent(sourceId, id -> {
            Map<String, Waiting> stored = new LinkedHashMap<>();
            jdbc.query("SELECT file_name, reason, file_size, since FROM source_file_waiting WHERE source_id = ? ORDER BY since, file_name",
                    rs -> {
                        long size = rs.getLong("file_size");
                        stored.put(rs.getString("file_name"), new Waiting(rs.getString("file_name"), rs.getString("reason"),
                                rs.wasNull() ? null : size, rs.getTimestamp("since").toInstant()));
                    }, id);
            return stored;
        });
    }

    private boolean tooLong(Waiting w, Instant now) {
        return w.since().plus(alertAfter).isBefore(now);
    }

    /**
     * The folder's part of a source's health: UP with the waiting files listed, or DOWN (state
     * WAITING) when one has waited longer than the alert time, naming the longest waiting.
     */
    public Health health(String sourceId) {
        Instant now = Instant.now();
        List<Map<String, Object>> files = new ArrayList<>();
        Waiting longest = null;
        for (Waiting w : waiting(sourceId).values()) {
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("file", w.file());
            f.put("reason", w.reason());
            f.put("since", w.since().toString());
            f.put("waitingSeconds", Duration.between(w.since(), now).toSeconds());
            if (w.size() != null) {
                f.put("size", w.size());
            }
            files.add(f);
            if (tooLong(w, now) && (longest == null || w.since().isBefore(longest.since()))) {
                longest = w;
            }
        }
        Health.Builder health = longest == null ? Health.up() : Health.down().withDetail("state", "WAITING")
                .withDetail("reason", "file " + ControlCharacters.escape(longest.file()) + " has waited in the drop folder since "
                        + longest.since() + " (longer than " + alertAfter + "): " + longest.reason());
        return health.withDetail("waiting", files).withDetail("waitingAlertAfter", alertAfter.toString()).build();
    }
}
