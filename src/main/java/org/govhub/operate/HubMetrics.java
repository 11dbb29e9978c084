package org.govhub.operate;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.lang.management.ManagementFactory;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.govhub.batch.BatchLifecycle;
import org.govhub.deliver.PlatformCircuit;
import org.govhub.ingest.SourceActivity;
import org.govhub.ingest.SourcePauses;
import org.govhub.share.Subscriptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.Status;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The hub's own figures for Prometheus (/actuator/prometheus), next to Camel's route metrics.
 * Counters read what {@link SourceActivity} counts; the rest is a snapshot of the hub database and
 * the broker, taken by route {@code hub-metrics} (routes/hub-metrics.yaml) rather than on every
 * scrape, so a scraper cannot make the database work harder than the snapshot period allows.
 */
@Component("hubMetrics")
public class HubMetrics {

    private static final Logger log = LoggerFactory.getLogger(HubMetrics.class);
    private static final List<Integer> CLASSES = List.of(1, 2, 3, 4);

    private final MeterRegistry registry;
    private final JdbcTemplate jdbc;
    private final SourcesHealth sources;
    private final SourceActivity activity;
    private final Subscriptions subscriptions;
    private final SourcePauses pauses;
    private final MultiGauge batches;
    private final MultiGauge oldestUndelivered;
    private final MultiGauge sourceUp;
    private final MultiGauge sourcePaused;
    private final MultiGauge sourceCondition;
    private final MultiGauge sourceSilence;
    private final MultiGauge brokerBacklog;
    private final MultiGauge subscriptionBacklog;
    private final MultiGauge subscriptionOldest;
    private final MultiGauge reports;
    private final Set<String> countedSources = ConcurrentHashMap.newKeySet();
    // batches acknowledged since this process started count, before the first snapshot too
    private final AtomicReference<Timestamp> latencyFrom = new AtomicReference<>(Timestamp.from(Instant.now()));
    private final java.util.concurrent.atomic.AtomicLong exchangeLogEntries = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong lastReportGenerated = new java.util.concurrent.atomic.AtomicLong();

    public HubMetrics(MeterRegistry registry, JdbcTemplate jdbc, SourcesHealth sources, SourceActivity activity,
            Subscriptions subscriptions, SourcePauses pauses, @Qualifier(PlatformCircuit.BEAN) CircuitBreaker circuit) {
        this.registry = registry;
        this.jdbc = jdbc;
        this.sources = sources;
        this.activity = activity;
        this.subscriptions = subscriptions;
        this.pauses = pauses;
        batches = MultiGauge.builder("govhub.batches").description("Batches by state and priority class").register(registry);
        oldestUndelivered = MultiGauge.builder("govhub.batch.oldest.undelivered").baseUnit("seconds")
                .description("Age of the oldest sealed batch not yet acknowledged by the national platform, per priority class")
                .register(registry);
        sourceUp = MultiGauge.builder("govhub.source.up").description("1 when the source's health is UP").register(registry);
        sourcePaused = MultiGauge.builder("govhub.source.paused").description("1 while an operator has the source paused")
                .register(registry);
        sourceCondition = MultiGauge.builder("govhub.source.condition")
                .description("1 for the source's current condition (OK, FAILING, BLOCKED, STUCK, SILENT, PROBLEM)").register(registry);
        sourceSilence = MultiGauge.builder("govhub.source.since.success").baseUnit("seconds")
                .description("Time since the source last finished a unit of work (page, file, poll)").register(registry);
        brokerBacklog = MultiGauge.builder("govhub.broker.backlog").description("Messages waiting in the hub's broker queues, per priority class")
                .register(registry);
        subscriptionBacklog = MultiGauge.builder("govhub.subscription.backlog").description("Records waiting for each subscription")
                .register(registry);
        subscriptionOldest = MultiGauge.builder("govhub.subscription.oldest").baseUnit("seconds")
                .description("Age of the oldest batch waiting for each subscription").register(registry);
        reports = MultiGauge.builder("govhub.report.deliveries").description("Weekly report deliveries by week, target and status")
                .register(registry);
        FunctionCounter.builder("govhub.exchange.log.entries", exchangeLogEntries, java.util.concurrent.atomic.AtomicLong::get)
                .description("Entries written to the exchange log (its last sequence number)").register(registry);
        Gauge.builder("govhub.report.last.generated", lastReportGenerated, java.util.concurrent.atomic.AtomicLong::get)
                .baseUnit("timestamp_seconds").description("When the last weekly report was generated (0: never)").register(registry);
        Gauge.builder("govhub.platform.circuit.state", circuit, c -> switch (c.getState()) {
            case CLOSED, DISABLED, METRICS_ONLY -> 0;
            case HALF_OPEN -> 1;
            case OPEN, FORCED_OPEN -> 2;
        }).description("National-platform circuit: 0 closed, 1 half-open, 2 open").register(registry);
    }

