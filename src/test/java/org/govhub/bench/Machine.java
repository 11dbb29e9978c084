package org.govhub.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** What the machine says about itself and this process (Linux /proc), for the benchmark's report. */
final class Machine {

    private Machine() {
    }

    static int cores() {
        return Runtime.getRuntime().availableProcessors();
    }

    /** The 1, 5 and 15 minute load averages: figures taken on a busy machine are not the hub's alone. */
    /** CPU time this JVM has used, all threads (the receiver's, the JIT's and the GC's included). */
    static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

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
