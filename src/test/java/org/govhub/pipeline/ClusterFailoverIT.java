package org.govhub.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.curator.test.TestingServer;
import org.govhub.RealDatabases;
import org.govhub.SandboxHubTest;
import org.govhub.operate.ComposeFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/**
 * Two hub nodes (the prod jar, the compose environment plus the ZooKeeper cluster service) on one
 * hub database, one Artemis and one ZooKeeper, against the sandbox service (the full jar) with a
 * tax-bureau backlog (docs/cluster.md): one node polls the source while the other stands by; the
 * leader is SIGKILLed mid-backlog; the other takes over within the ZooKeeper session timeout, goes
 * on from the persisted mark, and every valid row reaches the platform exactly once, every broken
 * one the quarantine.
 */
class ClusterFailoverIT {

    private static final String HUB_DB = "govhub_cluster_hub";
    private static final String DEPARTMENTS_DB = "govhub_cluster_departments";
    private static final int TAX_ROWS = 20_000;
    private static final int CREDIT_ROWS = 100;
    private static final String SOURCE = "/api/admin/sources/tax-bureau";
    /** govhub.cluster.zookeeper.session-timeout of the nodes: a dead leader's turn ends with its session. */
    private static final Duration SESSION_TIMEOUT = Duration.ofSeconds(10);
    /** A page line of the tax-bureau source (SourceActivity): "N taken = a new + b repeat(s) + c quarantined; mark F -> T". */
    private static final Pattern PAGE = Pattern.compile(
            "source tax-bureau: page done: (\\d+) taken = (\\d+) new \\+ (\\d+) repeat\\(s\\) \\+ (\\d+) quarantined; mark (\\(.*?\\)) -> (\\(.*?\\))(,|$)");

    @Test
    @Timeout(300)
    void theOtherNodeTakesOverTheSourceWhenTheLeaderDiesAndNothingIsLostOrRepeated() throws Exception {
        RealDatabases.require("PostgreSQL", RealDatabases.POSTGRES_URL, RealDatabases.POSTGRES_USER,
                "DROP DATABASE IF EXISTS " + HUB_DB + " WITH (FORCE)",
                "DROP DATABASE IF EXISTS " + DEPARTMENTS_DB + " WITH (FORCE)",
                ComposeStackIT.role("govhub"), ComposeStackIT.role("departments"),
                "CREATE DATABASE " + HUB_DB + " OWNER govhub",
                "CREATE DATABASE " + DEPARTMENTS_DB + " OWNER departments");

        Map<String, String> dotEnv = ComposeFile.envFile(Path.of("docker/sandbox.env.example"), ComposeStackIT.FILLED_IN);
        ComposeFile compose = ComposeFile.read(ComposeFile.COMPOSE);
        Path dir = SandboxHubTest.newDataDir("govhub-cluster-failover");
        int brokerPort = HubJvm.freePort();
        Map<String, String> ports = Map.of("8081", Integer.toString(HubJvm.freePort()), "2121", Integer.toString(HubJvm.freePort()));
        long started = System.nanoTime();
        try (TestingServer zookeeper = new TestingServer(true)) {
            EmbeddedActiveMQ broker = StandaloneArtemis.secured(dir.resolve("artemis"), brokerPort, dotEnv.get("ARTEMIS_USER"),
                    dotEnv.get("ARTEMIS_PASSWORD"), "amq");
            try {
                Map<String, String> sandboxEnv = ComposeStackIT.onThisMachine(compose.environment("sandbox", dotEnv), HUB_DB,
                        DEPARTMENTS_DB, brokerPort, ports);
                sandboxEnv.putAll(ComposeStackIT.image(dir.resolve("sandbox-data"), null));
                sandboxEnv.put("GOVHUB_SANDBOX_TAXBUREAU_ROWS", Integer.toString(TAX_ROWS));
                sandboxEnv.put("GOVHUB_SANDBOX_CREDITREFERENCE_ROWS", Integer.toString(CREDIT_ROWS));
                sandboxEnv.put("GOVHUB_SANDBOX_HRSS_DROPFILES", "false"); // the database sources are the subject here

                try (HubJvm sandbox = HubJvm.launch("cluster-sandbox", ComposeStackIT.command(ComposeStackIT.FULL_JAR), sandboxEnv,
                        dir.resolve("sandbox-data"), Integer.parseInt(ports.get("8081")))) {
                    System.out.printf("[cluster] sandbox with %d tax rows up after %ds%n", TAX_ROWS, seconds(started));
                    HubJvm a = node("a", compose, dotEnv, brokerPort, ports, dir, zookeeper);
                    try {
                        // a alone would take the whole backlog while b starts: paused on a, the source waits for b
                        a.post(SOURCE + "/pause", "{\"reason\": \"until node b is up\"}");
                        try (HubJvm b = node("b", compose, dotEnv, brokerPort, ports, dir, zookeeper)) {
                            b.awaitLogged("source tax-bureau: paused since .* route tax-bureau-source not started", 1, Duration.ofSeconds(5));
                            int pagesWhilePaused = a.logged(PAGE.pattern()).size();
                            a.post(SOURCE + "/resume", "{\"reason\": \"both nodes up\"}");
                            // the resume made on a reaches b through the pause rows: b's route runs again, standing by
                            b.awaitLogged("source tax-bureau: resumed on another node; route tax-bureau-source started here", 1,
                                    Duration.ofSeconds(10));
                            a.awaitLogged(PAGE.pattern(), pagesWhilePaused + 4, Duration.ofSeconds(60));
                            failover(a, b);
                        }
                    } finally {
                        a.close();
                    }
                    sandbox.stop(); // the platform's H2 file is read below, with the sandbox gone
                }
                // every valid row at the platform exactly once (count and ids), each batch once, every broken row in quarantine
                JdbcTemplate platform = ExactlyOnce.h2(dir.resolve("sandbox-data/sandbox/national-platform"));
                JdbcTemplate hub = hubDatabase();
                try {
                    ExactlyOnce.Result result = new ExactlyOnce(TAX_ROWS, CREDIT_ROWS).check(platform, hub);
                    System.out.printf("[cluster] at the platform: %s%n", result);
                } finally {
                    ExactlyOnce.close(platform);
                    ExactlyOnce.close(hub);
                }
            } finally {
                broker.stop();
            }
        }
        System.out.printf("[cluster] whole test %ds%n", seconds(started));
    }

