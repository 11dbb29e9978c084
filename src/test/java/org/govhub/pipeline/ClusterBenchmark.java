package org.govhub.pipeline;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.curator.test.TestingServer;
import org.govhub.RealDatabases;
import org.govhub.SandboxHubTest;
import org.govhub.audit.ExchangeLogKey;
import org.govhub.operate.ComposeFile;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/**
 * Records/s of a cluster with 1, 2 and 3 nodes, run on demand (not a test):
 *
 * <pre>./mvnw -q verify -DskipTests &amp;&amp; ./mvnw -q exec:exec@cluster-benchmark -Dbench.records=50000 [-Dbench.nodes=1,2,3]</pre>
 *
 * For each node count, on fresh databases: the replicated Artemis pair from the distribution, one
 * ZooKeeper, the sandbox service (full jar) with N tax declarations in PostgreSQL, and the nodes
 * (prod jar, production's settings: PostgreSQL hub database, the pair's failover URL, ZooKeeper
 * cluster service), the source paused until every node is up. Then from the resume until every
 * valid declaration is acknowledged by the platform: records/s, and the CPU seconds each process
 * used. Printed and written to target/cluster-benchmark-N.txt.
 */
public final class ClusterBenchmark {

    private static final String HUB_DB = "govhub_bench_cluster_hub";
    private static final String DEPARTMENTS_DB = "govhub_bench_cluster_departments";
    private static final String SOURCE = "/api/admin/sources/tax-bureau";

