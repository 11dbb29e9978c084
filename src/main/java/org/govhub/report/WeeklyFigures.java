package org.govhub.report;

import java.math.BigDecimal;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.sql.DataSource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The week's figures, summed by the database from {@code report_filing_fact} with GROUP BY: no
 * record is loaded into memory, only one row per (city, industry section, priority class, 规上,
 * SME, major project) combination that occurs.
 *
 * <p>At a week's cut-off T (Monday 00:00 after it), each filing counts in its version current at T;
 * it is <b>filed</b> when filed before T and not WITHDRAWN; it has <b>resumed</b> when that version's
 * status is RESUMED (and its actual resumption date, if given, is not after the Sunday); it
 * <b>should have resumed</b> when it has resumed or its planned resumption date is not after the Sunday.
 */
@Component
public class WeeklyFigures {

    /** Dimension keys of {@link #cube}. */
    public static final String ALL = "all";
    public static final String ABOVE_DESIGNATED = "above-designated";
    public static final String SME = "sme";
    public static final String MAJOR_PROJECT = "major-project";
    public static final String SECTION = "section:";
    public static final String PRIORITY = "class:";

    private final JdbcTemplate jdbc;

    public WeeklyFigures(DataSource dataSource) {
        this.jdbc = new JdbcTemplate(dataSource);
    }

    /** The week's figures and the earlier weeks' per-city figures, from one scan of the table. */
    public record Weeks(Map<String, Map<String, Counts>> cube, List<Map<String, Counts>> earlier) {
    }

    /**
     * The week's cube and, for each of the {@code earlierWeeks} weeks before it (most recent first),
     * filed / should / resumed per city: one pass over the table, each version counted at each
     * cut-off it was current at.
     */
    public Weeks weeks(ReportWeek week, int earlierWeeks, ZoneId zone, String province) {
        int k = earlierWeeks;
        List<Object> args = new ArrayList<>();
        StringBuilder sql = new StringBuilder("SELECT city_code, industry_section, priority_class, above_designated, sme, major_project");
        for (int i = 0; i <= k; i++) {
            ReportWeek w = week.minusWeeks(i);
            long cutOff = w.cutOff(zone).toInstant().toEpochMilli();
            int sunday = FilingFacts.yyyymmdd(w.sunday());
            String in = "valid_from < " + cutOff + " AND (valid_to IS NULL OR valid_to >= " + cutOff + ") AND filed_at < " + cutOff;
            String resumed = in + " AND status = 'RESUMED' AND (actual_date IS NULL OR actual_date <= " + sunday + ")";
            sql.append(", SUM(CASE WHEN ").append(in).append(" THEN 1 ELSE 0 END) AS filed_").append(i)
                    .append(", SUM(CASE WHEN ").append(resumed).append(" THEN 1 ELSE 0 END) AS resumed_").append(i)
                    .append(", SUM(CASE WHEN (").append(resumed).append(") OR (").append(in).append(" AND planned_date <= ")
                    .append(sunday).append(") THEN 1 ELSE 0 END) AS should_").append(i);
            if (i == 0) {
                sql.append(", SUM(CASE WHEN ").append(in).append(" THEN employees_total ELSE 0 END) AS employees_total")
                        .append(", SUM(CASE WHEN ").append(in).append(" THEN employees_returned ELSE 0 END) AS employees_returned")
                        .append(", SUM(CASE WHEN ").append(resumed).append(" AND capacity_percent IS NOT NULL THEN 1 ELSE 0 END) AS capacity_reported")
                        .append(", SUM(CASE WHEN ").append(resumed).append(" THEN capacity_percent END) AS capacity_sum");
            }
        }
        long newest = week.cutOff(zone).toInstant().toEpochMilli();
        long oldest = week.minusWeeks(k).cutOff(zone).toInstant().toEpochMilli();
        // every number above is computed here from dates, never from input: no injection
        sql.append(" FROM report_filing_fact WHERE valid_from < ? AND (valid_to IS NULL OR valid_to >= ?) AND filed_at < ?")
                .append(" AND status <> 'WITHDRAWN' AND city_code LIKE ?")
                .append(" GROUP BY city_code, industry_section, priority_class, above_designated, sme, major_project");
        args.add(newest);
        args.add(oldest);
        args.add(newest);
        args.add(province + "%");

        Map<String, Map<String, Counts>> result = new TreeMap<>();
        List<Map<String, Counts>> earlier = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            earlier.add(new TreeMap<>());
        }
        jdbc.query(sql.toString(), rs -> {
            String cityCode = rs.getString("city_code");
            for (int i = 1; i <= k; i++) {
                Counts e = new Counts();
                e.filed = rs.getLong("filed_" + i);
                e.resumed = rs.getLong("resumed_" + i);
                e.shouldResume = rs.getLong("should_" + i);
                if (e.filed > 0) {
                    earlier.get(i - 1).computeIfAbsent(cityCode, x -> new Counts()).add(e);
                }
            }
            Counts c = new Counts();
            c.filed = rs.getLong("filed_0");
            if (c.filed == 0) {
                return;
            }
            c.resumed = rs.getLong("resumed_0");
            c.shouldResume = rs.getLong("should_0");
            c.employeesTotal = rs.getLong("employees_total");
            c.employeesReturned = rs.getLong("employees_returned");
            c.capacityReported = rs.getLong("capacity_reported");
            BigDecimal sum = rs.getBigDecimal("capacity_sum");
            c.capacitySum = sum == null ? BigDecimal.ZERO : sum;
            Map<String, Counts> city = result.computeIfAbsent(cityCode, x -> new HashMap<>());
            add(city, ALL, c);
            if (rs.getInt("above_designated") == 1) {
                add(city, ABOVE_DESIGNATED, c);
            }
            if (rs.getInt("sme") == 1) {
                add(city, SME, c);
            }
            if (rs.getInt("major_project") == 1) {
                add(city, MAJOR_PROJECT, c);
            }
            add(city, SECTION + rs.getString("industry_section"), c);
            add(city, PRIORITY + rs.getInt("priority_class"), c);
        }, args.toArray());
        return new Weeks(result, earlier);
    }

    private static void add(Map<String, Counts> city, String key, Counts c) {
        city.computeIfAbsent(key, k -> new Counts()).add(c);
    }
}
