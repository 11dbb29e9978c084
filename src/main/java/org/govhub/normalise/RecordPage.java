package org.govhub.normalise;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.govhub.prioritise.Priority;

/**
 * The broker message that carries valid records to the batch stage: a page of records of one source,
 * one schema (and version) and one priority class, so the broker, the JMS client and Camel work once
 * per page instead of once per record, and the JMS priority still says the class of every record in it.
 *
 * <p>The body is UTF-8 JSON lines, gzip-compressed (a JMS BytesMessage; the broker's journal then
 * holds about a third of the bytes), one record per line:
 * <pre>{"contentHash":"…","enterprise":"…","eventTime":"…","recordKey":"…","record":{…canonical record…}}</pre>
 * The canonical record comes last, as the normaliser wrote it, so the batch stage keeps its exact
 * bytes without parsing it: the first {@code ,"record":} of a line is the field's (inside the quoted
 * strings before it a quote is always escaped). Canonical JSON has no raw line break, so lines split safely.
 * The page headers: schema, schema version, source, priority class, JMS priority, record count.
 */
public final class RecordPage {

    public static final String H_SCHEMA = "govhubSchema";
    public static final String H_SCHEMA_VERSION = "govhubSchemaVersion";
    public static final String H_SOURCE_ID = "govhubSourceId";
    public static final String H_PRIORITY_CLASS = "govhubPriorityClass";
    public static final String H_RECORD_COUNT = "govhubRecordCount";
    /** The broker queue of the page's schema (see {@link Queues}); the publishing route sends to it. */
    public static final String H_QUEUE = "govhubQueue";
    /** The JMS priority (sent with preserveMessageQos), so urgent pages overtake a backlog. */
    public static final String H_JMS_PRIORITY = "JMSPriority";

    /**
     * A page closes at this many bytes of text: compressed, well below Artemis' large-message size
     * (100 KiB), so a page is one journal record and never a large-message file.
     */
    public static final int MAX_BYTES = 60 * 1024;

    private static final String RECORD_FIELD = ",\"record\":";

    /** One record of a page: what the batch stage stores, with the canonical record as written. */
    public record Entry(String recordKey, String contentHash, String eventTime, String enterpriseCode, String record) {
    }

    /** What all records of a page share; it names the page's queue and JMS priority. */
    public record Kind(String sourceId, String schema, String schemaVersion, int priorityClass) {

        /** The kind of page a valid record goes on. */
        public static Kind of(NormalisedRecord r) {
            return new Kind(r.sourceId(), r.schema(), r.schemaVersion(), r.priority().priorityClass());
        }

        public Map<String, Object> headers(int recordCount) {
            Map<String, Object> headers = new HashMap<>();
            headers.put(H_SCHEMA, schema);
            headers.put(H_SCHEMA_VERSION, schemaVersion);
            headers.put(H_SOURCE_ID, sourceId);
            headers.put(H_PRIORITY_CLASS, priorityClass);
            headers.put(H_JMS_PRIORITY, new Priority(priorityClass, null).jmsPriority());
            headers.put(H_RECORD_COUNT, recordCount);
            headers.put(H_QUEUE, Queues.forSchema(schema));
            return headers;
        }
    }

    /** A page being filled: its lines go through gzip as they come, so the page text is never held whole. */
    public static final class Builder {
        private final Kind kind;
        private final java.io.ByteArrayOutputStream compressed = new java.io.ByteArrayOutputStream(8 * 1024);
        private final java.util.zip.GZIPOutputStream gzip;
        private int bytes;
        private int count;

        public Builder(Kind kind) {
            this.kind = kind;
            try {
                // the fastest level: JSON lines shrink about threefold even so, for a fraction of the default's CPU
                this.gzip = new java.util.zip.GZIPOutputStream(compressed, 8 * 1024) {
                    {
                        def.setLevel(java.util.zip.Deflater.BEST_SPEED);
                    }
                };
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e); // cannot happen in memory
            }
        }

        public Kind kind() {
            return kind;
        }

        /** Whether a line of this many UTF-8 bytes still fits (a page always takes its first line, however long). */
        public boolean fits(int lineBytes) {
            return count == 0 || bytes + lineBytes + 1 <= MAX_BYTES;
        }

