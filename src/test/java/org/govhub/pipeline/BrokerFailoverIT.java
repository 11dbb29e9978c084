package org.govhub.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.jms.Message;
import jakarta.jms.Session;
import jakarta.jms.TemporaryQueue;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.apache.activemq.artemis.api.core.management.ResourceNames;
import org.apache.activemq.artemis.api.jms.management.JMSManagementHelper;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.govhub.RealDatabases;
import org.govhub.SandboxHubTest;
import org.govhub.normalise.CanonicalJson;
import org.govhub.operate.ComposeFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/**
 * One hub node (the prod jar with the compose environment) on a replicated Artemis pair of the real
 * distribution ({@link ArtemisPair}), against the sandbox service (the full jar) with a tax-bureau
 * backlog (docs/cluster.md, "Broker pair"): the primary broker is SIGKILLed while pages are being
 * published and batches delivered; the backup becomes active, the hub fails over to it and goes
 * on, and every valid row reaches the platform exactly once, every broken one the quarantine.
 */
class BrokerFailoverIT {

    private static final String HUB_DB = "govhub_broker_hub";
    private static final String DEPARTMENTS_DB = "govhub_broker_departments";
    private static final int TAX_ROWS = 20_000;
    private static final int CREDIT_ROWS = 100;
    /** A page line of the tax-bureau source (SourceActivity). */
    private static final String PAGE = "source tax-bureau: page done: ";

    @Test
    @Timeout(300)
    void theHubFailsOverToTheBackupBrokerWhenThePrimaryDiesAndNothingIsLostOrRepeated() throws Exception {
        RealDatabases.require("PostgreSQL", RealDatabases.POSTGRES_URL, RealDatabases.POSTGRES_USER,
                "DROP DATABASE IF EXISTS " + HUB_DB + " WITH (FORCE)",
                "DROP DATABASE IF EXISTS " + DEPARTMENTS_DB + " WITH (FORCE)",
                ComposeStackIT.role("govhub"), ComposeStackIT.role("departments"),
                "CREATE DATABASE " + HUB_DB + " OWNER govhub",
                "CREATE DATABASE " + DEPARTMENTS_DB + " OWNER departments");

        Map<String, String> dotEnv = ComposeFile.envFile(Path.of("docker/sandbox.env.example"), ComposeStackIT.FILLED_IN);
        ComposeFile compose = ComposeFile.read(ComposeFile.COMPOSE);
        Path dir = SandboxHubTest.newDataDir("govhub-broker-failover");
        int hubPort = HubJvm.freePort();
        Map<String, String> ports = Map.of("8080", Integer.toString(hubPort), "8081", Integer.toString(HubJvm.freePort()),
                "2121", Integer.toString(HubJvm.freePort()));
        long started = System.nanoTime();
        try (ArtemisPair brokers = ArtemisPair.start(dir.resolve("artemis"), dotEnv.get("ARTEMIS_USER"), dotEnv.get("ARTEMIS_PASSWORD"))) {
            System.out.printf("[broker pair] primary and backup (replicating) up after %ds: %s%n", seconds(started), brokers.url());
            // the sandbox keeps its own embedded broker (compose gives it none); brokerPort 0 is not used by it
            Map<String, String> sandboxEnv = ComposeStackIT.onThisMachine(compose.environment("sandbox", dotEnv), HUB_DB, DEPARTMENTS_DB,
                    0, ports);
            sandboxEnv.putAll(ComposeStackIT.image(dir.resolve("sandbox-data"), null));
            sandboxEnv.put("GOVHUB_SANDBOX_TAXBUREAU_ROWS", Integer.toString(TAX_ROWS));
            sandboxEnv.put("GOVHUB_SANDBOX_CREDITREFERENCE_ROWS", Integer.toString(CREDIT_ROWS));
            sandboxEnv.put("GOVHUB_SANDBOX_HRSS_DROPFILES", "false"); // the database sources are the subject here

            try (HubJvm sandbox = HubJvm.launch("broker-sandbox", ComposeStackIT.command(ComposeStackIT.FULL_JAR), sandboxEnv,
                    dir.resolve("sandbox-data"), Integer.parseInt(ports.get("8081")))) {
                System.out.printf("[broker pair] sandbox with %d tax rows up after %ds%n", TAX_ROWS, seconds(started));
                Map<String, String> env = ComposeStackIT.onThisMachine(compose.environment("govhub", dotEnv), HUB_DB, DEPARTMENTS_DB, 0, ports);
                env.putAll(ComposeStackIT.image(dir.resolve("hub-data"), "prod"));
                env.put("SERVER_PORT", Integer.toString(hubPort));
                env.put("GOVHUB_ARTEMIS_URL", brokers.url());
                // the REST sources and file drops are not part of this test's count
                env.put("GOVHUB_SOURCES_PROVINCIALFILINGS_ENABLED", "false");
                env.put("GOVHUB_SOURCES_CREDITPORTAL_ENABLED", "false");
                try (HubJvm hub = HubJvm.launch("broker-hub", ComposeStackIT.command(ComposeStackIT.PROD_JAR), env, dir.resolve("hub-data"),
                        hubPort)) {
                    System.out.printf("[broker pair] hub up after %ds%n", seconds(started));
                    failover(hub, brokers);
                    recordQueueSettings(brokers, dotEnv);
                    awaitAcknowledged(hub, Duration.ofSeconds(120));
                    noBrokerAtAll(hub, brokers);
                }
                sandbox.stop(); // the platform's H2 file is read below, with the sandbox gone
            }
        }
        // every valid row at the platform exactly once (count and ids), each batch once, every broken row in quarantine
        JdbcTemplate platform = ExactlyOnce.h2(dir.resolve("sandbox-data/sandbox/national-platform"));
        JdbcTemplate hub = hubDatabase();
        try {
            ExactlyOnce.Result result = new ExactlyOnce(TAX_ROWS, CREDIT_ROWS).check(platform, hub);
            System.out.printf("[broker pair] at the platform: %s%n", result);
        } finally {
            ExactlyOnce.close(platform);
            ExactlyOnce.close(hub);
        }
        System.out.printf("[broker pair] whole test %ds%n", seconds(started));
    }

