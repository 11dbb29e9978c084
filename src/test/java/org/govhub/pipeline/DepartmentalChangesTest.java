package org.govhub.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.govhub.ProjectFiles;
import org.govhub.RealDatabases;
import org.govhub.ingest.ChangePolling;
import org.govhub.normalise.CanonicalJson;
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
 * A departmental table on the machine's real PostgreSQL and MariaDB, read by change capture
 * (cdc-source) and by polling (sql-source), through the changes that lose rows when a source reads
 * {@code key > watermark}: two transactions committing out of key order, a key lower than every key
 * read so far, keys 0 and -7, an update after delivery, a delete, and changes made while the hub is
 * stopped. Every version arrives at the platform exactly once; a delete arrives as a withdrawal with
 * change capture, and (which docs/connect-a-database.md says) is not seen by polling.
 */
class DepartmentalChangesTest {

    @TempDir
    Path dir;

    @Test
    void postgresChangeCapture() throws Exception {
        new Scenario(Database.POSTGRES, "cdc").run();
    }

    @Test
    void postgresPolling() throws Exception {
        new Scenario(Database.POSTGRES, "poll").run();
    }

    @Test
    void mariadbChangeCapture() throws Exception {
        new Scenario(Database.MARIADB, "cdc").run();
    }

    @Test
    void mariadbPolling() throws Exception {
        new Scenario(Database.MARIADB, "poll").run();
    }

    enum Database {
        POSTGRES("PostgreSQL", RealDatabases.POSTGRES_URL, RealDatabases.POSTGRES_USER),
        MARIADB("MariaDB", RealDatabases.MARIADB_URL, RealDatabases.MARIADB_USER);

        final String server;
        final String url;
        final String user;

        Database(String server, String url, String user) {
            this.server = server;
            this.url = url;
            this.user = user;
        }
    }

    final class Scenario {
        final Database db;
        final String mode;
        final String sourceId;
        /** PostgreSQL: a schema of its own; MariaDB: a table of its own in database test. */
        final String table;
        final String url;
        final Map<String, Integer> versions = new TreeMap<>();
        final Set<String> withdrawn = new java.util.TreeSet<>();
        /** Valid declarations to insert, one after the other, under the keys the scenario gives them. */
        final java.util.Iterator<GeneratedRow> declarations =
                new TaxDeclarationGenerator(2020, new RegionCodes().countiesUnder("3601"), 0).generate(200).iterator();

        Scenario(Database db, String mode) {
            this.db = db;
            this.mode = mode;
            this.sourceId = "changes-" + db.name().toLowerCase() + "-" + mode;
            String name = "govhub_it_changes_" + db.name().toLowerCase() + "_" + mode;
            this.table = db == Database.POSTGRES ? name + ".tax_declaration" : "test." + name;
            this.url = db == Database.POSTGRES ? db.url + "?currentSchema=" + name : db.url;
        }

