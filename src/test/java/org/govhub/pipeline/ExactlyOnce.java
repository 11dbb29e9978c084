package org.govhub.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.govhub.normalise.RegionCodes;
import org.govhub.sandbox.CreditReferenceGenerator;
import org.govhub.sandbox.FilingGenerator;
import org.govhub.sandbox.GeneratedRow;
import org.govhub.sandbox.SandboxFeed;
import org.govhub.sandbox.TaxDeclarationGenerator;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/**
 * What a hub process on the sandbox must end up with, computed in the test JVM from the same
 * deterministic generators (and parameters) the process seeds its sandbox with, and the check
 * that it did: every valid row at the platform exactly once, no batch stored twice.
 */
final class ExactlyOnce {

    /** The sandbox defaults (application.yaml, SandboxProperties): seed 2020, every 25th / 20th row broken. */
    private static final long SEED = 2020;
    private static final int TAX_INVALID_EVERY = 25;
    private static final int CREDIT_INVALID_EVERY = 20;
    private static final int FILINGS_INVALID_EVERY = 20;

    final Set<String> valid;
    final Set<String> invalid;

    /** The sandbox of a hub started with {@code govhub.sandbox.tax-bureau.rows} and {@code credit-reference.rows}. */
    ExactlyOnce(int taxRows, int creditRows) {
        this(taxRows, creditRows, 0);
    }

    /** ... and the provincial platform's REST feed of {@code filings} (its first versions; nothing is revised). */
    ExactlyOnce(int taxRows, int creditRows, int filings) {
        RegionCodes regions = new RegionCodes();
        Map<String, List<GeneratedRow>> rows = Map.of(
                "tax-bureau", new TaxDeclarationGenerator(SEED, regions.countiesUnder("36"), TAX_INVALID_EVERY).generate(taxRows),
                "credit-reference", new CreditReferenceGenerator(SEED, regions.countiesUnder("3601"), CREDIT_INVALID_EVERY)
                        .generate(creditRows));
        this.valid = keys(rows, true);
        this.invalid = keys(rows, false);
        for (SandboxFeed.Version v : new FilingGenerator(SEED, regions.countiesUnder("36"), FILINGS_INVALID_EVERY).generate(filings)) {
            if (v.stage() == 0) {
                (v.defect() == null ? valid : invalid).add("provincial-filings|" + v.id());
            }
        }
    }

    /** Tax-bureau rows put in by a test itself (a prefix of the generator's rows) and the sandbox's credit reference rows. */
    ExactlyOnce(List<GeneratedRow> taxRows, int creditRows) {
        RegionCodes regions = new RegionCodes();
        Map<String, List<GeneratedRow>> rows = Map.of("tax-bureau", taxRows,
                "credit-reference", new CreditReferenceGenerator(SEED, regions.countiesUnder("3601"), CREDIT_INVALID_EVERY)
                        .generate(creditRows));
        this.valid = keys(rows, true);
        this.invalid = keys(rows, false);
    }

    /** Rows of any sources, by source id (a source deployed while the hub runs, say). */
    ExactlyOnce(Map<String, List<GeneratedRow>> rows) {
        this.valid = keys(rows, true);
        this.invalid = keys(rows, false);
    }

    /** These rows of one more source expected too (a source deployed while the hub runs). */
    ExactlyOnce and(String sourceId, List<GeneratedRow> rows) {
        valid.addAll(keys(Map.of(sourceId, rows), true));
        invalid.addAll(keys(Map.of(sourceId, rows), false));
        return this;
    }

    /** The sandbox's tax-bureau generator (seed and defect rate as the sandbox's). */
    static TaxDeclarationGenerator taxBureau() {
        return new TaxDeclarationGenerator(SEED, new RegionCodes().countiesUnder("36"), TAX_INVALID_EVERY);
    }

    /** The arguments that give a hub this sandbox. */
    static String[] sandbox(int taxRows, int creditRows) {
        return new String[] {"--govhub.sandbox.tax-bureau.rows=" + taxRows, "--govhub.sandbox.credit-reference.rows=" + creditRows};
    }

