package org.govhub.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.jms.Message;
import jakarta.jms.Session;
import jakarta.jms.TemporaryQueue;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.activemq.artemis.api.core.management.ResourceNames;
import org.apache.activemq.artemis.api.jms.management.JMSManagementHelper;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.apache.curator.test.TestingServer;
import org.govhub.RealDatabases;
import org.govhub.SandboxHubTest;
import org.govhub.audit.ExchangeLogKey;
import org.govhub.audit.ExchangeLogTable;
import org.govhub.audit.ExchangeLogVerifier;
import org.govhub.normalise.CanonicalJson;
import org.govhub.normalise.RegionCodes;
import org.govhub.sandbox.TaxDeclarationGenerator;
import org.govhub.operate.ComposeFile;
import org.govhub.sandbox.GeneratedRow;
import org.govhub.sandbox.TaxBureauSandbox;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/**
 * Three hub nodes (the prod jar, the compose environment plus the ZooKeeper cluster service) on one
 * hub database (PostgreSQL), a replicated Artemis pair from the distribution ({@link ArtemisPair}) and
 * one ZooKeeper, against the sandbox service (the full
 * jar) whose tax bureau keeps getting new declarations while the test runs (docs/cluster.md). A
 * department takes the declarations by webhook and by feed. Under that load:
 * <ol>
 * <li>the node leading every namespace is SIGKILLed mid-backlog: another takes the source over within
 * the ZooKeeper session timeout and goes on from the persisted mark;</li>
 * <li>the node leading the batch stage and delivery (and, when it is the same node, the pushes to
 * the department) is SIGKILLed while batches and pushes are under way; so is the push leader when it
 * is another node;</li>
 * <li>the broker primary is SIGKILLed: the backup takes over, the nodes fail over to it, their
 * {@code jms} health is DOWN in the gap and UP after, and the backup applies the record-queue settings;</li>
 * <li>every node is restarted (SIGTERM, start, ready) one after another.</li>
 * </ol>
 * Every valid declaration reaches the platform exactly once (count and ids), each batch once, every
 * broken one the quarantine; the webhook and the feed get every valid declaration once, by record id;
 * the three nodes wrote one exchange log that verifies with the one key. Last, the backup is killed
 * too, and the nodes' health says the broker is DOWN.
 */
class ClusterFailoverIT {

    private static final String HUB_DB = "govhub_cluster_hub";
    private static final String DEPARTMENTS_DB = "govhub_cluster_departments";
    /** The table of the source deployed while the cluster runs (issue 19), and its rows. */
    private static final String CITY_TABLE = "city_declaration";
    private final List<GeneratedRow> cityRows = new TaxDeclarationGenerator(77, new RegionCodes().countiesUnder("36"), 25).generate(1_000);
    /** Declarations in the bureau's table when the nodes start; more come while the test runs. */
    private static final int INITIAL_ROWS = 12_000;
    /** The most the bureau gets in all (the feeder stops earlier when the scenario ends). */
    private static final int MAX_ROWS = 60_000;
    private static final int FEED_ROWS_PER_SECOND = 100;
    private static final int CREDIT_ROWS = 100;
    private static final String SOURCE = "/api/admin/sources/tax-bureau";
    private static final Set<String> GRANTED = Set.of("creditCode", "period", "taxType", "regionCode", "provenance");
    /** govhub.cluster.zookeeper.session-timeout of the nodes: a dead leader's turn ends with its session. */
    private static final Duration SESSION_TIMEOUT = Duration.ofSeconds(10);
    /** A page line of the tax-bureau source (SourceActivity): "N taken = a new + b repeat(s) + c quarantined; mark F -> T". */
    private static final Pattern PAGE = Pattern.compile(
            "source tax-bureau: page done: (\\d+) taken = (\\d+) new \\+ (\\d+) repeat\\(s\\) \\+ (\\d+) quarantined; mark (\\(.*?\\)) -> (\\(.*?\\))(,|$)");

    private final Map<String, HubJvm> nodes = new TreeMap<>();
    private final List<String> figures = new ArrayList<>();
    private ComposeFile compose;
    private Map<String, String> dotEnv;
    private Map<String, String> sandboxPorts;
    private Path dir;
    private String brokerUrl;
    private TestingServer zookeeper;
    /** The one key every node signs the exchange log with (a mounted secret in production). */
    private ExchangeLogKey auditKey;

