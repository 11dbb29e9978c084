package org.govhub.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.font.FontRenderContext;
import java.awt.font.GlyphVector;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.apache.poi.ss.usermodel.Cell;
import org.apache.poi.ss.usermodel.Row;
import org.apache.poi.ss.usermodel.Sheet;
import org.apache.poi.ss.util.PaneInformation;
import org.apache.poi.xssf.usermodel.XSSFWorkbook;
import org.govhub.normalise.CanonicalJson;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The files opened and read back: XLSX cells, sheets, frozen rows and formats; CSV with BOM; the PNG chart's size and Chinese text. */
class ReportFilesTest {

    static Map<String, Object> doc;
    static List<ReportTables.Table> tables;

    @BeforeAll
    static void content() {
        ReportFixture fixture = new ReportFixture();
        fixture.standard();
        new FilingFacts(fixture.dataSource).catchUp();
        doc = fixture.content(ReportWeek.parse("2020-W09"), WeeklyFiguresTest.LAGGING);
        tables = ReportTables.of(doc);
    }

    static Row rowOf(Sheet sheet, String code) {
        for (Row r : sheet) {
            Cell c = r.getCell(0);
            if (r.getRowNum() >= 2 && c != null && code.equals(c.getStringCellValue())) {
                return r;
            }
        }
        throw new AssertionError("no row " + code + " in " + sheet.getSheetName());
    }

    static final java.time.Instant CREATED = java.time.Instant.parse("2020-03-01T16:00:00Z");

    @Test
    void theSameFiguresGiveTheSameBytes() throws Exception {
        byte[] first = ReportFiles.xlsx(tables, CREATED);
        byte[] second = ReportFiles.xlsx(tables, CREATED);
        assertThat(second).isEqualTo(first);
        // no entry carries the clock's time (zip times have 2 s steps: comparing two builds alone could miss it)
        try (var zip = new java.util.zip.ZipInputStream(new ByteArrayInputStream(first))) {
            int entries = 0;
            for (var entry = zip.getNextEntry(); entry != null; entry = zip.getNextEntry(), entries++) {
                assertThat(entry.getTime()).as(entry.getName()).isEqualTo(CREATED.toEpochMilli());
            }
            assertThat(entries).isGreaterThan(5);
        }
        // the JSON follows the maps' order: every map of the content keeps a fixed one (no HashMap, no Map.of)
        assertThat(unorderedMaps(doc, "$")).as("maps of the report content without a fixed order").isEmpty();
    }

    /** Paths of the maps under {@code value} whose iteration order is not fixed by insertion or by key. */
    static List<String> unorderedMaps(Object value, String path) {
        List<String> found = new java.util.ArrayList<>();
        if (value instanceof Map<?, ?> map) {
            if (!(map instanceof java.util.LinkedHashMap) && !(map instanceof java.util.SortedMap) && map.size() > 1) {
                found.add(path + " (" + map.getClass().getSimpleName() + ")");
            }
            map.forEach((k, v) -> found.addAll(unorderedMaps(v, path + "." + k)));
        } else if (value instanceof java.util.Collection<?> items) {
            int i = 0;
            for (Object item : items) {
                found.addAll(unorderedMaps(item, path + "[" + i++ + "]"));
            }
        }
        return found;
    }

