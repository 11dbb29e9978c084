package org.govhub.report;

import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.IsoFields;
import java.time.temporal.TemporalAdjusters;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** An ISO week (Monday–Sunday), written {@code 2020-W07}. */
public record ReportWeek(LocalDate monday) implements Comparable<ReportWeek> {

    private static final Pattern ISO = Pattern.compile("(\\d{4})-W(\\d{2})");

    public ReportWeek {
        if (monday.getDayOfWeek() != DayOfWeek.MONDAY) {
            throw new IllegalArgumentException(monday + " is not a Monday");
        }
    }

    /** Parses {@code 2020-W07}; throws IllegalArgumentException for anything else or a week the year does not have. */
    public static ReportWeek parse(String text) {
        Matcher m = ISO.matcher(text == null ? "" : text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("week '" + text + "' is not an ISO week like 2020-W07");
        }
        int year = Integer.parseInt(m.group(1));
        int week = Integer.parseInt(m.group(2));
        LocalDate jan4 = LocalDate.of(year, 1, 4);
        if (week < 1 || week > jan4.range(IsoFields.WEEK_OF_WEEK_BASED_YEAR).getMaximum()) {
            throw new IllegalArgumentException("week '" + text + "': " + year + " has no week " + week);
        }
        return of(jan4.with(IsoFields.WEEK_OF_WEEK_BASED_YEAR, week));
    }

    /** The week a date falls in. */
    public static ReportWeek of(LocalDate day) {
        return new ReportWeek(day.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY)));
    }

    public LocalDate sunday() {
        return monday.plusDays(6);
    }

    /** Monday 00:00 of the next week in {@code zone}: what happened before it counts. */
    public ZonedDateTime cutOff(ZoneId zone) {
        return monday.plusWeeks(1).atStartOfDay(zone);
    }

    public ReportWeek minusWeeks(int n) {
        return new ReportWeek(monday.minusWeeks(n));
    }

    @Override
    public String toString() {
        return String.format("%d-W%02d", monday.get(IsoFields.WEEK_BASED_YEAR), monday.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR));
    }

    @Override
    public int compareTo(ReportWeek o) {
        return monday.compareTo(o.monday);
    }
}