    @Test
    @Timeout(900)
    void threeNodesLoseAndRepeatNothingThroughKillsAndARollingRestart() throws Exception {
        RealDatabases.require("PostgreSQL", RealDatabases.POSTGRES_URL, RealDatabases.POSTGRES_USER,
                "DROP DATABASE IF EXISTS " + HUB_DB + " WITH (FORCE)",
                "DROP DATABASE IF EXISTS " + DEPARTMENTS_DB + " WITH (FORCE)",
                ComposeStackIT.role("govhub"), ComposeStackIT.role("departments"),
                "CREATE DATABASE " + HUB_DB + " OWNER govhub",
                "CREATE DATABASE " + DEPARTMENTS_DB + " OWNER departments");
        List<GeneratedRow> rows = ExactlyOnce.taxBureau().generate(MAX_ROWS);
        // the bureau's table before the sandbox starts (it then leaves it as it is); the feeder adds the rest
        try (Connection c = departments()) {
            try (Statement s = c.createStatement()) {
                s.execute(TaxBureauSandbox.DDL);
                s.execute(TaxBureauSandbox.CHANGE_INDEX);
                s.execute("ALTER TABLE tax_declaration OWNER TO departments");
            }
            DepartmentRows.insert(c, "tax_declaration", rows.subList(0, INITIAL_ROWS));
        }

        dotEnv = ComposeFile.envFile(Path.of("docker/sandbox.env.example"), ComposeStackIT.FILLED_IN);
        compose = ComposeFile.read(ComposeFile.COMPOSE);
        dir = SandboxHubTest.newDataDir("govhub-cluster-failover");
        auditKey = new ExchangeLogKey(dir.toString(), dir.resolve("audit-key/exchange-log-signing-key.pem").toString());
        sandboxPorts = Map.of("8081", Integer.toString(HubJvm.freePort()), "2121", Integer.toString(HubJvm.freePort()));
        long started = System.nanoTime();
        WebhookReceiver receiver = new WebhookReceiver();
        FeedReader feed = new FeedReader();
        // the bureau's system at work: new declarations every 100 ms, until the scenario ends or MAX_ROWS
        DepartmentRows.Feeder feeder = new DepartmentRows.Feeder("bureau-feeder", ClusterFailoverIT::departments, "tax_declaration", rows,
                INITIAL_ROWS, FEED_ROWS_PER_SECOND / 10);
        String key;
        try (TestingServer zk = new TestingServer(true)) {
            zookeeper = zk;
            try (ArtemisPair brokers = ArtemisPair.start(dir.resolve("artemis"), dotEnv.get("ARTEMIS_USER"), dotEnv.get("ARTEMIS_PASSWORD"))) {
                brokerUrl = brokers.url();
                figures.add(String.format("broker pair (primary, replicating backup) up after %ds: %s", seconds(started), brokerUrl));
                // the sandbox keeps its own embedded broker (compose gives it none)
                Map<String, String> sandboxEnv = ComposeStackIT.onThisMachine(compose.environment("sandbox", dotEnv), HUB_DB,
                        DEPARTMENTS_DB, 0, sandboxPorts);
                sandboxEnv.putAll(ComposeStackIT.image(dir.resolve("sandbox-data"), null));
                sandboxEnv.put("GOVHUB_SANDBOX_TAXBUREAU_ROWS", Integer.toString(INITIAL_ROWS));
                sandboxEnv.put("GOVHUB_SANDBOX_CREDITREFERENCE_ROWS", Integer.toString(CREDIT_ROWS));
                sandboxEnv.put("GOVHUB_SANDBOX_HRSS_DROPFILES", "false"); // the database sources are the subject here

                try (HubJvm sandbox = HubJvm.launch("cluster-sandbox", ComposeStackIT.command(ComposeStackIT.FULL_JAR), sandboxEnv,
                        dir.resolve("sandbox-data"), Integer.parseInt(sandboxPorts.get("8081")))) {
                    try {
                        HubJvm a = start("a");
                        // a alone would take the whole backlog while b and c start: paused on a, the source waits for them
                        a.post(SOURCE + "/pause", "{\"reason\": \"until every node is up\"}");
                        key = subscribe(a, receiver, feed);
                        // b and c start side by side
                        var b = java.util.concurrent.CompletableFuture.supplyAsync(() -> launch("b"));
                        var c = java.util.concurrent.CompletableFuture.supplyAsync(() -> launch("c"));
                        nodes.put("b", b.join());
                        nodes.put("c", c.join());
                        for (String name : List.of("b", "c")) {
                            nodes.get(name).awaitLogged("source tax-bureau: paused since .* route tax-bureau-source not started", 1,
                                    Duration.ofSeconds(5));
                        }
                        figures.add(String.format("three nodes up after %ds", seconds(started)));
                        int pagesWhilePaused = a.logged(PAGE.pattern()).size();
                        a.post(SOURCE + "/resume", "{\"reason\": \"every node up\"}");
                        for (String name : List.of("b", "c")) {
                            // the resume made on a reaches the others through the pause rows: their routes run again, standing by
                            nodes.get(name).awaitLogged("source tax-bureau: resumed on another node; route tax-bureau-source started here",
                                    1, Duration.ofSeconds(10));
                        }
                        feeder.start();
                        a.awaitLogged(PAGE.pattern(), pagesWhilePaused + 4, Duration.ofSeconds(60));

                        leaderKilledDuringIngest();
                        feed.read(nodes.get("c"), key, 3, 200);
                        start("a");
                        leaderKilledDuringDeliveryAndFanOut(receiver);
                        feed.read(nodes.get("a"), key, 3, 200);
                        brokerPrimaryKilled(brokers);
                        deployedOnOneNodeRunsEverywhere();
                        rollingRestart();
                        feeder.finish();
                        figures.add(String.format("the bureau got %d declarations in all (%d while the test ran, %d/s)",
                                feeder.inserted.get(), feeder.inserted.get() - INITIAL_ROWS, FEED_ROWS_PER_SECOND));

                        List<GeneratedRow> inserted = rows.subList(0, feeder.inserted.get());
                        ExactlyOnce expected = new ExactlyOnce(inserted, CREDIT_ROWS).and("city-tax", cityRows);
                        // the grant is of tax declarations (TaxRecord): the deployed city office's are shared too
                        Set<String> declarations = expected.valid.stream().filter(k -> k.startsWith("tax-bureau|") || k.startsWith("city-tax|"))
                                .collect(Collectors.toSet());
                        awaitAcknowledged(expected, Duration.ofSeconds(180));
                        receiver.awaitRecords(declarations.size(), Duration.ofSeconds(120));
                        // the department reads its feed to the end, through whichever node answers
                        for (HubJvm node : nodes.values()) {
                            feed.read(node, key, 1000, 500);
                        }
                        HubJvm.sleep(3000); // a late repeat would show
                        assertThat(receiver.recordIds()).as("webhook records by record id").doesNotHaveDuplicates();
                        assertThat(receiver.keys()).as("webhook: every valid declaration once").doesNotHaveDuplicates()
                                .containsExactlyInAnyOrderElementsOf(declarations);
                        assertThat(feed.recordIds).as("feed records by record id").doesNotHaveDuplicates();
                        assertThat(feed.keys).as("feed: every valid declaration once").doesNotHaveDuplicates()
                                .containsExactlyInAnyOrderElementsOf(declarations);
                        assertThat(receiver.fields).isSubsetOf(GRANTED);
                        figures.add(String.format("webhook: %d declarations in %d deliveries, %d deliveries repeated and recognised by"
                                + " their delivery id; feed: %d declarations", receiver.records(), receiver.deliveries.size(),
                                receiver.repeats.get(), feed.keys.size()));
                        noBrokerAtAll(brokers);
                        nodes.values().forEach(HubJvm::close); // no broker left to stop in order with
                        sandbox.stop(); // the platform's H2 file is read below, with the sandbox gone

                        // every valid row at the platform exactly once (count and ids), each batch once, every broken row in quarantine
                        JdbcTemplate platform = ExactlyOnce.h2(dir.resolve("sandbox-data/sandbox/national-platform"));
                        JdbcTemplate hub = hubDatabase();
                        try {
                            figures.add("at the platform: " + expected.check(platform, hub));
                            // three nodes appended to one exchange log: one chain, every entry signed with the one key
                            List<String> exchangeLog = ExchangeLogTable.exportLines(hub);
                            assertThat(ExchangeLogVerifier.verify(exchangeLog, auditKey.publicKey())).as("problems of the exchange log").isEmpty();
                            figures.add("exchange log: " + exchangeLog.size() + " entries by three nodes, one chain, intact");
                        } finally {
                            ExactlyOnce.close(platform);
                            ExactlyOnce.close(hub);
                        }
                    } finally {
                        feeder.finish();
                        nodes.values().forEach(HubJvm::close);
                    }
                }
            }
        }
        figures.add(String.format("whole test %ds", seconds(started)));
        figures.forEach(f -> System.out.println("[cluster] " + f));
    }