    @Test
    void xlsx() throws Exception {
        try (XSSFWorkbook wb = new XSSFWorkbook(new ByteArrayInputStream(ReportFiles.xlsx(tables, CREATED)))) {
            List<String> names = new java.util.ArrayList<>();
            wb.forEach(s -> names.add(s.getSheetName()));
            assertThat(names).containsExactly("汇总", "规上工业和中小企业", "重大项目", "按行业门类", "按优先级", "滞后地区", "说明");

            Sheet summary = wb.getSheet("汇总");
            assertThat(summary.getRow(0).getCell(0).getStringCellValue()).contains("每周复工复产情况", "2020-W09", "2020-02-24", "2020-03-01", "江西省");
            Row head = summary.getRow(1);
            assertThat(head.getCell(1).getStringCellValue()).isEqualTo("设区市");
            assertThat(head.getCell(2).getStringCellValue()).isEqualTo("已备案企业数");
            assertThat(head.getCell(5).getStringCellValue()).isEqualTo("复工率");
            assertThat(head.getCell(12).getStringCellValue()).isEqualTo("返岗率");
            PaneInformation pane = summary.getPaneInformation();
            assertThat(pane.isFreezePane()).isTrue();
            assertThat(pane.getHorizontalSplitPosition()).isEqualTo((short) 2);
            // 11 cities and the province
            assertThat(summary.getLastRowNum()).isEqualTo(2 + 11);

            Row nc = rowOf(summary, "360100");
            assertThat(nc.getCell(1).getStringCellValue()).isEqualTo("南昌市");
            assertThat(nc.getCell(2).getNumericCellValue()).isEqualTo(6);
            assertThat(nc.getCell(3).getNumericCellValue()).isEqualTo(5);
            assertThat(nc.getCell(4).getNumericCellValue()).isEqualTo(3);
            assertThat(nc.getCell(5).getNumericCellValue()).isEqualTo(0.6);
            assertThat(nc.getCell(5).getCellStyle().getDataFormatString()).isEqualTo("0.00%");
            assertThat(nc.getCell(2).getCellStyle().getDataFormatString()).isEqualTo("#,##0");
            assertThat(nc.getCell(9).getNumericCellValue()).isEqualTo(10.0); // rate change, points
            assertThat(nc.getCell(12).getNumericCellValue()).isEqualTo(0.6578);
            Row jj = rowOf(summary, "360400");
            assertThat(jj.getCell(15).getStringCellValue()).isEqualTo("是");
            assertThat(jj.getCell(16).getStringCellValue()).contains("连续2周");
            Row px = rowOf(summary, "360300");
            assertThat(px.getCell(5).getStringCellValue()).isEqualTo("—"); // no rate without filings
            assertThat(px.getCell(17).getStringCellValue()).isEqualTo("无备案");
            Row total = rowOf(summary, "360000");
            assertThat(total.getCell(1).getStringCellValue()).isEqualTo("江西省");
            assertThat(total.getCell(2).getNumericCellValue()).isEqualTo(11);
            assertThat(total.getCell(5).getNumericCellValue()).isEqualTo(0.5);

            Row sizes = rowOf(wb.getSheet("规上工业和中小企业"), "360000");
            assertThat(wb.getSheet("规上工业和中小企业").getRow(1).getCell(2).getStringCellValue()).isEqualTo("规上工业已备案");
            assertThat(sizes.getCell(2).getNumericCellValue()).isEqualTo(3);
            assertThat(sizes.getCell(5).getNumericCellValue()).isEqualTo(0.6667);
            assertThat(sizes.getCell(9).getNumericCellValue()).isEqualTo(0.375);
            assertThat(rowOf(wb.getSheet("重大项目"), "360000").getCell(4).getNumericCellValue()).isEqualTo(1);

            Sheet sections = wb.getSheet("按行业门类");
            assertThat(sections.getRow(1).getCell(3).getStringCellValue()).isEqualTo("门类名称");
            assertThat(sections.getRow(2).getCell(2).getStringCellValue()).isEqualTo("A");
            assertThat(sections.getRow(2).getCell(3).getStringCellValue()).isEqualTo("农、林、牧、渔业");
            for (Sheet s : wb) {
                assertThat(s.getPaneInformation().isFreezePane()).as(s.getSheetName()).isTrue();
            }
            Sheet notes = wb.getSheet("说明");
            StringBuilder text = new StringBuilder();
            notes.forEach(r -> r.forEach(c -> text.append(c.getStringCellValue()).append('\n')));
            assertThat(text).contains("复工率", "已复工企业数 ÷ 应复工企业数", "返岗率", "进度滞后", "10个百分点");
        }
    }

    @Test
    void csvIsUtf8WithBom() {
        ReportTables.Table summary = tables.get(0);
        byte[] csv = ReportFiles.csv(summary);
        assertThat(Arrays.copyOf(csv, 3)).containsExactly(0xEF, 0xBB, 0xBF);
        String text = new String(csv, StandardCharsets.UTF_8).substring(1);
        String[] lines = text.split("\r\n");
        assertThat(lines[0]).startsWith("区划代码,设区市,已备案企业数,应复工企业数,已复工企业数,复工率(%)");
        assertThat(lines).anyMatch(l -> l.startsWith("360100,南昌市,6,5,3,60.00,"));
        assertThat(lines).anyMatch(l -> l.startsWith("360300,萍乡市,0,0,0,,"));
        assertThat(lines).hasSize(1 + 12);
    }