    private void failover(HubJvm hub, ArtemisPair brokers) {
        // mid-backlog, with batches under way: a few pages published and a batch at the platform
        JdbcTemplate db = hubDatabase();
        try {
            hub.awaitLogged(PAGE, 3, Duration.ofSeconds(90));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (acknowledged(db).isEmpty()) {
                assertThat(System.nanoTime()).as("a batch acknowledged by the platform; log %s", hub.logFile).isLessThan(deadline);
                HubJvm.sleep(100);
            }
            assertThat(hub.healthStatus("jms")).as("the broker's health before the kill").isEqualTo("UP");

            // health as an operator sees it while the pair fails over, in a thread of its own (a check may take seconds)
            List<String> healthInGap = new ArrayList<>();
            AtomicBoolean watching = new AtomicBoolean(true);
            Thread watcher = new Thread(() -> {
                String last = null;
                while (watching.get()) {
                    long at = System.nanoTime();
                    String status = hub.healthStatus("jms");
                    if (!status.equals(last)) {
                        synchronized (healthInGap) {
                            healthInGap.add(status + " at " + String.format("%.1fs", (at - killedAt) / 1e9));
                        }
                        last = status;
                    }
                    HubJvm.sleep(100);
                }
            });

            int pagesBefore = hub.logged(PAGE).size();
            Set<String> acknowledgedBefore = new HashSet<>(acknowledged(db));
            brokers.killPrimary();
            killedAt = System.nanoTime();
            watcher.start();
            int rowsBefore = hub.logged(PAGE).stream().mapToInt(BrokerFailoverIT::taken).sum();
            assertThat(rowsBefore).as("rows taken before the kill (mid-backlog)").isLessThan(TAX_ROWS);

            brokers.awaitBackupActive(Duration.ofSeconds(30));
            double active = (System.nanoTime() - killedAt) / 1e9;
            // a delivery acknowledged after the kill: its delivered notice (a topic on the broker) went to the backup
            double acknowledgedNext = -1;
            Set<String> batchesThen = new HashSet<>(db.queryForList("SELECT batch_id FROM batch", String.class));
            int pagesThen = hub.logged(PAGE).size();

            // the source publishes again (through the backup), and a batch opened after the takeover reaches the platform
            double published = -1;
            double delivered = -1;
            deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (published < 0 || delivered < 0 || acknowledgedNext < 0) {
                List<String> acknowledgedNow = acknowledged(db);
                if (acknowledgedNext < 0 && acknowledgedNow.stream().anyMatch(b -> !acknowledgedBefore.contains(b))) {
                    acknowledgedNext = (System.nanoTime() - killedAt) / 1e9;
                }
                if (published < 0 && hub.logged(PAGE).size() > pagesThen) {
                    published = (System.nanoTime() - killedAt) / 1e9;
                }
                if (delivered < 0 && acknowledgedNow.stream().anyMatch(b -> !batchesThen.contains(b))) {
                    delivered = (System.nanoTime() - killedAt) / 1e9;
                }
                assertThat(System.nanoTime()).as("the hub goes on after the failover; log %s", hub.logFile).isLessThan(deadline);
                HubJvm.sleep(50);
            }
            HubJvm.sleep(3000); // the health a little after the takeover, too
            watching.set(false);
            join(watcher);
            System.out.printf("[broker pair] primary SIGKILLed after %d pages (%d rows taken); seconds from the kill: backup active %.1f,"
                    + " next batch acknowledged %.1f, the source's next page published %.1f, first batch opened after the takeover"
                    + " acknowledged %.1f (behind the batches sealed before it)%n", pagesBefore, rowsBefore, active, acknowledgedNext,
                    published, delivered);
            System.out.printf("[broker pair] health jms from the kill on: %s%n", healthInGap);
            System.out.printf("[broker pair] what the hub logged about the broker meanwhile:%n  %s%n",
                    String.join("\n  ", hub.log().stream().filter(l -> l.contains(" WARN ") || l.contains(" ERROR "))
                            .filter(l -> l.toLowerCase().contains("broker") || l.contains("JMS") || l.contains("AMQ")).limit(12).toList()));
            assertThat(healthInGap.get(healthInGap.size() - 1)).as("jms health once the backup is active").startsWith("UP ");
        } finally {
            ExactlyOnce.close(db);
        }
    }

