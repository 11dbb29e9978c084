package org.govhub.operate;

import java.security.Principal;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.govhub.ingest.SourceMarkChanges;
import org.govhub.ingest.SourceMarks;
import org.govhub.ingest.SourcePauses;
import org.govhub.normalise.Converters;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The sources for operators: each one's state as health sees it (UP, or DOWN with the reason), its
 * mark, and the mark's moves; an operator can rewind a mark to a time or skip one item, pause a source
 * and resume it, and every such change is recorded with who, when, from, to and why.
 */
@RestController
@RequestMapping("/api/admin/sources")
public class SourceController {

    private final SourcesHealth health;
    private final List<SourceMarks> marks;
    private final SourceMarkChanges changes;
    private final SourcePauses pauses;
    private final SourceDeployments deployments;

    public SourceController(SourcesHealth health, List<SourceMarks> marks, SourceMarkChanges changes, SourcePauses pauses,
            SourceDeployments deployments) {
        this.health = health;
        this.marks = marks;
        this.changes = changes;
        this.pauses = pauses;
        this.deployments = deployments;
    }

    @GetMapping
    public List<Map<String, Object>> sources() {
        List<Map<String, Object>> result = new ArrayList<>();
        health.forEach(named -> result.add(view(named.getName(), false)));
        return result;
    }

    @GetMapping("/{sourceId}")
    public ResponseEntity<Map<String, Object>> source(@PathVariable String sourceId) {
        if (health.getContributor(sourceId) == null) {
            return ResponseEntity.notFound().build();
        }
        return ResponseEntity.ok(view(sourceId, true));
    }

    /** Body: {@code {"to": "2020-04-01T00:00:00+08:00", "reason": "..."}}; the next pull takes everything changed since. */
    @PostMapping("/{sourceId}/mark/rewind")
    public ResponseEntity<Map<String, Object>> rewind(@PathVariable String sourceId, @RequestBody Map<String, String> body,
            Principal operator) {
        OffsetDateTime to;
        try {
            to = Converters.dateTime(String.valueOf(body.get("to")));
        } catch (RuntimeException e) {
            return problem(HttpStatus.BAD_REQUEST, "'to' must be a date and time: " + e.getMessage());
        }
        return move(sourceId, "REWIND", body, operator, m -> m.rewind(sourceId, to));
    }

    /** Body: {@code {"key": "<the item's id or record key>", "reason": "..."}}. */
    @PostMapping("/{sourceId}/mark/skip")
    public ResponseEntity<Map<String, Object>> skip(@PathVariable String sourceId, @RequestBody Map<String, String> body,
            Principal operator) {
        String key = body.get("key");
        if (key == null || key.isBlank()) {
            return problem(HttpStatus.BAD_REQUEST, "'key' names the item to skip");
        }
        return move(sourceId, "SKIP", body, operator, m -> m.skip(sourceId, key.strip()));
    }

    /**
     * Body: {@code {"reason": "..."}}. The source's routes stop once the unit under way is done, and stay
     * stopped across restarts until it is resumed; its mark and quarantine stay as they are.
     */
    @PostMapping("/{sourceId}/pause")
    public ResponseEntity<Map<String, Object>> pause(@PathVariable String sourceId, @RequestBody Map<String, String> body,
            Principal operator) throws Exception {
        return pauseOrResume(sourceId, body, operator, true);
    }

    /** Body: {@code {"reason": "..."}}. The source's routes start again and it goes on from its mark. */
    @PostMapping("/{sourceId}/resume")
    public ResponseEntity<Map<String, Object>> resume(@PathVariable String sourceId, @RequestBody Map<String, String> body,
            Principal operator) throws Exception {
        return pauseOrResume(sourceId, body, operator, false);
    }

    private ResponseEntity<Map<String, Object>> pauseOrResume(String sourceId, Map<String, String> body, Principal operator,
            boolean pause) throws Exception {
        if (health.getContributor(sourceId) == null || !pauses.knows(sourceId)) {
            return ResponseEntity.notFound().build();
        }
        String reason = body.get("reason");
        if (reason == null || reason.isBlank()) {
            return problem(HttpStatus.BAD_REQUEST, "say why in 'reason': it is kept with the change");
        }
        boolean changed = pause ? pauses.pause(sourceId, operator.getName(), reason.strip())
                : pauses.resume(sourceId, operator.getName(), reason.strip());
        if (!changed) {
            return problem(HttpStatus.CONFLICT, "source " + sourceId + " is " + (pause ? "paused already" : "not paused"));
        }
        return ResponseEntity.ok(view(sourceId, true));
    }

    private ResponseEntity<Map<String, Object>> move(String sourceId, String action, Map<String, String> body, Principal operator,
            java.util.function.Function<SourceMarks, SourceMarks.Move> change) {
        if (health.getContributor(sourceId) == null) {
            return ResponseEntity.notFound().build();
        }
        String reason = body.get("reason");
        if (reason == null || reason.isBlank()) {
            return problem(HttpStatus.BAD_REQUEST, "say why in 'reason': it is kept with the change");
        }
        Optional<SourceMarks> kind = marks(sourceId);
        if (kind.isEmpty()) {
            return problem(HttpStatus.CONFLICT, "source " + sourceId + " has no mark an operator can move");
        }
        SourceMarks.Move move;
        try {
            move = change.apply(kind.get());
        } catch (UnsupportedOperationException e) {
            return problem(HttpStatus.CONFLICT, e.getMessage());
        } catch (IllegalArgumentException e) {
            return problem(HttpStatus.BAD_REQUEST, e.getMessage());
        }
        changes.record(sourceId, action, move, reason.strip(), operator.getName());
        return ResponseEntity.ok(view(sourceId, true));
    }

    private Map<String, Object> view(String sourceId, boolean whole) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("id", sourceId);
        Health h = ((HealthIndicator) health.getContributor(sourceId)).getHealth(true);
        v.put("status", h.getStatus().getCode());
        v.put("details", h.getDetails());
        marks(sourceId).ifPresent(m -> v.put("mark", m.inspect(sourceId)));
        v.put("paused", pauses.pause(sourceId).orElse(null));
        v.put("routes", pauses.routes(sourceId));
        // the deployed version this node runs (null: the route files' own); its history at /versions
        v.put("version", deployments.runningHere(sourceId));
        if (whole) {
            v.put("markChanges", changes.history(sourceId));
        }
        return v;
    }

    private Optional<SourceMarks> marks(String sourceId) {
        return marks.stream().filter(m -> m.handles(sourceId)).findFirst();
    }

    private static ResponseEntity<Map<String, Object>> problem(HttpStatus status, String message) {
        return ResponseEntity.status(status).body(Map.of("error", status.getReasonPhrase(), "message", message));
    }
}