        /** Adds a line (UTF-8). */
        public void add(byte[] line) {
            try {
                if (count > 0) {
                    gzip.write('\n');
                    bytes++;
                }
                gzip.write(line);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            bytes += line.length;
            count++;
        }

        public int count() {
            return count;
        }

        /** The page's body; the page takes no more lines after it. */
        public byte[] body() {
            try {
                gzip.finish();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return compressed.toByteArray();
        }
    }

    private RecordPage() {
    }

    /** A valid record's entry. */
    public static Entry entryOf(NormalisedRecord r) {
        return new Entry(r.recordKey(), r.contentHash(), r.eventTime(), r.enterpriseCode(), r.canonicalJson());
    }

    public static byte[] line(Entry e) {
        // written by a generator straight to UTF-8 (the record as it is), not through a StringBuilder and a String
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(e.record().length() * 3 / 2 + 200);
        try (JsonGenerator line = CanonicalJson.MAPPER.createGenerator(out)) {
            line.writeStartObject();
            line.writeStringField("contentHash", e.contentHash());
            line.writeStringField("enterprise", e.enterpriseCode());
            line.writeStringField("eventTime", e.eventTime());
            line.writeStringField("recordKey", e.recordKey());
            line.writeFieldName("record");
            line.writeRawValue(e.record());
            line.writeEndObject();
        } catch (java.io.IOException x) {
            throw new java.io.UncheckedIOException(x); // cannot happen in memory
        }
        return out.toByteArray();
    }

    /** The body of a page of one record (a replay from quarantine, a record set aside by the batch stage, a test). */
    public static byte[] of(Kind kind, Entry entry) {
        Builder page = new Builder(kind);
        page.add(line(entry));
        return page.body();
    }

    /**
     * The records of a page body, or IllegalArgumentException saying what is wrong with it (the batch
     * stage moves such a message to the unreadable queue with that reason).
     */
    public static List<Entry> read(byte[] body, int expectedCount) {
        String text;
        try (java.util.zip.GZIPInputStream gzip = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(body))) {
            text = new String(gzip.readAllBytes(), StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("the page is not gzip-compressed JSON lines: " + e.getMessage());
        }
        List<Entry> entries = new ArrayList<>(Math.max(expectedCount, 1));
        int start = 0;
        while (!text.isEmpty()) {
            int end = text.indexOf('\n', start);
            entries.add(entry(text, start, end < 0 ? text.length() : end, entries.size() + 1));
            if (end < 0) {
                break;
            }
            start = end + 1;
        }
        if (entries.size() != expectedCount) {
            throw new IllegalArgumentException("the page says " + expectedCount + " records (" + H_RECORD_COUNT + ") but holds "
                    + entries.size());
        }
        return entries;
    }

    /** The record of the line text[start, end): its metadata parsed, its canonical record cut out as it is. */
    private static Entry entry(String text, int start, int end, int lineNo) {
        int at = text.indexOf(RECORD_FIELD, start);
        if (text.charAt(start) != '{' || at < 0 || at >= end || end - start < 2 || text.charAt(end - 1) != '}'
                || text.charAt(end - 2) != '}') {
            throw new IllegalArgumentException("line " + lineNo + " is not a record line");
        }
        Meta meta;
        try {
            meta = META.readValue(text.substring(start, at) + "}");
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("line " + lineNo + ": not JSON: " + e.getOriginalMessage());
        }
        if (meta.recordKey() == null || meta.contentHash() == null) {
            throw new IllegalArgumentException("line " + lineNo + " has no recordKey or contentHash");
        }
        return new Entry(meta.recordKey(), meta.contentHash(), meta.eventTime(), meta.enterprise(),
                text.substring(at + RECORD_FIELD.length(), end - 1));
    }

    /** A line's fields before the record, read straight into this (no tree of nodes per line). */
    @JsonIgnoreProperties(ignoreUnknown = true)
    private record Meta(String contentHash, String enterprise, String eventTime, String recordKey) {
    }

    private static final ObjectReader META = CanonicalJson.MAPPER.readerFor(Meta.class);
}
