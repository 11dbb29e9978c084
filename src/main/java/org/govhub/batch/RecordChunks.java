package org.govhub.batch;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Where a batch's records are kept: {@code batch_chunk} rows of consecutive records (V16), each the
 * records' canonical JSON, one per line, deflated (zlib, whose checksum finds a damaged chunk). {@code batch_record} keeps one small row per record
 * (source, key, content hash, event time: what repeats, manifests and look-ups need); the text goes
 * here in a few compressed rows per drain, because storing 1.6 KB of text in each record's row made the
 * database's commit (serialising and compressing those rows) most of the batch stage's work.
 *
 * <p>A chunk's lines, with the newlines turned into commas, are exactly that part of the batch payload
 * ({@code [record,record,…]}): canonical JSON has no raw newline, and no byte of a multi-byte UTF-8
 * character is one, so the payload is built from the stored bytes without reading a record as text.
 */
public final class RecordChunks {

    /** Most text (bytes) in one chunk before it is compressed: a few chunks per 1,000-record drain. */
    static final int CHUNK_BYTES = 256 * 1024;

    private RecordChunks() {
    }

    /** Writes records (consecutive, from firstSeq) as chunks of the batch. */
    public static void write(JdbcTemplate jdbc, String batchId, int firstSeq, List<String> records) {
        List<Object[]> rows = new ArrayList<>();
        ByteArrayOutputStream text = new ByteArrayOutputStream(CHUNK_BYTES + 64 * 1024);
        int chunkStart = 0;
        for (int i = 0; i < records.size(); i++) {
            String record = records.get(i);
            if (record.indexOf('\n') >= 0) {
                throw new IllegalArgumentException("a canonical record has no raw newline (record " + (firstSeq + i) + " of " + batchId + ")");
            }
            if (i > chunkStart) {
                text.write('\n');
            }
            text.writeBytes(record.getBytes(StandardCharsets.UTF_8));
            if (text.size() >= CHUNK_BYTES || i == records.size() - 1) {
                rows.add(new Object[] {batchId, firstSeq + chunkStart, i + 1 - chunkStart, deflate(text.toByteArray())});
                text.reset();
                chunkStart = i + 1;
            }
        }
        if (!rows.isEmpty()) {
            jdbc.batchUpdate("INSERT INTO batch_chunk (batch_id, first_seq, record_count, records) VALUES (?, ?, ?, ?)", rows);
        }
    }

    /**
     * The batch's records in order as the payload's bytes: each chunk's text with its newlines as
     * commas, handed over chunk by chunk with the number of records in it.
     */
    public static void payloadParts(JdbcTemplate jdbc, String batchId, PartConsumer parts) {
        jdbc.query("SELECT record_count, records FROM batch_chunk WHERE batch_id = ? ORDER BY first_seq", rs -> {
            byte[] text = inflate(rs.getBytes(2));
            for (int i = 0; i < text.length; i++) {
                if (text[i] == '\n') {
                    text[i] = ',';
                }
            }
            parts.accept(text, rs.getInt(1));
        }, batchId);
    }

    /** Receives one chunk's part of a payload. */
    @FunctionalInterface
    public interface PartConsumer {
        void accept(byte[] commaSeparatedRecords, int count);
    }

    /** The records of one batch with the given sequence numbers, by sequence number. */
    public static Map<Integer, String> records(JdbcTemplate jdbc, String batchId, Collection<Integer> seqs) {
        Map<Integer, String> found = new HashMap<>();
        if (seqs.isEmpty()) {
            return found;
        }
        int min = seqs.stream().mapToInt(Integer::intValue).min().orElseThrow();
        int max = seqs.stream().mapToInt(Integer::intValue).max().orElseThrow();
        jdbc.query("SELECT first_seq, records FROM batch_chunk WHERE batch_id = ? AND first_seq <= ? AND first_seq + record_count > ?"
                + " ORDER BY first_seq", rs -> {
                    eachRecord(rs.getInt(1), rs.getBytes(2), (seq, record) -> {
                        if (seqs.contains(seq)) {
                            found.put(seq, record);
                        }
                    });
                }, batchId, max, min);
        return found;
    }

    /** Every record of one batch in order (the batch's position order, as departments receive them). */
    public static List<String> inOrder(JdbcTemplate jdbc, String batchId) {
        List<String> all = new ArrayList<>();
        jdbc.query("SELECT first_seq, records FROM batch_chunk WHERE batch_id = ? ORDER BY first_seq",
                rs -> {
                    eachRecord(rs.getInt(1), rs.getBytes(2), (seq, record) -> all.add(record));
                }, batchId);
        return all;
    }

    private interface SeqRecord {
        void accept(int seq, String record);
    }

    private static void eachRecord(int firstSeq, byte[] chunk, SeqRecord each) {
        String text = new String(inflate(chunk), StandardCharsets.UTF_8);
        int seq = firstSeq;
        int from = 0;
        while (from <= text.length()) {
            int end = text.indexOf('\n', from);
            if (end < 0) {
                end = text.length();
            }
            each.accept(seq++, text.substring(from, end));
            from = end + 1;
        }
    }

    static byte[] deflate(byte[] text) {
        Deflater deflater = new Deflater(Deflater.BEST_SPEED);
        try {
            deflater.setInput(text);
            deflater.finish();
            ByteArrayOutputStream out = new ByteArrayOutputStream(text.length / 4 + 64);
            byte[] buffer = new byte[32 * 1024];
            while (!deflater.finished()) {
                out.write(buffer, 0, deflater.deflate(buffer));
            }
            return out.toByteArray();
        } finally {
            deflater.end();
        }
    }

    static byte[] inflate(byte[] chunk) {
        Inflater inflater = new Inflater();
        try {
            inflater.setInput(chunk);
            ByteArrayOutputStream out = new ByteArrayOutputStream(chunk.length * 5);
            byte[] buffer = new byte[64 * 1024];
            while (!inflater.finished()) {
                int n = inflater.inflate(buffer);
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    throw new IllegalStateException("a batch_chunk row is cut short or damaged");
                }
                out.write(buffer, 0, n);
            }
            return out.toByteArray();
        } catch (DataFormatException e) {
            throw new IllegalStateException("a batch_chunk row is damaged: " + e.getMessage(), e);
        } finally {
            inflater.end();
        }
    }
}
