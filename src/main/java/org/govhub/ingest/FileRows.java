package org.govhub.ingest;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.govhub.normalise.ControlCharacters;
import org.govhub.normalise.MappingDefinition.Column;
import org.govhub.normalise.MappingDefinition.FileFormat;

/**
 * Turns the bytes of a dropped file into rows, following a mapping's {@code format:} block:
 * {@code csv} (delimiter, quotes, header row) or {@code fixed-width} (columns at 1-based byte
 * positions, as mainframe-era exports count them; in GBK a Chinese character takes two bytes).
 *
 * <p>A file is cut into lines first (at LF, CR LF or CR: in the encodings a mapping may declare, a
 * line break is one byte that no character uses), and each line is decoded on its own, strictly, in
 * the declared encoding. So one bad row loses only itself: a line that is not text in the encoding
 * (or that is UTF-8 in a file declared otherwise, which a GBK decoder would turn into mojibake
 * without complaint), a quote left open, too few or too many fields, a fixed-width line shorter or
 * longer than its layout, a column boundary inside a character: each rejects its row with the
 * reason, and the rows after it are read. A rejected row keeps the line as read in {@code _text}
 * (and its bytes, base64, in {@code _bytes} when they are not text), for the quarantine.
 *
 * <p>Only what stops the whole file throws {@link UnreadableFileException}: an empty file, a binary
 * one (see {@link #binary}), a byte-order mark of another encoding, no header row or a header that
 * cannot be read. Control characters inside values are not this class's business: the normaliser
 * applies the one rule for every source to them. Blank lines are skipped; line numbers count every
 * physical line from 1, as an editor shows them.
 *
 * <p>Hand-written rather than commons-csv: after a quote left open, commons-csv reads to the end of
 * the file and throws, and cannot go on with the next line (lenientEof only keeps the rest as one field).
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

    /** Added to a rejected row: the line(s) as read, and the raw bytes (base64) of a line that is not text. */
    public static final String TEXT_COLUMN = "_text";
    public static final String BYTES_COLUMN = "_bytes";

    /** How much of a file the binary check looks at. */
    private static final int SAMPLE = 64 * 1024;

    private FileRows() {
    }

    public static Parsed parse(byte[] bytes, FileFormat format) {
        if (format == null) {
            throw new UnreadableFileException("the mapping has no 'format' block, so no file layout is known");
        }
        if (bytes.length == 0) {
            throw new UnreadableFileException("the file is empty (0 bytes)");
        }
        String binary = binary(bytes);
        if (binary != null) {
            throw new UnreadableFileException("binary content, not a text export: " + binary);
        }
        if (bytes[bytes.length - 1] == 0x1A) {
            bytes = Arrays.copyOf(bytes, bytes.length - 1); // the DOS end-of-file mark, not a line
        }
        List<Line> lines = lines(bytes, format.encoding());
        return format.fixedWidth() ? fixedWidth(lines, format) : csv(lines, format);
    }

    // ---------------------------------------------------------------- lines

    /**
     * One physical line: its bytes (without the line break), the break itself, its text, and why it
     * is not text in the declared encoding (then {@code text} is the best reading, for people).
     */
    record Line(int number, byte[] bytes, String terminator, String text, String problem, boolean lossy) {
    }

    private static final byte[] UTF8_BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

    static List<Line> lines(byte[] bytes, Charset charset) {
        boolean utf8 = charset.equals(StandardCharsets.UTF_8);
        int start = 0;
        if (startsWith(bytes, UTF8_BOM)) {
            if (!utf8) {
                throw new UnreadableFileException("the file starts with a UTF-8 byte-order mark, so it is UTF-8 text; the mapping"
                        + " declares " + charset.name() + " (save the export as " + charset.name() + ", or declare encoding UTF-8)");
            }
            start = UTF8_BOM.length;
        }
        if (startsWith(bytes, new byte[] {(byte) 0xFF, (byte) 0xFE}) || startsWith(bytes, new byte[] {(byte) 0xFE, (byte) 0xFF})) {
            throw new UnreadableFileException("the file starts with a UTF-16 byte-order mark, so it is UTF-16 text; the mapping"
                    + " declares " + charset.name() + " (save the export as " + charset.name() + ")");
        }
        CharsetDecoder declared = strict(charset);
        CharsetDecoder utf8Decoder = strict(StandardCharsets.UTF_8);
        CharsetDecoder gb18030 = strict(Charset.forName("GB18030"));
        List<Line> lines = new ArrayList<>();
        int from = start;
        int number = 1;
        for (int i = start; i < bytes.length; i++) {
            if (bytes[i] != '\n' && bytes[i] != '\r') {
                continue;
            }
            String terminator = bytes[i] == '\n' ? "\n" : i + 1 < bytes.length && bytes[i + 1] == '\n' ? "\r\n" : "\r";
            lines.add(line(number++, Arrays.copyOfRange(bytes, from, i), terminator, charset, declared, utf8Decoder, gb18030));
            i += terminator.length() - 1;
            from = i + 1;
        }
        if (from < bytes.length) { // a last line without a line break
            lines.add(line(number, Arrays.copyOfRange(bytes, from, bytes.length), "", charset, declared, utf8Decoder, gb18030));
        }
        return lines;
    }

    private static Line line(int number, byte[] bytes, String terminator, Charset charset, CharsetDecoder declared,
            CharsetDecoder utf8, CharsetDecoder gb18030) {
        boolean ascii = true;
        for (byte b : bytes) {
            ascii &= b >= 0;
        }
        String asUtf8 = ascii ? null : decode(utf8, bytes);
        boolean declaredUtf8 = charset.equals(StandardCharsets.UTF_8);
        String text = decode(declared, bytes);
        if (!declaredUtf8 && asUtf8 != null) {
            // UTF-8 Chinese mostly decodes as GBK without an error, as mojibake: a line that is UTF-8 is taken as such
            return new Line(number, bytes, terminator, asUtf8, "line " + number + " is not " + charset.name() + " text: it is UTF-8"
                    + (text == null ? "" : " (read as " + charset.name() + " it would say '" + ControlCharacters.escape(abbreviate(text)) + "')")
                    + "; the mapping declares " + charset.name(), false);
        }
        if (text != null) {
            return new Line(number, bytes, terminator, text, null, false);
        }
        int at = firstBad(declared, bytes);
        String hint = decode(gb18030, bytes) == null ? ""
                : declaredUtf8 ? " (it reads as GBK/GB18030)"
                : charset.name().startsWith("GB") ? " (it is GB18030 text, of which GBK is a part: declare encoding GB18030)" : "";
        return new Line(number, bytes, terminator, new String(bytes, charset), "line " + number + " is not " + charset.name()
                + " text: byte " + (at + 1) + " (0x" + String.format(Locale.ROOT, "%02X", bytes[at] & 0xff) + ") does not start a "
                + charset.name() + " character" + hint + "; the mapping declares " + charset.name(), true);
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "…";
    }

    /** Position of the first byte that does not decode (the decoder stops in front of it). */
    private static int firstBad(CharsetDecoder decoder, byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        decoder.reset().decode(in, java.nio.CharBuffer.allocate(bytes.length * 2 + 4), true);
        return Math.min(in.position(), bytes.length - 1);
    }

    /** The text, or null when the bytes are not text in the decoder's encoding. */
    private static String decode(CharsetDecoder decoder, byte[] bytes) {
        try {
            return decoder.reset().decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static CharsetDecoder strict(Charset charset) {
        return charset.newDecoder().onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    }

    private static boolean blank(String text, char delimiter) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c != ' ' && (c != '\t' || delimiter == '\t')) {
                return false;
            }
        }
        return true;
    }

    /** A row that could not be cut as it should: what could be read, the line as read, and why. */
    private static Row rejected(List<Line> lines, int first, int last, Map<String, Object> values, String problem) {
        StringBuilder text = new StringBuilder();
        boolean lossy = false;
        for (int i = first; i <= last; i++) {
            text.append(lines.get(i).text()).append(i < last ? lines.get(i).terminator() : "");
            lossy |= lines.get(i).lossy();
        }
        Map<String, Object> columns = new LinkedHashMap<>(values);
        columns.put(TEXT_COLUMN, text.toString());
        if (lossy) {
            columns.put(BYTES_COLUMN, Base64.getEncoder().encodeToString(lines.get(first).bytes()));
        }
        return new Row(lines.get(first).number(), columns, problem);
    }

    // ---------------------------------------------------------------- csv

    private static Parsed csv(List<Line> lines, FileFormat format) {
        char delimiter = format.delimiter();
        int i = Math.min(format.skipLines(), lines.size());
        List<String> columns = new ArrayList<>();
        if (format.header()) {
            while (i < lines.size() && lines.get(i).problem() == null && blank(lines.get(i).text(), delimiter)) {
                i++;
            }
            if (i >= lines.size()) {
                throw new UnreadableFileException("no header row: the file has no text lines"
                        + (format.skipLines() > 0 ? " below the " + format.skipLines() + " it skips" : ""));
            }
            Line first = lines.get(i);
            if (first.problem() != null) {
                throw new UnreadableFileException("the header row cannot be read: " + first.problem());
            }
            Record header = record(lines, i, delimiter);
            if (header.problem() != null) {
                throw new UnreadableFileException("the header row (line " + first.number() + ") cannot be read: " + header.problem());
            }
            Set<String> seen = new HashSet<>();
            for (String name : header.fields()) {
                int control = ControlCharacters.first(name);
                if (control >= 0) {
                    throw new UnreadableFileException("the header row (line " + first.number() + ") names a column '"
                            + ControlCharacters.escape(name) + "' holding " + ControlCharacters.name(control));
                }
                String n = name.strip();
                if (n.isEmpty()) {
                    throw new UnreadableFileException("the header row (line " + first.number() + ") has an empty column name");
                }
                if (!seen.add(n)) {
                    throw new UnreadableFileException("the header row (line " + first.number() + ") names column '" + n + "' twice");
                }
                columns.add(n);
            }
            i = header.last() + 1;
        } else {
            format.columns().forEach(c -> columns.add(c.name()));
            if (columns.isEmpty()) {
                throw new UnreadableFileException("a csv format without a header row needs its columns in the mapping");
            }
        }
        List<Row> rows = new ArrayList<>();
        while (i < lines.size()) {
            Line line = lines.get(i);
            if (line.problem() != null) {
                rows.add(rejected(lines, i, i, values(columns, record(List.of(line), 0, delimiter).fields()), line.problem()));
                i++;
                continue;
            }
            if (blank(line.text(), delimiter)) {
                i++;
                continue;
            }
            Record r = record(lines, i, delimiter);
            if (r.last() > i && (r.problem() != null || r.fields().size() != columns.size())) {
                // A quote opened on this line ran on over the following lines without making a row: it
                // is this line's fault, so only this line is set aside and reading goes on at the next.
                Record alone = record(List.of(line), 0, delimiter);
                rows.add(rejected(lines, i, i, values(columns, alone.fields()), "line " + line.number() + ": the quote that opens field "
                        + r.quoteField() + " is not closed on its line, and the lines after it do not close it into a row of "
                        + columns.size() + " fields; they are read as rows of their own"));
                i++;
                continue;
            }
            String problem = r.problem() != null ? "line " + line.number() + ": " + r.problem()
                    : r.fields().size() != columns.size() ? "line " + line.number() + " has " + r.fields().size() + " field"
                            + (r.fields().size() == 1 ? "" : "s") + ", the header has " + columns.size() + " (a "
                            + (r.fields().size() < columns.size() ? "short" : "long") + " line)"
                            : null;
            rows.add(problem == null ? new Row(line.number(), values(columns, r.fields()), null)
                    : rejected(lines, i, r.last(), values(columns, r.fields()), problem));
            i = r.last() + 1;
        }
        return new Parsed(List.copyOf(columns), rows);
    }

    private static Map<String, Object> values(List<String> columns, List<String> fields) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (int c = 0; c < Math.min(columns.size(), fields.size()); c++) {
            values.put(columns.get(c), fields.get(c));
        }
        return values;
    }

    /**
     * One CSV record (RFC 4180, lenient where it cannot mislead): its fields, the index of its last
     * line (a quoted field may hold line breaks), and why it is broken, if it is.
     */
    private record Record(int last, List<String> fields, String problem, int quoteField) {
    }

    private static Record record(List<Line> lines, int first, char delimiter) {
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        boolean closed = false; // after the closing quote of the current field
        boolean leading = true; // nothing but spaces in the current field so far
        int quoteField = 0;
        int j = first;
        String text = lines.get(j).text();
        int pos = 0;
        while (true) {
            if (pos >= text.length()) {
                if (!quoted) {
                    fields.add(field.toString());
                    return new Record(j, fields, null, quoteField);
                }
                if (j + 1 >= lines.size() || lines.get(j + 1).problem() != null) {
                    fields.add(field.toString());
                    return new Record(j, fields, "the quote that opens field " + quoteField + " is not closed"
                            + (j + 1 >= lines.size() ? " before the end of the file" : " before line " + lines.get(j + 1).number()
                                    + ", which is not text"), quoteField);
                }
                field.append(lines.get(j).terminator());
                text = lines.get(++j).text();
                pos = 0;
                continue;
            }
            char c = text.charAt(pos++);
            if (quoted) {
                if (c != '"') {
                    field.append(c);
                } else if (pos < text.length() && text.charAt(pos) == '"') {
                    field.append('"');
                    pos++;
                } else {
                    quoted = false;
                    closed = true;
                }
            } else if (c == delimiter) {
                fields.add(field.toString());
                field.setLength(0);
                closed = false;
                leading = true;
            } else if (closed) {
                if (c != ' ' && c != '\t') {
                    fields.add(field.toString());
                    return new Record(j, fields, "field " + fields.size() + " has text after its closing quote (a quote inside a"
                            + " quoted field is written twice: \"\")", quoteField);
                }
            } else if (c == '"' && leading) {
                field.setLength(0); // spaces before an opening quote are not part of the value
                quoted = true;
                quoteField = fields.size() + 1;
            } else {
                field.append(c);
                leading &= c == ' ' || c == '\t';
            }
        }
    }

    // ---------------------------------------------------------------- fixed width

    private static Parsed fixedWidth(List<Line> lines, FileFormat format) {
        List<Column> layout = format.columns();
        int width = layout.stream().mapToInt(c -> c.start() - 1 + c.length()).max().orElse(0);
        CharsetDecoder decoder = strict(format.encoding());
        List<Row> rows = new ArrayList<>();
        for (int i = format.skipLines() + (format.header() ? 1 : 0); i < lines.size(); i++) {
            Line line = lines.get(i);
            if (line.problem() != null) {
                rows.add(rejected(lines, i, i, Map.of(), line.problem()));
                continue;
            }
            if (blank(line.text(), ',')) {
                continue;
            }
            byte[] bytes = line.bytes();
            Map<String, Object> values = new LinkedHashMap<>();
            List<String> cut = new ArrayList<>();
            for (Column c : layout) {
                int from = c.start() - 1;
                if (from >= bytes.length) {
                    continue;
                }
                String value = decode(decoder, Arrays.copyOfRange(bytes, from, Math.min(bytes.length, from + c.length())));
                if (value == null) {
                    cut.add("column '" + c.name() + "' (bytes " + c.start() + "–" + (c.start() + c.length() - 1)
                            + ") starts or ends inside a character");
                } else {
                    values.put(c.name(), stripSpaces(value));
                }
            }
            String problem = bytes.length < width
                    ? "line " + line.number() + " is " + bytes.length + " bytes long, the layout needs " + width + " (a short line)"
                    : bytes.length > width
                            ? "line " + line.number() + " is " + bytes.length + " bytes long, the layout has " + width
                                    + " (a long line: " + (bytes.length - width) + " bytes beyond its last column)"
                            : cut.isEmpty() ? null : "line " + line.number() + ": " + String.join("; ", cut);
            rows.add(problem == null ? new Row(line.number(), values, null) : rejected(lines, i, i, values, problem));
        }
        return new Parsed(layout.stream().map(Column::name).toList(), rows);
    }

    /** Fixed-width padding is spaces; anything else at the ends (a tab, a control character) is the value's. */
    private static String stripSpaces(String s) {
        int from = 0;
        int to = s.length();
        while (from < to && s.charAt(from) == ' ') {
            from++;
        }
        while (to > from && s.charAt(to - 1) == ' ') {
            to--;
        }
        return s.substring(from, to);
    }

    // ---------------------------------------------------------------- whole file

    private static boolean startsWith(byte[] bytes, byte[] prefix) {
        return bytes.length >= prefix.length && Arrays.equals(bytes, 0, prefix.length, prefix, 0, prefix.length);
    }

    /** Signatures of the binary formats a department might drop by mistake (each holds bytes no text has). */
    private static final Map<String, byte[]> SIGNATURES = new LinkedHashMap<>();

    static {
        SIGNATURES.put("a PNG image", new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        SIGNATURES.put("a JPEG image", new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF});
        SIGNATURES.put("a GIF image", new byte[] {'G', 'I', 'F', '8'});
        SIGNATURES.put("a PDF document", new byte[] {'%', 'P', 'D', 'F', '-'});
        SIGNATURES.put("a ZIP archive (also .xlsx, .docx)", new byte[] {'P', 'K', 3, 4});
        SIGNATURES.put("an empty ZIP archive", new byte[] {'P', 'K', 5, 6});
        SIGNATURES.put("an Office 97–2003 document (.xls, .doc)",
                new byte[] {(byte) 0xD0, (byte) 0xCF, 0x11, (byte) 0xE0, (byte) 0xA1, (byte) 0xB1, 0x1A, (byte) 0xE1});
        SIGNATURES.put("a gzip archive", new byte[] {0x1F, (byte) 0x8B});
        SIGNATURES.put("a 7-Zip archive", new byte[] {'7', 'z', (byte) 0xBC, (byte) 0xAF, 0x27, 0x1C});
        SIGNATURES.put("a RAR archive", new byte[] {'R', 'a', 'r', '!', 0x1A, 0x07});
    }

    /** UTF-16LE or UTF-16BE when the sample is that (a tenth of its bytes 0x00, which no other text has), else null. */
    private static String utf16(byte[] bytes, int n) {
        int nul = 0;
        for (int i = 0; i < n; i++) {
            nul += bytes[i] == 0 ? 1 : 0;
        }
        if (nul * 10L < n) {
            return null;
        }
        byte[] sample = Arrays.copyOf(bytes, n - n % 2);
        for (Charset c : new Charset[] {StandardCharsets.UTF_16LE, StandardCharsets.UTF_16BE}) {
            String text = decode(strict(c), sample);
            if (text != null && text.indexOf('\n') >= 0) {
                return c.name();
            }
        }
        return null;
    }

    /**
     * Why a file is binary, or null for text. Binary is a file that starts like a known binary format
     * (an image, a PDF, a spreadsheet, an archive), that is UTF-16 (a tenth of its bytes 0x00), or
     * whose first 64 KiB are more than 5% control bytes (C0 but tab, LF and CR, and DEL; at least 8
     * of them): random or compressed data has about 12%, a text export with a stray control byte in a
     * value far less. Such stray bytes are the normaliser's to judge, per row (see {@code ControlCharacters}).
     */
    static String binary(byte[] bytes) {
        for (Map.Entry<String, byte[]> s : SIGNATURES.entrySet()) {
            if (startsWith(bytes, s.getValue())) {
                return "it starts like " + s.getKey();
            }
        }
        int n = Math.min(bytes.length, SAMPLE);
        int controls = 0;
        int first = -1;
        for (int i = 0; i < n; i++) {
            int b = bytes[i] & 0xff;
            if ((b < 0x20 && b != '\t' && b != '\n' && b != '\r') || b == 0x7f) {
                controls++;
                if (first < 0) {
                    first = i;
                }
            }
        }
        String utf16 = utf16(bytes, n);
        if (utf16 != null) {
            return "it is " + utf16 + " text without a byte-order mark (save the export in the encoding its mapping declares)";
        }
        if (controls >= 8 && controls * 20L > n) {
            return controls + " of its first " + n + " bytes are control bytes (the first, 0x"
                    + String.format(Locale.ROOT, "%02X", bytes[first] & 0xff) + ", at offset " + first + ")";
        }
        return null;
    }
}
