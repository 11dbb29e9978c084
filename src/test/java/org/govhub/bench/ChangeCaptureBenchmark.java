package org.govhub.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.govhub.GovHubApplication;
import org.govhub.ProjectFiles;
import org.govhub.normalise.RegionCodes;
import org.govhub.sandbox.GeneratedRow;
import org.govhub.sandbox.NationalPlatformReceiver;
import org.govhub.sandbox.TaxBureauSandbox;
import org.govhub.sandbox.TaxDeclarationGenerator;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * Change-capture benchmark, run on demand (not a test), on the machine's PostgreSQL:
 *
 * <pre>./mvnw -q test-compile exec:exec@cdc-benchmark -Dbench.records=20000</pre>
 *
 * Starts a hub whose only source captures a PostgreSQL table, waits until its replication slot
 * streams, writes N declarations in one transaction, and measures how long until every one is at
 * the platform receiver (records/s), with no duplicates.
 */
public final class ChangeCaptureBenchmark {

    private static final String POSTGRES = "jdbc:postgresql://127.0.0.1:5432/test";
    private static final String SCHEMA = "govhub_bench_cdc";
    private static final String SLOT = "govhub_bench_cdc";

    private ChangeCaptureBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int records = Integer.getInteger("bench.records", 20_000);
        JdbcTemplate postgres = new JdbcTemplate(new DriverManagerDataSource(POSTGRES, "postgres", ""));
        dropSlot(postgres);
        postgres.execute("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
        postgres.execute("CREATE SCHEMA " + SCHEMA);
        postgres.execute(TaxBureauSandbox.DDL.replace("CREATE TABLE tax_declaration", "CREATE TABLE " + SCHEMA + ".tax_declaration"));
        Path dir = Files.createTempDirectory("govhub-cdc-bench");
        Path routes = ProjectFiles.copy("routes", dir.resolve("routes"));
        ProjectFiles.source(routes, "cdc-source", "bench-cdc", "tax-bureau", "table", SCHEMA + ".tax_declaration");
        String url = POSTGRES + "?currentSchema=" + SCHEMA;
        List<GeneratedRow> rows = new TaxDeclarationGenerator(5, new RegionCodes().countiesUnder("3601"), 0).generate(records);
        try (ConfigurableApplicationContext hub = new SpringApplicationBuilder(GovHubApplication.class).run(
                "--server.port=0", "--govhub.data-dir=" + dir.resolve("data"), "--govhub.security.admin-password=Bench-mark-2026",
                ProjectFiles.routesFrom(routes), "--govhub.sandbox.tax-bureau.rows=0",
                "--govhub.sandbox.credit-reference.rows=0", "--govhub.sandbox.hrss.drop-files=false",
                "--govhub.sources.provincial-filings.enabled=false", "--govhub.sources.credit-portal.enabled=false",
                "--govhub.sources.bench-cdc.url=" + url, "--govhub.sources.bench-cdc.username=postgres",
                "--govhub.sources.bench-cdc.password=trusted")) {
            while (!Boolean.TRUE.equals(postgres.queryForObject(
                    "SELECT bool_or(active) FROM pg_replication_slots WHERE slot_name = ?", Boolean.class, SLOT))) {
                Thread.sleep(200);
            }
            long start = System.nanoTime();
            try (Connection c = DriverManager.getConnection(url, "postgres", "")) {
                c.setAutoCommit(false);
                Map<String, Object> columns = new LinkedHashMap<>(rows.get(0).columns());
                try (PreparedStatement insert = c.prepareStatement("INSERT INTO tax_declaration (" + String.join(", ", columns.keySet())
                        + ") VALUES (" + columns.keySet().stream().map(k -> "?").collect(Collectors.joining(", ")) + ")")) {
                    for (GeneratedRow row : rows) {
                        int i = 1;
                        for (Object v : row.columns().values()) {
                            insert.setObject(i++, v);
                        }
                        insert.addBatch();
                    }
                    insert.executeBatch();
                }
                c.commit();
            }
            double written = (System.nanoTime() - start) / 1e9;
            NationalPlatformReceiver platform = hub.getBean(NationalPlatformReceiver.class);
            while (platform.receivedCount("bench-cdc") < records) {
                Thread.sleep(200);
            }
            double done = (System.nanoTime() - start) / 1e9;
            Thread.sleep(3000);
            long received = platform.receivedCount("bench-cdc");
            System.out.printf("GovHub change-capture benchmark (PostgreSQL -> Debezium -> broker -> batches -> platform receiver)%n"
                    + "  records      %,d written in one transaction in %.1f s%n"
                    + "  delivered    %,d (duplicates %,d) %.1f s after the write began: %,.0f records/s%n",
                    records, written, received, received - records, done, records / done);
        } finally {
            dropSlot(postgres);
            postgres.execute("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
        }
    }

    private static void dropSlot(JdbcTemplate postgres) {
        postgres.queryForList("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = ?", SLOT);
        postgres.execute("DROP PUBLICATION IF EXISTS " + SLOT);
    }
}