        void run() throws Exception {
            prepare();
            insert(1, 40);
            try (ConfigurableApplicationContext hub = start()) {
                awaitAtPlatform(hub);
                // two writers on one sequence: 1002 commits first, 1001 (earlier change time) after 1002 was read
                try (Connection slow = connect(); Connection fast = connect()) {
                    slow.setAutoCommit(false);
                    insert(slow, 1001);
                    insert(fast, 1002);
                    // polling: once the head has read past 1002 (and so past 1001's time); capture: once 1002 is shared
                    ChangePolling polling = hub.getBean(ChangePolling.class);
                    await().atMost(Duration.ofSeconds(60)).until(() -> "cdc".equals(mode) ? platform(hub).holds(sourceId, "1002")
                            : polling.head(sourceId).map(h -> Long.valueOf(1002).equals(h.key())).orElse(false));
                    slow.commit();
                }
                // later rows with keys below everything read so far, 0 and negative
                try (Connection c = connect()) {
                    insert(c, 500);
                    insert(c, 0);
                    insert(c, -7);
                }
                awaitAtPlatform(hub);
                // an update of a delivered row, and a delete
                try (Connection c = connect(); Statement s = c.createStatement()) {
                    s.executeUpdate("UPDATE " + table + " SET sjje = '99.00', updated_at = CURRENT_TIMESTAMP(6) WHERE decl_id = 10");
                    bump("10");
                    s.executeUpdate("DELETE FROM " + table + " WHERE decl_id = 20");
                    if ("cdc".equals(mode)) {
                        bump("20");
                        withdrawn.add("20");
                    }
                }
                awaitAtPlatform(hub);
            }
            // changes while the hub is stopped: read from the stored position at the next start
            try (Connection c = connect(); Statement s = c.createStatement()) {
                insert(c, 2001);
                s.executeUpdate("UPDATE " + table + " SET ybtse = '1234.00', updated_at = CURRENT_TIMESTAMP(6) WHERE decl_id = 30");
                bump("30");
            }
            try (ConfigurableApplicationContext hub = start()) {
                awaitAtPlatform(hub);
                Thread.sleep(3000); // a late-commit check and a few heartbeats later: still nothing more
                check(hub);
            }
            if ("cdc".equals(mode) && db == Database.POSTGRES) {
                // a slot left behind would keep the server's WAL for ever
                RealDatabases.require(db.server, db.url, db.user, "SELECT pg_drop_replication_slot(slot_name) FROM"
                        + " pg_replication_slots WHERE slot_name = 'govhub_" + sourceId.replace('-', '_') + "'");
            }
        }

        void prepare() {
            if (db == Database.POSTGRES) {
                String schema = table.substring(0, table.indexOf('.'));
                String slot = "govhub_" + sourceId.replace('-', '_');
                RealDatabases.require(db.server, db.url, db.user,
                        "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '" + slot + "'",
                        "DROP PUBLICATION IF EXISTS " + slot,
                        "DROP SCHEMA IF EXISTS " + schema + " CASCADE", "CREATE SCHEMA " + schema,
                        TaxBureauSandbox.DDL.replace("CREATE TABLE tax_declaration", "CREATE TABLE " + table),
                        // a delete then carries the whole row, not only its key
                        "ALTER TABLE " + table + " REPLICA IDENTITY FULL");
            } else {
                RealDatabases.require(db.server, db.url, db.user, "DROP TABLE IF EXISTS " + table,
                        TaxBureauSandbox.DDL.replace("CREATE TABLE tax_declaration", "CREATE TABLE " + table));
            }
            if ("cdc".equals(mode)) {
                RealDatabases.requireChangeCapture(db.server);
                if (db == Database.MARIADB) {
                    // change capture reads the binlog as a replica does: a login with those rights (and a password)
                    RealDatabases.require(db.server, db.url, db.user,
                            "CREATE USER IF NOT EXISTS 'govhub_cdc'@'%' IDENTIFIED BY 'cdc-test-password'",
                            "GRANT SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE, BINLOG MONITOR ON *.* TO 'govhub_cdc'@'%'");
                }
            }
        }

        ConfigurableApplicationContext start() throws Exception {
            Path routes = ProjectFiles.copy("routes", dir.resolve("routes"));
            if ("cdc".equals(mode)) {
                ProjectFiles.source(routes, "cdc-source", sourceId, "tax-bureau", "table", table);
            } else {
                // the late-commit window is longer than the test's slow transaction (open while its neighbour is read)
                ProjectFiles.source(routes, "sql-source", sourceId, "tax-bureau", "table", table, "keyColumn", "decl_id",
                        "changedColumn", "updated_at", "lateCommitWindow", "12000", "pollInterval", "300");
            }
            return HubProcess.start(dir.resolve("data"),
                    ProjectFiles.routesFrom(routes),
                    "--govhub.sandbox.tax-bureau.rows=0",
                    "--govhub.sandbox.credit-reference.rows=0",
                    "--govhub.sources." + sourceId + ".url=" + url,
                    "--govhub.sources." + sourceId + ".username=" + user(),
                    // PostgreSQL here trusts local logins whatever the password; Debezium wants one
                    "--govhub.sources." + sourceId + ".password=" + ("cdc".equals(mode) ? "cdc-test-password" : ""));
        }