    /**
     * Issue 19 in a cluster: a source deployed over one node's API runs its version on every node (the
     * rows reach them all), polls on one (its namespace has one leader), and the rolling restart that
     * follows brings it back on each node from the hub database.
     */
    private void deployedOnOneNodeRunsEverywhere() throws Exception {
        try (Connection c = departments(); Statement s = c.createStatement()) {
            s.execute(TaxBureauSandbox.DDL.replace("tax_declaration", CITY_TABLE));
            s.execute(TaxBureauSandbox.CHANGE_INDEX.replace("tax_declaration", CITY_TABLE));
            s.execute("ALTER TABLE " + CITY_TABLE + " OWNER TO departments"); // the office's login reads it
            DepartmentRows.insert(c, CITY_TABLE, cityRows);
        }
        String route = Files.readString(Path.of("src/test/resources/deploy/city-tax-source.yaml")).replace("tax_declaration", CITY_TABLE);
        String mapping = Files.readString(Path.of("mappings/tax-bureau.yaml")).replace("mapping: tax-bureau", "mapping: city-tax");
        HubJvm b = nodes.get("b");
        long started = System.nanoTime();
        b.post("/api/admin/sources/city-tax/versions", CanonicalJson.write(CanonicalJson.MAPPER.valueToTree(Map.of(
                "routeFile", "city-tax-source.yaml", "route", route, "mapping", mapping, "reason", "city office joins the cluster",
                "settings", Map.of("url", RealDatabases.POSTGRES_URL.replace("/test", "/" + DEPARTMENTS_DB), "username", "departments")))));
        b.post("/api/admin/sources/city-tax/versions/1/activate", "{\"reason\": \"approved\"}");
        for (HubJvm node : nodes.values()) {
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (node.get("/api/admin/sources/city-tax/versions").path("runningHere").asInt() != 1) {
                assertThat(System.nanoTime()).as("version 1 of city-tax running on %s", node).isLessThan(deadline);
                HubJvm.sleep(200);
            }
        }
        figures.add(String.format("source deployed on b: its version runs on all three nodes after %.1fs", (System.nanoTime() - started) / 1e9));
        JsonNode namespace = null;
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (namespace == null || namespace.path("leader").isMissingNode() || namespace.path("leader").isNull()) {
            assertThat(System.nanoTime()).as("a leader of govhub-source-city-tax: %s", namespace).isLessThan(deadline);
            HubJvm.sleep(500);
            for (JsonNode n : b.get("/api/admin/cluster").path("namespaces")) {
                if (n.toString().contains("govhub-source-city-tax")) {
                    namespace = n;
                }
            }
        }
        figures.add("city-tax polls on one node: " + namespace);
    }

