package org.govhub.share;

import java.time.LocalDate;
import java.util.TreeSet;
import org.govhub.enrich.PolicyRules;
import org.springframework.stereotype.Component;

/**
 * Working days by the State Council holiday calendar the hub keeps for tax deadlines
 * ({@code rules/relief-policies.yaml}, {@code tax.calendar}). In a year the calendar does not cover
 * only weekends are known, and the answer says so instead of passing a guess off as the rule.
 */
@Component
public class WorkingDays {

    /** A date and how it was counted. */
    public record Due(LocalDate date, String basis) {
    }

    private final PolicyRules rules;

    public WorkingDays(PolicyRules rules) {
        this.rules = rules;
    }

    /** The day {@code days} working days after {@code from} (from itself not counted). */
    public Due after(LocalDate from, int days) {
        PolicyRules.Tax calendar = rules.tax();
        TreeSet<Integer> uncovered = new TreeSet<>();
        LocalDate day = from;
        for (int counted = 0; counted < days; ) {
            day = day.plusDays(1);
            if (!calendar.covers(day)) {
                uncovered.add(day.getYear());
            }
            if (!calendar.closed(day)) {
                counted++;
            }
        }
        String basis = days + " working days (政务信息资源共享管理暂行办法) by the State Council holiday calendar";
        if (!uncovered.isEmpty()) {
            basis += "; the calendar does not cover " + uncovered + ", where only weekends were left out";
        }
        return new Due(day, basis);
    }
}