    /** ... with the provincial-filings REST source switched on, paging through {@code filings} filings. */
    static String[] sandbox(int taxRows, int creditRows, int filings, int pageSize) {
        return new String[] {"--govhub.sandbox.tax-bureau.rows=" + taxRows, "--govhub.sandbox.credit-reference.rows=" + creditRows,
                "--govhub.sandbox.provincial-platform.filings=" + filings, "--govhub.sources.provincial-filings.enabled=true",
                "--govhub.sources.provincial-filings.page-size=" + pageSize, "--govhub.sources.provincial-filings.check-interval=100",
                "--govhub.sources.provincial-filings.poll-interval=1000"};
    }

    private static Set<String> keys(Map<String, List<GeneratedRow>> rows, boolean valid) {
        return rows.entrySet().stream()
                .flatMap(e -> e.getValue().stream().filter(r -> r.valid() == valid).map(r -> e.getKey() + "|" + r.key()))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    /**
     * Waits (bounded) until the running hub says the platform holds at least every valid record and
     * no batch is left undelivered, then a little longer, so that a late repeat would show too.
     */
    void awaitDelivered(HubJvm hub, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            JsonNode platform = hub.get("/sandbox/platform/batches");
            JsonNode counts = hub.get("/api/admin/batches?limit=1").path("counts");
            long records = platform.path("records").asLong();
            boolean allAcknowledged = counts.size() == 1 && counts.has("ACKNOWLEDGED");
            if (counts.has("DEAD")) {
                throw new AssertionError("the hub has dead batches (refused by the platform): " + counts + "; log " + hub.logFile
                        + ":\n" + String.join("\n", hub.logged("is dead")));
            }
            if (records >= valid.size() && allAcknowledged) {
                HubJvm.sleep(1500); // a few more polls and delivery rounds: nothing more may come
                assertThat(hub.get("/sandbox/platform/batches").path("records").asLong())
                        .as("records at the platform a while after everything was delivered").isEqualTo(records);
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not everything delivered within " + limit + ": platform holds " + records + " of "
                        + valid.size() + " records, hub batches " + counts + "; log " + hub.logFile);
            }
            HubJvm.sleep(500);
        }
    }

    /** What the check found, for the test's report. */
    record Result(int records, int batches, int submissions, List<String> resubmittedBatches,
            Map<String, Integer> submissionsByBatch, Map<String, List<String>> historyByBatch) {
        @Override
        public String toString() {
            return records + " records in " + batches + " batches, " + submissions + " submissions ("
                    + resubmittedBatches.size() + " batches answered idempotently at least once)";
        }
    }

    /**
     * Opens the platform's and the hub's H2 files (the hub process must be gone) and checks: every
     * valid row arrived exactly once (count and set of source|key), every received batch holds
     * exactly its manifest's count, the hub's batches and the platform's are the same ones with the
     * same payload hash, every hub batch is acknowledged, every record was batched once, and the
     * quarantine holds exactly the rows broken on purpose.
     */
    Result check(Path dataDir) {
        JdbcTemplate platform = h2(dataDir.resolve("sandbox/national-platform"));
        JdbcTemplate hub = h2(dataDir.resolve("hub/govhub"));
        try {
            return check(platform, hub);
        } finally {
            close(platform);
            close(hub);
        }
    }

    /** As {@link #check(Path)}, on the platform's database and the hub's, wherever they are (a cluster's hub database is PostgreSQL). */
    Result check(JdbcTemplate platform, JdbcTemplate hub) {
        {
            List<String> received = platform.queryForList(
                    "SELECT source_id || '|' || source_record_key FROM received_record ORDER BY id", String.class);
            Map<String, Long> times = received.stream().collect(Collectors.groupingBy(k -> k, TreeMap::new, Collectors.counting()));
            Map<String, Long> repeated = new TreeMap<>(times);
            repeated.values().removeIf(n -> n == 1);
            assertThat(repeated).as("records the platform received more than once").isEmpty();
            Set<String> missing = new TreeSet<>(valid);
            missing.removeAll(times.keySet());
            assertThat(missing).as("valid sandbox rows the platform never received").isEmpty();
            Set<String> unexpected = new TreeSet<>(times.keySet());
            unexpected.removeAll(valid);
            assertThat(unexpected).as("records at the platform that are not valid sandbox rows").isEmpty();
            assertThat(received).as("records at the platform").hasSize(valid.size());

            List<Map<String, Object>> batches = platform.queryForList(
                    "SELECT b.batch_id, b.record_count, b.sha256, b.submissions,"
                            + " (SELECT COUNT(*) FROM received_record r WHERE r.batch_id = b.batch_id) AS stored"
                            + " FROM received_batch b");
            Map<String, Integer> submissions = new TreeMap<>();
            Map<String, String> receivedSha = new HashMap<>();
            for (Map<String, Object> b : batches) {
                assertThat(((Number) b.get("stored")).intValue()).as("records stored for batch %s", b.get("batch_id"))
                        .isEqualTo(((Number) b.get("record_count")).intValue());
                submissions.put((String) b.get("batch_id"), ((Number) b.get("submissions")).intValue());
                receivedSha.put((String) b.get("batch_id"), (String) b.get("sha256"));
            }

            Map<String, String> hubSha = new HashMap<>();
            Map<String, String> hubStatus = new TreeMap<>();
            for (Map<String, Object> b : hub.queryForList("SELECT batch_id, status, payload_sha256 FROM batch")) {
                hubSha.put((String) b.get("batch_id"), (String) b.get("payload_sha256"));
                hubStatus.put((String) b.get("batch_id"), (String) b.get("status"));
            }
            Map<String, String> notAcknowledged = new TreeMap<>(hubStatus);
            notAcknowledged.values().removeIf("ACKNOWLEDGED"::equals);
            assertThat(notAcknowledged).as("hub batches not acknowledged").isEmpty();
            assertThat(receivedSha).as("batches at the platform (id -> payload SHA-256) against the hub's").isEqualTo(hubSha);

            List<String> batched = hub.queryForList("SELECT source_id || '|' || source_record_key FROM batch_record", String.class);
            assertThat(batched).as("records in the hub's batches").hasSize(valid.size()).doesNotHaveDuplicates();
            assertThat(new TreeSet<>(hub.queryForList("SELECT source_id || '|' || source_record_key FROM quarantine", String.class)))
                    .as("quarantined rows").isEqualTo(invalid);
            assertThat(hub.queryForObject("SELECT COUNT(*) FROM quarantine", Integer.class)).as("quarantine entries")
                    .isEqualTo(invalid.size());

            Map<String, List<String>> history = new HashMap<>();
            for (Map<String, Object> t : hub.queryForList("SELECT batch_id, to_status, reason FROM batch_transition ORDER BY id")) {
                history.computeIfAbsent((String) t.get("batch_id"), k -> new ArrayList<>()).add(t.get("to_status") + ": " + t.get("reason"));
            }
            List<String> resubmitted = submissions.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).toList();
            return new Result(received.size(), batches.size(), submissions.values().stream().mapToInt(Integer::intValue).sum(),
                    resubmitted, submissions, history);
        }
    }

    /** An H2 file of a hub that is no longer running, opened read-only. */
    static JdbcTemplate h2(Path file) {
        try {
            Connection c = DriverManager.getConnection("jdbc:h2:file:" + file + ";DATABASE_TO_LOWER=TRUE;ACCESS_MODE_DATA=r", "sa", "");
            return new JdbcTemplate(new SingleConnectionDataSource(c, true));
        } catch (SQLException e) {
            throw new IllegalStateException("cannot open " + file, e);
        }
    }

    static void close(JdbcTemplate jdbc) {
        ((SingleConnectionDataSource) jdbc.getDataSource()).destroy();
    }
}
