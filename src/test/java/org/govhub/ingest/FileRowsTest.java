package org.govhub.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.govhub.normalise.MappingDefinition.Column;
import org.govhub.normalise.MappingDefinition.FileFormat;
import org.junit.jupiter.api.Test;

class FileRowsTest {

    static final Charset GBK = Charset.forName("GBK");
    static final FileFormat CSV = new FileFormat("csv", GBK, ',', true, 0, List.of());

    @Test
    void gbkCsvWithChineseHeaderAndNames() {
        byte[] file = "单位统一社会信用代码,单位名称,参保人数\r\n91360100MA35XXXX0K,南昌洪都医疗器械有限公司,12\r\n"
                .getBytes(GBK);
        FileRows.Parsed parsed = FileRows.parse(file, CSV);
        assertThat(parsed.columns()).containsExactly("单位统一社会信用代码", "单位名称", "参保人数");
        assertThat(parsed.rows()).hasSize(1);
        FileRows.Row row = parsed.rows().get(0);
        assertThat(row.line()).isEqualTo(2);
        assertThat(row.rejected()).isFalse();
        assertThat(row.columns()).containsEntry("单位名称", "南昌洪都医疗器械有限公司").containsEntry("参保人数", "12");
    }

    @Test
    void quotedFieldsMayHoldDelimitersQuotesAndLineBreaks() {
        byte[] file = ("代码,名称,备注\n"
                + "A1,\"赣江物流, 南昌分公司\",\"他说\"\"好\"\"\"\n"
                + "A2,\"两行\n的名称\",x\n"
                + "A3,普通,y\n").getBytes(GBK);
        List<FileRows.Row> rows = FileRows.parse(file, CSV).rows();
        assertThat(rows).extracting(FileRows.Row::line).containsExactly(2, 3, 5);
        assertThat(rows.get(0).columns()).containsEntry("名称", "赣江物流, 南昌分公司").containsEntry("备注", "他说\"好\"");
        assertThat(rows.get(1).columns()).containsEntry("名称", "两行\n的名称");
        assertThat(rows).noneMatch(FileRows.Row::rejected);
    }

    @Test
    void blankLinesAreSkippedAndAShortLineIsRejectedAloneWithItsReason() {
        byte[] file = "代码,名称,人数\n\nA1,甲,1\n   \nA2,乙\nA3,丙,3,多余\nA4,丁,4\n".getBytes(GBK);
        List<FileRows.Row> rows = FileRows.parse(file, CSV).rows();
        assertThat(rows).extracting(FileRows.Row::line).containsExactly(3, 5, 6, 7);
        assertThat(rows.get(0).rejected()).isFalse();
        assertThat(rows.get(1).problem()).isEqualTo("line 5 has 2 fields, the header has 3 (a short line)");
        assertThat(rows.get(1).columns()).containsEntry("代码", "A2").containsEntry("名称", "乙");
        assertThat(rows.get(2).problem()).contains("line 6 has 4 fields", "long line");
        assertThat(rows.get(3).rejected()).isFalse();
    }

    @Test
    void skipLinesDropsATitleAboveTheHeader() {
        FileFormat format = new FileFormat("csv", GBK, '|', true, 2, List.of());
        byte[] file = "社会保险费征缴明细表\n制表单位：南昌市社保局\n代码|名称\nA1|甲\n".getBytes(GBK);
        FileRows.Parsed parsed = FileRows.parse(file, format);
        assertThat(parsed.columns()).containsExactly("代码", "名称");
        assertThat(parsed.rows()).singleElement().satisfies(r -> assertThat(r.columns()).containsEntry("名称", "甲"));
    }