    private long killedAt;

    /** The backup, active now, applies the hub's record-queue settings (broker/broker.properties), as the primary did. */
    private static void recordQueueSettings(ArtemisPair brokers, Map<String, String> dotEnv) throws Exception {
        try (ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory(brokers.url(), dotEnv.get("ARTEMIS_USER"),
                dotEnv.get("ARTEMIS_PASSWORD")); jakarta.jms.Connection connection = factory.createConnection()) {
            connection.start();
            Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            TemporaryQueue answers = session.createTemporaryQueue();
            Message request = session.createMessage();
            JMSManagementHelper.putOperationInvocation(request, ResourceNames.BROKER, "getAddressSettingsAsJSON", "govhub.records.tax-record");
            request.setJMSReplyTo(answers);
            session.createProducer(session.createQueue("activemq.management")).send(request);
            Message answer = session.createConsumer(answers).receive(10_000);
            assertThat(answer).as("the broker's answer to getAddressSettingsAsJSON").isNotNull();
            JsonNode settings = CanonicalJson.read(String.valueOf(JMSManagementHelper.getResult(answer)));
            assertThat(settings.path("maxDeliveryAttempts").asInt()).as("%s", settings).isEqualTo(-1);
            assertThat(settings.path("addressFullMessagePolicy").asText()).as("%s", settings).isEqualTo("BLOCK");
        }
    }

    /** The backup gone as well: no broker answers, and the hub says so. */
    private void noBrokerAtAll(HubJvm hub, ArtemisPair brokers) {
        brokers.backup.kill();
        long killed = System.nanoTime();
        long deadline = killed + Duration.ofSeconds(20).toNanos();
        String status;
        while (!(status = hub.healthStatus("jms")).equals("DOWN")) {
            assertThat(System.nanoTime()).as("jms health with no broker at all (last %s)", status).isLessThan(deadline);
            HubJvm.sleep(200);
        }
        System.out.printf("[broker pair] with both brokers dead, health jms DOWN %.1fs after the second kill%n",
                (System.nanoTime() - killed) / 1e9);
    }

    /** Until the platform holds every valid record, every hub batch is acknowledged and a few more seconds change nothing. */
    private void awaitAcknowledged(HubJvm hub, Duration limit) {
        ExactlyOnce expected = new ExactlyOnce(TAX_ROWS, CREDIT_ROWS);
        long deadline = System.nanoTime() + limit.toNanos();
        JdbcTemplate db = hubDatabase();
        try {
            while (true) {
                Map<String, Long> counts = db.queryForList("SELECT status, COUNT(*) AS n FROM batch GROUP BY status").stream()
                        .collect(Collectors.toMap(r -> (String) r.get("status"), r -> ((Number) r.get("n")).longValue(), Long::sum, TreeMap::new));
                long batched = db.queryForObject("SELECT COUNT(*) FROM batch_record", Long.class);
                if (batched >= expected.valid.size() && counts.keySet().equals(Set.of("ACKNOWLEDGED"))) {
                    HubJvm.sleep(3000);
                    assertThat(db.queryForObject("SELECT COUNT(*) FROM batch_record", Long.class)).as("records batched later")
                            .isEqualTo(batched);
                    return;
                }
                assertThat(counts).as("batches the platform refused").doesNotContainKey("DEAD");
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("not delivered within " + limit + ": " + batched + " of " + expected.valid.size()
                            + " records batched, batches " + counts + "; log " + hub.logFile);
                }
                HubJvm.sleep(500);
            }
        } finally {
            ExactlyOnce.close(db);
        }
    }

    private static List<String> acknowledged(JdbcTemplate db) {
        return db.queryForList("SELECT batch_id FROM batch WHERE status = 'ACKNOWLEDGED'", String.class);
    }

    /** The rows a page line says were taken: "page done: N taken = ...". */
    private static int taken(String pageLine) {
        String rest = pageLine.substring(pageLine.indexOf(PAGE) + PAGE.length());
        return Integer.parseInt(rest.substring(0, rest.indexOf(' ')));
    }

    /** The machine's PostgreSQL, the hub's database. */
    private static JdbcTemplate hubDatabase() {
        try {
            Connection c = DriverManager.getConnection(RealDatabases.POSTGRES_URL.replace("/test", "/" + HUB_DB), RealDatabases.POSTGRES_USER, "");
            return new JdbcTemplate(new SingleConnectionDataSource(c, true));
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void join(Thread thread) {
        try {
            thread.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static long seconds(long since) {
        return (System.nanoTime() - since) / 1_000_000_000;
    }
}
