package org.govhub.bench;

import java.lang.management.ManagementFactory;
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
import java.util.Map;
import org.govhub.GovHubApplication;
import org.govhub.normalise.RegionCodes;
import org.govhub.sandbox.NationalPlatformReceiver;
import org.govhub.sandbox.SandboxProperties;
import org.govhub.sandbox.TaxBureauSandbox;
import org.govhub.sandbox.TaxDeclarationGenerator;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * End-to-end benchmark, run on demand (not a test):
 *
 * <pre>./mvnw -q test-compile exec:exec@benchmark -Dbench.records=100000</pre>
 *
 * Seeds the sandbox tax bureau with N declarations (1 in 25 invalid), starts the whole hub on a
 * fresh data directory with its default polling and measures: records/s from the SQL source to the
 * platform receiver, heap in use and live set of the JVM, and the latency of class-1 records injected
 * while the class-3 backlog drains (a patient's credit event via the idle credit-reference source,
 * and a class-1 TaxRecord put on the tax queue). Results are printed and written to
 * target/benchmark-N.txt.
 *
 * <p>With {@code -Dbench.source=credit-reference} the backlog is N class-3 credit events of the
 * credit-reference centre instead, and the patient's credit event is written to the same table
 * behind them: its latency is that of the source's urgent lane.
 */
public final class PipelineBenchmark {

    private PipelineBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int records = Integer.getInteger("bench.records", 100_000);
        String source = System.getProperty("bench.source", "tax-bureau");
        boolean creditBacklog = switch (source) {
            case "tax-bureau" -> false;
            case "credit-reference" -> true;
            default -> throw new IllegalArgumentException("bench.source is tax-bureau or credit-reference, not " + source);
        };
        Path dir = Files.createTempDirectory("govhub-bench");
        String taxUrl = "jdbc:h2:file:" + dir.resolve("sandbox/tax-bureau") + ";DATABASE_TO_LOWER=TRUE;DB_CLOSE_ON_EXIT=FALSE";
        String creditUrl = "jdbc:h2:file:" + dir.resolve("sandbox/credit-reference") + ";DATABASE_TO_LOWER=TRUE;DB_CLOSE_ON_EXIT=FALSE";

        Instant seedStart = Instant.now();
        long valid = creditBacklog ? seedCreditEvents(creditUrl, records) : seed(taxUrl, records);
        System.out.printf("seeded %,d rows of %s (%,d valid) in %s%n", records, source, valid, Duration.between(seedStart, Instant.now()));
        String urgentKey = Long.toString(records + 1L);

