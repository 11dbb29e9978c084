package org.govhub.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.flywaydb.core.Flyway;
import org.govhub.normalise.RegionCodes;
import org.govhub.report.CjkFonts;
import org.govhub.report.Counts;
import org.govhub.report.ReportContent;
import org.govhub.report.ReportFiles;
import org.govhub.report.ReportProperties;
import org.govhub.report.ReportTables;
import org.govhub.report.ReportWeek;
import org.govhub.report.WeeklyFigures;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * On demand, not a test: how long the weekly report takes over N filings.
 *
 * <pre>./mvnw -q test-compile exec:exec@report-benchmark -Dbench.filings=1000000 [-Dbench.db=postgres]</pre>
 *
 * Seeds {@code report_filing_fact} (the report stage's own table) with N Jiangxi filings, one in
 * ten with a second version, spread over February–March 2020, on a fresh H2 file database (the
 * default hub database) or in a fresh schema of the PostgreSQL on 127.0.0.1:5432 (production's);
 * then times the report for 2020-W09 as the hub makes it: the aggregate query (one scan for this week and
 * the two before, for the change and the stall rule), the content, and the XLSX, CSV, JSON and PNG
 * files. Three runs; the first is cold. The heap is capped at 1 GiB: the records never come into it.
 */
public final class ReportBenchmark {

    public static void main(String[] args) throws Exception {
        int n = Integer.parseInt(System.getProperty("bench.filings", "1000000"));
        String db = System.getProperty("bench.db", "h2");
        DriverManagerDataSource ds;
        Path dir = null;
        if (db.startsWith("postgres")) {
            ds = new DriverManagerDataSource("jdbc:postgresql://127.0.0.1:5432/test?currentSchema=report_bench&reWriteBatchedInserts=true",
                    "postgres", "");
            new JdbcTemplate(ds).execute("DROP SCHEMA IF EXISTS report_bench CASCADE");
            Flyway.configure().dataSource(ds).schemas("report_bench").load().migrate();
        } else {
            dir = Files.createTempDirectory("govhub-report-bench");
            ds = new DriverManagerDataSource("jdbc:h2:file:" + dir + "/hub;DATABASE_TO_LOWER=TRUE;DB_CLOSE_ON_EXIT=FALSE", "sa", "");
            Flyway.configure().dataSource(ds).load().migrate();
        }
        int project = Integer.getInteger("bench.project", 0);
        if (project > 0) {
            projection(ds, project); // on the empty table (the seeded facts below have no batch_record rows)
        }
        System.out.printf(Locale.ROOT, "database: %s; seeding %,d filings …%n", db, n);
        long t0 = System.nanoTime();
        long rows = seed(ds, n);
        System.out.printf(Locale.ROOT, "seeded %,d fact rows (%,d filings) in %.1f s%n", rows, n, (System.nanoTime() - t0) / 1e9);
        if (db.startsWith("postgres")) {
            new JdbcTemplate(ds).execute("ANALYZE report_filing_fact");
        }

        if (Boolean.getBoolean("bench.explain")) {
            new JdbcTemplate(ds).queryForList("EXPLAIN SELECT city_code, COUNT(*) FROM report_filing_fact WHERE valid_from < 1583078400000"
                    + " AND (valid_to IS NULL OR valid_to >= 1583078400000) GROUP BY city_code").forEach(System.out::println);
        }
        ZoneId zone = ZoneId.of("Asia/Shanghai");
        ReportWeek week = ReportWeek.parse("2020-W09");
        WeeklyFigures figures = new WeeklyFigures(ds);
        RegionCodes regions = new RegionCodes();
        ReportProperties.Lagging lagging = new ReportProperties.Lagging(10, 2);
        StringBuilder report = new StringBuilder();
        for (int run = 1; run <= 3; run++) {
            long start = System.nanoTime();
            WeeklyFigures.Weeks weeks = figures.weeks(week, 2, zone, "36");
            Map<String, Map<String, Counts>> cube = weeks.cube();
            List<Map<String, Counts>> earlier = weeks.earlier();
            long sql = System.nanoTime();
            Map<String, Object> doc = ReportContent.build("bench", week, zone, "36", regions, lagging, cube, earlier);
            List<ReportTables.Table> tables = ReportTables.of(doc);
            int bytes = ReportFiles.xlsx(tables, java.time.Instant.now()).length + ReportFiles.json(doc).length + ReportFiles.chart(doc, CjkFonts.chartFont("")).length;
            for (ReportTables.Table t : tables) {
                bytes += ReportFiles.csv(t).length;
            }
            long end = System.nanoTime();
            @SuppressWarnings("unchecked")
            Map<String, Object> total = (Map<String, Object>) doc.get("provinceTotal");
            String line = String.format(Locale.ROOT, "run %d: aggregate SQL %.2f s, content and files %.2f s, total %.2f s"
                    + " (province: %s filed, %s should, %s resumed, rate %s%%; files %,d bytes; heap used %d MiB)",
                    run, (sql - start) / 1e9, (end - sql) / 1e9, (end - start) / 1e9, total.get("filed"),
                    total.get("shouldResume"), total.get("resumed"), total.get("resumptionRate"), bytes,
                    (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) >> 20);
            System.out.println(line);
            report.append(line).append('\n');
        }
        Path out = Path.of("target", "report-benchmark-" + db + "-" + n + ".txt");
        Files.writeString(out, "weekly report benchmark, " + db + ", " + n + " filings, " + rows + " fact rows\n" + report);
        System.out.println("written to " + out);
        if (dir != null) {
            try (var walk = Files.walk(dir)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /**
     * How fast the projection reads stored canonical filings (batch_record JSON) into the fact table:
     * the hub does this incrementally as batches are stored; this is the cost of a first catch-up.
     */
    static void projection(DriverManagerDataSource ds, int n) throws Exception {
        JdbcTemplate jdbc = new JdbcTemplate(ds);
        jdbc.update("INSERT INTO batch (batch_id, schema_name, schema_version, status, record_count, opened_at)"
                + " VALUES ('bench', 'EnterpriseFiling', '1.0.0', 'ACKNOWLEDGED', 0, CURRENT_TIMESTAMP)");
        List<Object[]> rows = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        Random random = new Random(7);
        for (int i = 1; i <= n; i++) {
            String key = "P" + (random.nextInt(10) == 0 ? i - 1 : i); // one in ten a second version of the one before
            String json = "{\"actualResumptionDate\":\"2020-02-20\",\"capacityRecoveryPercent\":80,\"employeesReturned\":5,"
                    + "\"employeesTotal\":9,\"filedAt\":\"2020-02-10T08:00:00+08:00\",\"industryCode\":\"C1711\","
                    + "\"majorProject\":false,\"aboveDesignatedSize\":false,\"plannedResumptionDate\":\"2020-02-18\","
                    + "\"priority\":{\"class\":3,\"rule\":\"x\"},\"regionCode\":\"360102\",\"sizeClass\":\"SMALL\","
                    + "\"status\":\"RESUMED\",\"updatedAt\":\"2020-02-" + (10 + random.nextInt(18)) + "T08:00:00+08:00\"}";
            rows.add(new Object[] {i, String.format("%064d", i), key});
            texts.add(json);
            if (rows.size() == 5000 || i == n) {
                jdbc.batchUpdate("INSERT INTO batch_record (batch_id, seq, content_hash, source_id, source_record_key, added_at)"
                        + " VALUES ('bench', ?, ?, 'provincial-filings', ?, CURRENT_TIMESTAMP)", rows);
                org.govhub.batch.RecordChunks.write(jdbc, "bench", i - rows.size() + 1, texts);
                rows.clear();
                texts.clear();
            }
        }
        long start = System.nanoTime();
        int projected = new org.govhub.report.FilingFacts(ds).catchUp();
        double s = (System.nanoTime() - start) / 1e9;
        System.out.printf(Locale.ROOT, "projection: %,d stored filings read into the fact table in %.1f s (%,.0f per second)%n",
                projected, s, projected / s);
        jdbc.update("DELETE FROM report_filing_fact");
    }

    /** N filings over the 11 cities' counties; one in ten changes once (second version later). */
    static long seed(DriverManagerDataSource ds, int n) throws Exception {
        RegionCodes regions = new RegionCodes();
        List<String> counties = regions.countiesUnder("36");
        String[] sections = {"A", "B", "C", "C", "C", "D", "E", "F", "F", "G", "H", "I", "K", "L", "M", "Q", "R"};
        String[] statuses = {"FILED", "APPROVED", "APPROVED", "RESUMED", "RESUMED", "RESUMED", "SUSPENDED", "WITHDRAWN"};
        Random random = new Random(6);
        long base = LocalDate.of(2020, 2, 3).atStartOfDay(ZoneId.of("Asia/Shanghai")).toInstant().toEpochMilli();
        long rows = 0;
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO report_filing_fact (record_id, source_id, record_key,"
                    + " valid_from, valid_to, filed_at, region_code, city_code, industry_section, priority_class, above_designated,"
                    + " sme, major_project, status, planned_date, actual_date, employees_total, employees_returned, capacity_percent)"
                    + " VALUES (?, 'provincial-filings', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                long id = 0;
                for (int i = 0; i < n; i++) {
                    String county = counties.get(random.nextInt(counties.size()));
                    String section = sections[random.nextInt(sections.length)];
                    long filed = base + (long) (random.nextDouble() * 35 * 86_400_000L);
                    long updated = filed + random.nextInt(3 * 86_400_000);
                    boolean twice = random.nextInt(10) == 0;
                    long second = updated + 86_400_000L + random.nextInt(14 * 86_400_000);
                    int total = 3 + random.nextInt(500);
                    LocalDate planned = LocalDate.of(2020, 2, 10).plusDays(random.nextInt(30));
                    for (int v = 0; v < (twice ? 2 : 1); v++) {
                        String status = v == 1 ? "RESUMED" : statuses[random.nextInt(statuses.length)];
                        boolean resumed = "RESUMED".equals(status) || "SUSPENDED".equals(status);
                        ps.setLong(1, ++id);
                        ps.setString(2, "GFT" + i);
                        ps.setLong(3, v == 0 ? updated : second);
                        if (twice && v == 0) {
                            ps.setLong(4, second);
                        } else {
                            ps.setNull(4, java.sql.Types.BIGINT);
                        }
                        ps.setLong(5, filed);
                        ps.setString(6, county);
                        ps.setString(7, county.substring(0, 4) + "00");
                        ps.setString(8, section);
                        ps.setInt(9, 1 + random.nextInt(4));
                        ps.setInt(10, "BCD".contains(section) && random.nextInt(5) == 0 ? 1 : 0);
                        ps.setInt(11, random.nextInt(10) < 9 ? 1 : 0);
                        ps.setInt(12, random.nextInt(30) == 0 ? 1 : 0);
                        ps.setString(13, status);
                        ps.setInt(14, planned.getYear() * 10000 + planned.getMonthValue() * 100 + planned.getDayOfMonth());
                        LocalDate actual = planned.plusDays(random.nextInt(5));
                        if (resumed) {
                            ps.setInt(15, actual.getYear() * 10000 + actual.getMonthValue() * 100 + actual.getDayOfMonth());
                        } else {
                            ps.setNull(15, java.sql.Types.INTEGER);
                        }
                        ps.setLong(16, total);
                        ps.setLong(17, resumed ? random.nextInt(total + 1) : 0);
                        if (resumed) {
                            ps.setBigDecimal(18, java.math.BigDecimal.valueOf(20 + random.nextInt(81)));
                        } else {
                            ps.setNull(18, java.sql.Types.DECIMAL);
                        }
                        ps.addBatch();
                        rows++;
                        if (rows % 5000 == 0) {
                            ps.executeBatch();
                            c.commit();
                        }
                    }
                }
                ps.executeBatch();
                c.commit();
            }
        }
        return rows;
    }
}
