package org.govhub.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Where a phase's CPU went, by kind of thread: Java threads by name (numbers left out, so a pool
 * is one line) from the JVM, the JVM's own threads (GC, compiler, VM) by their name in /proc. A
 * diagnostic for the report: a cost that comes with time, not with records (a timer, a background
 * writer), shows here as a thread that is busy while the records are few.
 */
final class ThreadCpu {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private ThreadCpu() {
    }

    /** CPU nanoseconds so far per kind of thread. Threads that ended since an earlier snapshot are not in it. */
    static Map<String, Long> snapshot() {
        Map<String, Long> cpu = new HashMap<>();
        for (ThreadInfo info : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
            if (info != null) {
                long nanos = THREADS.getThreadCpuTime(info.getThreadId());
                if (nanos > 0) {
                    cpu.merge(kind(info.getThreadName()), nanos, Long::sum);
                }
            }
        }
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            tasks.forEach(task -> {
                try {
                    String comm = Files.readString(task.resolve("comm")).strip();
                    if (isJvmThread(comm)) {
                        cpu.merge("jvm: " + kind(comm), Machine.taskCpuNanos(task), Long::sum);
                    }
                } catch (IOException e) {
                    // the thread ended while being read
                }
            });
        } catch (IOException e) {
            // no /proc: Java threads only
        }
        return cpu;
    }

    /** The threads the JVM runs for itself, which the thread bean does not list. */
    private static boolean isJvmThread(String comm) {
        return comm.startsWith("GC Thread") || comm.startsWith("G1 ") || comm.startsWith("VM ") || comm.contains("CompilerThre")
                || comm.startsWith("Sweeper") || comm.startsWith("Service Thread");
    }

    private static String kind(String name) {
        return name.replaceAll("\\d+", "N");
    }

    /** The kinds that used the most CPU between two snapshots, in µs per record, most first. */
    static String top(Map<String, Long> before, Map<String, Long> after, long records, int most) {
        return after.entrySet().stream()
                .map(e -> Map.entry(e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), 0L)))
                .filter(e -> e.getValue() > 0)
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .limit(most)
                .map(e -> String.format("%,.0f µs %s", e.getValue() / 1000.0 / Math.max(1, records), e.getKey()))
                .collect(Collectors.joining("; "));
    }
}
