package org.govhub.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
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
        liveMaxMiB = Math.max(liveMaxMiB, afterCollectionMiB());
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

    /**
     * What the heap held right after the last collection (each heap pool's collection usage), not the
     * heap in use when asked: a hub delivering 8,000 records/s allocates over a GiB a second, so "in
     * use" read just after System.gc() counted hundreds of MiB allocated since (523 MiB at 1,000,000
     * while jmap -histo:live showed about 170 MiB throughout).
     */
    private static long afterCollectionMiB() {
        long bytes = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            MemoryUsage afterGc = pool.getType() == MemoryType.HEAP ? pool.getCollectionUsage() : null;
            bytes += afterGc == null ? 0 : afterGc.getUsed();
        }
        return bytes / (1024 * 1024);
    }

    private static long usedMiB() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / (1024 * 1024);
    }
}