    /** One snapshot (route hub-metrics); a part that fails is logged and the others still count. */
    public void refresh() {
        part("sources", this::sources);
        part("batches", this::batches);
        part("delivery latency", this::latency);
        part("broker", this::broker);
        part("subscriptions", this::subscriptions);
        part("reports", this::reports);
        part("exchange log", () -> exchangeLogEntries.set(jdbc.queryForObject("SELECT last_seq FROM exchange_log_head WHERE id = 1", Long.class)));
    }

    private void part(String name, Runnable part) {
        try {
            part.run();
        } catch (RuntimeException e) {
            log.warn("metrics: {} not taken this time: {}", name, SourceActivity.describe(e));
        }
    }

    private void sources() {
        List<MultiGauge.Row<?>> up = new ArrayList<>();
        List<MultiGauge.Row<?>> paused = new ArrayList<>();
        List<MultiGauge.Row<?>> condition = new ArrayList<>();
        List<MultiGauge.Row<?>> silence = new ArrayList<>();
        Instant now = Instant.now();
        sources.forEach(named -> {
            String id = named.getName();
            boolean isUp = named.getContributor() instanceof HealthIndicator h && Status.UP.equals(h.health().getStatus());
            up.add(MultiGauge.Row.of(Tags.of("source", id), isUp ? 1 : 0));
            paused.add(MultiGauge.Row.of(Tags.of("source", id), pauses.pause(id).isPresent() ? 1 : 0));
            SourceActivity.Condition now1 = activity.condition(id);
            for (SourceActivity.Condition c : SourceActivity.Condition.values()) {
                condition.add(MultiGauge.Row.of(Tags.of("source", id, "condition", c.name()), c == now1 ? 1 : 0));
            }
            activity.lastSuccess(id).ifPresent(at -> silence.add(MultiGauge.Row.of(Tags.of("source", id),
                    Duration.between(at, now).toMillis() / 1000.0)));
            if (countedSources.add(id)) {
                for (String outcome : List.of("valid", "quarantined", "repeat")) {
                    FunctionCounter.builder("govhub.records.taken", activity, a -> a.handedOver(id, outcome))
                            .description("Items a source handed over since start: valid (published), quarantined or repeat")
                            .tags("source", id, "outcome", outcome).register(registry);
                }
            }
        });
        sourceUp.register(up, true);
        sourcePaused.register(paused, true);
        sourceCondition.register(condition, true);
        sourceSilence.register(silence, true);
    }

    private void batches() {
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        Map<String, Long> counted = new ConcurrentHashMap<>();
        jdbc.query("SELECT status, priority_class, COUNT(*) FROM batch GROUP BY status, priority_class",
                rs -> { counted.put(rs.getString(1) + "/" + rs.getInt(2), rs.getLong(3)); });
        for (BatchLifecycle.State state : BatchLifecycle.State.values()) {
            for (int c : CLASSES) {
                rows.add(MultiGauge.Row.of(Tags.of("state", state.name(), "class", String.valueOf(c)),
                        counted.getOrDefault(state.name() + "/" + c, 0L)));
            }
        }
        batches.register(rows, true);
        List<MultiGauge.Row<?>> oldest = new ArrayList<>();
        Instant now = Instant.now();
        Map<Integer, Timestamp> sealed = new ConcurrentHashMap<>();
        jdbc.query("SELECT priority_class, MIN(sealed_at) FROM batch WHERE status NOT IN ('OPEN', 'ACKNOWLEDGED')"
                + " AND sealed_at IS NOT NULL GROUP BY priority_class", rs -> { sealed.put(rs.getInt(1), rs.getTimestamp(2)); });
        for (int c : CLASSES) {
            Timestamp at = sealed.get(c);
            oldest.add(MultiGauge.Row.of(Tags.of("class", String.valueOf(c)),
                    at == null ? 0 : Duration.between(at.toInstant(), now).toMillis() / 1000.0));
        }
        oldestUndelivered.register(oldest, true);
    }

