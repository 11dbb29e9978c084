package org.govhub.report;

import java.math.BigDecimal;
import java.time.ZoneId;
import java.util.HashMap;
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

    private static final String RESUMED = "status = 'RESUMED' AND (actual_date IS NULL OR actual_date <= ?)";

    private final JdbcTemplate jdbc;

    public WeeklyFigures(DataSource dataSource) {
        this.jdbc = new JdbcTemplate(dataSource);
    }

    /** Per city (6-digit code) and dimension key: the figures of the week. */
    public Map<String, Map<String, Counts>> cube(ReportWeek week, ZoneId zone, String province) {
        Map<String, Map<String, Counts>> result = new TreeMap<>();
        int sunday = FilingFacts.yyyymmdd(week.sunday());
        long cutOff = week.cutOff(zone).toInstant().toEpochMilli();
        jdbc.query("SELECT city_code, industry_section, priority_class, above_designated, sme, major_project,"
                + " COUNT(*) AS filed,"
                + " SUM(CASE WHEN " + RESUMED + " THEN 1 ELSE 0 END) AS resumed,"
                + " SUM(CASE WHEN (" + RESUMED + ") OR planned_date <= ? THEN 1 ELSE 0 END) AS should_resume,"
                + " SUM(employees_total) AS employees_total, SUM(employees_returned) AS employees_returned,"
                + " SUM(CASE WHEN (" + RESUMED + ") AND capacity_percent IS NOT NULL THEN 1 ELSE 0 END) AS capacity_reported,"
                + " SUM(CASE WHEN (" + RESUMED + ") THEN capacity_percent END) AS capacity_sum"
                + " FROM report_filing_fact"
                + " WHERE valid_from < ? AND (valid_to IS NULL OR valid_to >= ?) AND filed_at < ? AND status <> 'WITHDRAWN'"
                + " AND city_code LIKE ?"
                + " GROUP BY city_code, industry_section, priority_class, above_designated, sme, major_project",
                rs -> {
                    Counts c = new Counts();
                    c.filed = rs.getLong("filed");
                    c.resumed = rs.getLong("resumed");
                    c.shouldResume = rs.getLong("should_resume");
                    c.employeesTotal = rs.getLong("employees_total");
                    c.employeesReturned = rs.getLong("employees_returned");
                    c.capacityReported = rs.getLong("capacity_reported");
                    BigDecimal sum = rs.getBigDecimal("capacity_sum");
                    c.capacitySum = sum == null ? BigDecimal.ZERO : sum;
                    Map<String, Counts> city = result.computeIfAbsent(rs.getString("city_code"), k -> new HashMap<>());
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
                },
                sunday, sunday, sunday, sunday, sunday, cutOff, cutOff, cutOff, province + "%");
        return result;
    }

    /** Per city: the week's overall figures only (earlier weeks, for the change and the stall rule). */
    public Map<String, Counts> cities(ReportWeek week, ZoneId zone, String province) {
        Map<String, Counts> result = new TreeMap<>();
        int sunday = FilingFacts.yyyymmdd(week.sunday());
        long cutOff = week.cutOff(zone).toInstant().toEpochMilli();
        jdbc.query("SELECT city_code, COUNT(*) AS filed,"
                + " SUM(CASE WHEN " + RESUMED + " THEN 1 ELSE 0 END) AS resumed,"
                + " SUM(CASE WHEN (" + RESUMED + ") OR planned_date <= ? THEN 1 ELSE 0 END) AS should_resume"
                + " FROM report_filing_fact"
                + " WHERE valid_from < ? AND (valid_to IS NULL OR valid_to >= ?) AND filed_at < ? AND status <> 'WITHDRAWN'"
                + " AND city_code LIKE ? GROUP BY city_code",
                rs -> {
                    Counts c = new Counts();
                    c.filed = rs.getLong("filed");
                    c.resumed = rs.getLong("resumed");
                    c.shouldResume = rs.getLong("should_resume");
                    result.put(rs.getString("city_code"), c);
                },
                sunday, sunday, sunday, cutOff, cutOff, cutOff, province + "%");
        return result;
    }

    private static void add(Map<String, Counts> city, String key, Counts c) {
        city.computeIfAbsent(key, k -> new Counts()).add(c);
    }
}