    @Test
    void fixedWidthColumnsAreCutAtBytePositionsWhereAChineseCharacterTakesTwo() {
        // 代码 bytes 1-4, 名称 bytes 5-14 (five Chinese characters), 人数 bytes 15-18
        FileFormat format = new FileFormat("fixed-width", GBK, ',', false, 1,
                List.of(new Column("代码", 1, 4), new Column("名称", 5, 10), new Column("人数", 15, 4)));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes("HEADER LINE\n".getBytes(GBK));
        out.writeBytes(("A001" + "洪都医疗  " + "  12" + "\r\n").getBytes(GBK));
        out.writeBytes("\n".getBytes(GBK));
        out.writeBytes(("A002" + "赣江物流公司" + "\n").getBytes(GBK)); // short: ends at byte 16
        out.writeBytes(("A003" + "x赣江物流公" + "  7" + "\n").getBytes(GBK)); // x shifts 名称: byte 14 is half of 公
        out.writeBytes(("A004" + "天工科技有" + "   3").getBytes(GBK)); // no newline at the end
        List<FileRows.Row> rows = FileRows.parse(out.toByteArray(), format).rows();

        assertThat(rows).extracting(FileRows.Row::line).containsExactly(2, 4, 5, 6);
        assertThat(rows.get(0).columns()).containsEntry("代码", "A001").containsEntry("名称", "洪都医疗").containsEntry("人数", "12");
        assertThat(rows.get(0).rejected()).isFalse();
        assertThat(rows.get(1).problem()).isEqualTo("line 4 is 16 bytes long, the layout needs 18 (a short line)");
        assertThat(rows.get(1).columns()).containsEntry(FileRows.TEXT_COLUMN, "A002赣江物流公司");
        assertThat(rows.get(2).problem()).contains("line 5", "column '名称'", "inside a character");
        assertThat(rows.get(3).columns()).containsEntry("名称", "天工科技有").containsEntry("人数", "3");
    }

