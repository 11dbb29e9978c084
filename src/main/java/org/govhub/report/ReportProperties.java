package org.govhub.report;

import java.time.Duration;
import java.time.ZoneId;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The weekly resumption report 每周复工复产情况 ({@code govhub.report.*}).
 *
 * @param enabled        whether the schedule runs (the API answers either way)
 * @param cron           when a week's report is due (Spring cron, 6 fields), in {@code zone}
 * @param zone           the time zone of the schedule and of the week (Monday 00:00 to Sunday 24:00)
 * @param province       2-digit GB/T 2260 province whose prefecture-level cities are reported
 * @param checkInterval  how often the schedule asks "is a report due" (ms)
 * @param dir            where generated reports are kept (one folder per report)
 * @param lagging        the rule that flags lagging cities
 * @param delivery       delivery targets, retries
 * @param chartFont      an installed font family for the chart, which must render Chinese (empty: the bundled Noto Sans CJK SC)
 */
@ConfigurationProperties("govhub.report")
public record ReportProperties(@DefaultValue("true") boolean enabled, @DefaultValue("0 0 8 * * MON") String cron,
        @DefaultValue("Asia/Shanghai") ZoneId zone, @DefaultValue("36") String province,
        @DefaultValue("60000") long checkInterval, String dir, @DefaultValue Lagging lagging,
        @DefaultValue Delivery delivery, @DefaultValue("") String chartFont) {

    /**
     * A city is lagging when its resumption rate is more than {@code rateGapPoints} percentage points
     * below the province's, or when its number of resumed enterprises has not grown for
     * {@code stalledWeeks} weeks in a row while some that should have resumed have not.
     */
    public record Lagging(@DefaultValue("10") double rateGapPoints, @DefaultValue("2") int stalledWeeks) {
    }

    /**
     * @param targets     targets every report goes to: national-platform, drc-miit-ftp, archive
     * @param maxAttempts attempts per target before the delivery is FAILED (an operator re-sends it)
     * @param firstBackoff wait after the first failed attempt, doubled each time …
     * @param maxBackoff   … up to this
     * @param pollInterval ms between two delivery rounds
     * @param platformUrl  national platform base URL (defaults to govhub.platform.url)
     * @param platformToken its bearer token
     * @param ftp          the provincial DRC/MIIT FTP drop
     * @param archiveDir   the archive folder (a network share in production)
     */
    public record Delivery(@DefaultValue({"national-platform", "drc-miit-ftp", "archive"}) java.util.List<String> targets,
            @DefaultValue("6") int maxAttempts, @DefaultValue("5s") Duration firstBackoff,
            @DefaultValue("10m") Duration maxBackoff, @DefaultValue("2000") long pollInterval,
            String platformUrl, String platformToken, @DefaultValue Ftp ftp, String archiveDir) {
        @Override
        public String toString() {
            return "Delivery[targets=" + targets + ", platformUrl=" + platformUrl + ", platformToken=****, ftp=" + ftp
                    + ", archiveDir=" + archiveDir + "]";
        }
    }

    /**
     * @param host      FTP host
     * @param port      FTP port
     * @param username  login
     * @param password  password (from the environment; never logged)
     * @param directory folder the reports go into, one sub-folder per report
     */
    public record Ftp(@DefaultValue("127.0.0.1") String host, @DefaultValue("21") int port, String username,
            String password, @DefaultValue("reports") String directory) {
        @Override
        public String toString() {
            return "Ftp[host=" + host + ", port=" + port + ", username=" + username + ", password=****, directory="
                    + directory + "]";
        }
    }
}