    /** Node a leads every namespace; it is SIGKILLed mid-backlog and another node takes the source on from a's mark. */
    private void leaderKilledDuringIngest() {
        HubJvm a = nodes.get("a");
        for (String name : List.of("b", "c")) {
            JsonNode standby = nodes.get(name).get("/actuator/health/sources/tax-bureau");
            assertThat(standby.path("status").asText()).as("tax-bureau's health on standby node %s: %s", name, standby).isEqualTo("UP");
            assertThat(standby.path("details").path("state").asText()).as("%s", standby).isEqualTo("STANDBY");
            assertThat(standby.path("details").path("leader").asText()).as("%s", standby).isEqualTo("node-a");
            assertThat(nodes.get(name).logged(PAGE.pattern())).as("pages %s polled while a led", name).isEmpty();
        }
        assertThat(leaders(nodes.get("b"))).as("who leads what, as b sees it").containsEntry("govhub-batches", "node-a")
                .containsEntry("govhub-share", "node-a").containsEntry("govhub-source-tax-bureau", "node-a");
        JsonNode leading = a.get("/actuator/health/sources/tax-bureau");
        assertThat(leading.path("details").path("state").asText()).as("tax-bureau's health on the leader: %s", leading)
                .isNotEqualTo("STANDBY");

        a.kill();
        long killed = System.nanoTime();
        nodes.remove("a");
        List<String> pagesOfA = a.logged(PAGE.pattern()); // what it logged up to its death
        String first = null;
        String taker = null;
        long deadline = killed + SESSION_TIMEOUT.plusSeconds(50).toNanos();
        while (first == null) {
            for (String name : List.of("b", "c")) {
                List<String> pages = nodes.get(name).logged(PAGE.pattern());
                if (!pages.isEmpty()) {
                    first = pages.get(0);
                    taker = name;
                }
            }
            assertThat(System.nanoTime()).as("no node polled the source after the leader died").isLessThan(deadline);
            HubJvm.sleep(20);
        }
        double takeover = (System.nanoTime() - killed) / 1e9;
        figures.add(String.format("kill during ingest: a had taken %d rows in %d pages; %s polled its first page %.1fs after the SIGKILL"
                + " (ZooKeeper session timeout %ds)", taken(pagesOfA), pagesOfA.size(), taker, takeover, SESSION_TIMEOUT.toSeconds()));
        assertThat(takeover).as("seconds until a standby node polled").isLessThan(SESSION_TIMEOUT.toSeconds() + 20);
        // the taker goes on from the mark a persisted: its first page starts where one of a's pages ended
        Matcher m = PAGE.matcher(first);
        assertThat(m.find()).isTrue();
        assertThat(pagesOfA.stream().map(l -> group(l, 6)).toList()).as("%s's first page starts at a mark a reached (%s)", taker, first)
                .contains(m.group(5));
    }

