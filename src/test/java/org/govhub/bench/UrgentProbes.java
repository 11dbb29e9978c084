package org.govhub.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.govhub.sandbox.NationalPlatformReceiver;

/**
 * Class-1 records put in at random moments while a class-3 backlog is delivered (each when a
 * share of the backlog drawn between 5% and 90% has arrived, then after a random part of half a
 * second), and the time each takes from its injection until the platform receiver holds it. A
 * thread of their own looks for the pending ones every 50 ms, so the benchmark's half-second loop
 * does not blur the figures.
 */
final class UrgentProbes implements AutoCloseable {

    private static final double FIRST_SHARE = 0.05;
    private static final double LAST_SHARE = 0.90;
    private static final long CHECK_MILLIS = 50;

    /** One urgent record: how it is put in, where it arrives, and what happened to it. */
    static final class Probe {
        final String kind;
        final String sourceId;
        final String key;
        final Runnable inject;
        /** What waits ahead of it, noted right after it is put in (may be null). */
        final Supplier<String> ahead;
        /** What to note when it arrives (may be null). */
        final Supplier<String> onArrival;
        final double share;
        volatile boolean scheduled;
        volatile boolean failed;
        volatile long deliveredAtInjection;
        volatile long injectedNanos;
        volatile long arrivedNanos;
        volatile String aheadNote = "";
        volatile String arrivalNote = "";

        private Probe(String kind, String sourceId, String key, Runnable inject, Supplier<String> ahead,
                Supplier<String> onArrival, double share) {
            this.kind = kind;
            this.sourceId = sourceId;
            this.key = key;
            this.inject = inject;
            this.ahead = ahead;
            this.onArrival = onArrival;
            this.share = share;
        }

        boolean injected() {
            return injectedNanos != 0;
        }

        boolean arrived() {
            return arrivedNanos != 0;
        }

        Duration latency() {
            return Duration.ofNanos(arrivedNanos - injectedNanos);
        }
    }

    private final List<Probe> probes = new ArrayList<>();
    private final long backlog;
    private final NationalPlatformReceiver platform;
    private final Random random;
    /** Two threads: a slow injection does not hold up the checks. */
    private final ScheduledExecutorService threads = Executors.newScheduledThreadPool(2, r -> {
        Thread t = new Thread(r, "bench-urgent-probes");
        t.setDaemon(true);
        return t;
    });

    /** @param backlog how many class-3 records are to be delivered (the shares are of these) */
    UrgentProbes(long backlog, NationalPlatformReceiver platform, long seed) {
        this.backlog = backlog;
        this.platform = platform;
        this.random = new Random(seed);
        threads.scheduleWithFixedDelay(this::check, CHECK_MILLIS, CHECK_MILLIS, TimeUnit.MILLISECONDS);
    }

    void add(String kind, String sourceId, String key, Runnable inject, Supplier<String> ahead, Supplier<String> onArrival) {
        double share = FIRST_SHARE + random.nextDouble() * (LAST_SHARE - FIRST_SHARE);
        probes.add(new Probe(kind, sourceId, key, inject, ahead, onArrival, share));
    }

    /** Told by the benchmark's loop how much of the backlog has arrived: the probes now due go in shortly. */
    void progress(long delivered) {
        for (Probe p : probes) {
            if (!p.scheduled && delivered >= p.share * backlog) {
                p.scheduled = true;
                p.deliveredAtInjection = delivered;
                threads.schedule(() -> inject(p), random.nextInt(500), TimeUnit.MILLISECONDS);
            }
        }
    }

    private void inject(Probe p) {
        p.injectedNanos = System.nanoTime();
        try {
            p.inject.run();
            if (p.ahead != null) {
                p.aheadNote = p.ahead.get();
            }
        } catch (RuntimeException e) {
            p.failed = true;
            p.aheadNote = "could not be put in: " + e;
        }
    }

    private void check() {
        try {
            for (Probe p : probes) {
                if (p.injected() && !p.failed && !p.arrived() && platform.holds(p.sourceId, p.key)) {
                    p.arrivedNanos = System.nanoTime();
                    if (p.onArrival != null) {
                        p.arrivalNote = p.onArrival.get();
                    }
                }
            }
        } catch (RuntimeException e) {
            // a failed look (the receiver's database busy or closing) is tried again in 50 ms; a
            // scheduled task that throws would never run again
            System.err.println("urgent probes: looking at the receiver failed: " + e);
        }
    }

    /** How many of this source's probes were put in: the benchmark does not count them as backlog. */
    long injectedInto(String sourceId) {
        return probes.stream().filter(p -> p.sourceId.equals(sourceId) && p.injected()).count();
    }

    /** Waits until every probe that was put in has arrived, or the time is up. */
    void awaitArrivals(Duration atMost) throws InterruptedException {
        long end = System.nanoTime() + atMost.toNanos();
        while (probes.stream().anyMatch(p -> p.scheduled && !p.failed && !p.arrived()) && System.nanoTime() < end) {
            Thread.sleep(CHECK_MILLIS);
        }
    }

    /** Count, p50, p99 and max of the arrived probes of one kind (null: all). */
    String summary(String kind) {
        List<Long> millis = probes.stream().filter(p -> (kind == null || p.kind.equals(kind)) && p.arrived())
                .map(p -> p.latency().toMillis()).sorted().toList();
        long of = probes.stream().filter(p -> kind == null || p.kind.equals(kind)).count();
        if (millis.isEmpty()) {
            return "none arrived (of " + of + ")";
        }
        return String.format("p50 %.2f s, p99 %.2f s, max %.2f s (n=%d%s)", percentile(millis, 50) / 1000.0,
                percentile(millis, 99) / 1000.0, millis.get(millis.size() - 1) / 1000.0, millis.size(),
                millis.size() == of ? "" : " of " + of + ": " + (of - millis.size()) + " did not arrive");
    }

    /** One line per probe, in the order they were put in. */
    List<String> lines() {
        return probes.stream().filter(p -> p.scheduled)
                .sorted(java.util.Comparator.comparingLong(p -> p.injectedNanos == 0 ? Long.MAX_VALUE : p.injectedNanos))
                .map(p -> String.format("  %-12s %-22s at %,d delivered: %s%s%s", p.kind, p.sourceId + " " + p.key,
                        p.deliveredAtInjection, p.arrived() ? String.format("%.2f s", p.latency().toMillis() / 1000.0) : "NOT ARRIVED",
                        p.aheadNote.isEmpty() ? "" : "; ahead: " + p.aheadNote,
                        p.arrivalNote.isEmpty() ? "" : "; " + p.arrivalNote))
                .toList();
    }

    /** Nearest rank: the smallest value with at least p% of the values at or below it. */
    private static long percentile(List<Long> sorted, int p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, rank - 1));
    }

    @Override
    public void close() {
        threads.shutdownNow();
    }
}
