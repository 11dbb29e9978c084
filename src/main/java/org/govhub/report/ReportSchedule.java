package org.govhub.report;

import java.time.Clock;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import org.springframework.scheduling.support.CronExpression;

/**
 * When a week's report is due: at each firing of the cron (in the report's time zone) the ISO
 * week before the firing's week is due. Pure: the time comes from the Clock.
 */
public final class ReportSchedule {

    /** Most weeks caught up at once after a long stop (older ones: on request over the API). */
    static final int MAX_CATCH_UP = 8;

    private final CronExpression cron;
    private final ZoneId zone;
    private final Clock clock;

    public ReportSchedule(String cron, ZoneId zone, Clock clock) {
        this.cron = CronExpression.parse(cron);
        this.zone = zone;
        this.clock = clock;
    }

    /** The last firing at or before now (looked for in the last 8 days), or null. */
    public ZonedDateTime lastFiring() {
        ZonedDateTime now = clock.instant().atZone(zone);
        ZonedDateTime t = cron.next(now.minusDays(8));
        ZonedDateTime last = null;
        while (t != null && !t.isAfter(now)) {
            last = t;
            t = cron.next(t);
        }
        return last;
    }

    /** The week the last firing is for, or null when the cron has not fired in the last 8 days. */
    public ReportWeek dueWeek() {
        ZonedDateTime f = lastFiring();
        return f == null ? null : ReportWeek.of(f.toLocalDate()).minusWeeks(1);
    }

    /**
     * Weeks that are due and have no scheduled report yet, oldest first: the due week and, after a
     * stop, the weeks missed since {@code newestDone} (at most {@link #MAX_CATCH_UP}).
     */
    public List<ReportWeek> weeksToGenerate(ReportWeek newestDone) {
        ReportWeek due = dueWeek();
        List<ReportWeek> weeks = new ArrayList<>();
        if (due == null || (newestDone != null && newestDone.compareTo(due) >= 0)) {
            return weeks;
        }
        ReportWeek w = due;
        while (weeks.size() < MAX_CATCH_UP && (newestDone == null ? weeks.isEmpty() : w.compareTo(newestDone) > 0)) {
            weeks.add(0, w);
            w = w.minusWeeks(1);
        }
        return weeks;
    }

    public ZoneId zone() {
        return zone;
    }
}
