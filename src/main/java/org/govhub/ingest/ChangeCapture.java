package org.govhub.ingest;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.apache.camel.CamelContext;
import org.apache.camel.component.debezium.configuration.EmbeddedDebeziumConfiguration;
import org.apache.camel.component.debezium.mysql.DebeziumMySqlComponent;
import org.apache.camel.component.debezium.mysql.configuration.MySqlConnectorEmbeddedDebeziumConfiguration;
import org.apache.camel.component.debezium.postgres.DebeziumPostgresComponent;
import org.apache.camel.component.debezium.postgres.configuration.PostgresConnectorEmbeddedDebeziumConfiguration;
import org.apache.camel.spring.boot.CamelContextConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * Change capture for departmental PostgreSQL (logical decoding, pgoutput) and MariaDB (row binlog)
 * databases, through Camel's Debezium components: one component per such source, named
 * {@code cdc-<source id>}, configured from the source's connection ({@code govhub.sources.<id>.url},
 * {@code username}, {@code password}), so that {@code routes/cdc-source.kamelet.yaml} only names the table and
 * the password never appears in an endpoint URI. Positions (offsets) and, for MySQL/MariaDB, the table
 * history are files under {@code <data-dir>/cdc/}; see {@link ChangeCaptureOffsets}.
 */
@Component
public class ChangeCapture implements CamelContextConfiguration {

    private static final Logger log = LoggerFactory.getLogger(ChangeCapture.class);

    /** The component of a source: {@code cdc-<source id>}. */
    public static String component(String sourceId) {
        return "cdc-" + sourceId;
    }

    /** The file that keeps a source's position in its database's log. */
    public static Path offsetFile(Path dataDir, String sourceId) {
        return dataDir.resolve("cdc").resolve(sourceId + ".offsets").toAbsolutePath().normalize();
    }

    /** A change stream sends a heartbeat every 5 s (MariaDB: with the server's, every 8 s); silent for this long, it has stopped. */
    static final java.time.Duration SILENT_AFTER = java.time.Duration.ofSeconds(60);
    /** Least time between two restarts of a silent source's route. */
    static final java.time.Duration RESTART_PAUSE = java.time.Duration.ofMinutes(1);

    private final Environment environment;
    private final SourceActivity activity;
    /** Route id of each change-capture source, from the route files. */
    private final Map<String, String> routes = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, java.time.Instant> restartedAt = new java.util.concurrent.ConcurrentHashMap<>();
    private CamelContext camel;

    public ChangeCapture(Environment environment, SourceActivity activity) {
        this.environment = environment;
        this.activity = activity;
    }

    /**
     * Restarts the route of a change-capture source that has been SILENT (its Debezium engine stopped:
     * the database was down when it started, a slot was taken, ...), at most once a minute: the engine
     * starts again from the last position saved. Called by routes/source-watch.yaml.
     */
    public void restartSilent() {
        // only a stream that says nothing at all: one whose changes fail to publish is FAILING and waits in place
        routes.forEach((sourceId, routeId) -> activity.silentSince(sourceId).ifPresent(since -> {
            java.time.Instant last = restartedAt.get(sourceId);
            if (last != null && last.plus(RESTART_PAUSE).isAfter(java.time.Instant.now())) {
                return;
            }
            restartedAt.put(sourceId, java.time.Instant.now());
            log.warn("source {}: change stream silent since {}; restarting route {} (it reads on from its last saved position)",
                    sourceId, since, routeId);
            activity.expect(sourceId, SILENT_AFTER);
            try {
                camel.getRouteController().stopRoute(routeId);
                camel.getRouteController().startRoute(routeId);
            } catch (Exception e) {
                activity.failed(sourceId, "restarting route " + routeId + " failed: " + SourceActivity.describe(e));
            }
        }));
    }

    @Override
    public void beforeApplicationStart(CamelContext camel) {
        this.camel = camel;
        RouteFileModel routeFiles = RouteFileModel.read(RouteFileModel.files(environment));
        routeFiles.sources().stream()
                .filter(u -> "cdc-source".equals(u.template()) && u.routeId() != null)
                .forEach(u -> {
                    routes.put(u.parameter("sourceId"), u.routeId());
                    activity.expect(u.parameter("sourceId"), SILENT_AFTER);
                });
        Path dir = Path.of(environment.getProperty("govhub.data-dir", "./data"), "cdc");
        SourceDataSourceRegistrar.sources(environment, routeFiles).forEach((id, connection) -> {
            if (!connection.jdbc()) {
                return;
            }
            String url = connection.url().strip();
            String kind = url.substring("jdbc:".length(), url.indexOf(':', "jdbc:".length())).toLowerCase(Locale.ROOT);
            switch (kind) {
                case "postgresql" -> camel.addComponent(component(id), postgres(camel, id, connection, dir));
                case "mariadb" -> camel.addComponent(component(id), mariadb(camel, id, connection, dir));
                default -> log.debug("source {}: {} has no change capture; it can be polled (sql-source)", id, kind);
            }
        });
    }

