package org.govhub.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/** What the machine says about itself and this process (Linux /proc), for the benchmark's report. */
final class Machine {

    private Machine() {
    }

    static int cores() {
        return Runtime.getRuntime().availableProcessors();
    }

    /** CPU time this JVM has used, all threads (the receiver's, the JIT's and the GC's included). */
    static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** The last CPU time read of each JIT compiler thread, by thread id: a compiler thread that exits keeps what it used. */
    private static final Map<String, Long> COMPILER_NANOS = new HashMap<>();

    /**
     * CPU time the JIT compiler threads ("C1/C2 CompilerThread" in /proc/self/task/N/comm) have used so
     * far: a fixed cost of each new JVM and context, not of a record, so the report shows it apart.
     * Read often (the hub phase reads it every 0.5 s): a compiler thread that exits between two reads
     * loses what it used since the first.
     */
    static synchronized long compilerCpuNanos() {
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            tasks.forEach(task -> {
                try {
                    if (Files.readString(task.resolve("comm")).matches("C[12] CompilerThre.*\\s*")) {
                        COMPILER_NANOS.put(task.getFileName().toString(), taskCpuNanos(task));
                    }
                } catch (IOException e) {
                    // the thread ended while it was read: its last reading stands
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return COMPILER_NANOS.values().stream().mapToLong(Long::longValue).sum();
    }

    /** CPU time one thread of this process (/proc/self/task/N) has used: utime + stime, read in clock ticks (USER_HZ, 100 on Linux: 10 ms). */
    static long taskCpuNanos(Path task) throws IOException {
        String stat = Files.readString(task.resolve("stat"));
        // after "pid (comm) ": state is field 3, utime 14 and stime 15 (proc(5))
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * 10_000_000L;
    }

    /**
     * Waits until the JIT compilers are done with what a warm-up gave them (less than 20 ms of their
     * CPU in a second), at most {@code longest}: what is still queued would be compiled during the
     * measured run and charged to its records.
     *
     * @return how long it waited
     */
    static Duration awaitCompilerQuiet(Duration longest) throws InterruptedException {
        long started = System.nanoTime();
        long before = compilerCpuNanos();
        while (System.nanoTime() - started < longest.toNanos()) {
            Thread.sleep(1000);
            long now = compilerCpuNanos();
            if (now - before < 20_000_000L) {
                break;
            }
            before = now;
        }
        return Duration.ofNanos(System.nanoTime() - started);
    }

    /** One backlog of a warm-up: false when there was none left to give. */
    interface WarmUpStep {
        boolean deliverNext() throws Exception;
    }

    /** How a warm-up ended: after how many backlogs, whether the compilers were quiet, the last one's compiler ms a second. */
    record WarmedUp(int backlogs, boolean quiet, long lastCompilerMillisPerSecond, Duration took, String cpuPerBacklog) {

        String describe() {
            return String.format("%d backlogs in %.0f s, %s (the last cost them %d ms a second); the JVM's CPU ms for each backlog"
                    + " (of it the JIT compilers'): %s", backlogs, took.toMillis() / 1000.0,
                    quiet ? "until delivering one cost the JIT compilers under " + QUIET_MILLIS_PER_SECOND + " ms a second"
                            : "THE ROWS OR THE TIME RAN OUT BEFORE THE JIT COMPILERS WERE QUIET", lastCompilerMillisPerSecond, cpuPerBacklog);
        }
    }

    /** A warm-up's backlog is quiet when delivering it cost the JIT compilers less than this. */
    static final long QUIET_MILLIS_PER_SECOND = 50;

    /**
     * Delivers backlogs of the measured run's shape, one after the other, until one costs the JIT
     * compilers under {@value #QUIET_MILLIS_PER_SECOND} ms a second, the backlogs run out or
     * {@code longest} has passed. One long warm-up does not get there: HotSpot drops a queued
     * compilation whose method has been idle for 50 ms (TieredCompileTaskTimeout), so hot code queued
     * behind the start-up's methods is still in C1 when the measured run begins, and its C2
     * compilation is charged to those records; and a backlog of another size takes other paths.
     */
    static WarmedUp warmUntilQuiet(WarmUpStep step, Duration longest) throws Exception {
        long started = System.nanoTime();
        int backlogs = 0;
        long lastMillisPerSecond = -1;
        StringBuilder cpu = new StringBuilder();
        while (System.nanoTime() - started < longest.toNanos()) {
            long compilerBefore = compilerCpuNanos();
            long cpuBefore = cpuNanos();
            long before = System.nanoTime();
            if (!step.deliverNext()) {
                break;
            }
            backlogs++;
            long compiler = compilerCpuNanos() - compilerBefore;
            cpu.append(cpu.isEmpty() ? "" : ", ").append((cpuNanos() - cpuBefore) / 1_000_000).append(" (").append(compiler / 1_000_000).append(')');
            lastMillisPerSecond = compiler * 1000 / Math.max(1, System.nanoTime() - before);
            if (lastMillisPerSecond < QUIET_MILLIS_PER_SECOND) {
                return new WarmedUp(backlogs, true, lastMillisPerSecond, Duration.ofNanos(System.nanoTime() - started), cpu.toString());
            }
        }
        return new WarmedUp(backlogs, false, lastMillisPerSecond, Duration.ofNanos(System.nanoTime() - started), cpu.toString());
    }

    /** The 1, 5 and 15 minute load averages: figures taken on a busy machine are not the hub's alone. */
    static String loadAverage() {
        String[] fields = read(Path.of("/proc/loadavg")).strip().split("\\s+");
        return fields[0] + " " + fields[1] + " " + fields[2];
    }

    /**
     * Bytes this process has caused to be written to storage so far ({@code write_bytes} of
     * /proc/self/io): counted when a page of the page cache is first dirtied, so a page written
     * again before it reaches the disk counts once.
     */
    static long writeBytes() {
        for (String line : read(Path.of("/proc/self/io")).split("\n")) {
            if (line.startsWith("write_bytes:")) {
                return Long.parseLong(line.substring("write_bytes:".length()).strip());
            }
        }
        throw new IllegalStateException("/proc/self/io has no write_bytes");
    }

    /** Bytes a file, or all files under a folder, take now (0 if it is not there). */
    static long size(Path path) {
        if (!Files.exists(path)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(path)) {
            return files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