    /**
     * The node leading the batch stage and delivery is SIGKILLed while batches go to the platform and
     * pushes to the department; when another node leads the pushes, it is SIGKILLed next in the same way.
     */
    private void leaderKilledDuringDeliveryAndFanOut(WebhookReceiver receiver) {
        Map<String, String> leaders = leaders(nodes.get("a"));
        String deliveryLeader = name(leaders.get("govhub-batches"));
        String shareLeader = name(leaders.get("govhub-share"));
        killWhileWorking(deliveryLeader, receiver, "delivery" + (deliveryLeader.equals(shareLeader) ? " and fan-out" : ""));
        start(deliveryLeader);
        if (!deliveryLeader.equals(shareLeader)) {
            killWhileWorking(shareLeader, receiver, "fan-out");
            start(shareLeader);
        }
    }

    private void killWhileWorking(String name, WebhookReceiver receiver, String what) {
        // both under way: batches acknowledged and deliveries reaching the department within the last seconds
        long acknowledged = acknowledged();
        int pushed = receiver.deliveries.size();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (acknowledged() == acknowledged || receiver.deliveries.size() == pushed) {
            assertThat(System.nanoTime()).as("%s under way before the kill", what).isLessThan(deadline);
            HubJvm.sleep(100);
        }
        HubJvm leader = nodes.remove(name);
        leader.kill();
        long killed = System.nanoTime();
        long acknowledgedAtKill = acknowledged();
        int pushedAtKill = receiver.deliveries.size();
        double delivering = -1;
        double pushing = -1;
        deadline = killed + SESSION_TIMEOUT.plusSeconds(60).toNanos();
        while (delivering < 0 || pushing < 0) {
            if (delivering < 0 && acknowledged() > acknowledgedAtKill) {
                delivering = (System.nanoTime() - killed) / 1e9;
            }
            if (pushing < 0 && receiver.deliveries.size() > pushedAtKill) {
                pushing = (System.nanoTime() - killed) / 1e9;
            }
            assertThat(System.nanoTime()).as("delivery and pushes going on after %s died", name).isLessThan(deadline);
            HubJvm.sleep(50);
        }
        Map<String, String> after = leaders(nodes.values().iterator().next());
        figures.add(String.format("kill during %s: %s SIGKILLed; the next batch acknowledged %.1fs and the next push stored %.1fs"
                + " later; now batches on %s, pushes on %s", what, name, delivering, pushing, after.get("govhub-batches"),
                after.get("govhub-share")));
        assertThat(Math.max(delivering, pushing)).as("seconds until delivery and pushes went on").isLessThan(SESSION_TIMEOUT.toSeconds() + 30);
    }