        Instant start = Instant.now();
        try (ConfigurableApplicationContext hub = new SpringApplicationBuilder(GovHubApplication.class).run(
                "--server.port=0", "--govhub.data-dir=" + dir, "--govhub.security.admin-password=benchmark",
                // the sandbox keeps a table that is already there: the seeded backlog stays as it is
                "--govhub.sandbox.tax-bureau.url=" + taxUrl, "--govhub.sandbox.tax-bureau.rows=" + (creditBacklog ? 0 : records),
                "--govhub.sandbox.credit-reference.url=" + creditUrl, "--govhub.sandbox.credit-reference.rows=0",
                "--govhub.sandbox.hrss.port=0", "--govhub.sandbox.hrss.drop-files=false",
                "--govhub.sources.provincial-filings.enabled=false", "--govhub.sources.credit-portal.enabled=false",
                "--govhub.batch.max-records=1000", "--govhub.batch.max-age=2s",
                "--logging.level.org.govhub=WARN", "--logging.level.org.apache.camel=WARN")) {
            NationalPlatformReceiver platform = hub.getBean(NationalPlatformReceiver.class);
            Instant urgentSent = null;
            Duration urgentLatency = null;
            Duration urgentTaxLatency = null;
            String backlogAtInjection = "";
            String watermarkAtUrgent = "";
            long urgentAtDelivered = -1;
            List<String> progress = new ArrayList<>();
            long delivered = 0;
            Instant firstDelivery = null;
            long firstDelivered = 0;
            long liveHeapMiB = 0;
            long usedHeapMiB = 0;
            Instant nextLiveSample = Instant.now().plusSeconds(30);
            Instant deadline = start.plus(Duration.ofHours(2));
            while (delivered < valid && Instant.now().isBefore(deadline)) {
                Thread.sleep(500);
                // the backlog's records only: with a credit backlog the probe arrives among them
                delivered = platform.receivedCount(source) - (creditBacklog && platform.holds(source, urgentKey) ? 1 : 0);
                if (firstDelivery == null && delivered > 0) {
                    firstDelivery = Instant.now();
                    firstDelivered = delivered;
                }
                usedHeapMiB = Math.max(usedHeapMiB, usedHeapMiB());
                if (Instant.now().isAfter(nextLiveSample)) {
                    // what the hub really holds: heap in use right after a full collection (once a minute)
                    System.gc();
                    liveHeapMiB = Math.max(liveHeapMiB, usedHeapMiB());
                    nextLiveSample = Instant.now().plusSeconds(60);
                }
                if (urgentSent == null && delivered >= valid / 10) {
                    urgentSent = Instant.now();
                    urgentAtDelivered = delivered;
                    injectPatientCreditEvent(creditUrl, urgentKey);
                    backlogAtInjection = backlog(hub);
                    injectUrgentTaxRecord(hub);
                }
                if (urgentSent != null && urgentLatency == null && platform.holds("credit-reference", urgentKey)) {
                    urgentLatency = Duration.between(urgentSent, Instant.now());
                    watermarkAtUrgent = hub.getBean(org.govhub.ingest.ChangePolling.class).head(source)
                            .map(h -> String.valueOf(h.key())).orElse("0");
                }
                if (urgentSent != null && urgentTaxLatency == null && platform.receivedCount("bench-urgent") > 0) {
                    urgentTaxLatency = Duration.between(urgentSent, Instant.now());
                }
                if (progress.size() < 400) {
                    progress.add(Duration.between(start, Instant.now()).toSeconds() + "s: " + delivered);
                }
            }
            Duration total = Duration.between(start, Instant.now());
            System.gc();
            liveHeapMiB = Math.max(liveHeapMiB, usedHeapMiB());
            while (urgentSent != null && (urgentLatency == null || urgentTaxLatency == null) && Instant.now().isBefore(deadline)) {
                Thread.sleep(200);
                if (urgentLatency == null && platform.holds("credit-reference", urgentKey)) {
                    urgentLatency = Duration.between(urgentSent, Instant.now());
                }
                if (urgentTaxLatency == null && platform.receivedCount("bench-urgent") > 0) {
                    urgentTaxLatency = Duration.between(urgentSent, Instant.now());
                }
            }
            long duplicates = platform.duplicateCount(source);
            String report = String.format("""
                    GovHub pipeline benchmark (SQL source -> broker -> batches -> platform receiver, one JVM, sandbox)
                      records in source      %,d of %s (%,d valid, %,d invalid to quarantine)
                      delivered              %,d (%s; duplicates %d)
                      time from start        %.1f s (including start-up)
                      throughput             %,.0f records/s end to end (start-up included)
                      steady throughput      %,.0f records/s from the first delivery (%.1f s after start) to the last
                      heap                   at most %,d MiB in use (sampled every 0.5 s; max heap %,d MiB); live set at most %,d MiB (after a full GC, once a minute)
                      class-1 latency        %s (a patient's credit event written to the credit-reference centre when %,d of the class-3 backlog were delivered%s)
                      class-1 latency, tax   %s (a class-1 TaxRecord put on the tax queue at the same moment, behind %s)
                      machine                %d cores, Java %s
                    """, records, source, valid, records - valid, delivered, delivered == valid ? "all" : "INCOMPLETE", duplicates,
                    total.toMillis() / 1000.0, valid / (total.toMillis() / 1000.0),
                    firstDelivery == null ? 0.0 : (valid - firstDelivered) / (Duration.between(firstDelivery, start.plus(total)).toMillis() / 1000.0),
                    firstDelivery == null ? 0.0 : Duration.between(start, firstDelivery).toMillis() / 1000.0, usedHeapMiB,
                    Runtime.getRuntime().maxMemory() / (1024 * 1024), liveHeapMiB,
                    urgentLatency == null ? "not measured" : String.format("%.1f s", urgentLatency.toMillis() / 1000.0),
                    urgentAtDelivered,
                    creditBacklog ? ", behind the backlog in the same table; at the platform while the source's watermark was at "
                            + watermarkAtUrgent + " of " + records : "",
                    urgentTaxLatency == null ? "not measured" : String.format("%.1f s", urgentTaxLatency.toMillis() / 1000.0),
                    backlogAtInjection, Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
            System.out.println(report);
            Files.createDirectories(Path.of("target"));
            Files.writeString(Path.of("target", "benchmark-" + records + ".txt"), report + "\nprogress:\n" + String.join("\n", progress) + "\n");
        }
        if (!Boolean.getBoolean("bench.keep")) {
            // a million-record run leaves gigabytes of H2 files; -Dbench.keep=true keeps them to look at
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        } else {
            System.out.println("data directory kept: " + dir);
        }
    }

    /** Seeds the tax bureau as the sandbox would, but streaming, so the generated rows never sit in memory. */
    private static long seed(String url, int records) throws Exception {
        SandboxProperties.Database config = new SandboxProperties.Database(url, "sa", "", records, 25, 2020);
        TaxDeclarationGenerator generator = TaxBureauSandbox.generator(config, new RegionCodes());
        return seed(url, TaxBureauSandbox.DDL, "tax_declaration", sink -> generator.generate(records, sink), row -> row);
    }

