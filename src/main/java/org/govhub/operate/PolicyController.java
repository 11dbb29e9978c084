package org.govhub.operate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.YearMonth;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.govhub.batch.BatchAssembler;
import org.govhub.enrich.PolicyRules;
import org.govhub.normalise.CanonicalJson;
import org.govhub.normalise.IdentityNumbers;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * "What applies to this enterprise in this period": the policy facts of the records the hub holds
 * (batch_record) about one enterprise, each with its basis. Filings give the size class; social-
 * insurance and tax records of the period give the relief and the deadlines; the enterprise's
 * credit records of the period give the credit protections and the loan deferral. A record the source changed keeps its
 * history: every version the hub received is listed, newest first. Identity numbers are masked.
 */
@RestController
@RequestMapping("/api/policy")
public class PolicyController {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final BatchAssembler batches;
    private final PolicyRules rules;

    public PolicyController(BatchAssembler batches, PolicyRules rules) {
        this.batches = batches;
        this.rules = rules;
    }

    @GetMapping(value = "/enterprises/{creditCode}", produces = MediaType.APPLICATION_JSON_VALUE)
    public ResponseEntity<String> enterprise(@PathVariable String creditCode, @RequestParam(required = false) String period) {
        if (!creditCode.matches("[0-9A-HJ-NPQRTUWXY]{18}")) {
            return error(HttpStatus.BAD_REQUEST, "give an enterprise's 18-character unified social credit code (GB 32100)");
        }
        if (period != null) {
            try {
                YearMonth.parse(period);
            } catch (DateTimeParseException e) {
                return error(HttpStatus.BAD_REQUEST, "period must be a month YYYY-MM, not '" + period + "'");
            }
        }
        List<Map<String, Object>> rows = batches.recordsAbout(creditCode);

        // versions of one source record, oldest first
        Map<String, List<ObjectNode>> versions = new LinkedHashMap<>();
        for (Map<String, Object> row : rows) {
            ObjectNode record = (ObjectNode) CanonicalJson.read((String) row.get("record"));
            if (record.has("subjectId") && !"ENTERPRISE".equals(record.path("subjectType").asText())) {
                continue; // a person's credit record is never an enterprise's answer
            }
            record.put("_batchId", (String) row.get("batch_id"));
            versions.computeIfAbsent(record.path("schema").asText() + "|" + row.get("source_id") + "|" + row.get("source_record_key"),
                    k -> new ArrayList<>()).add(record);
        }

        ObjectNode answer = JSON.objectNode();
        answer.put("creditCode", creditCode);
        answer.put("period", period);
        answer.put("rulesVersion", rules.version());
        ObjectNode size = answer.putObject("enterpriseSize");
        ArrayNode filings = answer.putArray("filings");
        ArrayNode social = answer.putArray("socialInsurance");
        ArrayNode tax = answer.putArray("tax");
        ArrayNode credit = answer.putArray("credit");
        ObjectNode latestSize = null;
        String latestSizeAt = "";
        boolean latestInPeriod = false;
        // the hub takes records in priority order, not in the order the sources wrote them: a key's
        // versions are ordered by when the hub read them
        versions.values().forEach(v -> v.sort(java.util.Comparator.comparing(
                (ObjectNode r) -> java.time.Instant.parse(r.path("provenance").path("ingestedAt").asText("1970-01-01T00:00:00Z")))));
        for (List<ObjectNode> v : versions.values()) {
            ObjectNode current = v.get(v.size() - 1);
            String schema = current.path("schema").asText();
            JsonNode policy = current.path("policy");
            if (!policy.path("enterpriseSize").path("sizeClass").isMissingNode() && !policy.path("enterpriseSize").path("sizeClass").isNull()) {
                // the size of the latest record that knows it, by the day it speaks of (a filing's
                // updatedAt, a contribution's period), preferring records up to the asked period
                String updatedAt = current.path("updatedAt").asText("");
                String at = updatedAt.length() >= 10 ? updatedAt.substring(0, 10) : current.path("period").asText("0000-00") + "-01";
                boolean inPeriod = period == null || at.compareTo(period + "-31") <= 0;
                if (latestSize == null || inPeriod && !latestInPeriod || inPeriod == latestInPeriod && at.compareTo(latestSizeAt) >= 0) {
                    latestSize = entry(current, "enterpriseSize");
                    latestSizeAt = at;
                    latestInPeriod = inPeriod;
                }
            }
            switch (schema) {
                case "EnterpriseFiling" -> filings.add(withHistory(current, v, "enterpriseSize", "aboveDesignatedSize"));
                case "SocialInsuranceRecord" -> {
                    if (period == null || period.equals(current.path("period").asText())) {
                        social.add(withHistory(current, v, "socialInsuranceRelief", "deferral", "enterpriseSize"));
                    }
                }
                case "TaxRecord" -> {
                    if (period == null || period.equals(current.path("period").asText())) {
                        tax.add(withHistory(current, v, "declarationDeadline", "paymentDeferral"));
                    }
                }
                case "CreditRecord" -> {
                    if (period == null || current.path("occurredOn").asText().startsWith(period)) {
                        credit.add(withHistory(current, v, "loanDeferral", "overdueReporting", "publicity"));
                    }
                }
                default -> {
                    // no relief rules for other schemas
                }
            }
        }
        if (latestSize != null) {
            size.setAll(latestSize);
        } else {
            size.putNull("sizeClass");
            size.put("note", "no record the hub holds gives this enterprise's size");
        }
        answer.put("records", versions.size());
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON)
                .body(IdentityNumbers.maskAll(CanonicalJson.write(answer)));
    }

    /** The current version's facts and what it was, with the older versions (newest first). */
    private static ObjectNode withHistory(ObjectNode current, List<ObjectNode> versions, String... facts) {
        ObjectNode e = entry(current, facts);
        ArrayNode history = e.putArray("history");
        for (int i = versions.size() - 2; i >= 0; i--) {
            ObjectNode old = entry(versions.get(i), facts);
            old.set("record", content(versions.get(i)));
            history.add(old);
        }
        e.set("record", content(current));
        return e;
    }

    private static ObjectNode entry(ObjectNode record, String... facts) {
        ObjectNode e = JSON.objectNode();
        JsonNode p = record.path("provenance");
        e.put("schema", record.path("schema").asText());
        e.put("sourceId", p.path("sourceId").asText());
        e.put("sourceRecordKey", p.path("sourceRecordKey").asText());
        e.put("ingestedAt", p.path("ingestedAt").asText());
        e.put("contentHash", p.path("contentHash").asText());
        e.put("batchId", record.path("_batchId").asText());
        ObjectNode f = e.putObject("facts");
        for (String fact : facts) {
            if (record.path("policy").has(fact)) {
                f.set(fact, record.path("policy").get(fact));
            }
        }
        e.put("rulesVersion", record.path("policy").path("rulesVersion").asText(null));
        return e;
    }

    /** The record's own fields, without provenance, policy and priority. */
    private static ObjectNode content(ObjectNode record) {
        ObjectNode c = record.deepCopy();
        c.remove(List.of("provenance", "policy", "priority", "_batchId"));
        return c;
    }

    private static ResponseEntity<String> error(HttpStatus status, String message) {
        ObjectNode e = JSON.objectNode();
        e.put("error", status.getReasonPhrase());
        e.put("message", message);
        return ResponseEntity.status(status).contentType(MediaType.APPLICATION_JSON).body(CanonicalJson.write(e));
    }
}
