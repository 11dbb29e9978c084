package org.govhub.audit;

import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;

/** The auditors' view of the exchange log (role auditor): entries by filter, the whole log as JSON lines, the hub's public key. */
@RestController
@RequestMapping("/api/audit")
public class AuditController {

    static final int MAX_PAGE_SIZE = 1000;

    private final ExchangeLogTable log;
    private final ExchangeLogKey key;

    public AuditController(ExchangeLogTable log, ExchangeLogKey key) {
        this.log = log;
        this.key = key;
    }

    /** Entries in sequence order; {@code resource} matches as a prefix, {@code from} inclusive, {@code to} exclusive (ISO instants). */
    @GetMapping("/entries")
    public Map<String, Object> entries(@RequestParam(required = false) String department, @RequestParam(required = false) String resource,
            @RequestParam(required = false) String batch, @RequestParam(required = false) Instant from,
            @RequestParam(required = false) Instant to, @RequestParam(defaultValue = "0") int page,
            @RequestParam(defaultValue = "100") int size) {
        if (page < 0 || size < 1 || size > MAX_PAGE_SIZE) {
            throw new org.springframework.web.server.ResponseStatusException(org.springframework.http.HttpStatus.BAD_REQUEST,
                    "page >= 0 and size 1 to " + MAX_PAGE_SIZE);
        }
        var filter = new ExchangeLogTable.Filter(department, resource, batch, from, to);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("page", page);
        answer.put("size", size);
        answer.put("total", log.count(filter));
        answer.put("entries", log.find(filter, page, size).stream().map(Entry::toJsonNode).toList());
        return answer;
    }

    /** The log from {@code fromSeq} (default: all of it) as JSON lines, what the offline verifier reads. */
    @GetMapping("/export")
    public ResponseEntity<StreamingResponseBody> export(@RequestParam(defaultValue = "1") long fromSeq) {
        StreamingResponseBody body = out -> {
            Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
            log.forEach(fromSeq, e -> {
                try {
                    w.write(e.toJsonLine());
                    w.write('\n');
                } catch (java.io.IOException io) {
                    throw new java.io.UncheckedIOException(io);
                }
            });
            w.flush();
        };
        return ResponseEntity.ok().contentType(MediaType.parseMediaType("application/x-ndjson"))
                .header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"exchange-log.jsonl\"").body(body);
    }

    @GetMapping(value = "/public-key", produces = "application/x-pem-file")
    public ResponseEntity<String> publicKey() {
        return ResponseEntity.ok().header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"" + ExchangeLogKey.PUBLIC_FILE + "\"")
                .body(key.publicPem());
    }
}
