package org.govhub.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * One exchange log entry as stored and exported. Its hash is the SHA-256 of {@link #signedBytes()}
 * (every field but the hash and signature, the previous entry's hash included, as JSON in a fixed
 * order); the signature is Ed25519 over the same bytes. The verifier rebuilds those bytes from an
 * export line, so how the export's JSON is spaced does not matter.
 */
public record Entry(long seq, long timeMillis, String actor, String action, String resource, String department, String batch,
        String payloadSha256, String outcome, String prevHash, String entryHash, String signature) {

    static final ObjectMapper JSON = new ObjectMapper();
    public static final String GENESIS = "0".repeat(64);

    public String time() {
        return Instant.ofEpochMilli(timeMillis).toString();
    }

    private ObjectNode signedFields() {
        ObjectNode n = JSON.createObjectNode();
        n.put("seq", seq);
        n.put("time", time());
        n.put("actor", actor);
        n.put("action", action);
        n.put("resource", resource);
        n.put("department", department);
        n.put("batch", batch);
        n.put("payloadSha256", payloadSha256);
        n.put("outcome", outcome);
        n.put("prevHash", prevHash);
        return n;
    }

    public byte[] signedBytes() {
        return toJson(signedFields()).getBytes(StandardCharsets.UTF_8);
    }

    /** The export line: the signed fields, then the entry's hash and signature. */
    public String toJsonLine() {
        ObjectNode n = signedFields();
        n.put("entryHash", entryHash);
        n.put("signature", signature);
        return toJson(n);
    }

    public ObjectNode toJsonNode() {
        ObjectNode n = signedFields();
        n.put("entryHash", entryHash);
        n.put("signature", signature);
        return n;
    }

    /** Reads an export line; a missing or malformed field is an {@link IllegalArgumentException}. */
    public static Entry fromJsonLine(String line) {
        try {
            JsonNode n = JSON.readTree(line);
            if (n == null || !n.isObject()) {
                throw new IllegalArgumentException("not a JSON object");
            }
            return new Entry(required(n, "seq").asLong(), Instant.parse(required(n, "time").asText()).toEpochMilli(),
                    text(n, "actor"), text(n, "action"), text(n, "resource"), text(n, "department"), text(n, "batch"),
                    text(n, "payloadSha256"), text(n, "outcome"), text(n, "prevHash"), text(n, "entryHash"), text(n, "signature"));
        } catch (JsonProcessingException | java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    private static JsonNode required(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException("no " + field);
        }
        return v;
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static String toJson(ObjectNode n) {
        try {
            return JSON.writeValueAsString(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