    private void failover(HubJvm a, HubJvm b) {
        // node a started first and leads every namespace; b stands by, healthy, naming a
        JsonNode standby = b.get("/actuator/health/sources/tax-bureau");
        assertThat(standby.path("status").asText()).as("tax-bureau's health on the standby node: %s", standby).isEqualTo("UP");
        assertThat(standby.path("details").path("state").asText()).as("%s", standby).isEqualTo("STANDBY");
        assertThat(standby.path("details").path("leader").asText()).as("%s", standby).isEqualTo("node-a");
        JsonNode leading = a.get("/actuator/health/sources/tax-bureau");
        assertThat(leading.path("details").path("state").asText()).as("tax-bureau's health on the leader: %s", leading)
                .isNotEqualTo("STANDBY");
        assertThat(b.logged(PAGE.pattern())).as("pages b polled while a led").isEmpty();

        // SIGKILL the leader mid-backlog
        List<String> pagesOfA = a.logged(PAGE.pattern());
        a.kill();
        long killed = System.nanoTime();
        List<String> pagesOfABeforeKill = a.logged(PAGE.pattern()); // what it logged up to its death
        assertThat(taken(pagesOfABeforeKill)).as("rows a took before it died (mid-backlog)").isLessThan(TAX_ROWS);
        String firstOfB = b.awaitLogged(PAGE.pattern(), 1, SESSION_TIMEOUT.plusSeconds(50));
        double takeover = (System.nanoTime() - killed) / 1e9;
        System.out.printf("[cluster] a took %d rows in %d pages (%d when asked to die); b polled its first page %.1fs after"
                + " the SIGKILL (ZooKeeper session timeout %ds): %s%n", taken(pagesOfABeforeKill), pagesOfABeforeKill.size(),
                taken(pagesOfA), takeover, SESSION_TIMEOUT.toSeconds(), firstOfB);
        assertThat(takeover).as("seconds until the standby node polled").isLessThan(SESSION_TIMEOUT.toSeconds() + 20);

        // b goes on from the mark a persisted: its first page starts where one of a's pages ended, not at the start
        Matcher first = PAGE.matcher(firstOfB);
        assertThat(first.find()).isTrue();
        List<String> marksOfA = pagesOfABeforeKill.stream().map(l -> group(l, 6)).toList();
        assertThat(marksOfA).as("b's first page starts at a mark a reached (%s)", firstOfB).contains(first.group(5));

        // everything arrives: b delivers, then nothing more comes
        awaitAcknowledged(b, Duration.ofSeconds(120));
        List<String> pagesOfB = b.logged(PAGE.pattern());
        int repeats = pagesOfB.stream().mapToInt(l -> Integer.parseInt(group(l, 3))).sum();
        System.out.printf("[cluster] b took %d rows in %d pages, %d of them repeats (taken by a, mark not yet moved)%n",
                taken(pagesOfB), pagesOfB.size(), repeats);
        assertThat(taken(pagesOfABeforeKill) + taken(pagesOfB) - repeats).as("rows taken by a and b, repeats aside")
                .isGreaterThanOrEqualTo(TAX_ROWS);
    }

