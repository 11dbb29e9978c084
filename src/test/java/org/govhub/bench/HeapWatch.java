package org.govhub.bench;

import java.lang.management.ManagementFactory;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The heap of a phase, watched from a thread of its own: at most how much is in use (every 0.5 s),
 * and the live set, what really stays, right after a full collection (30 s in, then once a minute,
 * and when the phase ends).
 */
final class HeapWatch implements AutoCloseable {

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "bench-heap-watch");
        t.setDaemon(true);
        return t;
    });
    private long usedMaxMiB;
    private long liveMaxMiB;

    HeapWatch() {
        timer.scheduleAtFixedRate(this::sampleUsed, 0, 500, TimeUnit.MILLISECONDS);
        timer.scheduleAtFixedRate(this::sampleLive, 30, 60, TimeUnit.SECONDS);
    }

    private synchronized void sampleUsed() {
        usedMaxMiB = Math.max(usedMaxMiB, usedMiB());
    }

    synchronized void sampleLive() {
        System.gc();
        liveMaxMiB = Math.max(liveMaxMiB, usedMiB());
    }

    synchronized long usedMaxMiB() {
        return usedMaxMiB;
    }

    synchronized long liveMaxMiB() {
        return liveMaxMiB;
    }

    /** Takes a last live sample: the end of a phase holds the most. */
    @Override
    public void close() {
        timer.shutdownNow();
        sampleLive();
    }

    static long maxMiB() {
        return Runtime.getRuntime().maxMemory() / (1024 * 1024);
    }

    private static long usedMiB() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / (1024 * 1024);
    }
}
