package org.govhub.report;

import java.util.Map;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * The weekly reports in {@code /actuator/health} ({@code reports}): the week due now, deliveries per
 * state, and each FAILED delivery (report, target, error) waiting for an operator's re-send. It
 * stays UP (the hub works; a report is waiting) and says so in {@code attention}.
 */
@Component("reports")
public class ReportHealth implements HealthIndicator {

    private final WeeklyReports reports;
    private final ReportDeliveries deliveries;

    public ReportHealth(WeeklyReports reports, ReportDeliveries deliveries) {
        this.reports = reports;
        this.deliveries = deliveries;
    }

    @Override
    public Health health() {
        Map<String, Long> counts = deliveries.counts();
        long failed = counts.getOrDefault("FAILED", 0L);
        Health.Builder h = Health.up().withDetail("dueWeek", String.valueOf(reports.schedule().dueWeek()))
                .withDetail("deliveries", counts);
        if (failed > 0) {
            h.withDetail("attention", failed + " report delivery(ies) FAILED: re-send with POST /api/reports/{reportId}/deliveries/{target}/resend")
                    .withDetail("failed", deliveries.list("FAILED", 20).stream()
                            .map(d -> d.get("report_id") + " → " + d.get("target") + ": " + d.get("last_error")).toList());
        }
        return h.build();
    }
}
