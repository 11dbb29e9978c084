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
        assertThat(rows.get(2).problem()).contains("line 5", "column '名称'", "inside a character");
        assertThat(rows.get(3).columns()).containsEntry("名称", "天工科技有").containsEntry("人数", "3");
    }

    @Test
    void aFileThatIsNotTextInItsEncodingIsUnreadableAsAWhole() {
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13};
        assertThatThrownBy(() -> FileRows.parse(png, CSV)).isInstanceOf(UnreadableFileException.class)
                .hasMessageContaining("binary content");
        byte[] badGbk = {'a', ',', 'b', '\n', (byte) 0x81, (byte) 0x20, '\n'};
        assertThatThrownBy(() -> FileRows.parse(badGbk, CSV)).isInstanceOf(UnreadableFileException.class)
                .hasMessageContaining("not GBK text").hasMessageContaining("line 2");
        assertThatThrownBy(() -> FileRows.parse(new byte[0], CSV)).hasMessageContaining("empty");
        assertThatThrownBy(() -> FileRows.parse("\n\n".getBytes(GBK), CSV)).hasMessageContaining("no header row");
        assertThatThrownBy(() -> FileRows.parse("a,a\n1,2\n".getBytes(StandardCharsets.UTF_8), CSV))
                .hasMessageContaining("names column 'a' twice");
    }
}
