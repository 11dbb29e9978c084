package org.govhub.operate;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.NamedNode;
import org.apache.camel.Route;
import org.apache.camel.spi.RoutePolicy;
import org.apache.camel.spi.RoutePolicyFactory;
import org.apache.camel.support.RoutePolicySupport;
import org.govhub.cluster.Leadership;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * The hub's own timed rounds (sealing batches, delivering them, pushing subscriptions, the weekly
 * report, watching sources): DOWN while a round's last run failed as a whole, with how many runs in a
 * row and since when. A failure inside a round that the round handles (a batch the platform refused,
 * which waits for its next attempt) is not one; a round that cannot even read the hub database is,
 * and without this it would fail every 250 ms behind an UP. A run under way for longer than
 * {@code govhub.health.round-blocked-after} is BLOCKED (a hung call or lock: the timer starts no next
 * run meanwhile, so nothing would ever say it failed). A route policy on those routes only, so
 * the record path pays nothing. In a cluster a round that another node runs is {@code STANDBY} with
 * that node (UP), or {@code NO_LEADER} (DOWN) while no node leads its namespace; what it did here
 * while this node led is dropped, not shown as its state.
 *
 * <p>It also logs them (routes/rounds.yaml handles a run's failure so that Camel does not): the first failure
 * with its stack, the same error again only once per {@code govhub.health.repeat-log-interval} with its
 * count, and the recovery once; Camel's would log a full stack every 250 ms for as long as it lasts.
 */
@Component("roundsHealthIndicator") // shown as "rounds"
public class RoundsHealth implements HealthIndicator, RoutePolicyFactory {

    private static final Logger log = LoggerFactory.getLogger(RoundsHealth.class);
    /** The exchange property where routes/rounds.yaml leaves the failure of a run it handled. */
    public static final String ROUND_FAILURE = "govhub.round.failure";

    private final List<String> rounds;
    private final Duration blockedAfter;
    private final Duration repeatLogInterval;
    private final Leadership leadership;
    private final Map<String, Outcome> outcomes = new ConcurrentHashMap<>();
    /** When the run under way of each round began (a timer runs one at a time per route). */
    private final Map<String, Instant> running = new ConcurrentHashMap<>();

    public RoundsHealth(@Value("${govhub.health.rounds}") List<String> rounds,
            @Value("${govhub.health.round-blocked-after}") Duration blockedAfter,
            @Value("${govhub.health.repeat-log-interval}") Duration repeatLogInterval, Leadership leadership) {
        this.rounds = List.copyOf(rounds);
        this.leadership = leadership;
        this.blockedAfter = blockedAfter;
        this.repeatLogInterval = repeatLogInterval;
    }

    /**
     * A round route's last run: failures in a row (0 when it succeeded), since when, the last error,
     * when that error was last logged and how many failures since were not.
     */
    private record Outcome(int failures, Instant failingSince, String error, Instant at, Instant loggedAt, int unlogged) {
    }

    @Override
    public RoutePolicy createRoutePolicy(CamelContext camel, String routeId, NamedNode route) {
        if (!rounds.contains(routeId)) {
            return null;
        }
        return new RoutePolicySupport() {
            @Override
            public void onExchangeBegin(Route begun, Exchange exchange) {
                running.put(routeId, Instant.now());
            }

            @Override
            public void onExchangeDone(Route done, Exchange exchange) {
                running.remove(routeId);
                Throwable handled = exchange.getProperty(ROUND_FAILURE, Throwable.class);
                ended(routeId, handled != null ? handled : exchange.getException());
            }
        };
    }

    void ended(String routeId, Throwable failure) {
        Instant now = Instant.now();
        outcomes.compute(routeId, (id, last) -> {
            boolean failing = last != null && last.failures() > 0;
            if (failure == null) {
                if (failing) {
                    log.info("round {}: runs again after {} failed run(s) since {} (last: {})", id, last.failures(), last.failingSince(),
                            last.error());
                }
                return new Outcome(0, null, null, now, null, 0);
            }
            String error = describe(failure);
            if (!failing) {
                log.warn("round {}: failed: {}", id, error, failure);
                return new Outcome(1, now, error, now, now, 0);
            }
            int failures = last.failures() + 1;
            if (!error.equals(last.error()) || last.loggedAt().plus(repeatLogInterval).isBefore(now)) {
                log.warn("round {}: failed ({} runs in a row since {}, {} not logged): {}", id, failures, last.failingSince(),
                        last.unlogged(), error);
                return new Outcome(failures, last.failingSince(), error, now, now, 0);
            }
            return new Outcome(failures, last.failingSince(), error, now, last.loggedAt(), last.unlogged() + 1);
        });
    }

    /** The exception's kind and the first line of its deepest cause (a database's message names the statement, not its values). */
    private static String describe(Throwable failure) {
        Throwable cause = failure;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        String message = String.valueOf(cause.getMessage()).lines().findFirst().orElse("");
        return cause.getClass().getSimpleName() + ": " + (message.length() > 300 ? message.substring(0, 300) + "…" : message);
    }

    @Override
    public Health health() {
        Health.Builder health = Health.up();
        Instant now = Instant.now();
        java.util.SortedSet<String> ids = new java.util.TreeSet<>(outcomes.keySet());
        ids.addAll(running.keySet());
        for (String id : rounds) {
            if (leadership.standby(List.of(id)).isPresent()) {
                ids.add(id);
            }
        }
        for (String id : ids) {
            Optional<Leadership.Standby> standby = leadership.standby(List.of(id));
            if (standby.isPresent()) {
                // another node runs the round: what it did here while this node led is not its state now
                outcomes.remove(id);
                Map<String, Object> detail = new LinkedHashMap<>();
                Optional<String> leader = standby.get().leader();
                detail.put("state", leader.isPresent() ? "STANDBY" : "NO_LEADER");
                leader.ifPresent(l -> detail.put("leader", l));
                if (leader.isEmpty()) {
                    detail.put("reason", "no node leads cluster namespace " + standby.get().namespace() + ": no node runs this round");
                    health.down();
                }
                health.withDetail(id, detail);
                continue;
            }
            Outcome o = outcomes.get(id);
            Instant since = running.get(id);
            Map<String, Object> detail = new LinkedHashMap<>();
            boolean blocked = since != null && since.plus(blockedAfter).isBefore(now);
            boolean failing = o != null && o.failures() > 0;
            detail.put("state", blocked ? "BLOCKED" : failing ? "FAILING" : "OK");
            if (o != null) {
                detail.put("lastRun", o.at().toString());
            }
            if (blocked) {
                detail.put("runningSince", since.toString());
            }
            if (failing) {
                detail.put("failedRunsInARow", o.failures());
                detail.put("failingSince", o.failingSince().toString());
                detail.put("lastError", o.error());
            }
            if (blocked || failing) {
                health.down();
            }
            health.withDetail(id, detail);
        }
        return health.build();
    }
}
