package org.govhub.report;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.sql.DataSource;
import org.govhub.Backoff;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Scheduled reports that could not be built ({@code report_failure}, one row per week): what failed,
 * since when, how often. The schedule retries such a week after {@code check-interval}, doubling up to
 * an hour; a row goes when the week's report is stored. Health is DOWN while a row exists. The error
 * is logged in full (with its stack) when it first appears, then as one line per attempt.
 */
@Component
public class ReportFailures {

    private static final Logger log = LoggerFactory.getLogger(ReportFailures.class);
    static final Duration MAX_BACKOFF = Duration.ofHours(1);

    private final JdbcTemplate jdbc;
    private final Clock clock;
    private final Duration firstBackoff;

    public ReportFailures(DataSource dataSource, Clock clock, ReportProperties properties) {
        this.jdbc = new JdbcTemplate(dataSource);
        this.clock = clock;
        this.firstBackoff = Duration.ofMillis(Math.max(1, properties.checkInterval()));
    }

    /** Whether the schedule may try the week now: it has not failed, or its back-off has passed. */
    boolean due(ReportWeek week) {
        return jdbc.queryForList("SELECT next_attempt_at FROM report_failure WHERE week = ?", Timestamp.class, week.toString())
                .stream().allMatch(next -> !next.toInstant().isAfter(clock.instant()));
    }

    /** The week's scheduled report failed once more: recorded, logged, retried after the back-off. */
    void failed(ReportWeek week, Throwable e) {
        String error = cut(e.getClass().getSimpleName() + ": " + (e.getMessage() != null ? e.getMessage()
                : e.getCause() != null ? e.getCause().toString() : "(no message)"), 2000);
        Instant now = clock.instant();
        List<Map<String, Object>> before = jdbc.queryForList("SELECT attempts, first_failed_at, last_error FROM report_failure WHERE week = ?",
                week.toString());
        int attempts = before.isEmpty() ? 1 : ((Number) before.get(0).get("attempts")).intValue() + 1;
        Duration wait = new Backoff(firstBackoff, MAX_BACKOFF).after(attempts);
        if (before.isEmpty()) {
            jdbc.update("INSERT INTO report_failure (week, attempts, first_failed_at, last_failed_at, next_attempt_at, last_error)"
                    + " VALUES (?, 1, ?, ?, ?, ?)", week.toString(), Timestamp.from(now), Timestamp.from(now), Timestamp.from(now.plus(wait)), error);
        } else {
            jdbc.update("UPDATE report_failure SET attempts = ?, last_failed_at = ?, next_attempt_at = ?, last_error = ? WHERE week = ?",
                    attempts, Timestamp.from(now), Timestamp.from(now.plus(wait)), error, week.toString());
        }
        if (before.isEmpty() || !error.equals(before.get(0).get("last_error"))) {
            log.error("weekly report for {} could NOT be built (attempt {}): {}; next attempt in {}", week, attempts, error, wait, e);
        } else {
            log.warn("weekly report for {} still cannot be built (attempt {}, failing since {}): {}; next attempt in {}", week, attempts,
                    before.get(0).get("first_failed_at"), error, wait);
        }
    }

    /** The week's report is stored: it no longer counts as failed. */
    void succeeded(ReportWeek week) {
        List<Integer> attempts = jdbc.queryForList("SELECT attempts FROM report_failure WHERE week = ?", Integer.class, week.toString());
        if (!attempts.isEmpty()) {
            jdbc.update("DELETE FROM report_failure WHERE week = ?", week.toString());
            log.info("weekly report for {} built after {} failed attempt(s)", week, attempts.get(0));
        }
    }

    /** A restart is how a configuration is usually fixed: the first check after it tries every failed week at once. */
    @EventListener(ApplicationReadyEvent.class)
    void retryAfterStart() {
        jdbc.update("UPDATE report_failure SET next_attempt_at = ?", Timestamp.from(clock.instant()));
    }

    /** Every failed week, oldest first (times as instants). */
    public List<Map<String, Object>> list() {
        return jdbc.queryForList("SELECT week, attempts, first_failed_at, last_failed_at, next_attempt_at, last_error"
                + " FROM report_failure ORDER BY week").stream().map(row -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    row.forEach((k, v) -> m.put(k.toLowerCase(Locale.ROOT), v instanceof Timestamp t ? t.toInstant() : v));
                    return m;
                }).toList();
    }

    private static String cut(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max);
    }
}
