package org.govhub.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;
import org.govhub.HubTest;
import org.govhub.sandbox.CreditReferenceSandbox;
import org.govhub.sandbox.GeneratedRow;
import org.govhub.sandbox.NationalPlatformReceiver;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * 急用先行 at the source: a class-1 row written to a departmental table behind a backlog of 20,000
 * rows reaches the national platform while the backlog is still being read, not after it; and once
 * the backlog is read, every valid row is at the platform once (the urgent one too).
 */
@HubTest({
            "govhub.sandbox.tax-bureau.rows=0",
            "govhub.sandbox.credit-reference.rows=20000",
            "govhub.sandbox.hrss.drop-files=false",
            "govhub.sources.provincial-filings.enabled=false",
            "govhub.sources.credit-portal.enabled=false",
            "govhub.security.admin-password=Urgent-lane-test-26",
        })
class UrgentLaneTest {

    static final long URGENT_KEY = 50_000;

    @Autowired
    CreditReferenceSandbox centre;
    @Autowired
    NationalPlatformReceiver platform;
    @Autowired
    JdbcTemplate hub;
    @Value("${govhub.sandbox.credit-reference.url}")
    String centreUrl;

    @Test
    void aClassOneRowBehindABacklogOvertakesItAndNothingArrivesTwice() throws Exception {
        // the backlog is being read (default poll interval and page size: pages follow one another)
        await().atMost(Duration.ofSeconds(60)).until(() -> watermark() > 0);
        try (Connection c = DriverManager.getConnection(centreUrl, "sa", ""); Statement s = c.createStatement()) {
            // a hospitalised patient's overdue loan: class 1 by the rule epidemic-affected-person-credit
            s.execute("INSERT INTO credit_event (event_id, zt_lx, zt_dm, zt_mc, jl_lx, je, fs_rq, yq_yx, yq_qk, hk_cn, xzqh)"
                    + " VALUES (" + URGENT_KEY + ", '2', '11010519491231002X', '王伟', '01', 1200.00, DATE '2020-02-10', 1, '1', 'N', '360102')");
        }
        long written = System.nanoTime();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> platform.receivedRecords("credit-reference").stream()
                        .anyMatch(r -> Long.toString(URGENT_KEY).equals(r.get("source_record_key"))));
        long latencyMillis = (System.nanoTime() - written) / 1_000_000;
        long watermarkThen = watermark();
        int deliveredThen = platform.receivedRecords("credit-reference").size();
        System.out.println("[urgent lane] class-1 row at the platform " + latencyMillis + " ms after it was written; watermark "
                + watermarkThen + " of 20000, " + deliveredThen + " records delivered");
        assertThat(watermarkThen).as("source watermark when the urgent row was at the platform").isLessThan(20_000);
        assertThat(hub.queryForObject("SELECT manifest FROM batch b JOIN batch_record r ON r.batch_id = b.batch_id"
                + " WHERE r.source_id = 'credit-reference' AND r.source_record_key = ?", String.class, Long.toString(URGENT_KEY)))
                .contains("\"priorityClass\":1");

        long valid = centre.rows().stream().filter(GeneratedRow::valid).count();
        await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofSeconds(1))
                .until(() -> platform.receivedRecords("credit-reference").size() >= valid + 1 && watermark() == URGENT_KEY);
        Map<Object, Long> times = platform.receivedRecords("credit-reference").stream()
                .collect(Collectors.groupingBy(r -> r.get("source_record_key"), Collectors.counting()));
        assertThat(times).hasSize((int) valid + 1);
        assertThat(times.values()).as("times each record arrived").allMatch(n -> n == 1);
    }

    /** The key of the source's head: how far its change order has been read (all backlog rows share one change time). */
    private long watermark() {
        return hub.queryForList("SELECT head_key FROM sql_change_mark WHERE source_id = 'credit-reference'", String.class)
                .stream().mapToLong(k -> Long.parseLong(k.substring(2))).findFirst().orElse(0L);
    }
}
