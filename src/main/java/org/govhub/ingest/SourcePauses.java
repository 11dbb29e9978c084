package org.govhub.ingest;

import java.time.Instant;
import java.util.List;
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
 * #createRoutePolicy}: Camel asks before each route starts), so not one poll runs. In a cluster every
 * node follows the pause rows (docs/cluster.md): a pause made on one node stops the source everywhere.
 */
@Component
public class SourcePauses implements RoutePolicyFactory {

    private static final Logger log = LoggerFactory.getLogger(SourcePauses.class);
    /** How long a pause waits for the unit under way before Camel stops the route anyway (the unit rolls back: nothing lost). */
    private static final long STOP_SECONDS = 60;

    private final JdbcTemplate jdbc;
    private final SourceMarkChanges changes;
    private final CamelContext camel;
    private final Sources sources;

    public SourcePauses(JdbcTemplate jdbc, SourceMarkChanges changes, @Lazy CamelContext camel, Environment environment, Sources sources) {
        this.jdbc = jdbc;
        this.changes = changes;
        this.camel = camel;
        this.sources = sources;
        this.clustered = org.govhub.cluster.ClusterSettings.clustered(environment);
        this.followInterval = environment.getRequiredProperty("govhub.cluster.pause-follow-interval", java.time.Duration.class);
    }

    // ---- in a cluster: a pause made on another node ----
    // A pause stops the routes of the node it was made on; its master consumers leave the election and
    // another node would take the source over. So every node follows the pause rows itself: it stops a
    // paused source's routes and starts them again once resumed (only those a pause stopped, never a
    // route an operator stopped in Hawtio).

    private final boolean clustered;
    private final java.time.Duration followInterval;
    private final java.util.Set<String> stoppedForPause = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private java.util.concurrent.ScheduledExecutorService follower;

    @jakarta.annotation.PostConstruct
    void followPausesInCluster() {
        if (clustered) {
            follower = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "govhub-source-pauses"));
            follower.scheduleWithFixedDelay(this::follow, followInterval.toMillis(), followInterval.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    @jakarta.annotation.PreDestroy
    void stopFollowing() {
        if (follower != null) {
            follower.shutdownNow();
        }
    }

    /** Brings this node's source routes in line with the pause rows (in a cluster, every few seconds). */
    void follow() {
        if (!camel.isStarted()) {
            return;
        }
        sources.ids().forEach(sourceId -> {
            List<String> routeIds = sources.routes(sourceId);
            try {
                boolean paused = pause(sourceId).isPresent();
                for (String routeId : routeIds) {
                    org.apache.camel.ServiceStatus status = camel.getRouteController().getRouteStatus(routeId);
                    if (paused && status == org.apache.camel.ServiceStatus.Started) {
                        stoppedForPause.add(routeId);
                        stop(routeId);
                        log.warn("source {}: paused on another node; route {} stopped here", sourceId, routeId);
                    } else if (!paused && stoppedForPause.remove(routeId) && status != org.apache.camel.ServiceStatus.Started) {
                        start(routeId);
                        log.warn("source {}: resumed on another node; route {} started here", sourceId, routeId);
                    }
                }
            } catch (Exception e) {
                log.warn("source {}: could not follow its pause state: {}", sourceId, SourceActivity.describe(e));
            }
        });
    }

    /** A pause in force: who, when, why. */
    public record Pause(String sourceId, String by, Instant at, String reason) {
    }

    /** The source's route ids (one source may run several routes). */
    public List<String> routes(String sourceId) {
        return sources.routes(sourceId);
    }

    public boolean knows(String sourceId) {
        return !sources.routes(sourceId).isEmpty();
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
        changes.record(sourceId, "PAUSE", new SourceMarks.Move("running", "paused"), reason, operator);
        for (String routeId : sources.routes(sourceId)) {
            stoppedForPause.add(routeId);
            stop(routeId);
        }
        return true;
    }

    /** Resumes a paused source: recorded, then its routes start and it goes on from its mark. False when it is not paused. */
    public boolean resume(String sourceId, String operator, String reason) throws Exception {
        if (pause(sourceId).isEmpty()) {
            return false;
        }
        changes.record(sourceId, "RESUME", new SourceMarks.Move("paused", "running"), reason, operator);
        for (String routeId : sources.routes(sourceId)) {
            stoppedForPause.remove(routeId);
            start(routeId);
        }
        return true;
    }

    private void stop(String routeId) throws Exception {
        if (camel.getRouteController().getRouteStatus(routeId) == org.apache.camel.ServiceStatus.Started) {
            stoppedOnce.add(routeId);
        }
        camel.getRouteController().stopRoute(routeId, STOP_SECONDS, TimeUnit.SECONDS);
    }

    /**
     * Starts a source's route again, built afresh from its definition. Not startRoute: Camel's loop
     * with breakOnShutdown (the SQL and REST templates' page loops) keeps the "shutting down" it was
     * told when the route stopped (LoopProcessor.prepareShutdown is never undone), so a restarted
     * route's polls would end at once without reading a page. A route never started (paused since
     * the hub started) is simply started.
     */
    private void start(String routeId) throws Exception {
        org.apache.camel.model.Model model = camel.getCamelContextExtension().getContextPlugin(org.apache.camel.model.Model.class);
        org.apache.camel.model.RouteDefinition definition = model.getRouteDefinition(routeId);
        if (definition == null || !stoppedOnce.contains(routeId)) {
            camel.getRouteController().startRoute(routeId);
            return;
        }
        model.removeRouteDefinition(definition); // the route is stopped: removed with its processors
        model.addRouteDefinition(definition);    // and built again, started as the hub starts routes
        stoppedOnce.remove(routeId);
    }

    /** Routes that were started and then stopped by a pause (in this JVM): they are built afresh to run again. */
    private final java.util.Set<String> stoppedOnce = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** Before a source's route starts (at the hub's start): a paused source's routes are not started. */
    @Override
    public RoutePolicy createRoutePolicy(CamelContext context, String routeId, NamedNode route) {
        String sourceId = sources.sourceOfRoute(routeId).orElse(null);
        if (sourceId == null) {
            return null;
        }
        return new RoutePolicySupport() {
            @Override
            public void onInit(Route r) {
                pause(sourceId).ifPresent(p -> {
                    stoppedForPause.add(routeId);
                    r.setAutoStartup(false);
                    log.warn("source {}: paused since {} by {} ({}); route {} not started", sourceId, p.at(), p.by(), p.reason(), routeId);
                });
            }
        };
    }
}
