package org.govhub.ingest;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.MalformedInputException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.govhub.normalise.MappingDefinition.Column;
import org.govhub.normalise.MappingDefinition.FileFormat;

/**
 * Turns the bytes of a dropped file into rows, following a mapping's {@code format:} block:
 * {@code csv} (delimiter, quotes, header row) or {@code fixed-width} (columns at 1-based byte
 * positions, as mainframe-era exports count them; in GBK a Chinese character takes two bytes).
 *
 * <p>Problems of one line (too few fields, a line shorter than the layout, a column boundary that
 * cuts a character in half) reject that row with a reason; the rest of the file is still read.
 * Problems of the whole file (bytes that are not text in the declared encoding, binary content, no
 * header, an unknown layout) throw {@link UnreadableFileException}. Blank lines are skipped; line
 * numbers count every physical line from 1, as an editor shows them.
 */
public final class FileRows {

    /**
     * One row. {@code line} is the file line it starts on; {@code problem} is null for a row that
     * could be cut into its columns, else why not (then {@code columns} holds what could be read).
     */
    public record Row(int line, Map<String, Object> columns, String problem) {
        public boolean rejected() {
            return problem != null;
        }
    }

    /** The file's columns (header or layout) and its rows. */
    public record Parsed(List<String> columns, List<Row> rows) {
    }

    private FileRows() {
    }

    public static Parsed parse(byte[] bytes, FileFormat format) {
        if (format == null) {
            throw new UnreadableFileException("the mapping has no 'format' block, so no file layout is known");
        }
        if (bytes.length == 0) {
            throw new UnreadableFileException("the file is empty");
        }
        checkNotBinary(bytes);
        return format.fixedWidth() ? fixedWidth(bytes, format) : csv(bytes, format);
    }

    // ---------------------------------------------------------------- csv

    private static Parsed csv(byte[] bytes, FileFormat format) {
        String text = decode(bytes, format.encoding());
        if (!text.isEmpty() && text.charAt(0) == '\uFEFF') {
            text = text.substring(1);
        }
        List<Record> records = csvRecords(text, format.delimiter());
        int i = 0;
        while (i < records.size() && records.get(i).line <= format.skipLines()) {
            i++;
        }
        List<String> columns = new ArrayList<>();
        if (format.header()) {
            while (i < records.size() && records.get(i).blank()) {
                i++;
            }
            if (i >= records.size()) {
                throw new UnreadableFileException("no header row: the file has no text lines");
            }
            Record header = records.get(i++);
            Set<String> seen = new HashSet<>();
            for (String name : header.fields) {
                String n = name.strip();
                if (n.isEmpty()) {
                    throw new UnreadableFileException("header row (line " + header.line + ") has an empty column name");
                }
                if (!seen.add(n)) {
                    throw new UnreadableFileException("header row (line " + header.line + ") names column '" + n + "' twice");
                }
                columns.add(n);
            }
        } else {
            format.columns().forEach(c -> columns.add(c.name()));
            if (columns.isEmpty()) {
                throw new UnreadableFileException("a csv format without a header row needs its columns in the mapping");
            }
        }
        List<Row> rows = new ArrayList<>();
        for (; i < records.size(); i++) {
            Record r = records.get(i);
            if (r.blank()) {
                continue;
            }
            Map<String, Object> values = new LinkedHashMap<>();
            for (int c = 0; c < Math.min(columns.size(), r.fields.size()); c++) {
                values.put(columns.get(c), r.fields.get(c));
            }
            String problem = null;
            if (r.unclosedQuote) {
                problem = "line " + r.line + ": a quoted field is not closed before the end of the file";
            } else if (r.fields.size() != columns.size()) {
                problem = "line " + r.line + " has " + r.fields.size() + " field" + (r.fields.size() == 1 ? "" : "s")
                        + ", the header has " + columns.size() + " (a " + (r.fields.size() < columns.size() ? "short" : "long")
                        + " line)";
            }
            rows.add(new Row(r.line, values, problem));
        }
        return new Parsed(List.copyOf(columns), rows);
    }

    /** One logical CSV record; a quoted field may span lines. */
    private record Record(int line, List<String> fields, boolean unclosedQuote) {
        boolean blank() {
            return fields.size() == 1 && fields.get(0).isBlank();
        }
    }

