package org.govhub.operate;

import com.fasterxml.jackson.databind.JsonNode;
import java.security.Principal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.govhub.normalise.AcceptedIdentifiers;
import org.govhub.normalise.CanonicalJson;
import org.govhub.normalise.IdentityNumbers;
import org.govhub.normalise.Quarantine;
import org.govhub.normalise.QuarantineReplay;
import org.govhub.normalise.RecordValidator;
import org.springframework.format.annotation.DateTimeFormat;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The operators' quarantine: list and filter what failed (identity numbers masked), look at one
 * record whole, correct its row, replay it through validation, and accept a real credit code that
 * fails its check character.
 */
@RestController
@RequestMapping("/api/admin")
public class QuarantineController {

    private final Quarantine quarantine;
    private final QuarantineReplay replay;
    private final AcceptedIdentifiers accepted;

    public QuarantineController(Quarantine quarantine, QuarantineReplay replay, AcceptedIdentifiers accepted) {
        this.quarantine = quarantine;
        this.replay = replay;
        this.accepted = accepted;
    }

    @GetMapping("/quarantine")
    public Map<String, Object> list(@RequestParam(required = false) String source,
            @RequestParam(required = false) String status, @RequestParam(required = false) String reason,
            @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) Instant from,
            @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) Instant to,
            @RequestParam(defaultValue = "100") int limit, @RequestParam(defaultValue = "0") int offset) {
        Quarantine.Filter filter = new Quarantine.Filter(source, status, reason, from, to);
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Map<String, Object> row : quarantine.list(filter, Math.min(Math.max(limit, 1), 1000), Math.max(offset, 0))) {
            rows.add(view(row, true));
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("total", quarantine.count(filter));
        result.put("records", rows);
        return result;
    }

    /** One record; {@code ?masked=true} masks personal data as the list does (the console shows that; a correction needs the row as it came). */
    @GetMapping("/quarantine/{id}")
    public ResponseEntity<Map<String, Object>> one(@PathVariable long id, @RequestParam(defaultValue = "false") boolean masked) {
        return quarantine.find(id).map(row -> ResponseEntity.ok(view(row, masked))).orElse(ResponseEntity.notFound().build());
    }

    /** Stores a corrected row (a JSON object of the source's columns); replay it afterwards. */
    @PutMapping("/quarantine/{id}/correction")
    public ResponseEntity<Map<String, Object>> correct(@PathVariable long id, @RequestBody JsonNode correctedRow) {
        if (!correctedRow.isObject()) {
            return error(HttpStatus.BAD_REQUEST, "the correction must be a JSON object of the source's columns");
        }
        if (quarantine.find(id).isEmpty()) {
            return ResponseEntity.notFound().build();
        }
        if (!quarantine.correct(id, CanonicalJson.write(correctedRow))) {
            return error(HttpStatus.CONFLICT, "quarantined record " + id + " is no longer open");
        }
        return one(id, false);
    }

    @PostMapping("/quarantine/{id}/replay")
    public ResponseEntity<Map<String, Object>> replay(@PathVariable long id, Principal operator) {
        if (quarantine.find(id).isEmpty()) {
            return ResponseEntity.notFound().build();
        }
        try {
            QuarantineReplay.Outcome outcome = replay.replay(id, operator.getName());
            return ResponseEntity.status(outcome.replayed() ? HttpStatus.OK : HttpStatus.UNPROCESSABLE_ENTITY).body(outcome(outcome));
        } catch (IllegalStateException e) {
            return error(HttpStatus.CONFLICT, e.getMessage());
        }
    }

    /** Replays every open record that matches the filter, e.g. after accepting a code. */
    @PostMapping("/quarantine/replay")
    public Map<String, Object> replayAll(@RequestParam(required = false) String source,
            @RequestParam(required = false) String reason, Principal operator) {
        Quarantine.Filter filter = new Quarantine.Filter(source, "OPEN", reason, null, null);
        List<Map<String, Object>> outcomes = new ArrayList<>();
        int replayed = 0;
        for (Map<String, Object> row : quarantine.list(filter, 1000, 0)) {
            QuarantineReplay.Outcome o = replay.replay(((Number) row.get("id")).longValue(), operator.getName());
            replayed += o.replayed() ? 1 : 0;
            outcomes.add(outcome(o));
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("replayed", replayed);
        result.put("stillInvalid", outcomes.size() - replayed);
        result.put("outcomes", outcomes);
        return result;
    }

    @GetMapping("/accepted-identifiers")
    public List<Map<String, Object>> acceptedIdentifiers() {
        return accepted.list();
    }

    /** Accepts a real credit code that fails its GB 32100 check character (early pilot regions issued some). */
    @PostMapping("/accepted-identifiers")
    public ResponseEntity<Map<String, Object>> accept(@RequestBody Map<String, String> body, Principal operator) {
        String standard = body.getOrDefault("standard", RecordValidator.GB32100);
        String code = body.get("code");
        String reason = body.get("reason");
        if (!RecordValidator.GB32100.equals(standard)) {
            return error(HttpStatus.BAD_REQUEST, "only GB32100 credit codes can be accepted");
        }
        if (code == null || !code.matches("[0-9A-HJ-NPQRTUWXY]{18}") || reason == null || reason.isBlank()) {
            return error(HttpStatus.BAD_REQUEST, "give the 18-character code and the reason it is known to be real");
        }
        accepted.accept(standard, code, reason, operator.getName());
        return ResponseEntity.status(HttpStatus.CREATED).body(Map.of("standard", standard, "code", code, "reason", reason));
    }

    private static Map<String, Object> view(Map<String, Object> row, boolean masked) {
        Map<String, Object> view = new LinkedHashMap<>(row);
        for (String json : new String[] {"reasons", "raw_payload", "corrected_payload"}) {
            Object value = row.get(json);
            if (value != null) {
                view.put(json, CanonicalJson.read(masked ? IdentityNumbers.maskAll(value.toString()) : value.toString()));
            }
        }
        return view;
    }

    private static Map<String, Object> outcome(QuarantineReplay.Outcome o) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", o.id());
        m.put("replayed", o.replayed());
        m.put("reasons", o.reasons());
        if (o.contentHash() != null) {
            m.put("contentHash", o.contentHash());
        }
        return m;
    }

    private static ResponseEntity<Map<String, Object>> error(HttpStatus status, String message) {
        return ResponseEntity.status(status).body(Map.of("error", status.getReasonPhrase(), "message", message));
    }
}