    /** Until the platform holds every valid record, every hub batch is acknowledged and a few more rounds change nothing. */
    private void awaitAcknowledged(HubJvm node, Duration limit) {
        ExactlyOnce expected = new ExactlyOnce(TAX_ROWS, CREDIT_ROWS);
        long deadline = System.nanoTime() + limit.toNanos();
        JdbcTemplate hub = hubDatabase();
        try {
            while (true) {
                Map<String, Long> counts = hub.queryForList("SELECT status, COUNT(*) AS n FROM batch GROUP BY status").stream()
                        .collect(Collectors.toMap(r -> (String) r.get("status"), r -> ((Number) r.get("n")).longValue()));
                long batched = hub.queryForObject("SELECT COUNT(*) FROM batch_record", Long.class);
                if (batched >= expected.valid.size() && counts.keySet().equals(java.util.Set.of("ACKNOWLEDGED"))) {
                    HubJvm.sleep(3000);
                    assertThat(hub.queryForObject("SELECT COUNT(*) FROM batch_record", Long.class)).as("records batched later")
                            .isEqualTo(batched);
                    return;
                }
                assertThat(counts).as("batches the platform refused").doesNotContainKey("DEAD");
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("not delivered within " + limit + ": " + batched + " of " + expected.valid.size()
                            + " records batched, batches " + counts + "; log " + node.logFile);
                }
                HubJvm.sleep(500);
            }
        } finally {
            ExactlyOnce.close(hub);
        }
    }

    private static HubJvm node(String name, ComposeFile compose, Map<String, String> dotEnv, int brokerPort,
            Map<String, String> sandboxPorts, Path dir, TestingServer zookeeper) throws Exception {
        int port = HubJvm.freePort();
        Map<String, String> ports = new TreeMap<>(sandboxPorts);
        ports.put("8080", Integer.toString(port));
        Map<String, String> env = ComposeStackIT.onThisMachine(compose.environment("govhub", dotEnv), HUB_DB, DEPARTMENTS_DB,
                brokerPort, ports);
        env.putAll(ComposeStackIT.image(dir.resolve("node-" + name), "prod"));
        env.put("SERVER_PORT", Integer.toString(port));
        env.put("GOVHUB_CLUSTER_SERVICE", "zookeeper");
        env.put("GOVHUB_ZOOKEEPER_NODES", zookeeper.getConnectString());
        env.put("GOVHUB_CLUSTER_NODE_ID", "node-" + name);
        env.put("GOVHUB_CLUSTER_ZOOKEEPER_SESSIONTIMEOUT", SESSION_TIMEOUT.toSeconds() + "s");
        // the REST sources and file drops are not part of this test's count
        env.put("GOVHUB_SOURCES_PROVINCIALFILINGS_ENABLED", "false");
        env.put("GOVHUB_SOURCES_CREDITPORTAL_ENABLED", "false");
        return HubJvm.launch("cluster-node-" + name, ComposeStackIT.command(ComposeStackIT.PROD_JAR), env, dir.resolve("node-" + name), port);
    }

    /** The machine's PostgreSQL, the hub database both nodes share. */
    private static JdbcTemplate hubDatabase() {
        try {
            Connection c = DriverManager.getConnection(RealDatabases.POSTGRES_URL.replace("/test", "/" + HUB_DB), RealDatabases.POSTGRES_USER, "");
            return new JdbcTemplate(new SingleConnectionDataSource(c, true));
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int taken(List<String> pages) {
        return pages.stream().mapToInt(l -> Integer.parseInt(group(l, 1))).sum();
    }

    private static String group(String line, int group) {
        Matcher m = PAGE.matcher(line);
        assertThat(m.find()).as(line).isTrue();
        return m.group(group);
    }

    private static long seconds(long since) {
        return (System.nanoTime() - since) / 1_000_000_000;
    }
}
