package org.govhub.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.govhub.ProjectFiles;
import org.govhub.RealDatabases;
import org.govhub.ingest.SourceActivity;
import org.govhub.normalise.RegionCodes;
import org.govhub.sandbox.GeneratedRow;
import org.govhub.sandbox.NationalPlatformReceiver;
import org.govhub.sandbox.TaxBureauSandbox;
import org.govhub.sandbox.TaxDeclarationGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A change that cannot be published (here the hub's quarantine table is gone, so a broken row cannot
 * be kept) holds its change stream: the source is FAILING, the change is tried again and again, the
 * changes after it wait in the log's order, and once the cause is gone the broken row is in
 * quarantine once and the next one at the platform once. On the machine's PostgreSQL.
 */
class ChangeCaptureOutageTest {

    static final String SCHEMA = "govhub_it_cdc_outage";
    static final String TABLE = SCHEMA + ".tax_declaration";
    static final String SOURCE = "cdc-outage";

    @TempDir
    Path dir;

    final Iterator<GeneratedRow> declarations =
            new TaxDeclarationGenerator(31, new RegionCodes().countiesUnder("3601"), 0).generate(10).iterator();

    @Test
    void aChangeThatCannotBePublishedHoldsTheStreamUntilItCanAndNothingIsPassedOver() throws Exception {
        RealDatabases.require("PostgreSQL", RealDatabases.POSTGRES_URL, RealDatabases.POSTGRES_USER,
                "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = 'govhub_cdc_outage'",
                "DROP PUBLICATION IF EXISTS govhub_cdc_outage",
                "DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE", "CREATE SCHEMA " + SCHEMA,
                TaxBureauSandbox.DDL.replace("CREATE TABLE tax_declaration", "CREATE TABLE " + TABLE));
        RealDatabases.requireChangeCapture("PostgreSQL");
        String url = RealDatabases.POSTGRES_URL + "?currentSchema=" + SCHEMA;
        insert(url, 1, null);
        Path routes = ProjectFiles.copy("routes", dir.resolve("routes"));
        ProjectFiles.source(routes, "cdc-source", SOURCE, "tax-bureau", "table", TABLE, "retryDelay", "200", "maxBackoff", "1000");
        try (ConfigurableApplicationContext hub = HubProcess.start(dir.resolve("data"), ProjectFiles.routesFrom(routes),
                "--govhub.sandbox.tax-bureau.rows=0", "--govhub.sandbox.credit-reference.rows=0",
                "--govhub.sources." + SOURCE + ".url=" + url, "--govhub.sources." + SOURCE + ".username=postgres",
                "--govhub.sources." + SOURCE + ".password=trusted-anyway")) {
            NationalPlatformReceiver platform = hub.getBean(NationalPlatformReceiver.class);
            SourceActivity activity = hub.getBean(SourceActivity.class);
            JdbcTemplate hubDb = hub.getBean(JdbcTemplate.class);
            await().atMost(Duration.ofSeconds(60)).until(() -> platform.holds(SOURCE, "1"));

            hubDb.execute("ALTER TABLE quarantine RENAME TO quarantine_away");
            insert(url, 2, "123"); // a credit code that is no credit code: it belongs in quarantine
            insert(url, 3, null);
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> activity.condition(SOURCE) == SourceActivity.Condition.FAILING);
            await().atMost(Duration.ofSeconds(30)).until(() -> String.valueOf(activity.details(SOURCE).get("reason"))
                    .matches(".*\\((\\d{2,}|[3-9]) failure\\(s\\)\\).*"));
            assertThat(platform.holds(SOURCE, "3")).as("the change after the one that cannot go waits in the log's order").isFalse();

            hubDb.execute("ALTER TABLE quarantine_away RENAME TO quarantine");
            await().atMost(Duration.ofSeconds(30)).until(() -> platform.holds(SOURCE, "3"));
            assertThat(hubDb.queryForList("SELECT source_record_key FROM quarantine WHERE source_id = ?", String.class, SOURCE))
                    .containsExactly("2");
            assertThat(platform.receivedRecords(SOURCE)).extracting(r -> r.get("source_record_key")).containsExactly("1", "3");
            assertThat(activity.condition(SOURCE)).isEqualTo(SourceActivity.Condition.OK);
        } finally {
            RealDatabases.require("PostgreSQL", RealDatabases.POSTGRES_URL, RealDatabases.POSTGRES_USER,
                    "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = 'govhub_cdc_outage'"
                            + " AND NOT active");
        }
    }

    /** A generated declaration under this key, with another credit code if one is given. */
    private void insert(String url, long key, String creditCode) throws Exception {
        Map<String, Object> columns = new LinkedHashMap<>(declarations.next().columns());
        columns.put("decl_id", key);
        if (creditCode != null) {
            columns.put("nsrsbh", creditCode);
        }
        try (Connection c = DriverManager.getConnection(url, RealDatabases.POSTGRES_USER, "");
                PreparedStatement p = c.prepareStatement("INSERT INTO tax_declaration (" + String.join(", ", columns.keySet())
                        + ") VALUES (" + columns.keySet().stream().map(k -> "?").collect(Collectors.joining(", ")) + ")")) {
            int i = 1;
            for (Object v : columns.values()) {
                p.setObject(i++, v);
            }
            p.executeUpdate();
        }
    }
}
