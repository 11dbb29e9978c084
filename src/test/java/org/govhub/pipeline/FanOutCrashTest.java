package org.govhub.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.govhub.SandboxHubTest;
import org.govhub.normalise.CanonicalJson;
import org.govhub.share.PushDelivery;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Fan-out to departments through crashes: a hub JVM is SIGKILLed three times while a webhook
 * subscription and a feed subscription receive the tax declarations, and the webhook's receiver is
 * away for a while in the last run. The receiver (in this JVM, so it outlives the hubs) stores a
 * delivery once by its delivery id, as a department does; the feed reader keeps its own cursor.
 * Both end with every valid declaration exactly once, with only the granted fields.
 */
class FanOutCrashTest {

    private static final Duration START_TO_END = Duration.ofSeconds(150);
    private static final Set<String> GRANTED = Set.of("creditCode", "period", "taxType", "regionCode", "provenance");

    @Test
    @Timeout(600)
    void everySubscriptionGetsEveryGrantedRecordOnceThroughThreeKillsAndAReceiverAway() throws Exception {
        Path dir = SandboxHubTest.newDataDir("govhub-crash-fanout");
        String[] sandbox = ExactlyOnce.sandbox(1500, 0);
        ExactlyOnce expected = new ExactlyOnce(1500, 0);
        Set<String> declarations = expected.valid.stream().filter(k -> k.startsWith("tax-bureau|")).collect(Collectors.toSet());
        WebhookReceiver receiver = new WebhookReceiver();
        FeedReader feed = new FeedReader();
        String key;
        try (HubJvm first = HubJvm.start(dir, "crash-fanout", sandbox)) {
            key = first.post("/api/admin/departments", "{\"id\":\"tax-watch\",\"name\":\"crash-test department\"}").path("key").asText();
            JsonNode request = first.asDepartment(key, "POST", "/api/share/requests", "{\"resource\":\"GOVHUB-TAX-DECL\","
                    + "\"purpose\":\"relief follow-up\",\"fields\":" + CanonicalJson.MAPPER.writeValueAsString(new TreeSet<>(GRANTED)) + "}");
            long grant = first.post("/api/admin/share/requests/" + request.path("request").asLong() + "/approve", "{}").path("grant").asLong();
            JsonNode hook = first.asDepartment(key, "POST", "/api/share/subscriptions", "{\"grant\":" + grant + ",\"channel\":\"WEBHOOK\","
                    + "\"from\":\"beginning\",\"endpoint\":\"http://127.0.0.1:" + receiver.port() + "/hook\"}");
            receiver.secret = hook.path("signingSecret").asText();
            feed.subscription = first.asDepartment(key, "POST", "/api/share/subscriptions",
                    "{\"grant\":" + grant + ",\"channel\":\"FEED\",\"from\":\"beginning\"}").path("subscription").asText();
            receiver.awaitRecords(60, Duration.ofSeconds(90));
            feed.read(first, key, 3, 25);
            first.kill();
        }
        for (int run = 2; run <= 3; run++) {
            try (HubJvm hub = HubJvm.start(dir, "crash-fanout", sandbox)) {
                receiver.awaitRecords(receiver.records() + 100, Duration.ofSeconds(90));
                feed.read(hub, key, 2, 60);
                hub.kill();
            }
        }
        try (HubJvm last = HubJvm.start(dir, "crash-fanout", sandbox)) {
            // the department's receiver is away for a while: the hub retries with back-off and carries on afterwards
            receiver.away.set(true);
            HubJvm.sleep(20_000);
            int refused = receiver.refused.get();
            receiver.away.set(false);
            expected.awaitDelivered(last, START_TO_END);
            receiver.awaitRecords(declarations.size(), START_TO_END);
            feed.read(last, key, 1000, 100);
            // the cursor the reader last passed is committed in the hub: a reader that lost its own starts there
            assertThat(last.asDepartment(key, "GET", "/api/share/subscriptions/" + feed.subscription + "/records?limit=1", null)
                    .path("after").asText()).isEqualTo(feed.committed);
            HubJvm.sleep(3000); // a late repeat would show
            last.stop();
            assertThat(refused).as("attempts refused while the receiver was away").isGreaterThan(0);
        }
        assertThat(receiver.recordIds()).as("webhook records by record id").doesNotHaveDuplicates();
        assertThat(receiver.keys()).as("webhook: every valid declaration once").doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(declarations);
        assertThat(feed.recordIds).as("feed records by record id").doesNotHaveDuplicates();
        assertThat(feed.keys).as("feed: every valid declaration once").doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(declarations);
        assertThat(receiver.fields).isSubsetOf(GRANTED);
        assertThat(feed.fields).isSubsetOf(GRANTED);
        System.out.printf("[fan-out crash] %d declarations; webhook: %d deliveries stored, %d repeated deliveries recognised by delivery id,"
                + " %d refused while away; feed: %d records read%n", declarations.size(), receiver.deliveries.size(),
                receiver.repeats.get(), receiver.refused.get(), feed.keys.size());
    }
}
