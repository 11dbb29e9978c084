package org.govhub.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.io.BufferedReader;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.govhub.GovHubApplication;
import org.govhub.normalise.CanonicalJson;
import org.govhub.sandbox.NationalPlatformReceiver;
import org.govhub.share.DepartmentAccounts;
import org.govhub.share.GrantTerms;
import org.govhub.share.ShareRequests;
import org.govhub.share.Subscriptions;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Fan-out to departments, on demand:
 *
 * <pre>./mvnw -q test-compile exec:exec@fanout-benchmark -Dbench.records=100000</pre>
 *
 * Three runs of a hub on N sandbox tax declarations, one after the other, each on a fresh data
 * directory: (1) the platform only; (2) three subscriptions of the same unconditional-style grant
 * (all fields, persons masked) on the three channels: a feed read by a loop in this JVM, a webhook
 * received by an HTTP server in this JVM, an AMQP queue read by the Python qpid-proton client of the
 * tests; (3) the same three plus two dead subscribers: a webhook that accepts connections and never
 * answers, and an AMQP queue nobody reads. It prints, per run, the platform path (records/s from the
 * hub's start, and sealed-to-acknowledged latency of its batches, p50/p99) and each subscription's
 * records/s until it held every valid record. The subscribers' own work (JSON parsing, the Python
 * client) runs on the same two cores as the hub.
 */
public final class FanOutBenchmark {

