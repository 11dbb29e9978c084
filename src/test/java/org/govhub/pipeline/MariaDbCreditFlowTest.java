package org.govhub.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.govhub.HubTest;
import org.govhub.RealDatabases;
import org.govhub.SandboxHubTest;
import org.govhub.sandbox.CreditReferenceSandbox;
import org.govhub.sandbox.GeneratedRow;
import org.govhub.sandbox.NationalPlatformReceiver;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The credit-reference centre on the machine's real MariaDB (127.0.0.1:3306, database test):
 * DECIMAL amounts, DATE columns and MariaDB's own JDBC driver through the same sql-source.
 */
@HubTest({
            "govhub.sandbox.credit-reference.rows=240",
            "govhub.sandbox.tax-bureau.rows=10",
            "govhub.batch.max-records=50",
            "govhub.batch.max-age=1s",
            "govhub.ingest.poll-interval=300",
            "govhub.security.admin-password=Mariadb-test-26",
        })
class MariaDbCreditFlowTest {

    @BeforeAll
    static void freshTableOnMariaDb() {
        RealDatabases.require("MariaDB", RealDatabases.MARIADB_URL, RealDatabases.MARIADB_USER,
                "DROP TABLE IF EXISTS credit_event");
    }

    @DynamicPropertySource
    static void mariadb(DynamicPropertyRegistry registry) {
        registry.add("govhub.sandbox.credit-reference.url", () -> RealDatabases.MARIADB_URL);
        registry.add("govhub.sandbox.credit-reference.username", () -> RealDatabases.MARIADB_USER);
        registry.add("govhub.sources.credit-reference.url", () -> RealDatabases.MARIADB_URL);
        registry.add("govhub.sources.credit-reference.username", () -> RealDatabases.MARIADB_USER);
    }

    @Autowired
    CreditReferenceSandbox centre;
    @Autowired
    NationalPlatformReceiver platform;
    @Autowired
    JdbcTemplate hub;
    @Autowired
    org.govhub.operate.SourcesHealth sources;

    @Test
    void everyValidMariaDbEventArrivesOnceAndTheBrokenOnesAreQuarantined() {
        Set<String> valid = centre.rows().stream().filter(GeneratedRow::valid).map(GeneratedRow::key).collect(Collectors.toSet());
        Set<String> invalid = centre.rows().stream().filter(r -> !r.valid()).map(GeneratedRow::key).collect(Collectors.toSet());
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                .until(() -> platform.receivedRecords("credit-reference").size() >= valid.size()
                        && hub.queryForObject("SELECT COUNT(*) FROM batch WHERE status <> 'ACKNOWLEDGED'", Integer.class) == 0);

        Map<String, Long> times = platform.receivedRecords("credit-reference").stream()
                .collect(Collectors.groupingBy(r -> (String) r.get("source_record_key"), Collectors.counting()));
        assertThat(times.keySet()).isEqualTo(valid);
        assertThat(times.values()).allMatch(n -> n == 1);
        assertThat(hub.queryForList("SELECT source_record_key FROM quarantine WHERE source_id = 'credit-reference'", String.class))
                .containsExactlyInAnyOrderElementsOf(invalid);
        // the head of the source's change order is at its last row (all rows were written at the same time)
        assertThat(hub.queryForObject("SELECT head_key FROM sql_change_mark WHERE source_id = 'credit-reference'", String.class))
                .isEqualTo("L:240");
        // the source really was MariaDB
        var health = ((org.springframework.boot.actuate.health.HealthIndicator) sources.getContributor("credit-reference")).health();
        assertThat(health.getDetails()).containsEntry("database", "MariaDB");
    }
}
