package org.govhub.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Paint;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.apache.poi.ss.usermodel.BorderStyle;
import org.apache.poi.ss.usermodel.Cell;
import org.apache.poi.ss.usermodel.CellStyle;
import org.apache.poi.ss.usermodel.FillPatternType;
import org.apache.poi.ss.usermodel.IndexedColors;
import org.apache.poi.ss.usermodel.Row;
import org.apache.poi.ss.usermodel.Sheet;
import org.apache.poi.xssf.usermodel.XSSFWorkbook;
import org.govhub.normalise.CanonicalJson;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.labels.StandardCategoryItemLabelGenerator;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.category.DefaultCategoryDataset;

/** Writes a report's content as XLSX, CSV (UTF-8 with BOM), JSON and a PNG chart. */
public final class ReportFiles {

    public static final int CHART_WIDTH = 1200;
    public static final int CHART_HEIGHT = 720;

    private ReportFiles() {
    }

    /** Pretty JSON of the content (the same document the checksum is taken over, in canonical form). */
    public static byte[] json(Map<String, Object> doc) {
        try {
            return CanonicalJson.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(doc);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The same zip with every entry dated {@code time} (POI dates them now), so equal content gives equal bytes. */
    static byte[] withEntryTimes(byte[] zip, java.time.Instant time) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(zip.length);
        try (var in = new java.util.zip.ZipInputStream(new java.io.ByteArrayInputStream(zip));
                var rezipped = new java.util.zip.ZipOutputStream(out)) {
            for (var entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                var copy = new java.util.zip.ZipEntry(entry.getName());
                copy.setTime(time.toEpochMilli());
                rezipped.putNextEntry(copy);
                in.transferTo(rezipped);
                rezipped.closeEntry();
            }
        }
        return out.toByteArray();
    }

    /** One sheet per view; title row and header row frozen; counts, percentages and points with number formats. */
    public static byte[] xlsx(List<ReportTables.Table> tables, java.time.Instant created) {
        try (XSSFWorkbook wb = new XSSFWorkbook(); ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            // POI stamps the current time otherwise, and the same report would not give the same bytes twice
            wb.getProperties().getCoreProperties().setCreated(java.util.Optional.of(java.util.Date.from(created)));
            var format = wb.createDataFormat();
            var bold = wb.createFont();
            bold.setBold(true);
            CellStyle title = wb.createCellStyle();
            var titleFont = wb.createFont();
            titleFont.setBold(true);
            titleFont.setFontHeightInPoints((short) 14);
            title.setFont(titleFont);
            CellStyle header = wb.createCellStyle();
            header.setFont(bold);
            header.setWrapText(true);
            header.setFillForegroundColor(IndexedColors.GREY_25_PERCENT.getIndex());
            header.setFillPattern(FillPatternType.SOLID_FOREGROUND);
            header.setBorderBottom(BorderStyle.THIN);
            CellStyle count = wb.createCellStyle();
            count.setDataFormat(format.getFormat("#,##0"));
            CellStyle percent = wb.createCellStyle();
            percent.setDataFormat(format.getFormat("0.00%"));
            CellStyle points = wb.createCellStyle();
            points.setDataFormat(format.getFormat("+0.00;-0.00;0.00"));
            CellStyle decimal = wb.createCellStyle();
            decimal.setDataFormat(format.getFormat("0.00"));
            CellStyle text = wb.createCellStyle();
            text.setWrapText(false);

            for (ReportTables.Table t : tables) {
                Sheet sheet = wb.createSheet(t.sheet());
                Cell titleCell = sheet.createRow(0).createCell(0);
                titleCell.setCellValue(t.title());
                titleCell.setCellStyle(title);
                Row head = sheet.createRow(1);
                for (int i = 0; i < t.columns().size(); i++) {
                    Cell cell = head.createCell(i);
                    cell.setCellValue(t.columns().get(i).header());
                    cell.setCellStyle(header);
                }
                int r = 2;
                for (List<Object> values : t.rows()) {
                    Row row = sheet.createRow(r++);
                    for (int i = 0; i < values.size(); i++) {
                        Object v = values.get(i);
                        Cell cell = row.createCell(i);
                        ReportTables.Kind kind = t.columns().get(i).kind();
                        if (v == null) {
                            cell.setCellValue("—");
                        } else if (v instanceof Number n && kind != ReportTables.Kind.TEXT) {
                            double d = n.doubleValue();
                            switch (kind) {
                                case PERCENT -> {
                                    cell.setCellValue(new BigDecimal(n.toString()).movePointLeft(2).doubleValue());
                                    cell.setCellStyle(percent);
                                }
                                case POINTS -> {
                                    cell.setCellValue(d);
                                    cell.setCellStyle(points);
                                }
                                case DECIMAL -> {
                                    cell.setCellValue(d);
                                    cell.setCellStyle(decimal);
                                }
                                default -> {
                                    cell.setCellValue(d);
                                    cell.setCellStyle(count);
                                }
                            }
                        } else {
                            cell.setCellValue(String.valueOf(v));
                            cell.setCellStyle(text);
                        }
                    }
                }
                sheet.createFreezePane(0, 2);
                for (int i = 0; i < t.columns().size(); i++) {
                    boolean wide = t.columns().get(i).header().contains("说明") || t.columns().get(i).header().contains("原因");
                    sheet.setColumnWidth(i, wide ? 60 * 256 : 14 * 256);
                }
            }
            wb.write(out);
            return withEntryTimes(out.toByteArray(), created);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** CSV of one table (RFC 4180), UTF-8 with a byte-order mark (Excel then reads it as UTF-8); rates in percent. */
    public static byte[] csv(ReportTables.Table t) {
        StringBuilder sb = new StringBuilder("\uFEFF");
        try (CSVPrinter out = new CSVPrinter(sb, CSVFormat.DEFAULT)) {
            out.printRecord(t.columns().stream().map(c -> c.kind() == ReportTables.Kind.PERCENT ? c.header() + "(%)" : c.header()));
            for (List<Object> row : t.rows()) {
                out.printRecord(row.stream().map(v -> v instanceof BigDecimal b ? b.toPlainString() : v));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Bar chart of each city's resumption rate, the province's rate as a line, lagging cities in red,
     * its text in {@code font} (one that renders Chinese: {@link CjkFonts#chartFont}).
     */
    @SuppressWarnings("unchecked")
    public static byte[] chart(Map<String, Object> doc, Font font) {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        List<Map<String, Object>> cities = (List<Map<String, Object>>) doc.get("cities");
        java.util.Set<String> lagging = new java.util.HashSet<>();
        for (Map<String, Object> c : cities) {
            String label = (String) c.get("name");
            Number rate = (Number) c.get("resumptionRate");
            data.addValue(rate, "复工率", label);
            if (Boolean.TRUE.equals(c.get("lagging"))) {
                lagging.add(label);
            }
        }
        Map<String, Object> total = (Map<String, Object>) doc.get("provinceTotal");
        Number provinceRate = (Number) total.get("resumptionRate");

        CategoryAxis x = new CategoryAxis("设区市");
        x.setCategoryLabelPositions(CategoryLabelPositions.STANDARD);
        x.setMaximumCategoryLabelLines(2);
        NumberAxis y = new NumberAxis("复工率（%）");
        y.setRange(0, 105);
        BarRenderer renderer = new BarRenderer() {
            @Override
            public Paint getItemPaint(int row, int column) {
                return lagging.contains((String) data.getColumnKey(column)) ? new Color(0xC0, 0x39, 0x2B) : new Color(0x2E, 0x6D, 0xB4);
            }
        };
        renderer.setBarPainter(new StandardBarPainter());
        renderer.setShadowVisible(false);
        renderer.setDefaultItemLabelGenerator(new StandardCategoryItemLabelGenerator("{2}", new java.text.DecimalFormat("0.00")));
        renderer.setDefaultItemLabelsVisible(true);
        renderer.setDefaultItemLabelFont(font.deriveFont(Font.PLAIN, 13f));
        CategoryPlot plot = new CategoryPlot(data, x, y, renderer);
        plot.setOrientation(PlotOrientation.VERTICAL);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        if (provinceRate != null) {
            ValueMarker marker = new ValueMarker(provinceRate.doubleValue(), new Color(0xE6, 0x7E, 0x22), new BasicStroke(2f));
            marker.setLabel("全省 " + provinceRate + "%");
            marker.setLabelFont(font.deriveFont(Font.BOLD, 14f));
            marker.setLabelAnchor(RectangleAnchor.TOP_RIGHT);
            marker.setLabelTextAnchor(TextAnchor.BOTTOM_RIGHT);
            plot.addRangeMarker(marker);
        }
        x.setLabelFont(font.deriveFont(Font.PLAIN, 14f));
        x.setTickLabelFont(font.deriveFont(Font.PLAIN, 14f));
        y.setLabelFont(font.deriveFont(Font.PLAIN, 14f));
        y.setTickLabelFont(font.deriveFont(Font.PLAIN, 13f));

        JFreeChart chart = new JFreeChart(null, font.deriveFont(Font.BOLD, 20f), plot, false);
        chart.setTitle(new TextTitle(ReportContent.TITLE + " " + doc.get("week") + "（" + doc.get("weekStart") + "至"
                + doc.get("weekEnd") + "）各设区市复工率", font.deriveFont(Font.BOLD, 20f)));
        chart.addSubtitle(new TextTitle("红色：进度滞后　橙线：全省复工率　无柱：无应复工企业", font.deriveFont(Font.PLAIN, 13f)));
        chart.setBackgroundPaint(Color.WHITE);
        chart.setAntiAlias(true);
        chart.setTextAntiAlias(true);
        try (ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            ChartUtils.writeChartAsPNG(out, chart, CHART_WIDTH, CHART_HEIGHT);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