    private static List<Record> csvRecords(String text, char delimiter) {
        List<Record> records = new ArrayList<>();
        int line = 1;
        int pos = 0;
        int n = text.length();
        while (pos < n) {
            int startLine = line;
            List<String> fields = new ArrayList<>();
            StringBuilder field = new StringBuilder();
            boolean quoted = false;
            boolean unclosed = false;
            boolean endOfRecord = false;
            while (pos < n && !endOfRecord) {
                char ch = text.charAt(pos);
                if (quoted) {
                    if (ch == '"') {
                        if (pos + 1 < n && text.charAt(pos + 1) == '"') {
                            field.append('"');
                            pos += 2;
                            continue;
                        }
                        quoted = false;
                        pos++;
                        continue;
                    }
                    if (ch == '\n') {
                        line++;
                    }
                    field.append(ch);
                    pos++;
                    continue;
                }
                if (ch == '"' && field.toString().isBlank()) {
                    field.setLength(0);
                    quoted = true;
                    pos++;
                } else if (ch == delimiter) {
                    fields.add(field.toString());
                    field.setLength(0);
                    pos++;
                } else if (ch == '\r' || ch == '\n') {
                    pos += ch == '\r' && pos + 1 < n && text.charAt(pos + 1) == '\n' ? 2 : 1;
                    line++;
                    endOfRecord = true;
                } else {
                    field.append(ch);
                    pos++;
                }
            }
            if (quoted) {
                unclosed = true;
            }
            fields.add(field.toString());
            records.add(new Record(startLine, fields, unclosed));
        }
        return records;
    }

    // ---------------------------------------------------------------- fixed width

    private static Parsed fixedWidth(byte[] bytes, FileFormat format) {
        // The whole file must be text in its encoding; a column boundary inside a character is a row problem.
        decode(bytes, format.encoding());
        List<Column> layout = format.columns();
        int needed = layout.stream().mapToInt(c -> c.start() - 1 + c.length()).max().orElse(0);
        List<Row> rows = new ArrayList<>();
        List<byte[]> lines = lines(bytes);
        int first = format.skipLines() + (format.header() ? 1 : 0);
        for (int i = first; i < lines.size(); i++) {
            byte[] line = lines.get(i);
            int lineNo = i + 1;
            if (isBlank(line)) {
                continue;
            }
            Map<String, Object> values = new LinkedHashMap<>();
            List<String> problems = new ArrayList<>();
            for (Column c : layout) {
                int from = c.start() - 1;
                if (from >= line.length) {
                    continue;
                }
                int to = Math.min(line.length, from + c.length());
                try {
                    values.put(c.name(), strict(format.encoding()).decode(ByteBuffer.wrap(line, from, to - from)).toString().strip());
                } catch (CharacterCodingException e) {
                    problems.add("column '" + c.name() + "' (bytes " + c.start() + "–" + (c.start() + c.length() - 1)
                            + ") starts or ends inside a character");
                }
            }
            String problem = null;
            if (line.length < needed) {
                problem = "line " + lineNo + " is " + line.length + " bytes long, the layout needs " + needed + " (a short line)";
            } else if (!problems.isEmpty()) {
                problem = "line " + lineNo + ": " + String.join("; ", problems);
            }
            rows.add(new Row(lineNo, values, problem));
        }
        return new Parsed(layout.stream().map(Column::name).toList(), rows);
    }

    /** Splits on LF (dropping a CR before it). Safe for GBK: its trail bytes are never 0x0A or 0x0D. */
    private static List<byte[]> lines(byte[] bytes) {
        List<byte[]> lines = new ArrayList<>();
        ByteArrayOutputStream current = new ByteArrayOutputStream();
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '\n') {
                lines.add(stripCr(current.toByteArray()));
                current.reset();
            } else {
                current.write(bytes[i]);
            }
        }
        if (current.size() > 0) {
            lines.add(stripCr(current.toByteArray()));
        }
        return lines;
    }

    private static byte[] stripCr(byte[] line) {
        return line.length > 0 && line[line.length - 1] == '\r' ? java.util.Arrays.copyOf(line, line.length - 1) : line;
    }

    private static boolean isBlank(byte[] line) {
        for (byte b : line) {
            if (b != ' ' && b != '\t') {
                return false;
            }
        }
        return true;
    }

    // ---------------------------------------------------------------- whole file

    private static CharsetDecoder strict(Charset charset) {
        return charset.newDecoder().onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    }

    private static String decode(byte[] bytes, Charset charset) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        try {
            CharBuffer out = strict(charset).decode(in);
            return out.toString();
        } catch (CharacterCodingException e) {
            int offset = in.position();
            int line = 1;
            for (int i = 0; i < Math.min(offset, bytes.length); i++) {
                if (bytes[i] == '\n') {
                    line++;
                }
            }
            String what = e instanceof MalformedInputException ? "malformed" : "unmappable";
            throw new UnreadableFileException("not " + charset.name() + " text: " + what + " bytes at offset " + offset
                    + " (line " + line + "); the mapping declares encoding " + charset.name());
        }
    }

    /** NUL and other control bytes (but tab, CR, LF) do not occur in a text export. */
    private static void checkNotBinary(byte[] bytes) {
        int limit = Math.min(bytes.length, 64 * 1024);
        for (int i = 0; i < limit; i++) {
            int b = bytes[i] & 0xff;
            if (b < 0x20 && b != '\t' && b != '\r' && b != '\n' && b != 0x1a) {
                throw new UnreadableFileException("binary content, not a text export: control byte 0x"
                        + String.format("%02x", b) + " at offset " + i);
            }
        }
    }
}
