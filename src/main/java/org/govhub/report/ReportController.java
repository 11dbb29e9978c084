package org.govhub.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Principal;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.core.io.FileSystemResource;
import org.springframework.core.io.Resource;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The weekly report API (operators, HTTP Basic or the login): list (with the scheduled weeks that
 * could not be built), regenerate any past week, download the files, see and re-send deliveries.
 */
@RestController
@RequestMapping("/api/reports")
public class ReportController {

    private final WeeklyReports reports;
    private final ReportDeliveries deliveries;
    private final ReportFailures failures;

    public ReportController(WeeklyReports reports, ReportDeliveries deliveries, ReportFailures failures) {
        this.reports = reports;
        this.deliveries = deliveries;
        this.failures = failures;
    }

    @GetMapping
    public Map<String, Object> list(@RequestParam(defaultValue = "52") int limit) {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("nextDue", String.valueOf(reports.schedule().dueWeek()));
        result.put("failedReports", failures.list());
        result.put("deliveries", deliveries.counts());
        result.put("failedDeliveries", deliveries.list("FAILED", 100));
        result.put("reports", reports.list(limit));
        return result;
    }

    /** The newest revision of a week's report. */
    @GetMapping("/weeks/{week}")
    public ResponseEntity<Map<String, Object>> week(@PathVariable String week) {
        ReportWeek w;
        try {
            w = ReportWeek.parse(week);
        } catch (IllegalArgumentException e) {
            return bad(HttpStatus.BAD_REQUEST, e.getMessage());
        }
        return reports.latest(w).flatMap(r -> reports.find((String) r.get("report_id")))
                .map(ResponseEntity::ok).orElse(ResponseEntity.notFound().build());
    }

    /**
     * (Re)generates a week's report from the records held now: 201 with a new report (or revision,
     * which is then delivered), 200 with the stored one when the figures are unchanged (nothing sent).
     */
    @PostMapping("/weeks/{week}/generate")
    public ResponseEntity<Map<String, Object>> generate(@PathVariable String week, Principal operator) {
        try {
            WeeklyReports.Stored stored = reports.generate(ReportWeek.parse(week), "API", operator.getName());
            Map<String, Object> body = new LinkedHashMap<>(stored.report());
            body.put("created", stored.created());
            return ResponseEntity.status(stored.created() ? HttpStatus.CREATED : HttpStatus.OK).body(body);
        } catch (IllegalArgumentException e) {
            return bad(HttpStatus.BAD_REQUEST, e.getMessage());
        } catch (IllegalStateException e) {
            return bad(HttpStatus.INTERNAL_SERVER_ERROR, e.getMessage());
        }
    }

    @GetMapping("/deliveries")
    public Map<String, Object> deliveries(@RequestParam(required = false) String status,
            @RequestParam(defaultValue = "100") int limit) {
        return Map.of("counts", deliveries.counts(), "deliveries", deliveries.list(status, limit));
    }

    @GetMapping("/{reportId}")
    public ResponseEntity<Map<String, Object>> report(@PathVariable String reportId) {
        return reports.find(reportId).map(ResponseEntity::ok).orElse(ResponseEntity.notFound().build());
    }

    @GetMapping("/{reportId}/files/{name:.+}")
    public ResponseEntity<Resource> file(@PathVariable String reportId, @PathVariable String name) throws IOException {
        Path p = reports.file(reportId, name).orElse(null);
        if (p == null) {
            return ResponseEntity.notFound().build();
        }
        MediaType type = name.endsWith(".xlsx") ? MediaType.parseMediaType("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
                : name.endsWith(".csv") ? MediaType.parseMediaType("text/csv;charset=UTF-8")
                : name.endsWith(".png") ? MediaType.IMAGE_PNG
                : MediaType.APPLICATION_JSON;
        return ResponseEntity.ok().contentType(type).contentLength(Files.size(p))
                .header(HttpHeaders.CONTENT_DISPOSITION, ContentDisposition.attachment().filename(name).build().toString())
                .body(new FileSystemResource(p));
    }

    /** Re-sends a FAILED (or DELIVERED) delivery at once with fresh attempts. */
    @PostMapping("/{reportId}/deliveries/{target}/resend")
    public ResponseEntity<Map<String, Object>> resend(@PathVariable String reportId, @PathVariable String target,
            Principal operator) {
        if (reports.find(reportId).isEmpty()) {
            return ResponseEntity.notFound().build();
        }
        if (!deliveries.resend(reportId, target, operator.getName())) {
            return bad(HttpStatus.CONFLICT, "only a FAILED or DELIVERED delivery can be re-sent; " + reportId + " to " + target
                    + " is " + deliveries.of(reportId).stream().filter(d -> target.equals(d.get("target")))
                            .map(d -> String.valueOf(d.get("status"))).findFirst().orElse("not a target of this report"));
        }
        return reports.find(reportId).map(ResponseEntity::ok).orElse(ResponseEntity.notFound().build());
    }

    private static <T> ResponseEntity<T> bad(HttpStatus status, String message) {
        @SuppressWarnings("unchecked")
        T body = (T) Map.of("error", status.getReasonPhrase(), "message", message);
        return ResponseEntity.status(status).body(body);
    }
}
