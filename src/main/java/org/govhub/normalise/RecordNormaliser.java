package org.govhub.normalise;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.camel.Exchange;
import org.govhub.enrich.PolicyEnricher;
import org.govhub.enrich.PolicyException;
import org.govhub.ingest.RowKeys;
import org.govhub.ingest.RowReader;
import org.govhub.prioritise.Priority;
import org.govhub.prioritise.PriorityRules;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Component;

/**
 * Turns one source row into a canonical record of a shared schema, following the source's mapping
 * file, and validates it. Used by the source route templates.
 */
@Component("recordNormaliser")
public class RecordNormaliser implements RowReader {

    private static final Logger log = LoggerFactory.getLogger(RecordNormaliser.class);

    /** Exchange properties a source route sets before its rows are read ({@link #read}). */
    public static final String SOURCE_ID = "govhubSourceId";
    public static final String MAPPING_ID = "govhubMapping";

    /**
     * Columns a source may add to a row: {@code _withdrawn} (true: the department deleted the row; the
     * record is shared as withdrawn, {@code provenance.withdrawn}) and {@code _problem} (why the row
     * cannot be shared, found by the source itself: a line that could not be cut into columns, a
     * change that carried only its key; it goes to quarantine with that reason alone, not with what
     * the mapping then finds missing, and is not part of the raw row kept).
     */
    public static final String WITHDRAWN = "_withdrawn";
    public static final String PROBLEM = "_problem";

    /**
     * Columns the hub adds to rows: those above, and a file source's (where a row came from, and for
     * a line that could not be cut into columns the line as read). They are the hub's, not the
     * department's values, so the control-character rule does not apply to them.
     */
    static final Set<String> PROVENANCE_COLUMNS = Set.of(WITHDRAWN, PROBLEM, org.govhub.ingest.SourceFiles.FILE_COLUMN,
            org.govhub.ingest.SourceFiles.LINE_COLUMN, org.govhub.ingest.FileRows.TEXT_COLUMN, org.govhub.ingest.FileRows.BYTES_COLUMN);

    /** Length of the key columns of quarantine, batch_record and the platform's records. */
    static final int MAX_KEY_LENGTH = 200;

    private final MappingRegistry mappings;
    private final SchemaRegistry schemas;
    private final RecordValidator validator;
    private final PriorityRules priorities;
    private final PolicyEnricher policy;

    public RecordNormaliser(MappingRegistry mappings, SchemaRegistry schemas, RecordValidator validator, PriorityRules priorities,
            PolicyEnricher policy) {
        this.mappings = mappings;
        this.schemas = schemas;
        this.validator = validator;
        this.priorities = priorities;
        this.policy = policy;
    }

    /** A database row (column name to value) of the exchange's source, by the source's mapping. */
    @Override
    @SuppressWarnings("unchecked")
    public NormalisedRecord read(Object row, Exchange exchange) {
        return normalise(exchange.getProperty(SOURCE_ID, String.class), exchange.getProperty(MAPPING_ID, String.class),
                (Map<String, Object>) row, Instant.now());
    }

    public NormalisedRecord normalise(String sourceId, String mappingId, Map<String, Object> row, Instant ingestedAt) {
        return normalise(sourceId, mappings.get(mappingId), row, ingestedAt);
    }

    /**
     * One row by the given mapping, registered or not: a running source's rows come through
     * {@link #normalise(String, String, Map, Instant)}, a candidate's on trial (SourceTrial) straight here.
     */
    public NormalisedRecord normalise(String sourceId, MappingDefinition mapping, Map<String, Object> row, Instant ingestedAt) {
        try {
            return normaliseRow(sourceId, mapping, row, ingestedAt);
        } catch (DataAccessException e) {
            throw e; // the hub's database is down: the poll fails and is read again, the row is not at fault
        } catch (RuntimeException e) {
            // A row that breaks the normaliser itself (a bug, a value no converter expected) is kept with
            // the failure as its reason, instead of failing its poll again and again and holding up the source.
            String raw = rawJson(row);
            String key = "unreadable#" + CanonicalJson.sha256(raw).substring(0, 16);
            String reason = ControlCharacters.escape(IdentityNumbers.maskAll("the row could not be normalised: " + e));
            // the stack for whoever fixes the normaliser; the message masked, as in the quarantine (it may quote the row)
            try (var fields = LogFields.of(LogFields.SOURCE, sourceId, LogFields.RECORD, key)) {
                log.error("source {}, mapping {}: {}; kept in quarantine as {}\n\tat {}", sourceId, mapping.id(), reason, key,
                        Arrays.stream(e.getStackTrace()).limit(20).map(String::valueOf)
                                .collect(Collectors.joining("\n\tat ")));
            }
            return new NormalisedRecord(sourceId, mapping.id(), mapping.schema(), mapping.schemaVersion(), key, row, null,
                    null, null, List.of(reason), null, null);
        }
    }

