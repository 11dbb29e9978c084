package org.govhub.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** The Monday schedule with a fixed clock. */
class ReportScheduleTest {

    static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");

    static ReportSchedule at(String instant) {
        return new ReportSchedule("0 0 8 * * MON", SHANGHAI, Clock.fixed(Instant.parse(instant), ZoneOffset.UTC));
    }

    @Test
    void dueAtEightOnMondayBeijingTimeForThePreviousWeek() {
        // Monday 2 March 2020, 07:59:59 Beijing (= 23:59:59 UTC Sunday): the week before is still the one due
        assertThat(at("2020-03-01T23:59:59Z").dueWeek()).hasToString("2020-W08");
        // 08:00 Beijing = 00:00 UTC: 2020-W09 (24 Feb – 1 Mar) is due
        assertThat(at("2020-03-02T00:00:00Z").dueWeek()).hasToString("2020-W09");
        assertThat(at("2020-03-02T00:00:00Z").lastFiring().toOffsetDateTime()).hasToString("2020-03-02T08:00+08:00");
        // later in the week: still W09
        assertThat(at("2020-03-07T15:00:00Z").dueWeek()).hasToString("2020-W09");
        // across a year: Monday 4 January 2021, 08:00 Beijing → 2020-W53
        assertThat(at("2021-01-04T00:00:00Z").dueWeek()).hasToString("2020-W53");
    }

    @Test
    void configurableCronAndZone() {
        ReportSchedule utcTuesday = new ReportSchedule("0 30 9 * * TUE", ZoneOffset.UTC,
                Clock.fixed(Instant.parse("2020-03-03T09:30:00Z"), ZoneOffset.UTC));
        assertThat(utcTuesday.dueWeek()).hasToString("2020-W09");
        ReportSchedule before = new ReportSchedule("0 30 9 * * TUE", ZoneOffset.UTC,
                Clock.fixed(Instant.parse("2020-03-03T09:29:00Z"), ZoneOffset.UTC));
        assertThat(before.dueWeek()).hasToString("2020-W08");
    }

    @Test
    void generatesOnlyWhatIsMissingAndCatchesUpAfterAStop() {
        ReportSchedule monday = at("2020-03-02T00:00:05Z");
        assertThat(monday.weeksToGenerate(null)).extracting(Object::toString).containsExactly("2020-W09");
        assertThat(monday.weeksToGenerate(ReportWeek.parse("2020-W08"))).extracting(Object::toString).containsExactly("2020-W09");
        // done already: running again generates nothing
        assertThat(monday.weeksToGenerate(ReportWeek.parse("2020-W09"))).isEmpty();
        // the hub was down from Saturday 22 Feb to Wednesday 11 March: W08 and W09 and W10 missing
        ReportSchedule wednesday = at("2020-03-11T02:00:00Z");
        assertThat(wednesday.weeksToGenerate(ReportWeek.parse("2020-W07"))).extracting(Object::toString)
                .containsExactly("2020-W08", "2020-W09", "2020-W10");
    }
}