    /**
     * The broker primary SIGKILLed under load: the backup becomes active, every node fails over to it
     * (the batch leader's {@code jms} health DOWN in the gap, UP after), the source publishes again and
     * batches are acknowledged; the backup applies the record-queue settings as the primary did.
     */
    private void brokerPrimaryKilled(ArtemisPair brokers) throws Exception {
        HubJvm watched = nodes.get(name(leaders(nodes.get("a")).get("govhub-batches")));
        assertThat(watched.healthStatus("jms")).as("the broker's health before the kill").isEqualTo("UP");
        List<String> health = new ArrayList<>();
        AtomicBoolean watching = new AtomicBoolean(true);
        long[] killed = new long[1];
        Thread watcher = new Thread(() -> {
            String last = null;
            while (watching.get()) {
                long at = System.nanoTime();
                String status = watched.healthStatus("jms");
                if (!status.equals(last)) {
                    synchronized (health) {
                        health.add(status + " at " + String.format("%.1fs", (at - killed[0]) / 1e9));
                    }
                    last = status;
                }
                HubJvm.sleep(100);
            }
        }, "jms-health-watch");
        long acknowledgedBefore = acknowledged();
        int pagesBefore = pages();
        brokers.killPrimary();
        killed[0] = System.nanoTime();
        watcher.start();
        brokers.awaitBackupActive(Duration.ofSeconds(30));
        double active = (System.nanoTime() - killed[0]) / 1e9;
        double acknowledgedNext = -1;
        double published = -1;
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (acknowledgedNext < 0 || published < 0) {
            if (acknowledgedNext < 0 && acknowledged() > acknowledgedBefore) {
                acknowledgedNext = (System.nanoTime() - killed[0]) / 1e9;
            }
            if (published < 0 && pages() > pagesBefore) {
                published = (System.nanoTime() - killed[0]) / 1e9;
            }
            assertThat(System.nanoTime()).as("the nodes go on after the broker failover").isLessThan(deadline);
            HubJvm.sleep(50);
        }
        HubJvm.sleep(3000); // the health a little after the takeover, too
        watching.set(false);
        watcher.join();
        figures.add(String.format("broker primary SIGKILLed: backup active %.1fs, next batch acknowledged %.1fs, the source's next"
                + " page %.1fs later; jms health on the batch leader: %s", active, acknowledgedNext, published, health));
        // in the gap a check is DOWN, or waits while the client tries the pair, depending on when it falls
        // (both seen); with no broker at all it must be DOWN (noBrokerAtAll)
        assertThat(health.get(health.size() - 1)).as("jms health once the backup is active").startsWith("UP ");
        recordQueueSettings(brokers);
    }

