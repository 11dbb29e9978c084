package org.govhub.report;

import java.util.List;
import java.util.Map;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * The weekly reports in {@code /actuator/health} ({@code reports}): the week due now, deliveries per
 * state, and each FAILED delivery (report, target, error) waiting for an operator's re-send (UP: the
 * report exists and waits, said in {@code attention}). DOWN while a scheduled report cannot be built
 * ({@code failedReports}: week, attempts, since when, error): no report exists then, and none is sent.
 */
@Component("reports")
public class ReportHealth implements HealthIndicator {

    private final WeeklyReports reports;
    private final ReportDeliveries deliveries;
    private final ReportFailures failures;

    public ReportHealth(WeeklyReports reports, ReportDeliveries deliveries, ReportFailures failures) {
        this.reports = reports;
        this.deliveries = deliveries;
        this.failures = failures;
    }

    @Override
    public Health health() {
        Map<String, Long> counts = deliveries.counts();
        long failedDeliveries = counts.getOrDefault("FAILED", 0L);
        List<Map<String, Object>> failed = failures.list();
        Health.Builder h = (failed.isEmpty() ? Health.up() : Health.down())
                .withDetail("dueWeek", String.valueOf(reports.schedule().dueWeek()))
                .withDetail("deliveries", counts);
        if (!failed.isEmpty()) {
            h.withDetail("failedReports", failed.stream().map(f -> f.get("week") + ": " + f.get("last_error") + " (" + f.get("attempts")
                    + " attempt(s) since " + f.get("first_failed_at") + ", next at " + f.get("next_attempt_at") + ")").toList());
        }
        if (failedDeliveries > 0) {
            h.withDetail("attention", failedDeliveries + " report delivery(ies) FAILED: re-send with POST /api/reports/{reportId}/deliveries/{target}/resend")
                    .withDetail("failed", deliveries.list("FAILED", 20).stream()
                            .map(d -> d.get("report_id") + " → " + d.get("target") + ": " + d.get("last_error")).toList());
        }
        return h.build();
    }
}