    @Test
    void csvQuotesWhatWouldBreakAColumnAndReadsBackTheSame() throws Exception {
        List<Object> row = Arrays.asList("南昌, 市", "说 \"复工\"", "两行\n文字", null, new java.math.BigDecimal("1E+2"));
        ReportTables.Table table = new ReportTables.Table("表", "t", "表", List.of(new ReportTables.Column("a", ReportTables.Kind.TEXT),
                new ReportTables.Column("b", ReportTables.Kind.TEXT), new ReportTables.Column("c", ReportTables.Kind.TEXT),
                new ReportTables.Column("d", ReportTables.Kind.COUNT), new ReportTables.Column("e", ReportTables.Kind.PERCENT)), List.of(row));
        String text = new String(ReportFiles.csv(table), StandardCharsets.UTF_8).substring(1);
        var records = org.apache.commons.csv.CSVFormat.DEFAULT.parse(new java.io.StringReader(text)).getRecords();
        assertThat(records).hasSize(2);
        assertThat(records.get(0).toList()).containsExactly("a", "b", "c", "d", "e(%)");
        assertThat(records.get(1).toList()).containsExactly("南昌, 市", "说 \"复工\"", "两行\n文字", "", "100");
    }

    @Test
    void json() {
        var node = CanonicalJson.read(new String(ReportFiles.json(doc), StandardCharsets.UTF_8));
        assertThat(node.path("provinceTotal").path("resumptionRate").decimalValue()).isEqualByComparingTo("50.00");
        assertThat(node.path("definitions").size()).isGreaterThan(10);
    }

    @Test
    void chartHasItsSizeAndRealChineseGlyphs() throws Exception {
        Font chartFont = CjkFonts.chartFont(""); // the bundled font: this needs no font installed on the machine
        byte[] png = ReportFiles.chart(doc, chartFont);
        java.nio.file.Files.write(java.nio.file.Path.of("target", "report-chart-test.png"), png); // to look at
        java.nio.file.Files.write(java.nio.file.Path.of("target", "report-test.xlsx"), ReportFiles.xlsx(tables, CREATED));
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
        assertThat(image.getWidth()).isEqualTo(ReportFiles.CHART_WIDTH);
        assertThat(image.getHeight()).isEqualTo(ReportFiles.CHART_HEIGHT);
        // the title band (Chinese only, apart from the week) has ink
        assertThat(darkPixels(image, 0, 0, image.getWidth(), 40)).isGreaterThan(500);

        // the font the chart used renders each Chinese character of the labels as its own glyph, not the missing-glyph box
        Font font = chartFont.deriveFont(Font.PLAIN, 40f);
        String labels = CjkFonts.SAMPLE + "设区市复工率全省";
        assertThat(font.canDisplayUpTo(labels)).isEqualTo(-1);
        FontRenderContext frc = new FontRenderContext(null, true, true);
        int missing = font.getMissingGlyphCode();
        GlyphVector glyphs = font.createGlyphVector(frc, labels);
        for (int i = 0; i < glyphs.getNumGlyphs(); i++) {
            assertThat(glyphs.getGlyphCode(i)).as("glyph of '%s'", labels.charAt(i)).isNotEqualTo(missing);
        }
        // and two different characters do not come out as the same picture (as tofu boxes would)
        assertThat(glyphPixels(font, "复")).isNotEqualTo(glyphPixels(font, "产"));
        assertThat(darkPixels(render(font, "南昌"), 0, 0, 100, 60)).isGreaterThan(50);

        // the city names are drawn along the x axis: the band below the plot has ink in every city's slot
        int axisTop = image.getHeight() - 90;
        assertThat(darkPixels(image, 60, axisTop, image.getWidth() - 60, 60)).isGreaterThan(300);
    }

    static BufferedImage render(Font font, String text) {
        BufferedImage img = new BufferedImage(100, 60, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(java.awt.Color.WHITE);
        g.fillRect(0, 0, 100, 60);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_OFF);
        g.setColor(java.awt.Color.BLACK);
        g.setFont(font);
        g.drawString(text, 5, 45);
        g.dispose();
        return img;
    }

    static int[] glyphPixels(Font font, String ch) {
        BufferedImage img = render(font, ch);
        return img.getRGB(0, 0, 100, 60, null, 0, 100);
    }

    static int darkPixels(BufferedImage img, int x0, int y0, int w, int h) {
        int n = 0;
        for (int y = y0; y < Math.min(img.getHeight(), y0 + h); y++) {
            for (int x = x0; x < Math.min(img.getWidth(), x0 + w); x++) {
                int rgb = img.getRGB(x, y);
                int lum = ((rgb >> 16) & 0xFF) + ((rgb >> 8) & 0xFF) + (rgb & 0xFF);
                if (lum < 3 * 128) {
                    n++;
                }
            }
        }
        return n;
    }
}
