package org.govhub.ingest;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.NamedNode;
import org.apache.camel.Route;
import org.apache.camel.spi.RoutePolicy;
import org.apache.camel.spi.RoutePolicyFactory;
import org.apache.camel.support.RoutePolicySupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Lazy;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Pausing a source: its routes stop (the unit under way finishes first: its mark moves only after its
 * commit) and stay stopped across restarts until an operator resumes it. A pause and a resume are
 * rows of {@code source_mark_change} (who, when, why), next to the source's mark moves; the latest
 * of them is the source's state. At start a paused source's routes are not started ({@link
 * #createRoutePolicy}: Camel asks before each route starts), so not one poll runs.
 */
@Component
public class SourcePauses implements RoutePolicyFactory {

    private static final Logger log = LoggerFactory.getLogger(SourcePauses.class);
    /** How long a pause waits for the unit under way before Camel stops the route anyway (the unit rolls back: nothing lost). */
    private static final long STOP_SECONDS = 60;

    private final JdbcTemplate jdbc;
    private final CamelContext camel;
    private final Map<String, List<String>> routesBySource;

    public SourcePauses(JdbcTemplate jdbc, @Lazy CamelContext camel, Environment environment) {
        this.jdbc = jdbc;
        this.camel = camel;
        this.routesBySource = RouteFileModel.read(RouteFileModel.files(environment)).sources().stream()
                .filter(u -> u.routeId() != null && u.parameter("sourceId") != null)
                .collect(java.util.stream.Collectors.groupingBy(u -> u.parameter("sourceId"),
                        java.util.stream.Collectors.mapping(RouteFileModel.Use::routeId, java.util.stream.Collectors.toList())));
    }

    /** A pause in force: who, when, why. */
    public record Pause(String sourceId, String by, Instant at, String reason) {
    }

    /** The source's route ids (one source may run several routes). */
    public List<String> routes(String sourceId) {
        return routesBySource.getOrDefault(sourceId, List.of());
    }

    public boolean knows(String sourceId) {
        return routesBySource.containsKey(sourceId);
    }

    /** The source's pause, if it is paused. */
    public Optional<Pause> pause(String sourceId) {
        return jdbc.query("""
                SELECT action, reason, changed_by, changed_at FROM source_mark_change
                 WHERE source_id = ? AND action IN ('PAUSE', 'RESUME') ORDER BY id DESC LIMIT 1""",
                (rs, n) -> "PAUSE".equals(rs.getString("action"))
                        ? new Pause(sourceId, rs.getString("changed_by"), rs.getTimestamp("changed_at").toInstant(), rs.getString("reason"))
                        : null, sourceId).stream().filter(java.util.Objects::nonNull).findFirst();
    }

    /** Pauses a running source: recorded first, then its routes stop. False when it is paused already. */
    public boolean pause(String sourceId, String operator, String reason) throws Exception {
        if (pause(sourceId).isPresent()) {
            return false;
        }
        record(sourceId, "PAUSE", "running", "paused", operator, reason);
        for (String routeId : routesBySource.get(sourceId)) {
            camel.getRouteController().stopRoute(routeId, STOP_SECONDS, TimeUnit.SECONDS);
        }
        log.warn("source {}: PAUSED by {}: {}", sourceId, operator, reason);
        return true;
    }

    /** Resumes a paused source: recorded, then its routes start and it goes on from its mark. False when it is not paused. */
    public boolean resume(String sourceId, String operator, String reason) throws Exception {
        if (pause(sourceId).isEmpty()) {
            return false;
        }
        record(sourceId, "RESUME", "paused", "running", operator, reason);
        for (String routeId : routesBySource.get(sourceId)) {
            camel.getRouteController().startRoute(routeId);
        }
        log.warn("source {}: resumed by {}: {}", sourceId, operator, reason);
        return true;
    }

    private void record(String sourceId, String action, String from, String to, String operator, String reason) {
        jdbc.update("""
                INSERT INTO source_mark_change (source_id, action, from_mark, to_mark, reason, changed_by, changed_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)""", sourceId, action, from, to,
                reason.length() > 1000 ? reason.substring(0, 1000) : reason, operator, Timestamp.from(Instant.now()));
    }

    /** Before a source's route starts (at the hub's start): a paused source's routes are not started. */
    @Override
    public RoutePolicy createRoutePolicy(CamelContext context, String routeId, NamedNode route) {
        String sourceId = routesBySource.entrySet().stream().filter(e -> e.getValue().contains(routeId)).map(Map.Entry::getKey)
                .findFirst().orElse(null);
        if (sourceId == null) {
            return null;
        }
        return new RoutePolicySupport() {
            @Override
            public void onInit(Route r) {
                pause(sourceId).ifPresent(p -> {
                    r.setAutoStartup(false);
                    log.warn("source {}: paused since {} by {} ({}); route {} not started", sourceId, p.at(), p.by(), p.reason(), routeId);
                });
            }
        };
    }
}
