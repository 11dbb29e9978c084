package org.govhub.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.govhub.normalise.CanonicalJson;
import org.govhub.share.PushDelivery;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/**
 * What the simulated departments received ({@code GET /sandbox/departments/{department}/received}),
 * and their webhook receivers, {@code POST /sandbox/departments/{department}/webhook}:
 * each checks the signature with the subscription's secret and the timestamp (at most 5 minutes
 * old), stores a delivery once by its delivery id (a repeat is answered 200 and not stored again),
 * and can be taken down ({@link #down}) to show retries and back-off.
 */
@RestController
@ConditionalOnSandbox
public class DepartmentWebhookSandbox {

    /** A record as a department stored it. */
    public record Received(String deliveryId, String recordId, JsonNode record) {
    }

    private final Map<String, String> secrets = new ConcurrentHashMap<>();
    private final JdbcTemplate hub;

    public DepartmentWebhookSandbox(JdbcTemplate hub) {
        this.hub = hub;
    }

    /** The secret the department kept when it subscribed; the sandbox stands in for it and reads it where the hub keeps it. */
    private String secretOf(String subscriptionId) {
        return secrets.computeIfAbsent(subscriptionId, id -> hub.queryForList(
                "SELECT signing_secret FROM subscription WHERE subscription_id = ?", String.class, id).stream().findFirst().orElse(null));
    }
    private final Map<String, List<Received>> received = new ConcurrentHashMap<>();
    private final Map<String, Boolean> deliveries = new ConcurrentHashMap<>();
    private final Map<String, Boolean> down = new ConcurrentHashMap<>();
    private final Map<String, Boolean> refusing = new ConcurrentHashMap<>();
    private final AtomicInteger attempts = new AtomicInteger();

    /** The subscription's signing secret, as the department keeps it after subscribing. */
    public void trust(String subscriptionId, String secret) {
        secrets.put(subscriptionId, secret);
    }

    /** Takes a department's receiver down (503 to everything) or brings it back. */
    public void down(String department, boolean isDown) {
        down.put(department, isDown);
    }

    /** Makes a department's receiver refuse every delivery (422, a department rejecting the content) or accept again. */
    public void refuse(String department, boolean isRefusing) {
        refusing.put(department, isRefusing);
    }

    public List<Received> received(String department) {
        return List.copyOf(received.getOrDefault(department, List.of()));
    }

    public int attempts() {
        return attempts.get();
    }

    @PostMapping("/sandbox/departments/{department}/webhook")
    public ResponseEntity<Map<String, Object>> receive(@PathVariable String department, @RequestBody byte[] body,
            @RequestHeader(value = PushDelivery.DELIVERY_ID, required = false) String deliveryId,
            @RequestHeader(value = PushDelivery.TIMESTAMP, required = false) String timestamp,
            @RequestHeader(value = PushDelivery.SIGNATURE, required = false) String signature) {
        attempts.incrementAndGet();
        if (down.getOrDefault(department, false)) {
            return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).build();
        }
        if (refusing.getOrDefault(department, false)) {
            return ResponseEntity.status(HttpStatus.UNPROCESSABLE_ENTITY).body(Map.of("error", "refused by the department"));
        }
        String json = new String(body, StandardCharsets.UTF_8);
        JsonNode delivery;
        try {
            delivery = CanonicalJson.read(json);
        } catch (IllegalArgumentException e) {
            return ResponseEntity.badRequest().body(Map.of("error", "not JSON"));
        }
        String secret = secretOf(delivery.path("subscription").asText());
        if (secret == null || timestamp == null || signature == null || deliveryId == null) {
            return ResponseEntity.status(HttpStatus.UNAUTHORIZED).body(Map.of("error", "unknown subscription or unsigned"));
        }
        String expected = "sha256=" + PushDelivery.sign(secret, timestamp, json);
        if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII), signature.getBytes(StandardCharsets.US_ASCII))) {
            return ResponseEntity.status(HttpStatus.UNAUTHORIZED).body(Map.of("error", "signature does not match"));
        }
        if (Math.abs(Instant.now().getEpochSecond() - Long.parseLong(timestamp)) > 300) {
            return ResponseEntity.status(HttpStatus.UNAUTHORIZED).body(Map.of("error", "timestamp too old: a replay?"));
        }
        if (deliveries.putIfAbsent(deliveryId, true) == null) {
            store(department, deliveryId, delivery.path("records"));
        }
        return ResponseEntity.ok(Map.of("deliveryId", deliveryId));
    }

    /** Keeps records a department received (by webhook, or read from its feed). */
    void store(String department, String deliveryId, JsonNode items) {
        List<Received> records = new ArrayList<>();
        items.forEach(r -> records.add(new Received(deliveryId, r.path("recordId").asText(), r.path("record"))));
        received.computeIfAbsent(department, d -> java.util.Collections.synchronizedList(new ArrayList<>())).addAll(records);
    }

    @GetMapping("/sandbox/departments/{department}/received")
    public Map<String, Object> shown(@PathVariable String department) {
        List<Received> records = received(department);
        return Map.of("department", department, "records", records.size(),
                "latest", records.subList(Math.max(0, records.size() - 20), records.size()));
    }
}
