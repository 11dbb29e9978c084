package org.govhub.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.govhub.normalise.CanonicalJson;
import org.govhub.share.DepartmentAccounts;
import org.govhub.share.GrantTerms;
import org.govhub.share.ShareRequests;
import org.govhub.share.Subscriptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * Three simulated departments, set up on the first start, so that the sandbox shows sharing at work:
 * the market-regulation bureau receives enterprise filings on a webhook (unconditional, four
 * fields); the human-resources department pulls Nanchang's tax declarations from a feed every few
 * seconds (conditional, approved by the sandbox); the statistics bureau has credit events, persons
 * masked, on an AMQP queue for any AMQP client (nothing in the sandbox reads it, so its queue shows
 * the bounded backlog). Their API keys are kept in {@code data/sandbox/departments.json}.
 */
@Component
@ConditionalOnSandbox
@ConditionalOnProperty(name = "govhub.sandbox.departments.enabled", havingValue = "true", matchIfMissing = true)
public class SandboxDepartments {

    private static final Logger log = LoggerFactory.getLogger(SandboxDepartments.class);
    static final String MARKET = "market-regulation";
    static final String HR = "human-resources";
    static final String STATISTICS = "statistics-bureau";

    private final DepartmentAccounts accounts;
    private final ShareRequests requests;
    private final Subscriptions subscriptions;
    private final DepartmentWebhookSandbox received;
    private final Environment environment;
    private final Path keys;
    private final Path cursor;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private ScheduledExecutorService puller;

    public SandboxDepartments(DepartmentAccounts accounts, ShareRequests requests, Subscriptions subscriptions,
            DepartmentWebhookSandbox received, Environment environment, @Value("${govhub.data-dir}") Path dataDir) {
        this.accounts = accounts;
        this.requests = requests;
        this.subscriptions = subscriptions;
        this.received = received;
        this.environment = environment;
        this.keys = dataDir.resolve("sandbox").resolve("departments.json");
        this.cursor = dataDir.resolve("sandbox").resolve("human-resources.cursor");
    }

    @EventListener(ApplicationReadyEvent.class)
    public void start() throws IOException {
        String port = environment.getProperty("local.server.port", environment.getProperty("server.port", "8080"));
        if (!accounts.exists(MARKET)) {
            seed("http://localhost:" + port);
        }
        JsonNode saved = CanonicalJson.read(Files.readString(keys));
        String hrKey = saved.path(HR).path("key").asText();
        String feed = saved.path(HR).path("subscription").asText();
        puller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sandbox-human-resources-feed");
            t.setDaemon(true);
            return t;
        });
        puller.scheduleWithFixedDelay(() -> pull("http://localhost:" + port, hrKey, feed), 5, 5, TimeUnit.SECONDS);
    }

    private void seed(String hub) throws IOException {
        ObjectNode saved = CanonicalJson.MAPPER.createObjectNode();
        accounts.create(MARKET, "江西省市场监督管理局 (market regulation)");
        long filings = grant(requests.request(MARKET, "GOVHUB-ENT-FILING", "市场主体复工复产监测",
                new GrantTerms(List.of("creditCode", "enterpriseName", "regionCode", "status"), null, null, null)));
        Map<String, Object> hook = subscriptions.create(MARKET, filings, Subscriptions.Channel.WEBHOOK,
                hub + "/sandbox/departments/" + MARKET + "/webhook", "beginning");
        keep(saved, MARKET, accounts.issueKey(MARKET).key(), (String) hook.get("subscription"));

        accounts.create(HR, "江西省人力资源和社会保障厅就业促进处 (human resources)");
        Map<String, Object> asked = requests.request(HR, "GOVHUB-TAX-DECL", "稳岗返还与就业补贴审核 (employment subsidies)",
                new GrantTerms(List.of("creditCode", "enterpriseName", "period", "taxType", "deferralGranted", "regionCode"),
                        List.of("3601"), null, null));
        long tax = grant(requests.approve(((Number) asked.get("request")).longValue(), "sandbox", same -> same));
        Map<String, Object> feed = subscriptions.create(HR, tax, Subscriptions.Channel.FEED, null, "beginning");
        keep(saved, HR, accounts.issueKey(HR).key(), (String) feed.get("subscription"));

        accounts.create(STATISTICS, "江西省统计局 (statistics)");
        Map<String, Object> credit = requests.request(STATISTICS, "GOVHUB-CREDIT", "疫情相关信用事件统计 (statistics)",
                new GrantTerms(List.of("subjectType", "subjectId", "subjectName", "recordType", "amountFen", "regionCode"), null, null, null));
        long creditGrant = grant(requests.approve(((Number) credit.get("request")).longValue(), "sandbox", same -> same));
        try {
            Map<String, Object> amqp = subscriptions.create(STATISTICS, creditGrant, Subscriptions.Channel.AMQP, null, "beginning");
            keep(saved, STATISTICS, accounts.issueKey(STATISTICS).key(), (String) amqp.get("subscription"));
        } catch (IllegalArgumentException brokerChannelOff) {
            keep(saved, STATISTICS, accounts.issueKey(STATISTICS).key(), null);
        }
        Files.createDirectories(keys.getParent());
        Files.writeString(keys, CanonicalJson.write(saved));
        log.info("sandbox departments {}, {} and {} set up; their API keys are in {}", MARKET, HR, STATISTICS, keys);
    }

    private static long grant(Map<String, Object> request) {
        return ((Number) request.get("grant")).longValue();
    }

    private static void keep(ObjectNode saved, String department, String key, String subscription) {
        ObjectNode d = saved.putObject(department);
        d.put("key", key);
        d.put("subscription", subscription);
    }

    /** The human-resources department's reader: the next page after the cursor it keeps on disk. */
    private void pull(String hub, String key, String subscription) {
        try {
            String after = Files.exists(cursor) ? Files.readString(cursor).strip() : "";
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(hub + "/api/share/subscriptions/" + subscription
                    + "/records?limit=200" + (after.isEmpty() ? "" : "&after=" + after))).header("X-Api-Key", key)
                    .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                log.warn("sandbox {} feed answered {}: {}", HR, response.statusCode(), response.body());
                return;
            }
            JsonNode page = CanonicalJson.read(response.body());
            received.store(HR, "feed " + after, page.path("records"));
            Files.writeString(cursor, page.path("next").asText());
        } catch (IOException e) {
            log.warn("sandbox {} feed not read: {}", HR, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @jakarta.annotation.PreDestroy
    void stop() {
        if (puller != null) {
            puller.shutdownNow();
        }
    }
}
