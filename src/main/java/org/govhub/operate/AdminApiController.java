package org.govhub.operate;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.security.Principal;
import org.govhub.batch.BatchLifecycle;
import org.govhub.batch.Batches;
import org.govhub.deliver.PlatformDelivery;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.PostMapping;
import org.govhub.normalise.CanonicalJson;
import org.govhub.normalise.Quarantine;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Operators' batch API: batches, their manifests and history, a record's trail, re-sending a dead one (sources: {@link SourceController}). */
@RestController
@RequestMapping("/api/admin")
public class AdminApiController {

    private final Batches batches;
    private final BatchLifecycle lifecycle;
    private final PlatformDelivery delivery;
    private final Quarantine quarantine;

    public AdminApiController(Batches batches, BatchLifecycle lifecycle, PlatformDelivery delivery, Quarantine quarantine) {
        this.batches = batches;
        this.lifecycle = lifecycle;
        this.delivery = delivery;
        this.quarantine = quarantine;
    }

    @GetMapping("/batches")
    public Map<String, Object> batches(@RequestParam(required = false) String status,
            @RequestParam(required = false) String schema, @RequestParam(name = "class", required = false) Integer priorityClass,
            @RequestParam(defaultValue = "100") int limit) {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("counts", batches.countByStatus());
        result.put("batches", batches.list(blankToNull(status), blankToNull(schema), priorityClass, Math.min(Math.max(limit, 1), 1000)));
        return result;
    }

    @GetMapping("/batches/{batchId}")
    public ResponseEntity<Map<String, Object>> batch(@PathVariable String batchId) {
        return batches.find(batchId).map(row -> {
            Map<String, Object> result = new LinkedHashMap<>(row);
            Object manifest = row.get("manifest");
            result.put("manifest", manifest == null ? null : CanonicalJson.read(manifest.toString()));
            result.put("history", lifecycle.history(batchId));
            return ResponseEntity.ok(result);
        }).orElse(ResponseEntity.notFound().build());
    }

    /**
     * A record's trail, by the source that handed it over and its key there: every version batched
     * (provenance, batch, receipt) and every quarantine entry; a key the hub never saw answers 404.
     */
    @GetMapping("/records")
    public ResponseEntity<Map<String, Object>> record(@RequestParam String source, @RequestParam String key) {
        List<Map<String, Object>> versions = batches.versions(source, key);
        List<Map<String, Object>> quarantined = quarantine.entriesFor(source, key);
        if (versions.isEmpty() && quarantined.isEmpty()) {
            return ResponseEntity.status(HttpStatus.NOT_FOUND).body(Map.of("error", "Not Found",
                    "message", "source " + source + " handed over no record with this key that the hub batched or quarantined"));
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("source", source);
        result.put("key", key);
        result.put("versions", versions);
        result.put("quarantine", quarantined);
        return ResponseEntity.ok(result);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    /** Who is logged in and with which role: the console shows each role only what it may do. */
    @GetMapping("/me")
    public Map<String, Object> me(org.springframework.security.core.Authentication who) {
        return Map.of("user", who.getName(), "roles", who.getAuthorities().stream()
                .map(a -> a.getAuthority().replaceFirst("^ROLE_", "").toLowerCase(java.util.Locale.ROOT)).sorted().toList());
    }

    /** Re-sends a dead batch (after its cause was fixed): it is retried at once with fresh attempts. */
    @PostMapping("/batches/{batchId}/resend")
    public ResponseEntity<Map<String, Object>> resend(@PathVariable String batchId, Principal operator) {
        if (batches.find(batchId).isEmpty()) {
            return ResponseEntity.notFound().build();
        }
        if (!delivery.resend(batchId, operator.getName())) {
            return ResponseEntity.status(HttpStatus.CONFLICT).body(Map.of("error", "Conflict",
                    "message", "only a DEAD batch can be re-sent; batch " + batchId + " is "
                            + batches.find(batchId).map(b -> b.get("status")).orElse("gone")));
        }
        return batch(batchId);
    }
}