    /** Sealed to acknowledged, for the batches acknowledged since the last snapshot. */
    private void latency() {
        Timestamp from = latencyFrom.get();
        Timestamp until = Timestamp.from(Instant.now());
        if (from != null) {
            jdbc.query("SELECT priority_class, sealed_at, acknowledged_at FROM batch WHERE status = 'ACKNOWLEDGED'"
                    + " AND acknowledged_at > ? AND acknowledged_at <= ?", rs -> {
                        Timer.builder("govhub.delivery.latency").description("Sealed to acknowledged by the national platform")
                                .tags("class", String.valueOf(rs.getInt(1))).publishPercentileHistogram()
                                .minimumExpectedValue(Duration.ofMillis(50)).maximumExpectedValue(Duration.ofHours(6))
                                .register(registry)
                                .record(Duration.between(rs.getTimestamp(2).toInstant(), rs.getTimestamp(3).toInstant()));
                    }, from, until);
        }
        latencyFrom.set(until);
    }

    /**
     * The embedded broker's queues, counted per class by JMS priority (class 1 is priority 9, see
     * Priority). An external broker is scraped by its own metrics plugin; its queues are not on this JVM.
     */
    private void broker() {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        try {
            for (ObjectName queue : server.queryNames(new ObjectName(
                    "org.apache.activemq.artemis:broker=*,component=addresses,address=*,subcomponent=queues,routing-type=*,queue=*"), null)) {
                String name = queue.getKeyProperty("queue").replace("\"", "");
                if (name.startsWith("$") || name.startsWith("activemq.") || name.contains("notif")) {
                    continue; // the broker's own
                }
                try {
                    for (int c : CLASSES) {
                        int priority = new org.govhub.prioritise.Priority(c, "").jmsPriority();
                        Object n = server.invoke(queue, "countMessages", new Object[] {"AMQPriority = " + priority},
                                new String[] {String.class.getName()});
                        rows.add(MultiGauge.Row.of(Tags.of("queue", name, "class", String.valueOf(c)), ((Number) n).doubleValue()));
                    }
                } catch (javax.management.InstanceNotFoundException gone) {
                    // a temporary queue (a management request's answers) went between listing and counting
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException("broker queues not readable: " + e.getMessage(), e);
        }
        brokerBacklog.register(rows, true);
    }

    private void subscriptions() {
        List<MultiGauge.Row<?>> backlog = new ArrayList<>();
        List<MultiGauge.Row<?>> oldest = new ArrayList<>();
        Instant now = Instant.now();
        for (Map<String, Object> s : subscriptions.list(null)) {
            if (!(s.get("backlog") instanceof Map<?, ?> b)) {
                continue;
            }
            Tags tags = Tags.of("subscription", String.valueOf(s.get("subscription")), "department", String.valueOf(s.get("department")));
            backlog.add(MultiGauge.Row.of(tags, ((Number) b.get("records")).doubleValue()));
            Object at = b.get("oldestSealedAt");
            oldest.add(MultiGauge.Row.of(tags, at == null ? 0 : Duration.between(Instant.parse(at.toString()), now).toMillis() / 1000.0));
        }
        subscriptionBacklog.register(backlog, true);
        subscriptionOldest.register(oldest, true);
    }

    /** The last four weeks' report deliveries (1 per week, target and status). */
    private void reports() {
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        jdbc.query("SELECT r.week, d.target, d.status, COUNT(*) FROM report_delivery d JOIN weekly_report r ON r.report_id = d.report_id"
                + " WHERE r.week IN (SELECT DISTINCT week FROM weekly_report ORDER BY week DESC LIMIT 4)"
                + " GROUP BY r.week, d.target, d.status", rs -> {
                    rows.add(MultiGauge.Row.of(Tags.of("week", rs.getString(1), "target", rs.getString(2), "status", rs.getString(3)),
                            rs.getLong(4)));
                });
        reports.register(rows, true);
        Timestamp last = jdbc.queryForObject("SELECT MAX(generated_at) FROM weekly_report", Timestamp.class);
        lastReportGenerated.set(last == null ? 0 : last.toInstant().getEpochSecond());
    }
}