    private ClusterBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int records = Integer.getInteger("bench.records", 50_000);
        List<Integer> counts = new ArrayList<>();
        for (String n : System.getProperty("bench.nodes", "1,2,3").split(",")) {
            counts.add(Integer.parseInt(n.trim()));
        }
        List<String> lines = new ArrayList<>();
        lines.add(String.format("cluster benchmark: %d tax declarations (1 in 25 invalid), %d cores, %s", records,
                Runtime.getRuntime().availableProcessors(), java.time.Instant.now()));
        lines.add("nodes | records/s | seconds | CPU s: nodes (each) | sandbox | brokers | load before -> after");
        for (int n : counts) {
            lines.add(run(n, records));
            System.out.println(lines.get(lines.size() - 1));
        }
        String report = String.join("\n", lines) + "\n";
        System.out.print("\n" + report);
        Files.writeString(Path.of("target", "cluster-benchmark-" + records + ".txt"), report);
        System.exit(0);
    }

    private static String run(int nodeCount, int records) throws Exception {
        try (Connection c = DriverManager.getConnection(RealDatabases.POSTGRES_URL, RealDatabases.POSTGRES_USER, "");
                Statement s = c.createStatement()) {
            for (String sql : List.of("DROP DATABASE IF EXISTS " + HUB_DB + " WITH (FORCE)",
                    "DROP DATABASE IF EXISTS " + DEPARTMENTS_DB + " WITH (FORCE)", ComposeStackIT.role("govhub"),
                    ComposeStackIT.role("departments"), "CREATE DATABASE " + HUB_DB + " OWNER govhub",
                    "CREATE DATABASE " + DEPARTMENTS_DB + " OWNER departments")) {
                s.execute(sql);
            }
        }
        Map<String, String> dotEnv = ComposeFile.envFile(Path.of("docker/sandbox.env.example"), ComposeStackIT.FILLED_IN);
        ComposeFile compose = ComposeFile.read(ComposeFile.COMPOSE);
        Path dir = SandboxHubTest.newDataDir("govhub-cluster-bench-" + nodeCount);
        Path key = dir.resolve("audit-key/exchange-log-signing-key.pem");
        new ExchangeLogKey(dir.toString(), key.toString());
        Map<String, String> sandboxPorts = Map.of("8081", Integer.toString(HubJvm.freePort()), "2121", Integer.toString(HubJvm.freePort()));
        ExactlyOnce expected = new ExactlyOnce(records, 0);
        try (TestingServer zookeeper = new TestingServer(true);
                ArtemisPair brokers = ArtemisPair.start(dir.resolve("artemis"), dotEnv.get("ARTEMIS_USER"), dotEnv.get("ARTEMIS_PASSWORD"))) {
            Map<String, String> sandboxEnv = ComposeStackIT.onThisMachine(compose.environment("sandbox", dotEnv), HUB_DB,
                    DEPARTMENTS_DB, 0, sandboxPorts);
            sandboxEnv.putAll(ComposeStackIT.image(dir.resolve("sandbox-data"), null));
            sandboxEnv.put("GOVHUB_SANDBOX_TAXBUREAU_ROWS", Integer.toString(records));
            sandboxEnv.put("GOVHUB_SANDBOX_CREDITREFERENCE_ROWS", "0");
            sandboxEnv.put("GOVHUB_SANDBOX_HRSS_DROPFILES", "false");
            try (HubJvm sandbox = HubJvm.launch("bench-sandbox", ComposeStackIT.command(ComposeStackIT.FULL_JAR), sandboxEnv,
                    dir.resolve("sandbox-data"), Integer.parseInt(sandboxPorts.get("8081")))) {
                Map<String, HubJvm> nodes = new TreeMap<>();
                try {
                    for (int i = 1; i <= nodeCount; i++) {
                        HubJvm node = node(i, compose, dotEnv, sandboxPorts, dir, brokers.url(), zookeeper, key);
                        nodes.put("node-" + i, node);
                        if (i == 1) {
                            node.post(SOURCE + "/pause", "{\"reason\": \"until every node is up\"}");
                        }
                    }
                    HubJvm first = nodes.get("node-1");
                    HubJvm.sleep(5000); // the last node's start settles
                    Map<String, Double> cpuBefore = new LinkedHashMap<>();
                    nodes.forEach((name, node) -> cpuBefore.put(name, cpuSeconds(node.pid())));
                    double sandboxBefore = cpuSeconds(sandbox.pid());
                    double brokersBefore = cpuSeconds(brokers.primary.pid()) + cpuSeconds(brokers.backup.pid());
                    String loadBefore = loadAverage();
                    long started = System.nanoTime();
                    first.post(SOURCE + "/resume", "{\"reason\": \"benchmark\"}");
                    awaitAcknowledged(expected.valid.size(), Duration.ofMinutes(20));
                    double seconds = (System.nanoTime() - started) / 1e9;
                    List<String> nodeCpu = new ArrayList<>();
                    double nodeTotal = 0;
                    for (var e : nodes.entrySet()) {
                        double cpu = (cpuSeconds(e.getValue().pid()) - cpuBefore.get(e.getKey()));
                        nodeTotal += cpu;
                        nodeCpu.add(String.format(Locale.ROOT, "%.0f", cpu));
                    }
                    double sandboxCpu = (cpuSeconds(sandbox.pid()) - sandboxBefore);
                    double brokersCpu = (cpuSeconds(brokers.primary.pid()) + cpuSeconds(brokers.backup.pid())
                            - brokersBefore);
                    return String.format(Locale.ROOT, "%d | %,.0f | %.1f | %.0f (%s) | %.0f | %.0f | %s -> %s", nodeCount,
                            expected.valid.size() / seconds, seconds, nodeTotal, String.join(", ", nodeCpu), sandboxCpu, brokersCpu,
                            loadBefore, loadAverage());
                } finally {
                    nodes.values().forEach(HubJvm::close);
                }
            }
        }
    }

    /** CPU time a process has used so far, all its threads (what the kernel says of it). */
    private static double cpuSeconds(long pid) {
        return ProcessHandle.of(pid).flatMap(h -> h.info().totalCpuDuration()).map(d -> d.toNanos() / 1e9)
                .orElseThrow(() -> new IllegalStateException("no CPU time for process " + pid));
    }

    /** The 1, 5 and 15 minute load averages: figures taken on a busy machine are not the hub's alone. */
    private static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).strip().split("\\s+");
            return fields[0] + " " + fields[1] + " " + fields[2];
        } catch (java.io.IOException e) {
            return "?";
        }
    }

    private static HubJvm node(int i, ComposeFile compose, Map<String, String> dotEnv, Map<String, String> sandboxPorts, Path dir,
            String brokerUrl, TestingServer zookeeper, Path key) throws Exception {
        int port = HubJvm.freePort();
        Map<String, String> ports = new TreeMap<>(sandboxPorts);
        ports.put("8080", Integer.toString(port));
        Map<String, String> env = ComposeStackIT.onThisMachine(compose.environment("govhub", dotEnv), HUB_DB, DEPARTMENTS_DB, 0, ports);
        env.putAll(ComposeStackIT.image(dir.resolve("node-" + i), "prod"));
        env.put("GOVHUB_ARTEMIS_URL", brokerUrl);
        env.put("GOVHUB_AUDIT_KEY_PATH", key.toString());
        env.put("SERVER_PORT", Integer.toString(port));
        env.put("GOVHUB_CLUSTER_SERVICE", "zookeeper");
        env.put("GOVHUB_ZOOKEEPER_NODES", zookeeper.getConnectString());
        env.put("GOVHUB_CLUSTER_NODE_ID", "node-" + i);
        env.put("GOVHUB_SOURCES_PROVINCIALFILINGS_ENABLED", "false");
        env.put("GOVHUB_SOURCES_CREDITPORTAL_ENABLED", "false");
        // production's JVM (the image's), not the tests' quick-start one
        List<String> command = List.of(HubJvm.java(), "-Xmx1g", "-jar", ComposeStackIT.PROD_JAR.toAbsolutePath().toString());
        return HubJvm.launch("bench-node-" + i, command, env, dir.resolve("node-" + i), port);
    }

    private static void awaitAcknowledged(int valid, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        try (Connection c = DriverManager.getConnection(RealDatabases.POSTGRES_URL.replace("/test", "/" + HUB_DB),
                RealDatabases.POSTGRES_USER, "")) {
            JdbcTemplate hub = new JdbcTemplate(new SingleConnectionDataSource(c, true));
            while (true) {
                Long delivered = hub.queryForObject("SELECT COUNT(*) FROM batch_record r JOIN batch b ON b.batch_id = r.batch_id"
                        + " WHERE b.status = 'ACKNOWLEDGED'", Long.class);
                if (delivered != null && delivered >= valid) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(delivered + " of " + valid + " acknowledged within " + limit);
                }
                HubJvm.sleep(250);
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