    private static DebeziumPostgresComponent postgres(CamelContext camel, String id, SourceConnection c, Path dir) {
        PostgresConnectorEmbeddedDebeziumConfiguration cfg = new PostgresConnectorEmbeddedDebeziumConfiguration();
        // the url as PostgreSQL's own driver reads it (host, port and database defaults, its parameters)
        Properties url = org.postgresql.Driver.parseURL(c.url().strip(), new Properties());
        if (url == null) {
            throw new IllegalStateException("govhub.sources." + id + ".url is not a PostgreSQL JDBC url");
        }
        cfg.setDatabaseHostname(url.getProperty("PGHOST").split(",")[0]);
        cfg.setDatabasePort(Integer.parseInt(url.getProperty("PGPORT").split(",")[0]));
        cfg.setDatabaseDbname(url.getProperty("PGDBNAME"));
        cfg.setDatabaseUser(c.username());
        cfg.setDatabasePassword(c.password() == null ? "" : c.password());
        // TLS as the url asks for it (sslmode, or ssl=true, which the driver takes for verify-full; prefer unless set)
        cfg.setDatabaseSslmode(url.getProperty("sslmode", "true".equalsIgnoreCase(url.getProperty("ssl")) ? "verify-full" : "prefer"));
        cfg.setDatabaseSslrootcert(url.getProperty("sslrootcert"));
        cfg.setDatabaseSslcert(url.getProperty("sslcert"));
        cfg.setDatabaseSslkey(url.getProperty("sslkey"));
        cfg.setDatabaseSslpassword(url.getProperty("sslpassword"));
        cfg.setPluginName("pgoutput");
        // one slot and one publication per source: the slot keeps the WAL the source has not read yet
        String slot = "govhub_" + id.replaceAll("[^A-Za-z0-9]", "_").toLowerCase(Locale.ROOT);
        cfg.setSlotName(slot);
        cfg.setPublicationName(slot);
        cfg.setPublicationAutocreateMode("filtered");
        common(camel, cfg, id, dir);
        DebeziumPostgresComponent component = new DebeziumPostgresComponent();
        component.setConfiguration(cfg);
        return component;
    }

    /** MariaDB: camel-debezium-mysql's endpoint with Debezium's MariaDB connector (the MySQL one needs MySQL's own driver). */
    private static DebeziumMySqlComponent mariadb(CamelContext camel, String id, SourceConnection c, Path dir) {
        MySqlConnectorEmbeddedDebeziumConfiguration cfg = new MySqlConnectorEmbeddedDebeziumConfiguration();
        cfg.setConnectorClass(io.debezium.connector.mariadb.MariaDbConnector.class);
        // the url as MariaDB's own driver reads it (address defaults, database, TLS mode and its legacy spellings)
        org.mariadb.jdbc.Configuration url;
        try {
            url = org.mariadb.jdbc.Configuration.parse(c.url().strip());
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("govhub.sources." + id + ".url is not a MariaDB JDBC url: " + e.getMessage(), e);
        }
        if (url == null || url.addresses().isEmpty()) {
            throw new IllegalStateException("govhub.sources." + id + ".url is not a MariaDB JDBC url");
        }
        cfg.setDatabaseHostname(url.addresses().get(0).host);
        cfg.setDatabasePort(url.addresses().get(0).port);
        cfg.setDatabaseIncludeList(url.database());
        cfg.setDatabaseUser(c.username());
        cfg.setDatabasePassword(c.password() == null ? "" : c.password());
        cfg.setDatabaseJdbcDriver("org.mariadb.jdbc.Driver");
        cfg.setDatabaseSslMode(url.sslMode().getValue());
        // the binlog client hears from an idle server only this often; its heartbeats carry the source's (SILENT_AFTER)
        cfg.setConnectKeepAliveIntervalMs(10_000);
        cfg.setDatabaseProtocol("jdbc:mariadb");
        // a replica id of its own in the source's replication topology (stable per source id)
        cfg.setDatabaseServerId(5_400_000L + Math.floorMod(id.hashCode(), 1_000_000));
        cfg.setSchemaHistoryInternal("io.debezium.storage.file.history.FileSchemaHistory");
        cfg.setSchemaHistoryInternalFileFilename(dir.resolve(id + ".schema-history").toString());
        cfg.setSchemaHistoryInternalStoreOnlyCapturedTablesDdl(true);
        common(camel, cfg, id, dir);
        DebeziumMySqlComponent component = new DebeziumMySqlComponent();
        component.setConfiguration(cfg);
        return component;
    }

    private static void common(CamelContext camel, EmbeddedDebeziumConfiguration cfg, String id, Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot create " + dir, e);
        }
        cfg.setName(id);
        cfg.setOffsetStorage(ChangeCaptureOffsets.class.getName());
        cfg.setOffsetStorageFileName(offsetFile(dir.getParent(), id).toString());
        // a position is saved each second: a restart reads at most that much again, and the repeats are recognised
        cfg.setOffsetFlushIntervalMs(1000);
        // one event after the other, in the log's order (versions of one row must not overtake each other)
        cfg.setAdditionalProperties(new java.util.HashMap<>(Map.of("record.processing.order", "ORDERED",
                "record.processing.threads", "1")));
        // options both connectors have, bound by name (Camel's property binding): their own defaults would win over additionalProperties
        org.apache.camel.support.PropertyBindingSupport.build().withMandatory(true).bind(camel, cfg, new java.util.HashMap<>(Map.of(
                "topicPrefix", "govhub-" + id,
                // a delete is one event (with the row's last values), not followed by a Kafka tombstone
                "tombstonesOnDelete", "false",
                // dates and times as plain Java values, decimals exact: the mappings' converters read them like JDBC values
                "timePrecisionMode", "connect",
                "decimalHandlingMode", "precise",
                // a heartbeat every 5 s keeps the source's position moving and tells the hub the stream is alive
                "heartbeatIntervalMs", "5000",
                // a lost connection is retried by Debezium without end, with a growing wait
                "errorsMaxRetries", "-1",
                // a TRUNCATE arrives too (the starters skip it): the source then reports it (ChangeEvents)
                "skippedOperations", "none")));
    }

    @Override
    public void afterApplicationStart(CamelContext camelContext) {
        // nothing to do
    }
}