    private FanOutBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int records = Integer.getInteger("bench.records", 100_000);
        List<String> lines = new ArrayList<>();
        lines.add(run("platform only", records, false, false));
        lines.add(run("3 subscriptions (feed, webhook, AMQP)", records, true, false));
        lines.add(run("3 subscriptions + a hanging webhook + an unread AMQP queue", records, true, true));
        System.out.println("\n=== fan-out benchmark, " + records + " tax declarations, " + Machine.cores() + " cores, Java "
                + System.getProperty("java.version") + " ===");
        lines.forEach(System.out::println);
        System.exit(0);
    }

    private static String run(String name, int records, boolean subscribers, boolean dead) throws Exception {
        Path dir = Files.createTempDirectory("govhub-fanout-bench");
        System.gc();
        long started = System.nanoTime();
        try (ConfigurableApplicationContext hub = new SpringApplicationBuilder(GovHubApplication.class).run(
                "--server.port=0", "--govhub.data-dir=" + dir, "--govhub.security.admin-password=Bench-mark-2026",
                "--govhub.sandbox.tax-bureau.rows=" + records, "--govhub.sandbox.credit-reference.rows=0",
                "--govhub.batch.max-records=1000", "--govhub.batch.max-age=2s",
                "--logging.level.org.govhub=WARN", "--logging.level.org.apache.camel=WARN")) {
            long ready = System.nanoTime();
            JdbcTemplate jdbc = hub.getBean(JdbcTemplate.class);
            NationalPlatformReceiver platform = hub.getBean(NationalPlatformReceiver.class);
            int port = Integer.parseInt(hub.getEnvironment().getProperty("local.server.port"));
            Map<String, Long> done = new LinkedHashMap<>();
            List<AutoCloseable> closers = new ArrayList<>();
            Map<String, AtomicLong> counts = new LinkedHashMap<>();
            if (subscribers) {
                String key = department(hub, "bench-dept");
                long grant = grant(hub, "bench-dept");
                Subscriptions subscriptions = hub.getBean(Subscriptions.class);
                // feed: a reader that keeps its cursor, 1,000 records a call
                String feed = (String) subscriptions.create("bench-dept", grant, Subscriptions.Channel.FEED, null, "beginning").get("subscription");
                AtomicLong feedCount = new AtomicLong();
                AtomicBoolean stop = new AtomicBoolean();
                Thread reader = new Thread(() -> readFeed(port, key, feed, feedCount, stop), "bench-feed-reader");
                reader.start();
                closers.add(() -> {
                    stop.set(true);
                    reader.join();
                });
                counts.put("feed", feedCount);
                // webhook: an HTTP server that counts the records of each delivery once
                AtomicLong hookCount = new AtomicLong();
                HttpServer receiver = receiver(hookCount, false);
                closers.add(() -> receiver.stop(0));
                subscriptions.create("bench-dept", grant, Subscriptions.Channel.WEBHOOK,
                        "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook", "beginning");
                counts.put("webhook", hookCount);
                // AMQP: the tests' Python client, its output counted as it comes
                Map<String, Object> amqp = subscriptions.create("bench-dept", grant, Subscriptions.Channel.AMQP, null, "beginning");
                JsonNode broker = CanonicalJson.MAPPER.valueToTree(amqp.get("broker"));
                AtomicLong amqpCount = new AtomicLong();
                Process python = python(broker.path("url").asText(), org.govhub.share.PythonAmqpClient.loginOf(key), key, broker.path("queue").asText(), amqpCount, closers);
                closers.add(python::destroyForcibly);
                counts.put("AMQP", amqpCount);
                if (dead) {
                    department(hub, "dead-dept");
                    long deadGrant = grant(hub, "dead-dept");
                    HttpServer hanging = receiver(new AtomicLong(), true);
                    closers.add(() -> hanging.stop(0));
                    subscriptions.create("dead-dept", deadGrant, Subscriptions.Channel.WEBHOOK,
                            "http://127.0.0.1:" + hanging.getAddress().getPort() + "/hook", "beginning");
                    subscriptions.create("dead-dept", deadGrant, Subscriptions.Channel.AMQP, null, "beginning");
                }
            }
            long valid = -1;
            long deadline = System.nanoTime() + Duration.ofHours(1).toNanos();
            while (System.nanoTime() < deadline) {
                long quarantined = jdbc.queryForObject("SELECT COUNT(*) FROM quarantine", Long.class);
                long atPlatform = platform.receivedCount("tax-bureau");
                if (valid < 0 && atPlatform + quarantined == records) {
                    valid = atPlatform;
                    done.put("platform", System.nanoTime());
                }
                for (var e : counts.entrySet()) {
                    if (valid > 0 && !done.containsKey(e.getKey()) && e.getValue().get() >= valid) {
                        done.put(e.getKey(), System.nanoTime());
                    }
                }
                if (done.size() == 1 + counts.size()) {
                    break;
                }
                Thread.sleep(200);
            }
            List<Long> latencies = new ArrayList<>();
            jdbc.query("SELECT sealed_at, acknowledged_at FROM batch WHERE acknowledged_at IS NOT NULL", rs -> {
                latencies.add(Duration.between(((Timestamp) rs.getTimestamp(1)).toInstant(), rs.getTimestamp(2).toInstant()).toMillis());
            });
            latencies.sort(Long::compare);
            StringBuilder line = new StringBuilder(String.format("%-58s start %4.1f s; platform %,6.0f rec/s, sealed->acknowledged p50 %,d ms p99 %,d ms (%d batches)",
                    name, (ready - started) / 1e9, valid / ((done.getOrDefault("platform", System.nanoTime()) - ready) / 1e9),
                    percentile(latencies, 50), percentile(latencies, 99), latencies.size()));
            for (var e : counts.entrySet()) {
                Long end = done.get(e.getKey());
                line.append(end == null ? String.format("; %s: %,d of %,d (unfinished)", e.getKey(), e.getValue().get(), valid)
                        : String.format("; %s %,6.0f rec/s", e.getKey(), valid / ((end - ready) / 1e9)));
            }
            for (AutoCloseable c : closers) {
                c.close();
            }
            System.out.println("[fan-out] " + line);
            return line.toString();
        }
    }

    private static long percentile(List<Long> sorted, int p) {
        return sorted.isEmpty() ? -1 : sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }

    private static String department(ConfigurableApplicationContext hub, String id) {
        DepartmentAccounts accounts = hub.getBean(DepartmentAccounts.class);
        accounts.create(id, "benchmark department");
        return accounts.issueKey(id).key();
    }

    /** All fields of the tax resource, approved as asked. */
    private static long grant(ConfigurableApplicationContext hub, String department) {
        ShareRequests requests = hub.getBean(ShareRequests.class);
        Map<String, Object> asked = requests.request(department, "GOVHUB-TAX-DECL", "benchmark of the fan-out", GrantTerms.all());
        return ((Number) requests.approve(((Number) asked.get("request")).longValue(), "benchmark", same -> same).get("grant")).longValue();
    }

    private static void readFeed(int port, String key, String subscription, AtomicLong count, AtomicBoolean stop) {
        HttpClient http = HttpClient.newHttpClient();
        String cursor = null;
        while (!stop.get()) {
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port
                        + "/api/share/subscriptions/" + subscription + "/records?limit=1000" + (cursor == null ? "" : "&after=" + cursor)))
                        .header("X-Api-Key", key).build(), HttpResponse.BodyHandlers.ofString());
                JsonNode page = CanonicalJson.read(response.body());
                count.addAndGet(page.path("records").size());
                cursor = page.path("next").asText();
                if (page.path("records").isEmpty()) {
                    Thread.sleep(500);
                }
            } catch (Exception e) {
                if (stop.get()) {
                    return;
                }
                // a failed read is the benchmark's to see, not to hide: say so and try again shortly
                System.out.println("[fan-out] feed read failed: " + e);
                try {
                    Thread.sleep(500);
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
    }

    private static HttpServer receiver(AtomicLong count, boolean hang) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newFixedThreadPool(4));
        java.util.Set<String> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();
        server.createContext("/hook", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            if (hang) {
                try {
                    Thread.sleep(120_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            } else if (seen.add(exchange.getRequestHeaders().getFirst("X-GovHub-Delivery"))) {
                count.addAndGet(CanonicalJson.read(new String(body, java.nio.charset.StandardCharsets.UTF_8)).path("recordCount").asLong());
            }
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.start();
        return server;
    }

    private static Process python(String url, String user, String key, String queue, AtomicLong count, List<AutoCloseable> closers)
            throws Exception {
        Path script = Path.of(FanOutBenchmark.class.getClassLoader().getResource("amqp/consume.py").toURI());
        Process p = new ProcessBuilder("/usr/bin/python3", script.toString(), url, user, key, queue, "3600")
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        Thread counter = new Thread(() -> {
            try (BufferedReader out = p.inputReader()) {
                for (String line; (line = out.readLine()) != null; ) {
                    count.addAndGet(CanonicalJson.read(line).path("body").path("recordCount").asLong());
                }
            } catch (java.io.IOException e) {
                // the process was stopped at the end of the run
            }
        }, "bench-amqp-counter");
        counter.start();
        return p;
    }
}
