package org.govhub.operate;

import java.security.Principal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.govhub.ingest.SourceTrial;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Deploying a source while the hub runs (integrators; docs/deploy-a-source.md): upload its route and
 * mapping files and settings as a new version (checked as check-files checks them, refused with every
 * problem otherwise), test its connection and preview its rows, activate it, roll back, remove it.
 * Settings' secret values are never answered back.
 */
@RestController
@RequestMapping("/api/admin/sources/{sourceId}")
public class SourceVersionsController {

    private final SourceDeployments deployments;
    private final SourceTrial trial;

    public SourceVersionsController(SourceDeployments deployments, SourceTrial trial) {
        this.deployments = deployments;
        this.trial = trial;
    }

    /** Body: {@code {"routeFile": "city-tax-source.yaml", "route": "...", "mapping": "...", "settings": {"url": ...}, "reason": "..."}}. */
    @PostMapping("/versions")
    public ResponseEntity<Map<String, Object>> upload(@PathVariable String sourceId, @RequestBody Map<String, Object> body, Principal by) {
        String reason = text(body.get("reason"));
        if (reason == null) {
            return problem(HttpStatus.BAD_REQUEST, "say why in 'reason': it is kept with the version", List.of());
        }
        Map<String, String> settings = new TreeMap<>();
        if (body.get("settings") instanceof Map<?, ?> given) {
            given.forEach((k, v) -> settings.put(String.valueOf(k), v == null ? null : String.valueOf(v)));
        } else if (body.get("settings") != null) {
            return problem(HttpStatus.BAD_REQUEST, "'settings' is an object of property names and values", List.of());
        }
        SourceDeployments.Unit unit = new SourceDeployments.Unit(text(body.get("routeFile")), string(body.get("route")),
                string(body.get("mapping")), settings);
        SourceDeployments.Checked checked = deployments.upload(sourceId, unit, by.getName(), reason);
        if (!checked.problems().isEmpty()) {
            return problem(HttpStatus.UNPROCESSABLE_ENTITY, checked.problems().size() + " problem(s): nothing was kept and what runs is unchanged",
                    checked.problems());
        }
        return ResponseEntity.status(HttpStatus.CREATED).body(view(checked.version()));
    }