    /**
     * Seeds the credit-reference centre with N credit events of no epidemic relevance (class 3), streaming;
     * the table is the sandbox's own.
     */
    private static long seedCreditEvents(String url, int records) throws Exception {
        var generator = new org.govhub.sandbox.CreditReferenceGenerator(2020, new RegionCodes().countiesUnder("3601"), 25);
        return seed(url, org.govhub.sandbox.CreditReferenceSandbox.DDL, "credit_event", sink -> generator.generate(records, sink), row -> {
            Map<String, Object> columns = new java.util.LinkedHashMap<>(row);
            columns.put("yq_yx", 0); // not epidemic-related: class 3
            columns.put("yq_qk", "0");
            return columns;
        });
    }

    /**
     * Creates a sandbox table and fills it with generated rows as they come, committing every 5,000.
     *
     * @return how many of them are valid
     */
    private static long seed(String url, String ddl, String table,
            java.util.function.Consumer<java.util.function.Consumer<org.govhub.sandbox.GeneratedRow>> generate,
            java.util.function.UnaryOperator<Map<String, Object>> adjust) throws Exception {
        long[] valid = {0};
        try (Connection c = DriverManager.getConnection(url, "sa", "")) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.execute(ddl);
            }
            PreparedStatement[] insert = {null};
            List<String> columns = new ArrayList<>();
            int[] pending = {0};
            generate.accept(row -> {
                try {
                    Map<String, Object> values = adjust.apply(row.columns());
                    if (insert[0] == null) {
                        // the columns as the generator gives them (the same statement the sandbox seeds with)
                        columns.addAll(values.keySet());
                        insert[0] = c.prepareStatement("INSERT INTO " + table + " (" + String.join(", ", columns) + ") VALUES ("
                                + String.join(", ", java.util.Collections.nCopies(columns.size(), "?")) + ")");
                    }
                    for (int i = 0; i < columns.size(); i++) {
                        insert[0].setObject(i + 1, values.get(columns.get(i)));
                    }
                    insert[0].addBatch();
                    valid[0] += row.valid() ? 1 : 0;
                    if (++pending[0] % 5000 == 0) {
                        insert[0].executeBatch();
                        c.commit();
                    }
                } catch (java.sql.SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            if (insert[0] != null) {
                insert[0].executeBatch();
                insert[0].close();
            }
            c.commit();
        }
        return valid[0];
    }

    /** What waits ahead of an urgent record: class-3 tax records on the broker and mature batches not yet delivered. */
    private static String backlog(ConfigurableApplicationContext hub) throws Exception {
        javax.management.MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
        var names = jmx.queryNames(new javax.management.ObjectName("org.apache.activemq.artemis:broker=*,component=addresses,"
                + "address=\"govhub.records.tax-record\",subcomponent=queues,routing-type=\"anycast\",queue=\"govhub.records.tax-record\""), null);
        long onBroker = names.isEmpty() ? -1 : (Long) jmx.getAttribute(names.iterator().next(), "MessageCount");
        Integer waiting = hub.getBean(org.springframework.jdbc.core.JdbcTemplate.class).queryForObject(
                "SELECT COALESCE(SUM(record_count), 0) FROM batch WHERE status IN ('OPEN', 'SEALED', 'RETRYING')", Integer.class);
        return String.format("%,d records on the broker and %,d in batches not yet delivered", onBroker, waiting);
    }

    /**
     * A class-1 TaxRecord, sent to the tax queue as a source would send it, so that it competes with the
     * tax backlog on the broker, in batching and in delivery (the credit event above has its own queue).
     */
    private static void injectUrgentTaxRecord(ConfigurableApplicationContext hub) {
        try (var producer = hub.getBean(org.apache.camel.CamelContext.class).createProducerTemplate()) {
            org.govhub.TaxRecordMessages.send(producer, "bench-urgent", "urgent-tax-1", 1,
                    org.govhub.normalise.CanonicalJson.sha256("bench-urgent-tax-1"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A credit event of a hospitalised patient: class 1 by the rule epidemic-affected-person-credit. */
    private static void injectPatientCreditEvent(String url, String eventId) throws Exception {
        try (Connection c = DriverManager.getConnection(url, "sa", ""); Statement s = c.createStatement()) {
            s.execute("INSERT INTO credit_event (event_id, zt_lx, zt_dm, zt_mc, jl_lx, je, fs_rq, yq_yx, yq_qk, hk_cn, xzqh)"
                    + " VALUES (" + eventId + ", '2', '11010519491231002X', '王伟', '01', 1200.00, DATE '2020-02-10', 1, '1', 'N', '360102')");
        }
    }


    private static long usedHeapMiB() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / (1024 * 1024);
    }
}
