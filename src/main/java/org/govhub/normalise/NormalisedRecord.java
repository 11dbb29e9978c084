package org.govhub.normalise;

import java.util.List;
import java.util.Map;

/**
 * The outcome of normalising one source row: a canonical record when {@code reasons} is empty,
 * otherwise the reasons it cannot be shared. The raw row is kept either way; it is written as JSON
 * only when asked for (quarantine), not for every valid record.
 *
 * @param row           the row as the source gave it
 * @param canonicalJson the canonical record (keys sorted), also built for invalid rows where possible
 * @param contentHash   SHA-256 of the record's content without provenance, to recognise repeats
 * @param eventTime     the value of the mapping's event-time field, for a batch's time range
 * @param priority      the priority class of a valid record (null for an invalid one)
 * @param enterpriseCode the unified social credit code of the enterprise the record is about (null for a person)
 */
public record NormalisedRecord(String sourceId, String mappingId, String schema, String schemaVersion,
        String recordKey, Map<String, Object> row, String canonicalJson, String contentHash, String eventTime,
        List<String> reasons, org.govhub.prioritise.Priority priority, String enterpriseCode) {

    public boolean valid() {
        return reasons.isEmpty();
    }

    /** The raw row as JSON, column names as the source gave them, values as text: what the quarantine keeps. */
    public String rawJson() {
        return RecordNormaliser.rawJson(row);
    }

    /** SHA-256 of {@link #rawJson()}: with source and key, what makes a quarantined row the same row again. */
    public String rawHash() {
        return CanonicalJson.sha256(rawJson());
    }

    /**
     * The same row set aside for these reasons instead (a source's own finding about it), with
     * identity numbers masked and control characters escaped, as every reason is.
     */
    public NormalisedRecord setAside(List<String> why) {
        return new NormalisedRecord(sourceId, mappingId, schema, schemaVersion, recordKey, row, canonicalJson, contentHash,
                eventTime, why.stream().map(IdentityNumbers::maskAll).map(ControlCharacters::escape).toList(), null, null);
    }
}