    /** Every version (who, when, why), the activations, roll backs and removals, and what runs. */
    @GetMapping("/versions")
    public Map<String, Object> versions(@PathVariable String sourceId) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("source", sourceId);
        v.put("active", deployments.active(sourceId).map(SourceDeployments.Version::version).orElse(null));
        v.put("runningHere", deployments.runningHere(sourceId));
        v.put("versions", deployments.versions(sourceId));
        v.put("history", deployments.history(sourceId));
        return v;
    }

    @GetMapping("/versions/{version}")
    public ResponseEntity<Map<String, Object>> version(@PathVariable String sourceId, @PathVariable int version) {
        return deployments.version(sourceId, version).map(v -> ResponseEntity.ok(view(v))).orElse(ResponseEntity.notFound().build());
    }

    /** Reaches the source with the version's settings, step by step, taking no rows (ok false is still an answer, 200). */
    @PostMapping("/versions/{version}/connection-test")
    public ResponseEntity<?> connectionTest(@PathVariable String sourceId, @PathVariable int version) {
        return deployments.version(sourceId, version).<ResponseEntity<?>>map(v -> ResponseEntity.ok(trial.testConnection(deployments.candidate(v))))
                .orElse(ResponseEntity.notFound().build());
    }

    /**
     * The version's mapping and validation on the first {@code rows} rows of the live source ({@code from=mark}: from the
     * source's mark; {@code file}: an FTP file), row by row, personal data masked; nothing published, no mark moved.
     */
    @PostMapping("/versions/{version}/preview")
    public ResponseEntity<?> preview(@PathVariable String sourceId, @PathVariable int version,
            @RequestParam(defaultValue = "20") int rows, @RequestParam(required = false) String from,
            @RequestParam(required = false) String file) {
        SourceDeployments.Version v = deployments.version(sourceId, version).orElse(null);
        if (v == null) {
            return ResponseEntity.notFound().build();
        }
        try {
            return ResponseEntity.ok(trial.preview(deployments.candidate(v), rows, from, file));
        } catch (IllegalArgumentException e) {
            return problem(HttpStatus.BAD_REQUEST, e.getMessage(), List.of());
        } catch (IllegalStateException e) {
            return problem(HttpStatus.BAD_GATEWAY, "the source could not be read: " + e.getMessage(), List.of());
        }
    }

    /** Body: {@code {"reason": "..."}}. The version runs from now on, on every node, going on from the source's mark. */
    @PostMapping("/versions/{version}/activate")
    public ResponseEntity<Map<String, Object>> activate(@PathVariable String sourceId, @PathVariable int version,
            @RequestBody Map<String, Object> body, Principal by) {
        return step(body, reason -> view(deployments.activate(sourceId, version, "ACTIVATE", by.getName(), reason)));
    }

    /** Body: {@code {"version": 2, "reason": "..."}}; without a version, back to the one that ran before. */
    @PostMapping("/rollback")
    public ResponseEntity<Map<String, Object>> rollback(@PathVariable String sourceId, @RequestBody Map<String, Object> body, Principal by) {
        Integer to;
        try {
            to = body.get("version") == null ? null : Integer.valueOf(String.valueOf(body.get("version")));
        } catch (NumberFormatException e) {
            return problem(HttpStatus.BAD_REQUEST, "'version' is a version number", List.of());
        }
        return step(body, reason -> view(deployments.rollback(sourceId, to, by.getName(), reason)));
    }

    /** Body: {@code {"reason": "..."}}. The source stops and its routes go, on every node; its mark, quarantine and versions stay. */
    @PostMapping("/remove")
    public ResponseEntity<Map<String, Object>> remove(@PathVariable String sourceId, @RequestBody Map<String, Object> body, Principal by) {
        return step(body, reason -> {
            deployments.remove(sourceId, by.getName(), reason);
            return Map.of("source", sourceId, "removed", true);
        });
    }

    private ResponseEntity<Map<String, Object>> step(Map<String, Object> body, java.util.function.Function<String, Map<String, Object>> step) {
        String reason = text(body.get("reason"));
        if (reason == null) {
            return problem(HttpStatus.BAD_REQUEST, "say why in 'reason': it is kept with the change", List.of());
        }
        try {
            return ResponseEntity.ok(step.apply(reason));
        } catch (SourceDeployments.Refused e) {
            return problem(HttpStatus.CONFLICT, e.getMessage(), List.of());
        }
    }

    /** A version as answered: its files, and its settings with secret values hidden. */
    static Map<String, Object> view(SourceDeployments.Version v) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("source", v.sourceId());
        m.put("version", v.version());
        m.put("routeFile", v.routeFile());
        m.put("mappingId", v.mappingId());
        m.put("filesSha256", v.filesSha256());
        m.put("reason", v.reason());
        m.put("by", v.by());
        m.put("at", v.at().toString());
        Map<String, String> settings = new TreeMap<>();
        v.settings().forEach((k, value) -> settings.put(k, SettingsSealing.hidden(k, value)));
        m.put("settings", settings);
        m.put("route", v.route());
        m.put("mapping", v.mapping());
        return m;
    }

    private static String text(Object o) {
        return o == null || String.valueOf(o).isBlank() ? null : String.valueOf(o).strip();
    }

    private static String string(Object o) {
        return o == null ? null : String.valueOf(o);
    }

    private static ResponseEntity<Map<String, Object>> problem(HttpStatus status, String message, List<String> problems) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("error", status.getReasonPhrase());
        m.put("message", message);
        if (!problems.isEmpty()) {
            m.put("problems", problems);
        }
        return ResponseEntity.status(status).body(m);
    }
}
