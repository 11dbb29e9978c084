package org.govhub.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.govhub.ProjectFiles;
import org.govhub.RealDatabases;
import org.govhub.SandboxHubTest;
import org.govhub.normalise.RegionCodes;
import org.govhub.sandbox.GeneratedRow;
import org.govhub.sandbox.TaxBureauSandbox;
import org.govhub.sandbox.TaxDeclarationGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Change capture through a SIGKILL: a department's PostgreSQL table takes inserts, updates and
 * deletes without a pause while the hub reading its log is killed and started again. Afterwards the
 * platform holds every version of every row exactly once: nothing the log had before the kill is
 * lost (the saved position never passes an unpublished change) and nothing read again after it is
 * shared twice.
 */
class ChangeCaptureCrashTest {

    static final String SCHEMA = "govhub_it_cdc_crash";
    static final String TABLE = SCHEMA + ".tax_declaration";
    static final String SOURCE = "cdc-crash";
    static final int ROWS = 1200;

    @Test
    @Timeout(420)
    void killedWhileChangesStreamInEveryVersionArrivesOnce() throws Exception {
        RealDatabases.require("PostgreSQL", RealDatabases.POSTGRES_URL, RealDatabases.POSTGRES_USER,
                "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = 'govhub_cdc_crash'",
                "DROP PUBLICATION IF EXISTS govhub_cdc_crash",
                "DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE", "CREATE SCHEMA " + SCHEMA,
                TaxBureauSandbox.DDL.replace("CREATE TABLE tax_declaration", "CREATE TABLE " + TABLE),
                "ALTER TABLE " + TABLE + " REPLICA IDENTITY FULL");
        RealDatabases.requireChangeCapture("PostgreSQL");
        Path dir = SandboxHubTest.newDataDir("govhub-cdc-crash");
        Path routes = ProjectFiles.copy("routes", dir.resolve("routes"));
        ProjectFiles.source(routes, "cdc-source", SOURCE, "tax-bureau", "table", TABLE);
        String url = RealDatabases.POSTGRES_URL + "?currentSchema=" + SCHEMA;
        String[] args = {ProjectFiles.routesFrom(routes),
            "--govhub.sandbox.tax-bureau.rows=0", "--govhub.sandbox.credit-reference.rows=0",
            "--govhub.sources." + SOURCE + ".url=" + url, "--govhub.sources." + SOURCE + ".username=postgres",
            "--govhub.sources." + SOURCE + ".password=trusted-anyway"};

        Map<String, Integer> versions = new ConcurrentHashMap<>();
        AtomicReference<Throwable> writerFailed = new AtomicReference<>();
        Thread writer = new Thread(() -> write(url, versions, writerFailed), "department-writer");
        long records;
        try (HubJvm first = HubJvm.start(dir, "cdc-crash", args)) {
            // capture starts with the table as it is (its snapshot); from the slot on, every change is in the log
            JdbcTemplate postgres = new JdbcTemplate(new org.springframework.jdbc.datasource.DriverManagerDataSource(
                    RealDatabases.POSTGRES_URL, RealDatabases.POSTGRES_USER, ""));
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> Boolean.TRUE.equals(postgres.queryForObject(
                    "SELECT bool_or(active) FROM pg_replication_slots WHERE slot_name = 'govhub_cdc_crash'", Boolean.class)));
            writer.start();
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while ((records = first.get("/sandbox/platform/batches").path("records").asLong()) < 300 && System.nanoTime() < deadline) {
                HubJvm.sleep(100);
            }
            first.kill();
            System.out.println("[cdc crash] killed with " + records + " records at the platform, writer still writing");
        }
        try (HubJvm second = HubJvm.start(dir, "cdc-crash", args)) {
            writer.join(Duration.ofSeconds(180).toMillis());
            assertThat(writerFailed.get()).as("the department's writer").isNull();
            int expected = versions.values().stream().mapToInt(Integer::intValue).sum();
            long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
            while (second.get("/sandbox/platform/batches").path("records").asLong() < expected && System.nanoTime() < deadline) {
                HubJvm.sleep(500);
            }
            HubJvm.sleep(3000); // heartbeats and delivery rounds later: nothing more may come
            second.stop();
        }
        // a slot left behind would keep the server's WAL for ever
        RealDatabases.require("PostgreSQL", RealDatabases.POSTGRES_URL, RealDatabases.POSTGRES_USER,
                "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = 'govhub_cdc_crash'");
        JdbcTemplate platform = ExactlyOnce.h2(dir.resolve("sandbox/national-platform"));
        try {
            List<Map<String, Object>> received = platform.queryForList(
                    "SELECT source_record_key, content_hash FROM received_record WHERE source_id = ?", SOURCE);
            Map<String, Long> perVersion = received.stream().collect(Collectors.groupingBy(
                    r -> r.get("source_record_key") + "/" + r.get("content_hash"), TreeMap::new, Collectors.counting()));
            perVersion.values().removeIf(n -> n == 1);
            assertThat(perVersion).as("versions the platform received more than once").isEmpty();
            Map<String, Integer> atPlatform = new TreeMap<>();
            received.forEach(r -> atPlatform.merge((String) r.get("source_record_key"), 1, Integer::sum));
            assertThat(atPlatform).as("versions of each row at the platform").isEqualTo(new TreeMap<>(versions));
            System.out.println("[cdc crash] " + received.size() + " versions of " + atPlatform.size() + " rows, each once");
        } finally {
            ExactlyOnce.close(platform);
        }
    }

    /** The department: inserts ROWS declarations; every 7th also updates an earlier row, every 50th deletes one. */
    private static void write(String url, Map<String, Integer> versions, AtomicReference<Throwable> failed) {
        Iterator<GeneratedRow> declarations = new TaxDeclarationGenerator(11, new RegionCodes().countiesUnder("3601"), 0)
                .generate(ROWS).iterator();
        try (Connection c = DriverManager.getConnection(url, RealDatabases.POSTGRES_USER, ""); Statement s = c.createStatement()) {
            for (int key = 1; key <= ROWS; key++) {
                Map<String, Object> columns = new LinkedHashMap<>(declarations.next().columns());
                columns.put("decl_id", (long) key);
                try (PreparedStatement p = c.prepareStatement("INSERT INTO " + TABLE + " (" + String.join(", ", columns.keySet())
                        + ") VALUES (" + columns.keySet().stream().map(k -> "?").collect(Collectors.joining(", ")) + ")")) {
                    int i = 1;
                    for (Object v : columns.values()) {
                        p.setObject(i++, v);
                    }
                    p.executeUpdate();
                }
                versions.merge(Integer.toString(key), 1, Integer::sum);
                if (key % 7 == 0) {
                    // an earlier row corrected: a new version (its amount changes every time)
                    int earlier = key - 5;
                    if (s.executeUpdate("UPDATE " + TABLE + " SET sjje = '" + key + ".00' WHERE decl_id = " + earlier) == 1) {
                        versions.merge(Integer.toString(earlier), 1, Integer::sum);
                    }
                }
                if (key % 50 == 0) {
                    // a row taken back: its withdrawal is its last version
                    int gone = key - 3;
                    if (s.executeUpdate("DELETE FROM " + TABLE + " WHERE decl_id = " + gone) == 1) {
                        versions.merge(Integer.toString(gone), 1, Integer::sum);
                    }
                }
                Thread.sleep(key % 10 == 0 ? 20 : 2);
            }
        } catch (Throwable e) {
            failed.set(e);
        }
    }
}