    private NormalisedRecord normaliseRow(String sourceId, MappingDefinition mapping, Map<String, Object> row, Instant ingestedAt) {
        SchemaRegistry.SharedSchema schema = schemas.get(mapping.schema(), mapping.schemaVersion());
        List<String> reasons = new ArrayList<>();
        Object problem = row.get(PROBLEM);
        if (problem != null) {
            reasons.add(problem.toString());
        }
        boolean withdrawn = Boolean.TRUE.equals(row.get(WITHDRAWN));
        // one rule for every source: no control characters in any value (ControlCharacters)
        reasons.addAll(ControlCharacters.check(row, PROVENANCE_COLUMNS));

        List<String> keyParts = new ArrayList<>();
        for (String column : mapping.recordKey()) {
            Object key = RowKeys.value(row, column);
            String part = key == null ? "" : key.toString().strip();
            if (part.isEmpty()) {
                reasons.add("record key column '" + column + "' is empty");
            }
            keyParts.add(part);
        }
        String recordKey = String.join("|", keyParts);
        if (ControlCharacters.first(recordKey) >= 0) {
            // quarantined for it (above); the key is stored escaped, as no database keeps NUL in a key column
            recordKey = ControlCharacters.escape(recordKey);
        }
        if (recordKey.length() > MAX_KEY_LENGTH) {
            // The hub stores keys in 200 characters; a longer one (an unclosed quote in a CSV key
            // column, say) is refused here with its reason, under a shortened key that stays unique,
            // instead of failing the insert and being read again and again.
            reasons.add("record key is " + recordKey.length() + " characters long; at most " + MAX_KEY_LENGTH + " are kept");
            recordKey = recordKey.substring(0, MAX_KEY_LENGTH - 20) + "…#" + CanonicalJson.sha256(recordKey).substring(0, 16);
        }

        ObjectNode content = CanonicalJson.NODES.objectNode();
        content.put("schema", mapping.schema());
        content.put("schemaVersion", mapping.schemaVersion());
        Set<String> derived = new HashSet<>();
        Set<String> industryCodes2011 = new HashSet<>();
        if (IndustryCodes.EDITION_2011.equals(mapping.industryCodeEdition())) {
            schema.identifiers().forEach((f, d) -> {
                if (RecordValidator.GB4754.equals(d.asText())) {
                    industryCodes2011.add(f);
                }
            });
        }
        for (MappingDefinition.FieldMapping field : mapping.fields()) {
            JsonNode value = null;
            if (field.source() != null) {
                Object raw = RowKeys.value(row, field.source());
                try {
                    value = Converters.convert(field.convert(), raw, mapping.codeTables().get(field.codeTable()));
                } catch (ConversionException e) {
                    reasons.add(field.target() + " (from " + field.source() + "): " + e.getMessage());
                    content.putNull(field.target());
                    continue;
                }
            }
            if (value == null && field.compute() != null) {
                value = Computations.apply(field.compute(), content, derived, policy.sizes());
                if (value != null) {
                    derived.add(field.target());
                }
            }
            if (value == null) {
                value = field.defaultValue();
            }
            if (value != null && value.isTextual() && industryCodes2011.contains(field.target())) {
                // a 2011-edition code: the record carries its 2017 code and keeps the one the source gave
                IndustryCodes.Translation t = IndustryCodes.from2011(value.asText());
                content.put(field.target() + "2011", value.asText());
                if (t.code() == null) {
                    reasons.add(field.target() + " (from " + field.source() + "): " + IndustryCodes.EDITION_2011 + " code '"
                            + value.asText() + "' " + t.problem());
                    content.putNull(field.target());
                    continue;
                }
                value = CanonicalJson.NODES.textNode(t.code());
            }
            content.set(field.target(), value == null ? CanonicalJson.NODES.nullNode() : value);
        }
        // a withdrawal is a version of its own: same fields, another hash (of the fields and the mark)
        String contentHash = CanonicalJson.sha256(CanonicalJson.write(withdrawn ? content.deepCopy().put("withdrawn", true) : content));

        ObjectNode record = content; // the content, now with what the hub adds to it
        ObjectNode provenance = record.putObject("provenance");
        provenance.put("sourceId", sourceId);
        provenance.put("sourceRecordKey", recordKey == null ? "" : recordKey);
        provenance.put("ingestedAt", ingestedAt.truncatedTo(ChronoUnit.MILLIS).toString());
        provenance.put("mappingVersion", mapping.version());
        provenance.put("contentHash", contentHash);
        if (withdrawn) {
            provenance.put("withdrawn", true);
        }
        // A field whose conversion failed is null now; the schema's complaint about that null
        // would only repeat the conversion reason.
        List<String> failedFields = reasons.stream().map(r -> r.split(" ", 2)[0]).toList();
        for (String reason : validator.validate(schema, record)) {
            if (!failedFields.contains(reason.split(":", 2)[0])) {
                reasons.add(reason);
            }
        }

        JsonNode eventNode = mapping.eventTime() == null ? null : content.get(mapping.eventTime());
        String eventTime = eventNode == null || eventNode.isNull() ? null : eventNode.asText();
        // Policy enrichment: what the 2020 relief notices say about a valid record, with the basis of
        // each fact. Outside the content hash, like the priority: the hash recognises the same
        // source content arriving twice, and the policy is derived from that content by the rules
        // file, not part of what the department said (a record read again under the same rules
        // gets the same policy). A fact the rules need but the record cannot give is a reason.
        if (reasons.isEmpty()) {
            try {
                record.set("policy", policy.enrich(mapping.schema(), record));
            } catch (PolicyException e) {
                reasons.add(e.getMessage());
            }
        }
        // 急用先行: a valid record gets its class (after the content hash: it is derived, not content)
        Priority priority = null;
        if (reasons.isEmpty()) {
            priority = priorities.classify(mapping.schema(), record);
            ObjectNode p = record.putObject("priority");
            p.put("class", priority.priorityClass());
            p.put("rule", priority.rule());
        }
        // reasons are logged and listed: no identity number in them, whatever field it stood in, and no
        // raw control character (a converter's message quotes the value)
        List<String> masked = reasons.stream().map(IdentityNumbers::maskAll).map(ControlCharacters::escape).toList();
        NormalisedRecord result = new NormalisedRecord(sourceId, mapping.id(), mapping.schema(), mapping.schemaVersion(), recordKey,
                row, CanonicalJson.write(record), contentHash, eventTime, masked, priority, enterpriseCode(content));
        return problem == null ? result : result.setAside(List.of(problem.toString()));
    }

