package org.govhub.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.govhub.normalise.CanonicalJson;
import org.govhub.share.PushDelivery;

/** A department's webhook receiver (in the test JVM, so it outlives the hubs): checks the signature, stores a delivery once by its delivery id. */
final class WebhookReceiver {
    final HttpServer server;
    volatile String secret;
    final AtomicBoolean away = new AtomicBoolean();
    final AtomicInteger refused = new AtomicInteger();
    final AtomicInteger repeats = new AtomicInteger();
    final Map<String, List<JsonNode>> deliveries = new ConcurrentHashMap<>();
    final Set<String> fields = ConcurrentHashMap.newKeySet();

    WebhookReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/hook", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            int status;
            if (away.get()) {
                refused.incrementAndGet();
                status = 503;
            } else {
                String json = new String(body, java.nio.charset.StandardCharsets.UTF_8);
                String timestamp = exchange.getRequestHeaders().getFirst(PushDelivery.TIMESTAMP);
                String signature = exchange.getRequestHeaders().getFirst(PushDelivery.SIGNATURE);
                String id = exchange.getRequestHeaders().getFirst(PushDelivery.DELIVERY_ID);
                if (secret == null || !("sha256=" + PushDelivery.sign(secret, timestamp, json)).equals(signature)) {
                    status = 401;
                } else {
                    List<JsonNode> records = new ArrayList<>();
                    CanonicalJson.read(json).path("records").forEach(records::add);
                    if (deliveries.putIfAbsent(id, records) != null) {
                        repeats.incrementAndGet();
                    }
                    records.forEach(r -> r.path("record").fieldNames().forEachRemaining(fields::add));
                    status = 200;
                }
            }
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    int records() {
        return deliveries.values().stream().mapToInt(List::size).sum();
    }

    List<String> recordIds() {
        return deliveries.values().stream().flatMap(List::stream).map(r -> r.path("recordId").asText()).toList();
    }

    List<String> keys() {
        return deliveries.values().stream().flatMap(List::stream).map(r -> r.path("record").path("provenance"))
                .map(p -> p.path("sourceId").asText() + "|" + p.path("sourceRecordKey").asText()).toList();
    }

    void awaitRecords(int n, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (records() < n) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the webhook receiver holds " + records() + " records, not " + n + " within " + limit);
            }
            HubJvm.sleep(200);
        }
    }
}
