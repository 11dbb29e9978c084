package org.govhub.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;
import java.util.function.IntFunction;
import org.govhub.sandbox.NationalPlatformReceiver;

/**
 * Brings a started hub to the state of one that has been running ({@link Machine#warmUntilQuiet}):
 * its source is given the warm-up rows in backlogs of the measured backlog's size (20,000 at most),
 * each with a set of class-1 records and once the one before is delivered.
 */
final class HubWarmUp {

    /** The largest backlog given at a time: past it, a backlog's paths are those of a larger one. */
    static final int LARGEST_BACKLOG = 20_000;
    private static final Duration LONGEST = Duration.ofMinutes(4);

    /**
     * The warm-up rows in the order they were seeded: their keys, which are valid, and how many lie in
     * the source's table from the start (the rest wait in the warm-up table).
     */
    record Rows(List<Object> keys, boolean[] valid, int atStart) {

        long validBetween(int from, int to) {
            long n = 0;
            for (int i = from; i < to; i++) {
                n += valid[i] ? 1 : 0;
            }
            return n;
        }
    }

    /** What the warm-up did. */
    record Outcome(int rowsGiven, int backlogSize, long delivered, Machine.WarmedUp warmedUp, Duration compilerAfter) {

        String describe() {
            return String.format("hub: warmed up on %,d rows of the source (%,d records delivered): the first at its start, then"
                    + " backlogs of %,d rows, each with class-1 records: %s; then waited %.0f s for the JIT compilers to finish"
                    + " (not counted)", rowsGiven, delivered, backlogSize, warmedUp.describe(), compilerAfter.toMillis() / 1000.0);
        }
    }

    private HubWarmUp() {
    }

    /**
     * Gives the rows and waits until every record given, and every class-1 record put in, is at the
     * receiver.
     *
     * @param backlog the size of the measured backlog
     * @param injectUrgent puts in the n-th set of class-1 records and returns each one's source and key
     */
    static Outcome run(Rows rows, int backlog, NationalPlatformReceiver platform, String sourceId, String sourceUrl, String table,
            String pool, String keyColumn, IntFunction<List<String[]>> injectUrgent) throws Exception {
        int size = Math.max(1, Math.min(backlog, LARGEST_BACKLOG));
        int[] given = {rows.atStart()};
        long[] expected = {rows.validBetween(0, given[0])};
        // the rows in the table at the start first, without counting them: the start-up's compiling is not a backlog's
        expected[0] += deliver(platform, sourceId, expected[0], injectUrgent.apply(0));
        Machine.WarmedUp warmedUp;
        try (Connection c = DriverManager.getConnection(sourceUrl, "sa", "");
                PreparedStatement release = c.prepareStatement(
                        "INSERT INTO " + table + " SELECT * FROM " + pool + " WHERE " + keyColumn + " BETWEEN ? AND ?")) {
            int[] sets = {1};
            warmedUp = Machine.warmUntilQuiet(() -> {
                if (given[0] + size > rows.keys().size()) {
                    return false;
                }
                release.setObject(1, rows.keys().get(given[0]));
                release.setObject(2, rows.keys().get(given[0] + size - 1));
                release.executeUpdate();
                expected[0] += rows.validBetween(given[0], given[0] + size);
                given[0] += size;
                expected[0] += deliver(platform, sourceId, expected[0], injectUrgent.apply(sets[0]++));
                return true;
            }, LONGEST);
        }
        Duration compiling = Machine.awaitCompilerQuiet(Duration.ofMinutes(2));
        return new Outcome(given[0], size, expected[0], warmedUp, compiling);
    }

    /**
     * Waits until the source's records at the receiver number {@code count} plus this set's class-1
     * records in the source, and each of the set is there (the sets before it were, when they were given).
     *
     * @return how many of the set are the source's
     */
    private static long deliver(NationalPlatformReceiver platform, String sourceId, long count, List<String[]> set)
            throws InterruptedException {
        long inSource = set.stream().filter(u -> u[0].equals(sourceId)).count();
        long until = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        List<String> missing = missing(platform, set);
        while ((platform.receivedCount(sourceId) < count + inSource || !missing.isEmpty()) && System.nanoTime() < until) {
            Thread.sleep(100);
            missing = missing(platform, set);
        }
        long delivered = platform.receivedCount(sourceId);
        if (delivered != count + inSource || !missing.isEmpty()) {
            throw new IllegalStateException("the hub's warm-up delivered " + delivered + " of " + (count + inSource)
                    + " records of its source; class-1 records not delivered: " + missing);
        }
        return inSource;
    }

    private static List<String> missing(NationalPlatformReceiver platform, List<String[]> set) {
        return set.stream().filter(u -> !platform.holds(u[0], u[1])).map(u -> u[0] + " " + u[1]).toList();
    }
}
