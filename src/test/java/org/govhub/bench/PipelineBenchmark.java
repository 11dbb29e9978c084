package org.govhub.bench;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.sql.DataSource;
import org.govhub.GovHubApplication;
import org.govhub.normalise.RecordNormaliser;
import org.govhub.normalise.RegionCodes;
import org.govhub.sandbox.NationalPlatformReceiver;
import org.govhub.sandbox.SandboxProperties;
import org.govhub.sandbox.TaxBureauSandbox;
import org.govhub.sandbox.TaxDeclarationGenerator;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * End-to-end benchmark, run on demand (not a test):
 *
 * <pre>./mvnw -q test-compile exec:exec@benchmark -Dbench.records=100000 [-Dbench.db=postgres]</pre>
 *
 * Seeds the sandbox tax bureau with warm-up declarations (-Dbench.warm-up, 300,000) and, in a table
 * beside it, the backlog's N declarations (1 in 25 invalid), then runs two phases on the backlog's
 * rows, one after the other, each on a fresh data directory and each first warmed up on the
 * warm-up rows, in backlogs of the measured one's size, until the JIT compilers are nearly idle
 * ({@link Machine#warmUntilQuiet}): the cost per record is that of a hub that has been running.
 * <ol>
 * <li>the straight-line baseline ({@link StraightLineBaseline}): one thread reads the rows,
 * normalises them with the hub's own normaliser, quarantines the invalid ones and posts the valid
 * ones 100 to a batch to the platform receiver, in a hub context where no route runs;</li>
 * <li>the whole hub with its default polling ({@link HubWarmUp}), then the backlog is written into
 * the source's table and counted from there.</li>
 * </ol>
 * For each it measures records/s from the SQL source to the platform receiver, bytes written to
 * disk per delivered record by component, heap in use and live set, and the machine's load; during
 * the hub phase, class-1 records put in at random moments while the class-3 backlog drains (half
 * patients' credit events via the idle credit-reference source, half class-1 TaxRecords put on the
 * tax queue) and their latency to the receiver. Results are printed and written to
 * target/benchmark-N.txt (-postgres for that database).
 *
 * <p>With {@code -Dbench.source=credit-reference} the backlog is N class-3 credit events of the
 * credit-reference centre instead, and the patients' credit events are written to the same table
 * behind them: their latency is that of the source's urgent lane. With {@code -Dbench.db=postgres}
 * the hub keeps its state in a fresh schema of the PostgreSQL at 127.0.0.1:5432 (production's set-up);
 * the baseline's quarantine stays on H2.
 */
public final class PipelineBenchmark {

    private static final String POSTGRES = "jdbc:postgresql://127.0.0.1:5432/test";
    private static final String POSTGRES_SCHEMA = "govhub_bench_hub";
    /** Class-1 records of each kind put in with each set during the hub's warm-up. */
    private static final int WARM_UP_URGENT = 5;
    /** Warm-up rows in the source's table when the hub starts; the rest are fed to it as it runs ({@link HubWarmUp}). */
    private static final int WARM_UP_AT_START = 5_000;

    private PipelineBenchmark() {
    }

    /** The run's settings (-Dbench.*). */
    private record Settings(int records, String source, boolean creditBacklog, boolean postgres, boolean keep, int urgent,
            int warmUp, int batch, String batchAge) {

        static Settings fromSystemProperties() {
            String source = System.getProperty("bench.source", "tax-bureau");
            boolean creditBacklog = switch (source) {
                case "tax-bureau" -> false;
                case "credit-reference" -> true;
                default -> throw new IllegalArgumentException("bench.source is tax-bureau or credit-reference, not " + source);
            };
            String db = System.getProperty("bench.db", "h2");
            if (!db.equals("h2") && !db.equals("postgres")) {
                throw new IllegalArgumentException("bench.db is h2 or postgres, not " + db);
            }
            return new Settings(Integer.getInteger("bench.records", 100_000), source, creditBacklog, db.equals("postgres"),
                    Boolean.getBoolean("bench.keep"), Integer.getInteger("bench.urgent", 20),
                    Integer.getInteger("bench.warm-up", 300_000),
                    // the hub phase's batch limits (class 1 keeps its own); the hub's defaults are 100 and 10s
                    Integer.getInteger("bench.batch", 1000), System.getProperty("bench.batch-age", "2s"));
        }

        /** The source's table and key column (routes/*-source.yaml); its mapping has the source's id. */
        String table() {
            return creditBacklog ? "credit_event" : "tax_declaration";
        }

        String keyColumn() {
            return creditBacklog ? "event_id" : "decl_id";
        }

        /**
         * Where the backlog's rows wait until the hub has warmed up: a table of the same shape beside the
         * source's, read by the baseline directly and copied into the source's table for the hub.
         */
        String backlogTable() {
            return table() + "_backlog";
        }

        /** Where the warm-up rows wait: given to the running hub in backlogs ({@link HubWarmUp}); the baseline warms up on them. */
        String warmUpTable() {
            return table() + "_warm_up";
        }
    }

    /** What one phase measured. */
    private static final class Phase {
        long delivered;
        /** What its data directory holds records of at the end: the hub's also has its warm-up's. */
        long stored;
        long duplicates;
        /** From the phase's start (the hub: the backlog's commit, after its start-up and warm-up) to the last delivery. */
        double seconds;
        double steadyRate;
        /** CPU time of the whole JVM per delivered record, in the steady part (the hub: from its first delivery). */
        double cpuMicrosPerRecord;
        /** Of that, the JIT compiler threads' (a fixed cost of a new JVM and context, spread over the records). */
        double compilerMicrosPerRecord;
        double firstDeliverySeconds;
        /** Bytes written from the phase's start to its last delivery. */
        DiskUse.Counters written;
        DiskUse disk;
        /** The hub phase's class-1 records. */
        UrgentProbes probes;
        long usedHeapMiB;
        long liveHeapMiB;
        String loadStart;
        String loadEnd;

        double fromStartRate() {
            return delivered / seconds;
        }

        void heap(HeapWatch heap) {
            heap.close();
            usedHeapMiB = heap.usedMaxMiB();
            liveHeapMiB = heap.liveMaxMiB();
        }
    }

    public static void main(String[] args) throws Exception {
        Settings s = Settings.fromSystemProperties();
        Path dir = Files.createTempDirectory("govhub-bench");
        // the source databases both phases read; each phase has a data directory of its own
        String taxUrl = "jdbc:h2:file:" + dir.resolve("sources/tax-bureau") + ";DATABASE_TO_LOWER=TRUE;DB_CLOSE_ON_EXIT=FALSE";
        String creditUrl = "jdbc:h2:file:" + dir.resolve("sources/credit-reference") + ";DATABASE_TO_LOWER=TRUE;DB_CLOSE_ON_EXIT=FALSE";

        Instant seedStart = Instant.now();
        Seeded seeded = s.creditBacklog() ? seedCreditEvents(creditUrl, s.warmUp(), s.records()) : seed(taxUrl, s.warmUp(), s.records());
        long warmUpValid = seeded.warmUp().validBetween(0, s.warmUp());
        long valid = seeded.backlogValid();
        System.out.printf("seeded %,d rows of %s (%,d valid) after %,d warm-up rows (%,d valid) in %s; %d cores, load %s%n", s.records(),
                s.source(), valid, s.warmUp(), warmUpValid, Duration.between(seedStart, Instant.now()), Machine.cores(), Machine.loadAverage());

        List<String> details = new ArrayList<>();
        Phase baseline = baseline(s, dir, taxUrl, creditUrl, valid, details);
        System.out.printf("baseline: %,d records in %.1f s, %,.0f records/s%n", baseline.delivered, baseline.seconds, baseline.steadyRate);
        List<String> progress = new ArrayList<>();
        Phase hub = hub(s, dir, taxUrl, creditUrl, seeded.warmUp(), valid, details, progress);

        String report = report(s, valid, baseline, hub, details);
        System.out.println(report);
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target", "benchmark-" + s.records() + (s.postgres() ? "-postgres" : "") + ".txt"),
                report + "\nprogress of the hub:\n" + String.join("\n", progress) + "\n");
        if (!s.keep()) {
            // a million-record run leaves gigabytes of H2 files; -Dbench.keep=true keeps them to look at
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
            if (s.postgres()) {
                postgres().execute("DROP SCHEMA IF EXISTS " + POSTGRES_SCHEMA + " CASCADE");
            }
        } else {
            System.out.println("data directory kept: " + dir + (s.postgres() ? "; PostgreSQL schema kept: " + POSTGRES_SCHEMA : ""));
        }
    }

    /**
     * The hub's start-up arguments for a phase, the same for both: the seeded backlog stays as it is
     * (the sandbox keeps a table that is already there), no other source brings records.
     */
    private static List<String> hubArguments(Settings s, Path dataDir, String taxUrl, String creditUrl) {
        return new ArrayList<>(List.of(
                "--server.port=0", "--govhub.data-dir=" + dataDir, "--govhub.security.admin-password=Bench-mark-2026",
                "--govhub.sandbox.tax-bureau.url=" + taxUrl, "--govhub.sandbox.tax-bureau.rows=" + (s.creditBacklog() ? 0 : s.records()),
                "--govhub.sandbox.credit-reference.url=" + creditUrl, "--govhub.sandbox.credit-reference.rows=0",
                "--govhub.sandbox.hrss.port=0", "--govhub.sandbox.hrss.drop-files=false",
                "--govhub.sources.provincial-filings.enabled=false", "--govhub.sources.credit-portal.enabled=false",
                "--govhub.batch.max-records=" + s.batch(), "--govhub.batch.max-age=" + s.batchAge(),
                "--logging.level.org.govhub=WARN", "--logging.level.org.apache.camel=WARN"));
    }

    /**
     * The straight-line baseline, in a hub context where no route runs: only its normaliser bean and
     * the sandbox platform receiver are used.
     */
    private static Phase baseline(Settings s, Path dir, String taxUrl, String creditUrl, long valid, List<String> details)
            throws Exception {
        Phase phase = new Phase();
        Path data = dir.resolve("baseline");
        List<String> args = hubArguments(s, data, taxUrl, creditUrl);
        // a route folder with no file: the start-up checks have nothing to check and Camel nothing to run
        args.add("--camel.main.routes-include-pattern=file:" + Files.createDirectories(dir.resolve("no-routes")) + "/*.yaml");
        String quarantineUrl = "jdbc:h2:file:" + data.resolve("quarantine/quarantine") + ";WRITE_DELAY=0";
        String receiverUrl;
        Path receiverFiles;
        String brokerDir;
        System.gc();
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(GovHubApplication.class).run(args.toArray(String[]::new))) {
            Environment env = context.getEnvironment();
            NationalPlatformReceiver platform = context.getBean(NationalPlatformReceiver.class);
            receiverUrl = env.getProperty("govhub.sandbox.platform.url");
            receiverFiles = Path.of(env.getProperty("govhub.sandbox.platform.batches"));
            brokerDir = env.getProperty("spring.artemis.embedded.data-directory");
            URI api = URI.create("http://localhost:" + env.getProperty("local.server.port") + "/sandbox/platform/api/v1/batches");
            try (StraightLineBaseline straight = new StraightLineBaseline(context.getBean(RecordNormaliser.class), s.source(), api,
                    env.getProperty("govhub.sandbox.platform.token"), quarantineUrl)) {
                HeapWatch heap = new HeapWatch();
                phase.loadStart = Machine.loadAverage();
                DiskUse.Counters start = new DiskUse.Counters(Machine.writeBytes(), straight.quarantineWriteBytes(),
                        receiverWritten(receiverUrl, receiverFiles));
                StraightLineBaseline.Result result = straight.run(s.creditBacklog() ? creditUrl : taxUrl, s.backlogTable(), s.warmUpTable(),
                        s.keyColumn(), s.records());
                phase.written = new DiskUse.Counters(Machine.writeBytes(), straight.quarantineWriteBytes(),
                        receiverWritten(receiverUrl, receiverFiles)).minus(start);
                phase.loadEnd = Machine.loadAverage();
                phase.heap(heap);
                phase.seconds = result.took().toMillis() / 1000.0;
                phase.steadyRate = result.recordsPerSecond();
                phase.cpuMicrosPerRecord = result.cpuNanos() / 1000.0 / result.valid();
                phase.compilerMicrosPerRecord = result.compilerNanos() / 1000.0 / result.valid();
                phase.delivered = platform.receivedCount(StraightLineBaseline.SOURCE_ID);
                phase.stored = phase.delivered + result.warmUpValid();
                phase.duplicates = platform.duplicateCount(StraightLineBaseline.SOURCE_ID);
                details.add(String.format("baseline: read %,d rows: %,d valid in %,d batches of at most %d, %,d to its quarantine;"
                        + " delivered %,d (%s; duplicates %d)%s; of its %.1f s, %.1f s in the normaliser and %.1f s waiting for"
                        + " the receiver's answers (the receiver's work included); before it, a warm-up on the warm-up table's rows"
                        + " (source %s, %,d delivered): %s; then it waited %.0f s for the JIT compilers to finish", result.read(),
                        result.valid(), result.batches(),
                        StraightLineBaseline.BATCH_SIZE, result.invalid(), phase.delivered,
                        phase.delivered == result.valid() ? "all" : "INCOMPLETE", phase.duplicates,
                        result.valid() == valid ? "" : "; THE SEED SAYS " + valid + " VALID", phase.seconds,
                        result.normalising().toMillis() / 1000.0, result.posting().toMillis() / 1000.0,
                        StraightLineBaseline.WARM_UP_SOURCE_ID, result.warmUpValid(), result.warmedUp().describe(),
                        result.compilerQuietAfter().toMillis() / 1000.0));
            }
        }
        // on disk once closed, as it stays
        phase.disk = new DiskUse(phase.written.process(), phase.written.hubDb(), true, phase.written.receiverDb(),
                Machine.size(DiskUse.h2File(quarantineUrl)), Machine.size(Path.of(brokerDir)),
                Machine.size(DiskUse.h2File(receiverUrl)) + Machine.size(receiverFiles));
        return phase;
    }

    /** What the sandbox receiver wrote: its database (H2's own count) and its batch files (each written once). */
    private static long receiverWritten(String url, Path files) throws Exception {
        return DiskUse.h2WriteBytes(url) + Machine.size(files);
    }

    /**
     * The whole hub on the backlog, with class-1 records put in while it drains. The hub starts on its
     * source's first warm-up rows and is given the rest in backlogs ({@link HubWarmUp}, not counted), as
     * a hub that has been running: a fresh JVM compiles for minutes, which would be charged to the
     * first records (issue 12 asks for the cost per record, flat from 10,000 to 1,000,000). Then the
     * backlog is written into the source's table in one transaction; the phase is counted from its commit.
     */
    private static Phase hub(Settings s, Path dir, String taxUrl, String creditUrl, HubWarmUp.Rows warmUpRows, long valid,
            List<String> details, List<String> progress) throws Exception {
        Phase phase = new Phase();
        List<String> args = hubArguments(s, dir.resolve("hub"), taxUrl, creditUrl);
        JdbcTemplate postgres = null;
        if (s.postgres()) {
            // as PostgresTaxFlowTest: the hub's own database in a fresh schema; Flyway creates its tables there
            postgres = postgres();
            postgres.execute("DROP SCHEMA IF EXISTS " + POSTGRES_SCHEMA + " CASCADE");
            postgres.execute("CREATE SCHEMA " + POSTGRES_SCHEMA);
            args.add("--spring.datasource.url=" + POSTGRES + "?currentSchema=" + POSTGRES_SCHEMA);
            args.add("--spring.datasource.username=postgres");
        }
        String source = s.source();
        String receiverUrl;
        Path receiverFiles;
        String hubDbUrl;
        String brokerDir;
        try (ConfigurableApplicationContext hub = new SpringApplicationBuilder(GovHubApplication.class).run(args.toArray(String[]::new))) {
            Environment env = hub.getEnvironment();
            receiverUrl = env.getProperty("govhub.sandbox.platform.url");
            receiverFiles = Path.of(env.getProperty("govhub.sandbox.platform.batches"));
            hubDbUrl = env.getProperty("spring.datasource.url");
            brokerDir = env.getProperty("spring.artemis.embedded.data-directory");
            NationalPlatformReceiver platform = hub.getBean(NationalPlatformReceiver.class);
            // the credit events among the class-1 records: code compiled for the tax backlog alone would be
            // thrown away when the first of them goes through the same normaliser in the measured phase
            String sourceUrl = s.creditBacklog() ? creditUrl : taxUrl;
            HubWarmUp.Outcome warmedUp = HubWarmUp.run(warmUpRows, s.records(), platform, source, sourceUrl, s.table(), s.warmUpTable(),
                    s.keyColumn(), set -> injectWarmUpUrgent(s, hub, creditUrl, set));
            details.add(warmedUp.describe());
            long warmUpDelivered = warmedUp.delivered();
            System.gc();
            phase.loadStart = Machine.loadAverage();
            HeapWatch heap = new HeapWatch();
            Instant released = Instant.now();
            release(sourceUrl, s.table(), s.backlogTable());
            // counted from the backlog's commit: what the hub writes and spends on it, not the copy itself
            DiskUse.Counters start = new DiskUse.Counters(Machine.writeBytes(),
                    postgres == null ? h2WriteBytes(hub.getBean(DataSource.class)) : walBytes(postgres), receiverWritten(receiverUrl, receiverFiles));
            long walPositionAtStart = postgres == null ? 0 : walPosition(postgres);
            Instant started = Instant.now();
            details.add(String.format("hub: the backlog written into %s in one transaction in %.1f s; counted from its commit", s.table(),
                    Duration.between(released, started).toMillis() / 1000.0));
            UrgentProbes probes = urgentProbes(s, hub, platform, creditUrl, valid);
            phase.probes = probes;
            try (probes) {
                long delivered = 0;
                Instant firstDelivery = null;
                long cpuAtFirstDelivery = 0;
                long compilerAtFirstDelivery = 0;
                long firstDelivered = 0;
                Map<String, Long> threadsAtFirstDelivery = Map.of();
                Instant deadline = started.plus(Duration.ofHours(2));
                for (int round = 1; delivered < valid && Instant.now().isBefore(deadline); round++) {
                    // every 50 ms, so a 10,000 backlog's second or two is timed to a few per cent, not to half a second
                    Thread.sleep(50);
                    // the backlog's records only: with a credit backlog the probes arrive among them
                    delivered = platform.receivedCount(source) - warmUpDelivered - probes.injectedInto(source);
                    boolean halfSecond = round % 10 == 0;
                    if (firstDelivery == null && delivered > 0) {
                        firstDelivery = Instant.now();
                        cpuAtFirstDelivery = Machine.cpuNanos();
                        compilerAtFirstDelivery = Machine.compilerCpuNanos();
                        firstDelivered = delivered;
                        threadsAtFirstDelivery = ThreadCpu.snapshot();
                    } else if (halfSecond) {
                        // read for its side effect: Machine keeps each compiler thread's last time, so one that exits is
                        // still counted; every 0.5 s, not at each 50 ms look (listing /proc/self/task costs CPU)
                        Machine.compilerCpuNanos();
                    }
                    probes.progress(delivered);
                    if (progress.size() < 400 && halfSecond) {
                        progress.add(String.format(Locale.ROOT, "%.1fs: %d", Duration.between(started, Instant.now()).toMillis() / 1000.0, delivered));
                    }
                }
                Instant end = Instant.now();
                long cpuAtEnd = Machine.cpuNanos();
                long compilerAtEnd = Machine.compilerCpuNanos();
                if (firstDelivery != null) {
                    details.add(String.format("hub: steady part from %s to %s (for a profile of the same run)", firstDelivery, end));
                    details.add("hub: CPU per record in the steady part by thread, the most first (Java threads by name, numbers as N;"
                            + " jvm: the JVM's own): " + ThreadCpu.top(threadsAtFirstDelivery, ThreadCpu.snapshot(), valid - firstDelivered, 12));
                }
                long walPositionAtEnd = postgres == null ? 0 : walPosition(postgres);
                phase.written = new DiskUse.Counters(Machine.writeBytes(),
                        postgres == null ? h2WriteBytes(hub.getBean(DataSource.class)) : walBytes(postgres),
                        receiverWritten(receiverUrl, receiverFiles)).minus(start);
                phase.loadEnd = Machine.loadAverage();
                phase.heap(heap);
                phase.seconds = Duration.between(started, end).toMillis() / 1000.0;
                phase.firstDeliverySeconds = firstDelivery == null ? 0 : Duration.between(started, firstDelivery).toMillis() / 1000.0;
                phase.cpuMicrosPerRecord = firstDelivery == null ? 0 : (cpuAtEnd - cpuAtFirstDelivery) / 1000.0 / (valid - firstDelivered);
                phase.compilerMicrosPerRecord = firstDelivery == null ? 0
                        : (compilerAtEnd - compilerAtFirstDelivery) / 1000.0 / (valid - firstDelivered);
                phase.steadyRate = firstDelivery == null ? 0
                        : (valid - firstDelivered) / (Duration.between(firstDelivery, end).toMillis() / 1000.0);
                probes.awaitArrivals(Duration.ofMinutes(2));
                phase.delivered = platform.receivedCount(source) - warmUpDelivered - probes.injectedInto(source);
                phase.stored = phase.delivered + warmUpDelivered;
                phase.duplicates = platform.duplicateCount(source);
                if (postgres != null) {
                    details.add(String.format("hub on PostgreSQL (schema %s): WAL %,d bytes by pg_stat_wal, the WAL position moved %,d"
                            + " bytes (both for the whole server)", POSTGRES_SCHEMA, phase.written.hubDb(), walPositionAtEnd - walPositionAtStart));
                }
            }
        }
        long hubDbSize = postgres == null ? Machine.size(DiskUse.h2File(hubDbUrl)) : schemaBytes(postgres);
        phase.disk = new DiskUse(phase.written.process(), phase.written.hubDb(), postgres == null, phase.written.receiverDb(),
                hubDbSize, Machine.size(Path.of(brokerDir)), Machine.size(DiskUse.h2File(receiverUrl)) + Machine.size(receiverFiles));
        return phase;
    }

    /**
     * Half the class-1 records are patients' credit events written to the credit-reference centre
     * (idle; with a credit backlog, behind it in the same table), half class-1 TaxRecords put on the
     * tax queue as a source would send them (behind the tax backlog on the broker and in batching).
     */
    private static UrgentProbes urgentProbes(Settings s, ConfigurableApplicationContext hub, NationalPlatformReceiver platform,
            String creditUrl, long valid) {
        UrgentProbes probes = new UrgentProbes(valid, platform, 12);
        for (int i = 1; i <= s.urgent(); i++) {
            int n = (i + 1) / 2; // credit event 1, TaxRecord 1, credit event 2, …
            if (i % 2 == 1) {
                String eventId = Long.toString(s.warmUp() + s.records() + n); // after the generated events' ids
                probes.add("credit event", "credit-reference", eventId, () -> injectPatientCreditEvent(creditUrl, eventId), null,
                        s.creditBacklog() ? () -> "the source's head at " + head(hub, s.source()) + " of " + (s.warmUp() + s.records()) : null);
            } else {
                String key = "urgent-tax-" + n;
                probes.add("TaxRecord", "bench-urgent", key, () -> injectUrgentTaxRecord(hub, key), () -> backlog(hub), null);
            }
        }
        return probes;
    }

    private static String report(Settings s, long valid, Phase baseline, Phase hub, List<String> details) {
        UrgentProbes probes = hub.probes;
        StringBuilder r = new StringBuilder();
        r.append(String.format(Locale.ROOT, """
                GovHub pipeline benchmark: SQL source -> platform receiver, one JVM, sandbox; hub database %s
                  records in source      %,d of %s (%,d valid, %,d invalid to quarantine)
                  baseline               %,d delivered in %.1f s (straight line, one thread, %d per batch; its context's start-up and its warm-up not counted)
                  hub                    %,d delivered (%s; duplicates %d) in %.1f s from start (first delivery %.1f s after start; %,d per batch, sealed at %s at the latest or idle as the hub's default says (govhub.batch.max-idle); its start-up and warm-up not counted; start is the backlog's commit)
                  heap                   max %,d MiB; baseline at most %,d MiB in use, live %,d MiB; hub at most %,d MiB in use, live %,d MiB
                                         (in use sampled every 0.5 s; live after a full GC 30 s in, then once a minute, and at the end)
                  class-1 latency        %s, %d put in at random moments between 5%% and 90%% of the backlog delivered
                    credit events        %s (%s)
                    TaxRecords           %s (put on the tax queue, behind the tax backlog)
                  machine                %d cores, Java %s
                """, s.postgres() ? "PostgreSQL 15 (127.0.0.1:5432, schema " + POSTGRES_SCHEMA + ")" : "H2 (embedded)",
                s.records(), s.source(), valid, s.records() - valid,
                baseline.delivered, baseline.seconds, StraightLineBaseline.BATCH_SIZE,
                hub.delivered, hub.delivered == valid ? "all" : "INCOMPLETE", hub.duplicates, hub.seconds, hub.firstDeliverySeconds, s.batch(), s.batchAge(),
                HeapWatch.maxMiB(), baseline.usedHeapMiB, baseline.liveHeapMiB, hub.usedHeapMiB, hub.liveHeapMiB,
                probes.summary(null), s.urgent(), probes.summary("credit event"),
                s.creditBacklog() ? "written behind the backlog in the same table: the source's urgent lane"
                        : "written to the idle credit-reference centre",
                probes.summary("TaxRecord"), Machine.cores(), System.getProperty("java.version")));
        details.forEach(d -> r.append("  ").append(d).append('\n'));
        r.append("  class-1 records, in the order put in:\n");
        probes.lines().forEach(l -> r.append("  ").append(l).append('\n'));
        r.append('\n').append(table(s, baseline, hub));
        return r.toString();
    }

    /** The side-by-side table issue 12 asks for. */
    private static String table(Settings s, Phase baseline, Phase hub) {
        String row = "%-32s %16s %16s %10s%n";
        StringBuilder t = new StringBuilder();
        t.append(String.format(row, "", "baseline", "hub", "hub/base"));
        t.append(String.format(row, "records/s (steady)", whole(baseline.steadyRate), whole(hub.steadyRate),
                ratio(hub.steadyRate, baseline.steadyRate)));
        t.append(String.format(row, "records/s (from start)", whole(baseline.steadyRate), whole(hub.fromStartRate()),
                ratio(hub.fromStartRate(), baseline.steadyRate)));
        t.append(String.format(row, "CPU µs per record (steady)", whole(baseline.cpuMicrosPerRecord), whole(hub.cpuMicrosPerRecord),
                ratio(hub.cpuMicrosPerRecord, baseline.cpuMicrosPerRecord)));
        t.append(String.format(row, "  of it the JIT compiler's", whole(baseline.compilerMicrosPerRecord),
                whole(hub.compilerMicrosPerRecord), ""));
        t.append(String.format(row, "  without the JIT compiler's", whole(baseline.cpuMicrosPerRecord - baseline.compilerMicrosPerRecord),
                whole(hub.cpuMicrosPerRecord - hub.compilerMicrosPerRecord),
                ratio(hub.cpuMicrosPerRecord - hub.compilerMicrosPerRecord, baseline.cpuMicrosPerRecord - baseline.compilerMicrosPerRecord)));
        t.append("disk written, bytes per delivered record\n");
        t.append(bytesRow(row, "  total", baseline, hub, DiskUse::total, true));
        // the baseline has no hub database, only its quarantine: no ratio there
        t.append(bytesRow(row, s.postgres() ? "  hub DB (PostgreSQL WAL)" : "  hub DB (baseline: quarantine)", baseline, hub,
                DiskUse::hubDb, false));
        t.append(bytesRow(row, "  broker journal + rest", baseline, hub, DiskUse::rest, true));
        t.append(bytesRow(row, "  receiver DB", baseline, hub, DiskUse::receiverDb, true));
        t.append("on disk at the end, bytes per record stored (the hub's warm-up included)\n");
        t.append(bytesRow(row, s.postgres() ? "  hub DB (schema on PostgreSQL)" : "  hub DB (baseline: quarantine)", baseline, hub,
                DiskUse::hubDbSize, false, true));
        t.append(bytesRow(row, "  broker (artemis directory)", baseline, hub, DiskUse::brokerSize, true, true));
        t.append(bytesRow(row, "  receiver DB", baseline, hub, DiskUse::receiverSize, true, true));
        t.append(String.format("%-32s %16s %s%n", "class-1 latency", "-", hub.probes.summary(null)));
        t.append(String.format(row, "heap max in use, MiB", baseline.usedHeapMiB, hub.usedHeapMiB, ""));
        t.append(String.format(row, "live heap max, MiB", baseline.liveHeapMiB, hub.liveHeapMiB, ""));
        t.append(String.format("%-32s %s%n", "", String.format("hub live heap %d MiB at %,d records (issue 12: below 512 MiB at 1,000,000)",
                hub.liveHeapMiB, s.records())));
        t.append(String.format(row, "load average at start", baseline.loadStart, hub.loadStart, ""));
        t.append(String.format(row, "load average at end", baseline.loadEnd, hub.loadEnd, ""));
        t.append(String.format("%-32s %s%n", "machine", Machine.cores() + " cores"));
        return t.toString();
    }

    private static String bytesRow(String row, String label, Phase baseline, Phase hub,
            java.util.function.ToLongFunction<DiskUse> figure, boolean comparable) {
        return bytesRow(row, label, baseline, hub, figure, comparable, false);
    }

    private static String bytesRow(String row, String label, Phase baseline, Phase hub,
            java.util.function.ToLongFunction<DiskUse> figure, boolean comparable, boolean onDisk) {
        double base = figure.applyAsLong(baseline.disk) / (double) Math.max(1, onDisk ? baseline.stored : baseline.delivered);
        double mine = figure.applyAsLong(hub.disk) / (double) Math.max(1, onDisk ? hub.stored : hub.delivered);
        return String.format(row, label, String.format("%,.0f", base), String.format("%,.0f", mine), comparable ? ratio(mine, base) : "-");
    }

    /** A figure rounded to a whole number, with thousands separators. */
    private static String whole(double rate) {
        return String.format("%,.0f", rate);
    }

    private static String ratio(double hub, double baseline) {
        return baseline <= 0 ? "-" : String.format(Locale.ROOT, "%.2f", hub / baseline);
    }

    /** What was seeded: the warm-up's rows, and how many of the backlog's are valid. */
    private record Seeded(HubWarmUp.Rows warmUp, long backlogValid) {
    }

    /** Seeds the tax bureau as the sandbox would, but streaming, so the generated rows never sit in memory. */
    private static Seeded seed(String url, int warmUp, int records) throws Exception {
        SandboxProperties.Database config = new SandboxProperties.Database(url, "sa", "", warmUp + records, 25, 2020);
        TaxDeclarationGenerator generator = TaxBureauSandbox.generator(config, new RegionCodes());
        return seed(url, List.of(TaxBureauSandbox.DDL, TaxBureauSandbox.CHANGE_INDEX), "tax_declaration", "decl_id", warmUp,
                sink -> generator.generate(warmUp + records, sink), row -> row);
    }

    /**
     * Seeds the credit-reference centre with N credit events of no epidemic relevance (class 3), streaming;
     * the table is the sandbox's own.
     */
    private static Seeded seedCreditEvents(String url, int warmUp, int records) throws Exception {
        var generator = new org.govhub.sandbox.CreditReferenceGenerator(2020, new RegionCodes().countiesUnder("3601"), 25);
        return seed(url, List.of(org.govhub.sandbox.CreditReferenceSandbox.DDL, org.govhub.sandbox.CreditReferenceSandbox.CHANGE_INDEX),
                "credit_event", "event_id", warmUp, sink -> generator.generate(warmUp + records, sink), row -> {
            Map<String, Object> columns = new java.util.LinkedHashMap<>(row);
            columns.put("yq_yx", 0); // not epidemic-related: class 3
            columns.put("yq_qk", "0");
            return columns;
        });
    }

    /**
     * Creates a sandbox table, its warm-up and backlog tables (the same shape and indexes) and fills
     * them with generated rows as they come, committing every 5,000: the first of the {@code warmUp}
     * rows ({@link #WARM_UP_AT_START} at most) into the table, the rest of them into the warm-up table,
     * the others into the backlog table.
     */
    private static Seeded seed(String url, List<String> ddl, String table, String keyColumn, int warmUp,
            java.util.function.Consumer<java.util.function.Consumer<org.govhub.sandbox.GeneratedRow>> generate,
            java.util.function.UnaryOperator<Map<String, Object>> adjust) throws Exception {
        int atStart = Math.min(warmUp, WARM_UP_AT_START);
        List<Object> warmUpKeys = new ArrayList<>(warmUp);
        boolean[] warmUpValid = new boolean[warmUp];
        long[] backlogValid = {0};
        try (Connection c = DriverManager.getConnection(url, "sa", "")) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                for (String statement : ddl) {
                    s.execute(statement);
                    s.execute(statement.replace(table, table + "_warm_up"));
                    s.execute(statement.replace(table, table + "_backlog"));
                }
            }
            PreparedStatement[] insert = {null, null, null};
            List<String> columns = new ArrayList<>();
            int[] n = {0};
            generate.accept(row -> {
                try {
                    Map<String, Object> values = adjust.apply(row.columns());
                    if (insert[0] == null) {
                        // the columns as the generator gives them (the same statement the sandbox seeds with)
                        columns.addAll(values.keySet());
                        String into = " (" + String.join(", ", columns) + ") VALUES ("
                                + String.join(", ", java.util.Collections.nCopies(columns.size(), "?")) + ")";
                        insert[0] = c.prepareStatement("INSERT INTO " + table + into);
                        insert[1] = c.prepareStatement("INSERT INTO " + table + "_warm_up" + into);
                        insert[2] = c.prepareStatement("INSERT INTO " + table + "_backlog" + into);
                    }
                    int to = n[0] < atStart ? 0 : n[0] < warmUp ? 1 : 2;
                    for (int i = 0; i < columns.size(); i++) {
                        insert[to].setObject(i + 1, values.get(columns.get(i)));
                    }
                    insert[to].addBatch();
                    if (to < 2) {
                        warmUpKeys.add(values.get(keyColumn));
                        warmUpValid[n[0]] = row.valid();
                    } else {
                        backlogValid[0] += row.valid() ? 1 : 0;
                    }
                    if (++n[0] % 5000 == 0 || n[0] == atStart || n[0] == warmUp) {
                        insert[to].executeBatch();
                        c.commit();
                    }
                } catch (java.sql.SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            for (PreparedStatement i : insert) {
                if (i != null) {
                    i.executeBatch();
                    i.close();
                }
            }
            c.commit();
        }
        return new Seeded(new HubWarmUp.Rows(warmUpKeys, warmUpValid, atStart), backlogValid[0]);
    }

    /**
     * Writes the rows of {@code from} (the warm-up's second half, or the backlog) into the source's
     * table in one transaction, as a department's system that comes back with a backlog, and
     * checkpoints the source database so its own writes are done before the hub's are counted. The
     * rows keep the change times they were seeded with: after those already there, so the head reads
     * them next.
     */
    private static void release(String url, String table, String from) throws java.sql.SQLException {
        try (Connection c = DriverManager.getConnection(url, "sa", ""); Statement statement = c.createStatement()) {
            statement.execute("INSERT INTO " + table + " SELECT * FROM " + from);
            statement.execute("CHECKPOINT");
        }
    }

    /** What waits ahead of an urgent record: class-3 tax records on the broker and mature batches not yet delivered. */
    private static String backlog(ConfigurableApplicationContext hub) {
        String onBroker;
        try {
            javax.management.MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
            var names = jmx.queryNames(new javax.management.ObjectName("org.apache.activemq.artemis:broker=*,component=addresses,"
                    + "address=\"govhub.records.tax-record\",subcomponent=queues,routing-type=\"anycast\",queue=\"govhub.records.tax-record\""), null);
            onBroker = names.isEmpty() ? "?" : String.format("%,d", (Long) jmx.getAttribute(names.iterator().next(), "MessageCount"));
        } catch (Exception e) {
            onBroker = "?";
        }
        String waiting;
        try {
            waiting = String.format("%,d", hub.getBean(JdbcTemplate.class).queryForObject(
                    "SELECT COALESCE(SUM(record_count), 0) FROM batch WHERE status IN ('OPEN', 'SEALED', 'RETRYING')", Long.class));
        } catch (RuntimeException e) {
            waiting = "?"; // the hub's batch tables are its own business: this is only a note
        }
        return onBroker + " messages on the broker, " + waiting + " records in batches not yet delivered";
    }

    /** Where the source's head is (its key), to show how far behind a patient's event was written. */
    private static String head(ConfigurableApplicationContext hub, String source) {
        return hub.getBean(org.govhub.ingest.ChangePolling.class).head(source).map(h -> String.valueOf(h.key())).orElse("0");
    }

    /**
     * A class-1 TaxRecord, sent to the tax queue as a source would send it, so that it competes with the
     * tax backlog on the broker, in batching and in delivery (the credit events have their own queue).
     */
    /**
     * A set of class-1 records for the warm-up, put in at once: {@value #WARM_UP_URGENT} of each kind
     * the measured phase's probes are, with keys of their own.
     *
     * @return each record's source and key
     */
    private static List<String[]> injectWarmUpUrgent(Settings s, ConfigurableApplicationContext hub, String creditUrl, int set) {
        List<String[]> injected = new ArrayList<>();
        for (int n = 1; n <= WARM_UP_URGENT; n++) {
            // after the generated events' ids and the measured probes'
            String eventId = Long.toString(s.warmUp() + s.records() + s.urgent() + set * WARM_UP_URGENT + n);
            injectPatientCreditEvent(creditUrl, eventId);
            injected.add(new String[] {"credit-reference", eventId});
            String key = "warm-up-tax-" + set + "-" + n;
            injectUrgentTaxRecord(hub, key);
            injected.add(new String[] {"bench-urgent", key});
            // the notes the measured phase's probes take (over JMX and an aggregate query), read and dropped here
            // so that their code is not first compiled inside the measured backlog's second or two
            backlog(hub);
            head(hub, s.source());
        }
        return injected;
    }

    private static void injectUrgentTaxRecord(ConfigurableApplicationContext hub, String key) {
        try (var producer = hub.getBean(org.apache.camel.CamelContext.class).createProducerTemplate()) {
            org.govhub.TaxRecordMessages.send(producer, "bench-urgent", key, 1, org.govhub.normalise.CanonicalJson.sha256("bench-" + key));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A credit event of a hospitalised patient: class 1 by the rule epidemic-affected-person-credit. */
    private static void injectPatientCreditEvent(String url, String eventId) {
        try (Connection c = DriverManager.getConnection(url, "sa", ""); Statement s = c.createStatement()) {
            s.execute("INSERT INTO credit_event (event_id, zt_lx, zt_dm, zt_mc, jl_lx, je, fs_rq, yq_yx, yq_qk, hk_cn, xzqh)"
                    + " VALUES (" + eventId + ", '2', '11010519491231002X', '王伟', '01', 1200.00, DATE '2020-02-10', 1, '1', 'N', '360102')");
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long h2WriteBytes(DataSource hubDatabase) throws java.sql.SQLException {
        try (Connection c = hubDatabase.getConnection()) {
            return DiskUse.h2WriteBytes(c);
        }
    }

    private static JdbcTemplate postgres() {
        return new JdbcTemplate(new DriverManagerDataSource(POSTGRES, "postgres", ""));
    }

    /** WAL the whole server has written (PostgreSQL 15's pg_stat_wal; its backends report it within a second or so). */
    private static long walBytes(JdbcTemplate postgres) {
        return postgres.queryForObject("SELECT wal_bytes::bigint FROM pg_stat_wal", Long.class);
    }

    /** Where the server's WAL is: the difference of two is the WAL written between them, exactly. */
    private static long walPosition(JdbcTemplate postgres) {
        return postgres.queryForObject("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint", Long.class);
    }

    /** The hub schema's tables with their indexes and TOAST. */
    private static long schemaBytes(JdbcTemplate postgres) {
        return postgres.queryForObject("SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0)::bigint FROM pg_class c"
                + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ? AND c.relkind = 'r'", Long.class, POSTGRES_SCHEMA);
    }
}