    @Test
    void aFileThatCannotBeReadAtAllIsUnreadableAsAWhole() {
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13};
        assertThatThrownBy(() -> FileRows.parse(png, CSV)).isInstanceOf(UnreadableFileException.class)
                .hasMessageContaining("binary content").hasMessageContaining("PNG image");
        assertThatThrownBy(() -> FileRows.parse(new byte[0], CSV)).hasMessageContaining("empty");
        assertThatThrownBy(() -> FileRows.parse("\n\n".getBytes(GBK), CSV)).hasMessageContaining("no header row");
        assertThatThrownBy(() -> FileRows.parse("a,a\n1,2\n".getBytes(StandardCharsets.UTF_8), CSV))
                .hasMessageContaining("names column 'a' twice");
        assertThatThrownBy(() -> FileRows.parse("a,\"b\n1,2\n".getBytes(GBK), CSV))
                .hasMessageContaining("header row (line 1) cannot be read").hasMessageContaining("not closed");
        assertThatThrownBy(() -> FileRows.parse("代码,名\u0001称\n1,2\n".getBytes(GBK), CSV))
                .hasMessageContaining("header row (line 1) names a column '名\\u0001称' holding U+0001");
        // a header in another encoding: nothing of the file can be matched to the mapping
        assertThatThrownBy(() -> FileRows.parse("代码,名称\n1,2\n".getBytes(StandardCharsets.UTF_8), CSV))
                .hasMessageContaining("header row cannot be read: line 1 is not GBK text: it is UTF-8");
        byte[] utf8Bom = ("\uFEFF代码,名称\n1,2\n").getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> FileRows.parse(utf8Bom, CSV)).hasMessageContaining("UTF-8 byte-order mark");
        byte[] utf16 = "代码,名称\n1,2\n".getBytes(StandardCharsets.UTF_16);
        assertThatThrownBy(() -> FileRows.parse(utf16, CSV)).hasMessageContaining("UTF-16");
        byte[] random = new byte[4096];
        new java.util.Random(11).nextBytes(random);
        assertThatThrownBy(() -> FileRows.parse(random, CSV)).hasMessageContaining("binary content").hasMessageContaining("control bytes");
    }

    @Test
    void aUtf16FileWithoutByteOrderMarkIsBinaryAndSaysWhy() {
        byte[] utf16 = "代码,名称\nA1,南昌洪都\nA2,赣江物流\n".getBytes(StandardCharsets.UTF_16LE);
        assertThatThrownBy(() -> FileRows.parse(utf16, CSV)).hasMessageContaining("binary content").hasMessageContaining("UTF-16");
    }

    @Test
    void aDosEndOfFileMarkIsNotALineAndAGb18030RowInAGbkFileSaysSo() {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.writeBytes("代码,名称\r\nA1,南昌\r\n".getBytes(GBK));
        out.writeBytes("A2,𠀀\r\n".getBytes(Charset.forName("GB18030"))); // a character GB18030 has and GBK has not
        out.write(0x1A);
        List<FileRows.Row> rows = FileRows.parse(out.toByteArray(), CSV).rows();
        assertThat(rows).extracting(FileRows.Row::line).containsExactly(2, 3);
        assertThat(rows.get(0).rejected()).isFalse();
        assertThat(rows.get(1).problem()).contains("line 3 is not GBK text", "declare encoding GB18030");
    }

    @Test
    void aUtf8BomIsSkippedInAUtf8File() {
        FileFormat utf8 = new FileFormat("csv", StandardCharsets.UTF_8, ',', true, 0, List.of());
        FileRows.Parsed parsed = FileRows.parse("\uFEFF代码,名称\n1,南昌\n".getBytes(StandardCharsets.UTF_8), utf8);
        assertThat(parsed.columns()).containsExactly("代码", "名称");
        assertThat(parsed.rows()).singleElement().satisfies(r -> assertThat(r.columns()).containsEntry("名称", "南昌"));
    }

    /** One stray control byte is a row's problem (the normaliser's rule), not a binary file. */
    @Test
    void aControlByteInOneValueIsPassedOnWithTheRowNotABinaryFile() {
        for (int control : new int[] {0x00, 0x01, 0x07, 0x0b, 0x0c, 0x1a, 0x1b, 0x1f, 0x7f}) {
            byte[] file = ("代码,名称,人数\nA1,甲" + (char) control + "乙,1\nA2,丙,2\n").getBytes(GBK);
            List<FileRows.Row> rows = FileRows.parse(file, CSV).rows();
            assertThat(rows).as("0x%02x", control).hasSize(2).noneMatch(FileRows.Row::rejected);
            assertThat(rows.get(0).columns()).containsEntry("名称", "甲" + (char) control + "乙");
        }
        // a few in a larger export still are rows' problems
        StringBuilder many = new StringBuilder("代码,名称,人数\n");
        for (int i = 0; i < 40; i++) {
            many.append("A").append(i).append(",南昌洪都医疗器械有限公司").append(i % 4 == 0 ? "\u0001" : "").append(",12\n");
        }
        assertThat(FileRows.parse(many.toString().getBytes(GBK), CSV).rows()).hasSize(40);
    }

    @Test
    void anUnclosedQuoteLosesOnlyItsOwnLineAndTheRowsAfterItAreRead() {
        byte[] file = ("代码,名称,人数\n"
                + "A1,甲,1\n"
                + "A2,\"乙 没有闭合的引号,2\n"
                + "A3,丙,3\n"
                + "A4,\"丁\",4\n"
                + "A5,\"两行\n的名称\",5\n"
                + "A6,戊,6\n").getBytes(GBK);
        List<FileRows.Row> rows = FileRows.parse(file, CSV).rows();
        assertThat(rows).extracting(FileRows.Row::line).containsExactly(2, 3, 4, 5, 6, 8);
        assertThat(rows.get(1).problem()).startsWith("line 3: the quote that opens field 2 is not closed on its line");
        assertThat(rows.get(1).columns()).containsEntry("代码", "A2").containsEntry(FileRows.TEXT_COLUMN, "A2,\"乙 没有闭合的引号,2");
        assertThat(rows).filteredOn(r -> r.line() != 3).noneMatch(FileRows.Row::rejected);
        assertThat(rows.get(2).columns()).containsEntry("名称", "丙");
        assertThat(rows.get(3).columns()).containsEntry("名称", "丁");
        assertThat(rows.get(4).columns()).containsEntry("名称", "两行\n的名称");
        assertThat(rows.get(5).columns()).containsEntry("名称", "戊");
    }

    @Test
    void anUnclosedQuoteOnTheLastLineOrBeforeALineThatIsNotTextIsThatLinesProblem() {
        List<FileRows.Row> rows = FileRows.parse("代码,名称,人数\nA1,甲,1\nA2,\"乙,2\n".getBytes(GBK), CSV).rows();
        assertThat(rows.get(1).problem()).isEqualTo("line 3: the quote that opens field 2 is not closed before the end of the file");
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.writeBytes("代码,名称,人数\nA1,\"甲,1\n".getBytes(GBK));
        out.writeBytes("A2,乙,2\n".getBytes(StandardCharsets.UTF_8));
        out.writeBytes("A3,丙,3\n".getBytes(GBK));
        rows = FileRows.parse(out.toByteArray(), CSV).rows();
        assertThat(rows).extracting(FileRows.Row::line).containsExactly(2, 3, 4);
        assertThat(rows.get(0).problem()).contains("line 2: the quote that opens field 2 is not closed before line 3, which is not text");
        assertThat(rows.get(1).problem()).contains("line 3 is not GBK text");
        assertThat(rows.get(2).rejected()).isFalse();
    }

    @Test
    void aStrayQuoteInsideAQuotedFieldIsThatRowsProblem() {
        List<FileRows.Row> rows = FileRows.parse("代码,名称,人数\nA1,\"他说\"好\"\",1\nA2,\"他说\"\"好\"\"\" ,2\nA3,5\"寸,3\n"
                .getBytes(GBK), CSV).rows();
        assertThat(rows.get(0).problem()).isEqualTo("line 2: field 2 has text after its closing quote (a quote inside a quoted field"
                + " is written twice: \"\")");
        assertThat(rows.get(1).columns()).containsEntry("名称", "他说\"好\"");
        assertThat(rows.get(1).rejected()).isFalse();
        assertThat(rows.get(2).columns()).containsEntry("名称", "5\"寸"); // a quote inside an unquoted field is text
    }

    /** A GBK decoder reads most UTF-8 Chinese without an error, as mojibake: such a line is set aside, not delivered. */
    @Test
    void aUtf8RowInAGbkFileIsQuarantinedWithThatReasonAndTheRestIsRead() {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.writeBytes("代码,名称,人数\r\nA1,南昌洪都医疗器械有限公司,12\r\n".getBytes(GBK));
        out.writeBytes("A2,赣江物流有限公司,7\r\n".getBytes(StandardCharsets.UTF_8));
        out.writeBytes(new byte[] {'A', '3', ',', (byte) 0x81, (byte) 0x20, ',', '3', '\r', '\n'});
        out.writeBytes("A4,天工科技,4\r\n".getBytes(GBK));
        List<FileRows.Row> rows = FileRows.parse(out.toByteArray(), CSV).rows();
        assertThat(rows).extracting(FileRows.Row::line).containsExactly(2, 3, 4, 5);
        assertThat(rows.get(1).problem()).startsWith("line 3 is not GBK text: it is UTF-8");
        // the quarantine copy is the line as it was meant: its UTF-8 reading
        assertThat(rows.get(1).columns()).containsEntry("名称", "赣江物流有限公司").doesNotContainKey(FileRows.BYTES_COLUMN);
        assertThat(rows.get(2).problem()).startsWith("line 4 is not GBK text: byte 4 (0x81) does not start a GBK character");
        assertThat(rows.get(2).columns()).containsEntry(FileRows.BYTES_COLUMN,
                java.util.Base64.getEncoder().encodeToString(new byte[] {'A', '3', ',', (byte) 0x81, (byte) 0x20, ',', '3'}));
        assertThat(rows.get(0).rejected()).isFalse();
        assertThat(rows.get(3).rejected()).isFalse();
        assertThat(rows.get(3).columns()).containsEntry("名称", "天工科技");
    }

    @Test
    void aGbkRowInAUtf8FileIsNamedAsSuch() {
        FileFormat utf8 = new FileFormat("csv", StandardCharsets.UTF_8, ',', true, 0, List.of());
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.writeBytes("代码,名称\nA1,南昌\n".getBytes(StandardCharsets.UTF_8));
        out.writeBytes("A2,南昌洪都\n".getBytes(GBK));
        List<FileRows.Row> rows = FileRows.parse(out.toByteArray(), utf8).rows();
        assertThat(rows.get(1).problem()).startsWith("line 3 is not UTF-8 text").contains("(it reads as GBK/GB18030)");
        assertThat(rows.get(0).rejected()).isFalse();
    }

    @Test
    void linesEndAtLfCrLfOrCr() {
        List<FileRows.Row> rows = FileRows.parse("代码,名称\rA1,甲\r\nA2,乙\nA3,丙".getBytes(GBK),
                new FileFormat("csv", GBK, ',', true, 0, List.of())).rows();
        assertThat(rows).extracting(FileRows.Row::line).containsExactly(2, 3, 4);
        assertThat(rows).extracting(r -> r.columns().get("名称")).containsExactly("甲", "乙", "丙");
    }

    @Test
    void aShortOrLongRowKeepsItsWholeLineForTheQuarantine() {
        List<FileRows.Row> rows = FileRows.parse("代码,名称\nA1,甲,多余,字段\n".getBytes(GBK), CSV).rows();
        assertThat(rows.get(0).problem()).contains("long line");
        assertThat(rows.get(0).columns()).containsEntry(FileRows.TEXT_COLUMN, "A1,甲,多余,字段");
    }

    @Test
    void aFixedWidthLineLongerOrShorterThanItsLayoutOrNotGbkIsRejectedAlone() {
        FileFormat format = new FileFormat("fixed-width", GBK, ',', false, 0,
                List.of(new Column("代码", 1, 4), new Column("名称", 5, 10), new Column("人数", 15, 4)));
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.writeBytes(("A001" + "洪都医疗  " + "  12" + "\n").getBytes(GBK));
        out.writeBytes(("A002" + "赣江物流  " + "  12" + "X\n").getBytes(GBK)); // one byte too many
        out.writeBytes(("A003" + "赣江物流  " + "  12" + "  \n").getBytes(GBK)); // padding beyond the layout is too
        out.writeBytes(("A004" + "赣江物流公").getBytes(StandardCharsets.UTF_8)); // UTF-8 in a GBK file
        out.writeBytes("  12\n".getBytes(GBK));
        out.writeBytes(("A005" + "天工科技 \u0001" + "   3").getBytes(GBK)); // a control byte: the normaliser's to judge
        List<FileRows.Row> rows = FileRows.parse(out.toByteArray(), format).rows();
        assertThat(rows).extracting(FileRows.Row::line).containsExactly(1, 2, 3, 4, 5);
        assertThat(rows.get(0).rejected()).isFalse();
        assertThat(rows.get(1).problem()).isEqualTo("line 2 is 19 bytes long, the layout has 18 (a long line: 1 bytes beyond its last column)");
        assertThat(rows.get(2).problem()).contains("line 3 is 20 bytes long", "long line");
        assertThat(rows.get(3).problem()).startsWith("line 4 is not GBK text: it is UTF-8");
        assertThat(rows.get(3).columns()).containsEntry(FileRows.TEXT_COLUMN, "A004赣江物流公  12");
        assertThat(rows.get(4).rejected()).isFalse();
        assertThat(rows.get(4).columns()).containsEntry("名称", "天工科技 \u0001");
    }
}