    /** The backup, active now, applies the hub's record-queue settings (broker/broker.properties), as the primary did. */
    private void recordQueueSettings(ArtemisPair brokers) throws Exception {
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

    /** The backup gone as well: no broker answers, and every node says so. */
    private void noBrokerAtAll(ArtemisPair brokers) {
        brokers.backup.kill();
        long killed = System.nanoTime();
        long deadline = killed + Duration.ofSeconds(20).toNanos();
        for (HubJvm node : nodes.values()) {
            String status;
            while (!(status = node.healthStatus("jms")).equals("DOWN")) {
                assertThat(System.nanoTime()).as("jms health with no broker at all (last %s)", status).isLessThan(deadline);
                HubJvm.sleep(200);
            }
        }
        figures.add(String.format("both brokers dead: jms health DOWN on every node %.1fs after the second kill",
                (System.nanoTime() - killed) / 1e9));
    }

    /** Pages the source's leaders logged, on every node running now. */
    private int pages() {
        return nodes.values().stream().mapToInt(n -> n.logged(PAGE.pattern()).size()).sum();
    }

    /** Each node in turn: SIGTERM, start again, ready; deliveries go on meanwhile (the longest pause is reported). */
    private void rollingRestart() {
        AtomicBoolean rolling = new AtomicBoolean(true);
        AtomicInteger longestGapMillis = new AtomicInteger();
        Thread watch = new Thread(() -> {
            long last = acknowledged();
            long lastChange = System.nanoTime();
            while (rolling.get()) {
                long now = acknowledged();
                if (now != last) {
                    longestGapMillis.accumulateAndGet((int) ((System.nanoTime() - lastChange) / 1_000_000), Math::max);
                    last = now;
                    lastChange = System.nanoTime();
                }
                HubJvm.sleep(100);
            }
        }, "rolling-restart-watch");
        long started = System.nanoTime();
        long acknowledgedBefore = acknowledged();
        watch.start();
        try {
            for (String name : List.of("a", "b", "c")) {
                nodes.remove(name).stop();
                HubJvm node = start(name);
                awaitReady(node, Duration.ofSeconds(60));
            }
        } finally {
            rolling.set(false);
        }
        try {
            watch.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        figures.add(String.format("rolling restart of a, b, c: %ds, %d batches acknowledged meanwhile, longest pause between two %.1fs",
                seconds(started), acknowledged() - acknowledgedBefore, longestGapMillis.get() / 1000.0));
        assertThat(acknowledged()).as("batches acknowledged during the rolling restart").isGreaterThan(acknowledgedBefore);
    }

    /** Creates the department, its grant and two subscriptions (webhook to the receiver, feed), through {@code node}. */
    private String subscribe(HubJvm node, WebhookReceiver receiver, FeedReader feed) throws Exception {
        String key = node.post("/api/admin/departments", "{\"id\":\"tax-watch\",\"name\":\"cluster-test department\"}").path("key").asText();
        JsonNode request = node.asDepartment(key, "POST", "/api/share/requests", "{\"resource\":\"GOVHUB-TAX-DECL\","
                + "\"purpose\":\"relief follow-up\",\"fields\":" + CanonicalJson.MAPPER.writeValueAsString(new TreeSet<>(GRANTED)) + "}");
        long grant = node.post("/api/admin/share/requests/" + request.path("request").asLong() + "/approve", "{}").path("grant").asLong();
        JsonNode hook = node.asDepartment(key, "POST", "/api/share/subscriptions", "{\"grant\":" + grant + ",\"channel\":\"WEBHOOK\","
                + "\"from\":\"beginning\",\"endpoint\":\"http://127.0.0.1:" + receiver.port() + "/hook\"}");
        receiver.secret = hook.path("signingSecret").asText();
        feed.subscription = node.asDepartment(key, "POST", "/api/share/subscriptions",
                "{\"grant\":" + grant + ",\"channel\":\"FEED\",\"from\":\"beginning\"}").path("subscription").asText();
        return key;
    }

    private HubJvm start(String name) {
        HubJvm node = launch(name);
        nodes.put(name, node);
        return node;
    }

    private HubJvm launch(String name) {
        int port = HubJvm.freePort();
        Map<String, String> ports = new TreeMap<>(sandboxPorts);
        ports.put("8080", Integer.toString(port));
        Map<String, String> env = ComposeStackIT.onThisMachine(compose.environment("govhub", dotEnv), HUB_DB, DEPARTMENTS_DB, 0, ports);
        try {
            env.putAll(ComposeStackIT.image(dir.resolve("node-" + name), "prod"));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        env.put("GOVHUB_ARTEMIS_URL", brokerUrl);
        env.put("GOVHUB_AUDIT_KEY_PATH", dir.resolve("audit-key/exchange-log-signing-key.pem").toString());
        env.put("SERVER_PORT", Integer.toString(port));
        env.put("GOVHUB_CLUSTER_SERVICE", "zookeeper");
        env.put("GOVHUB_ZOOKEEPER_NODES", zookeeper.getConnectString());
        env.put("GOVHUB_CLUSTER_NODE_ID", "node-" + name);
        env.put("GOVHUB_CLUSTER_ZOOKEEPER_SESSIONTIMEOUT", SESSION_TIMEOUT.toSeconds() + "s");
        // the department's receiver is this test, on plain http
        env.put("GOVHUB_SHARE_WEBHOOK_ALLOWPLAINHTTP", "true");
        // the REST sources and file drops are not part of this test's count
        env.put("GOVHUB_SOURCES_PROVINCIALFILINGS_ENABLED", "false");
        env.put("GOVHUB_SOURCES_CREDITPORTAL_ENABLED", "false");
        return HubJvm.launch("cluster-node-" + name, ComposeStackIT.command(ComposeStackIT.PROD_JAR), env, dir.resolve("node-" + name), port);
    }

    private static void awaitReady(HubJvm node, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!"UP".equals(node.get("/actuator/health/readiness").path("status").asText())) {
            assertThat(System.nanoTime()).as("node ready within %s; log %s", limit, node.logFile).isLessThan(deadline);
            HubJvm.sleep(200);
        }
    }

    /** Namespace to the node id leading it, as {@code node} sees it (GET /api/admin/cluster). */
    private static Map<String, String> leaders(HubJvm node) {
        Map<String, String> leaders = new LinkedHashMap<>();
        for (JsonNode n : node.get("/api/admin/cluster").path("namespaces")) {
            leaders.put(n.path("namespace").asText(), n.path("leader").asText(null));
        }
        return leaders;
    }

    /** "node-b" -> "b". */
    private static String name(String nodeId) {
        assertThat(nodeId).as("a leader").isNotNull().startsWith("node-");
        return nodeId.substring("node-".length());
    }

    /** Until the platform holds every valid record, every hub batch is acknowledged and a few more rounds change nothing. */
    private void awaitAcknowledged(ExactlyOnce expected, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        JdbcTemplate hub = hubDatabase();
        try {
            while (true) {
                Map<String, Long> counts = hub.queryForList("SELECT status, COUNT(*) AS n FROM batch GROUP BY status").stream()
                        .collect(Collectors.toMap(r -> (String) r.get("status"), r -> ((Number) r.get("n")).longValue()));
                long batched = hub.queryForObject("SELECT COUNT(*) FROM batch_record", Long.class);
                if (batched >= expected.valid.size() && counts.keySet().equals(Set.of("ACKNOWLEDGED"))) {
                    HubJvm.sleep(3000);
                    assertThat(hub.queryForObject("SELECT COUNT(*) FROM batch_record", Long.class)).as("records batched later")
                            .isEqualTo(batched);
                    return;
                }
                assertThat(counts).as("batches the platform refused").doesNotContainKey("DEAD");
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("not delivered within " + limit + ": " + batched + " of " + expected.valid.size()
                            + " records batched, batches " + counts);
                }
                HubJvm.sleep(500);
            }
        } finally {
            ExactlyOnce.close(hub);
        }
    }

    private static long acknowledged() {
        JdbcTemplate hub = hubDatabase();
        try {
            return hub.queryForObject("SELECT COUNT(*) FROM batch WHERE status = 'ACKNOWLEDGED'", Long.class);
        } finally {
            ExactlyOnce.close(hub);
        }
    }

    /** The machine's PostgreSQL, the hub database the nodes share. */
    private static JdbcTemplate hubDatabase() {
        try {
            Connection c = DriverManager.getConnection(RealDatabases.POSTGRES_URL.replace("/test", "/" + HUB_DB), RealDatabases.POSTGRES_USER, "");
            return new JdbcTemplate(new SingleConnectionDataSource(c, true));
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Connection departments() throws SQLException {
        return DriverManager.getConnection(RealDatabases.POSTGRES_URL.replace("/test", "/" + DEPARTMENTS_DB), RealDatabases.POSTGRES_USER, "");
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