        String user() {
            return "cdc".equals(mode) && db == Database.MARIADB ? "govhub_cdc" : db.user;
        }

        void insert(int from, int to) throws SQLException {
            try (Connection c = connect()) {
                for (int key = from; key <= to; key++) {
                    insert(c, key);
                }
            }
        }

        /** One valid generated declaration under this key (autocommit, or in the connection's open transaction). */
        void insert(Connection c, long key) throws SQLException {
            Map<String, Object> columns = new LinkedHashMap<>(declarations.next().columns());
            columns.put("decl_id", key);
            String sql = "INSERT INTO " + table + " (" + String.join(", ", columns.keySet()) + ") VALUES ("
                    + columns.keySet().stream().map(k -> "?").collect(Collectors.joining(", ")) + ")";
            try (PreparedStatement p = c.prepareStatement(sql)) {
                int i = 1;
                for (Object v : columns.values()) {
                    p.setObject(i++, v);
                }
                p.executeUpdate();
            }
            bump(Long.toString(key));
        }

        void bump(String key) {
            versions.merge(key, 1, Integer::sum);
        }

        Connection connect() throws SQLException {
            return DriverManager.getConnection(url, db.user, "");
        }

        NationalPlatformReceiver platform(ConfigurableApplicationContext hub) {
            return hub.getBean(NationalPlatformReceiver.class);
        }

        void awaitAtPlatform(ConfigurableApplicationContext hub) {
            int expected = versions.values().stream().mapToInt(Integer::intValue).sum();
            try {
                await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(300))
                        .until(() -> platform(hub).receivedCount(sourceId) >= expected);
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                Map<String, Integer> atPlatform = new TreeMap<>();
                platform(hub).receivedRecords(sourceId).forEach(r -> atPlatform.merge((String) r.get("source_record_key"), 1, Integer::sum));
                Map<String, String> differ = new TreeMap<>();
                versions.forEach((k, n) -> {
                    if (!n.equals(atPlatform.get(k))) {
                        differ.put(k, "expected " + n + ", at the platform " + atPlatform.get(k));
                    }
                });
                throw new AssertionError("not every version at the platform within 90 s: " + differ + "; source "
                        + hub.getBean(org.govhub.ingest.SourceActivity.class).details(sourceId) + "; marks "
                        + hub.getBean(ChangePolling.class).inspect(sourceId), e);
            }
        }

        void check(ConfigurableApplicationContext hub) {
            List<Map<String, Object>> received = platform(hub).receivedRecords(sourceId);
            Map<String, Long> perVersion = received.stream()
                    .collect(Collectors.groupingBy(r -> r.get("source_record_key") + "/" + r.get("content_hash"), Collectors.counting()));
            assertThat(perVersion.values()).as("times each version arrived").allMatch(n -> n == 1);
            Map<String, Integer> versionsAtPlatform = new TreeMap<>();
            received.forEach(r -> versionsAtPlatform.merge((String) r.get("source_record_key"), 1, Integer::sum));
            assertThat(versionsAtPlatform).as("versions of each key at the platform").isEqualTo(versions);
            List<String> withdrawals = new ArrayList<>();
            for (Map<String, Object> r : received) {
                for (String json : platform(hub).receivedRecordsOf((String) r.get("batch_id"))) {
                    var record = CanonicalJson.read(json);
                    if (record.path("provenance").path("withdrawn").asBoolean(false)
                            && sourceId.equals(record.path("provenance").path("sourceId").asText())) {
                        withdrawals.add(record.path("provenance").path("sourceRecordKey").asText());
                    }
                }
            }
            assertThat(Set.copyOf(withdrawals)).as("withdrawn keys").isEqualTo(withdrawn);
            JdbcTemplate hubDb = hub.getBean(JdbcTemplate.class);
            assertThat(hubDb.queryForObject("SELECT COUNT(*) FROM quarantine WHERE source_id = ?", Integer.class, sourceId))
                    .as("rows in quarantine").isZero();
        }
    }
}
