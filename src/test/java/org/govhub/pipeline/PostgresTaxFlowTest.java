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
import org.govhub.sandbox.NationalPlatformReceiver;
import org.govhub.sandbox.TaxBureauSandbox;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The tax flow with PostgreSQL as the tax bureau's database and as the hub's own state database
 * (so the Flyway migrations are proven on PostgreSQL too). Needs 127.0.0.1:5432, database test.
 */
@HubTest({
            "govhub.sandbox.tax-bureau.rows=250",
            "govhub.batch.max-records=30",
            "govhub.batch.max-age=1s",
            "govhub.ingest.poll-interval=300",
            "govhub.security.admin-password=Postgres-test-26",
        })
class PostgresTaxFlowTest {

    static final String TAX_SCHEMA = "govhub_it_tax";
    static final String HUB_SCHEMA = "govhub_it_hub";

    @BeforeAll
    static void freshSchemasOnPostgres() {
        RealDatabases.require("PostgreSQL", RealDatabases.POSTGRES_URL, RealDatabases.POSTGRES_USER,
                "DROP SCHEMA IF EXISTS " + TAX_SCHEMA + " CASCADE", "CREATE SCHEMA " + TAX_SCHEMA,
                "DROP SCHEMA IF EXISTS " + HUB_SCHEMA + " CASCADE", "CREATE SCHEMA " + HUB_SCHEMA);
    }

    @DynamicPropertySource
    static void postgres(DynamicPropertyRegistry registry) {
        String tax = RealDatabases.POSTGRES_URL + "?currentSchema=" + TAX_SCHEMA;
        registry.add("govhub.sandbox.tax-bureau.url", () -> tax);
        registry.add("govhub.sandbox.tax-bureau.username", () -> RealDatabases.POSTGRES_USER);
        registry.add("govhub.sources.tax-bureau.url", () -> tax);
        registry.add("govhub.sources.tax-bureau.username", () -> RealDatabases.POSTGRES_USER);
        registry.add("spring.datasource.url", () -> RealDatabases.POSTGRES_URL + "?currentSchema=" + HUB_SCHEMA);
        registry.add("spring.datasource.username", () -> RealDatabases.POSTGRES_USER);
    }

    @Autowired
    JdbcTemplate hub;
    @Autowired
    TaxBureauSandbox taxBureau;
    @Autowired
    NationalPlatformReceiver platform;

    @Test
    void everyValidPostgresRowArrivesOnceAndTheInvalidOnesAreQuarantined() {
        assertThat(hub.queryForObject("SELECT current_database() || '/' || current_schema()", String.class))
                .isEqualTo("test/" + HUB_SCHEMA);
        assertThat(hub.queryForObject("SELECT COUNT(*) FROM flyway_schema_history WHERE success", Integer.class)).isPositive();

        Set<String> valid = taxBureau.rows().stream().filter(r -> r.valid())
                .map(r -> r.key()).collect(Collectors.toSet());
        Set<String> invalid = taxBureau.rows().stream().filter(r -> !r.valid())
                .map(r -> r.key()).collect(Collectors.toSet());
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                .until(() -> platform.receivedRecords("tax-bureau").size() >= valid.size()
                        && hub.queryForObject("SELECT COUNT(*) FROM batch WHERE status <> 'ACKNOWLEDGED' AND schema_name = 'TaxRecord'",
                                Integer.class) == 0);

        Map<String, Long> times = platform.receivedRecords("tax-bureau").stream()
                .collect(Collectors.groupingBy(r -> (String) r.get("source_record_key"), Collectors.counting()));
        assertThat(times.keySet()).isEqualTo(valid);
        assertThat(times.values()).allMatch(n -> n == 1);
        assertThat(hub.queryForList("SELECT source_record_key FROM quarantine WHERE source_id = 'tax-bureau'", String.class))
                .containsExactlyInAnyOrderElementsOf(invalid);
        // the head of the source's change order is at its last row (all rows were written at the same time)
        assertThat(hub.queryForObject("SELECT head_key FROM sql_change_mark WHERE source_id = 'tax-bureau'", String.class))
                .isEqualTo("L:250");
    }
}
