package org.govhub.ingest;

import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.Exchange;
import org.govhub.normalise.ControlCharacters;
import org.govhub.normalise.MappingDefinition;
import org.govhub.normalise.MappingRegistry;
import org.govhub.normalise.NormalisedRecord;
import org.govhub.normalise.RecordNormaliser;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Files taken from file drops (the {@code ftp-source} route template). A file's identity is its
 * source and the SHA-256 of its content, kept in the hub database (table {@code source_file}): a
 * file already taken is recognised, after a restart too and under another name, and not read again.
 *
 * <p>Order of a file: {@link #open} (hash, repeat check, parse) → every row to the broker or to
 * quarantine ({@link #normalise}) → {@link #taken} (identity stored, file moved to the done folder).
 * A crash before {@link #taken} reads the file again after restart; its records are recognised by
 * content hash in the batch stage and its rejected rows by the quarantine's uniqueness. A file that
 * cannot be read as a whole goes to the error folder with a reason file ({@link #unreadable}).
 */
@Component("sourceFiles")
public class SourceFiles implements RowReader {

    private static final Logger log = LoggerFactory.getLogger(SourceFiles.class);

    /** Exchange properties the route template sets. */
    public static final String DONE_FOLDER = "govhubDoneFolder";
    public static final String ERROR_FOLDER = "govhubErrorFolder";
    /** Where the consumer moves the file when the exchange completes (relative to the drop folder). */
    public static final String MOVE_TO = "govhubMoveTo";
    /** Name of the reason file written beside a file in the error folder. */
    public static final String REASON_FILE = "govhubReasonFile";
    /** Columns added to every row: the file and line it came from (kept in quarantine's raw row). */
    public static final String FILE_COLUMN = "_file";
    public static final String LINE_COLUMN = "_line";

    private static final String FILE = "govhubFile";

    /** What the route knows about the file in hand; shared by the split's row exchanges. */
    record TakenFile(String name, long size, String sha256, boolean repeat, AtomicInteger records, AtomicInteger rejected) {
    }

    private final JdbcTemplate jdbc;
    private final MappingRegistry mappings;
    private final RecordNormaliser normaliser;
    private final SourceActivity activity;

    public SourceFiles(JdbcTemplate jdbc, MappingRegistry mappings, RecordNormaliser normaliser, SourceActivity activity) {
        this.jdbc = jdbc;
        this.mappings = mappings;
        this.normaliser = normaliser;
        this.activity = activity;
    }

    /**
     * Starts the file's unit of work ({@link SourceActivity}), hashes the file, recognises a repeat,
     * and parses it by its mapping's format.
     *
     * @return the rows to normalise; none for a file already taken (its rows count as repeats)
     * @throws UnreadableFileException when the file cannot be read as a whole
     */
    public List<FileRows.Row> open(Exchange exchange) {
        String sourceId = exchange.getProperty(RecordNormaliser.SOURCE_ID, String.class);
        String mappingId = exchange.getProperty(RecordNormaliser.MAPPING_ID, String.class);
        String name = exchange.getMessage().getHeader(Exchange.FILE_NAME_ONLY, String.class);
        SourceActivity.Tally tally = activity.begin(exchange, "file " + ControlCharacters.escape(name));
        byte[] bytes = exchange.getMessage().getBody(byte[].class);
        if (bytes == null) {
            bytes = new byte[0];
        }
        String sha256 = sha256(bytes);
        List<Map<String, Object>> earlier = jdbc.queryForList(
                "SELECT file_name, status, records, rejected, taken_at FROM source_file WHERE source_id = ? AND sha256 = ?",
                sourceId, sha256);
        boolean repeat = !earlier.isEmpty() && "DONE".equals(earlier.get(0).get("status"));
        TakenFile file = new TakenFile(name, bytes.length, sha256, repeat, new AtomicInteger(), new AtomicInteger());
        exchange.setProperty(FILE, file);
        if (repeat) {
            Map<String, Object> first = earlier.get(0);
            int rows = count(first.get("records")) + count(first.get("rejected"));
            tally.repeats(rows);
            log.info("source {}: file {} has the content of {}, taken at {}; not read again: its {} rows are repeats", sourceId,
                    ControlCharacters.escape(name), ControlCharacters.escape(String.valueOf(first.get("file_name"))),
                    first.get("taken_at"), rows);
            return List.of();
        }
        FileRows.Parsed parsed = read(bytes, mappings.get(mappingId));
        log.info("source {}: file {} ({} bytes, sha256 {}) has {} rows", sourceId, ControlCharacters.escape(name), bytes.length,
                sha256, parsed.rows().size());
        return parsed.rows();
    }

    /**
     * A file's rows by its mapping's format, once the file has every column the mapping reads.
     *
     * @throws UnreadableFileException when the file cannot be read as a whole, or lacks a column
     */
    public static FileRows.Parsed read(byte[] bytes, MappingDefinition mapping) {
        FileRows.Parsed parsed = FileRows.parse(bytes, mapping.format());
        Set<String> needed = new LinkedHashSet<>(mapping.recordKey());
        mapping.fields().stream().filter(f -> f.source() != null).forEach(f -> needed.add(f.source()));
        List<String> missing = needed.stream().filter(c -> !parsed.columns().contains(c)).toList();
        if (!missing.isEmpty()) {
            throw new UnreadableFileException("unknown layout: mapping " + mapping.id() + " reads columns " + missing
                    + " that the file does not have (its columns: " + parsed.columns() + "); check the encoding ("
                    + mapping.format().encoding().name() + ") and the header row");
        }
        return parsed;
    }

    /** A file row as the normaliser reads it: its columns, where it came from, and why it could not be cut into columns. */
    public static Map<String, Object> columns(FileRows.Row row, String fileName) {
        Map<String, Object> columns = new LinkedHashMap<>(row.columns());
        columns.put(FILE_COLUMN, fileName);
        columns.put(LINE_COLUMN, row.line());
        if (row.rejected()) {
            // the row could not be cut into its columns: that is its reason, not what follows from it
            columns.put(RecordNormaliser.PROBLEM, fileName + ": " + row.problem());
        }
        return columns;
    }

    private static int count(Object n) {
        return n instanceof Number number ? number.intValue() : 0;
    }

    /** One line of the file in hand into its record, counted for the file as a record or a rejected row. */
    @Override
    public NormalisedRecord read(Object row, Exchange exchange) {
        TakenFile file = exchange.getProperty(FILE, TakenFile.class);
        NormalisedRecord record = normaliser.read(columns((FileRows.Row) row, file.name()), exchange);
        (record.valid() ? file.records() : file.rejected()).incrementAndGet();
        return record;
    }

    /**
     * The name a file is moved under: its own, unless another file of the same name (other content)
     * was taken before, as when a department uploads a corrected file under the old name; then the
     * first 12 characters of its SHA-256 go before the extension, so the earlier file is not overwritten.
     */
    private String movedName(String sourceId, TakenFile file) {
        Integer others = jdbc.queryForObject("SELECT COUNT(*) FROM source_file WHERE source_id = ? AND file_name = ? AND sha256 <> ?",
                Integer.class, sourceId, file.name(), file.sha256());
        return others == null || others == 0 ? file.name() : distinctName(file.name(), file.sha256());
    }

    /** {@code 社保缴费_2020年04月.csv} → {@code 社保缴费_2020年04月.1f2e3d4c5b6a.csv}. */
    public static String distinctName(String name, String sha256) {
        int dot = name.lastIndexOf('.');
        String tag = sha256.substring(0, 12);
        return dot > 0 ? name.substring(0, dot) + "." + tag + name.substring(dot) : name + "." + tag;
    }

    /**
     * Every row is on the broker or in quarantine: the file is taken. It moves to the done folder,
     * and its unit ends with the accounting of its rows.
     */
    public void taken(Exchange exchange) {
        String sourceId = exchange.getProperty(RecordNormaliser.SOURCE_ID, String.class);
        TakenFile file = exchange.getProperty(FILE, TakenFile.class);
        String to = exchange.getProperty(DONE_FOLDER, String.class) + "/" + movedName(sourceId, file);
        exchange.setProperty(MOVE_TO, to);
        if (!file.repeat()) {
            record(sourceId, file, "DONE", file.records().get(), file.rejected().get(), null);
        }
        activity.end(exchange, ControlCharacters.escape(file.name()), ControlCharacters.escape(to), false);
    }

    /**
     * The file cannot be read: it moves to the error folder, and the body becomes the UTF-8 reason
     * file written beside it ({@code <name>.reason.txt}).
     */
    public byte[] unreadable(Exchange exchange) {
        String sourceId = exchange.getProperty(RecordNormaliser.SOURCE_ID, String.class);
        String mappingId = exchange.getProperty(RecordNormaliser.MAPPING_ID, String.class);
        TakenFile file = exchange.getProperty(FILE, TakenFile.class);
        Exception e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        String reason = e == null ? "unknown" : e.getMessage();
        String moved = movedName(sourceId, file);
        exchange.setProperty(MOVE_TO, exchange.getProperty(ERROR_FOLDER, String.class) + "/" + moved);
        exchange.setProperty(REASON_FILE, moved + ".reason.txt");
        record(sourceId, file, "ERROR", null, null, reason);
        log.warn("source {}: file {} cannot be read and goes to the error folder: {}", sourceId, ControlCharacters.escape(file.name()),
                ControlCharacters.escape(reason));
        String text = "GovHub could not read this file, so nothing of it was taken.\n\n"
                + "file:      " + file.name() + "\n"
                + "source:    " + sourceId + " (mapping " + mappingId + ")\n"
                + "size:      " + file.size() + " bytes\n"
                + "sha256:    " + file.sha256() + "\n"
                + "checked:   " + Instant.now() + "\n"
                + "reason:    " + reason + "\n\n"
                + "Correct the file and upload it again under any name (with its .done marker, or renamed from\n"
                + ".tmp/.part once complete). Rows that are individually wrong do not stop a file; they go to\n"
                + "the hub's quarantine.\n";
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** The reason file of an unreadable file is written: its unit ends, accounted as a file (none of its rows was read). */
    public void setAside(Exchange exchange) {
        TakenFile file = exchange.getProperty(FILE, TakenFile.class);
        activity.end(exchange, ControlCharacters.escape(file.name()),
                ControlCharacters.escape(exchange.getProperty(MOVE_TO, String.class)) + " (unreadable)", false);
    }

    private void record(String sourceId, TakenFile file, String status, Integer records, Integer rejected, String error) {
        Timestamp now = Timestamp.from(Instant.now());
        String err = error == null ? null : error.substring(0, Math.min(error.length(), 2000));
        int updated = jdbc.update("UPDATE source_file SET file_name = ?, file_size = ?, status = ?, records = ?, rejected = ?,"
                + " error = ?, taken_at = ? WHERE source_id = ? AND sha256 = ?",
                file.name(), file.size(), status, records, rejected, err, now, sourceId, file.sha256());
        if (updated == 0) {
            try {
                jdbc.update("INSERT INTO source_file (source_id, file_name, file_size, sha256, status, records, rejected, error,"
                        + " taken_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        sourceId, file.name(), file.size(), file.sha256(), status, records, rejected, err, now);
            } catch (DuplicateKeyException raced) {
                throw new IllegalStateException("file " + file.name() + " of " + sourceId + " was recorded concurrently", raced);
            }
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