    /** The enterprise a record is about: its creditCode, or the subjectId of an enterprise's credit record. */
    static String enterpriseCode(JsonNode content) {
        String code = content.path("creditCode").isTextual() ? content.path("creditCode").asText()
                : "ENTERPRISE".equals(content.path("subjectType").asText()) && content.path("subjectId").isTextual()
                        ? content.path("subjectId").asText() : null;
        return code != null && code.length() == 18 ? code : null;
    }

    /**
     * The row as JSON, column names as the source gave them; values as text so nothing is
     * reinterpreted. Nested objects and lists (REST sources) stay objects and lists.
     */
    static String rawJson(Map<String, Object> row) {
        if (row.containsKey(PROBLEM)) {
            row = new java.util.LinkedHashMap<>(row);
            row.remove(PROBLEM); // the source's finding, not the department's value
        }
        return CanonicalJson.write(rawNode(row));
    }

    private static JsonNode rawNode(Object value) {
        if (value == null) {
            return CanonicalJson.NODES.nullNode();
        }
        if (value instanceof Map<?, ?> map) {
            ObjectNode node = CanonicalJson.NODES.objectNode();
            map.forEach((k, v) -> node.set(String.valueOf(k), rawNode(v)));
            return node;
        }
        if (value instanceof List<?> list) {
            var node = CanonicalJson.NODES.arrayNode();
            list.forEach(v -> node.add(rawNode(v)));
            return node;
        }
        return CanonicalJson.NODES.textNode(value.toString());
    }
}
