package org.govhub.operate;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.govhub.batch.Batches;
import org.govhub.ingest.SourceWatermarks;
import org.govhub.normalise.CanonicalJson;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Operators' read API: batches and their manifests, source watermarks. */
@RestController
@RequestMapping("/api/admin")
public class AdminApiController {

    private final Batches batches;
    private final SourceWatermarks watermarks;

    public AdminApiController(Batches batches, SourceWatermarks watermarks) {
        this.batches = batches;
        this.watermarks = watermarks;
    }

    @GetMapping("/batches")
    public Map<String, Object> batches(@RequestParam(required = false) String status,
            @RequestParam(defaultValue = "100") int limit) {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("counts", batches.countByStatus());
        result.put("batches", batches.list(status, Math.min(limit, 1000)));
        return result;
    }

    @GetMapping("/batches/{batchId}")
    public ResponseEntity<Map<String, Object>> batch(@PathVariable String batchId) {
        return batches.find(batchId).map(row -> {
            Map<String, Object> result = new LinkedHashMap<>(row);
            Object manifest = row.get("manifest");
            result.put("manifest", manifest == null ? null : CanonicalJson.read(manifest.toString()));
            return ResponseEntity.ok(result);
        }).orElse(ResponseEntity.notFound().build());
    }

    @GetMapping("/sources")
    public List<Map<String, Object>> sources() {
        return watermarks.all();
    }
}
