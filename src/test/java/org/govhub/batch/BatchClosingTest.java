package org.govhub.batch;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.govhub.normalise.CanonicalJson;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * When an open batch closes: at its size, at its age, or, once it holds the idle minimum, when
 * records stop joining it; a trickle below the minimum waits for the age, and a record joining keeps
 * a batch open. Limits per class and schema win over the hub-wide ones.
 */
class BatchClosingTest {

    private final JdbcTemplate jdbc;

    BatchClosingTest() {
        DataSource ds = new DriverManagerDataSource("jdbc:h2:mem:closing-" + System.nanoTime()
                + ";DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1", "sa", "");
        Flyway.configure().dataSource(ds).load().migrate();
        jdbc = new JdbcTemplate(ds);
    }

    private BatchAssembler assembler(BatchProperties properties) {
        DataSource ds = jdbc.getDataSource();
        return new BatchAssembler(jdbc, new TransactionTemplate(new DataSourceTransactionManager(ds)), properties, new BatchLifecycle(jdbc));
    }

    private static List<BatchAssembler.Incoming> records(int from, int to, int priorityClass) {
        return IntStream.range(from, to).mapToObj(i -> new BatchAssembler.Incoming("{\"k\":" + i + "}", "TaxRecord", "1.0.0",
                CanonicalJson.sha256(String.valueOf(i)), "tax-bureau", "k-" + i, "2020-02-01", priorityClass, null)).toList();
    }

    /** Makes the open batch's last record (and its opening) look {@code ago} old. */
    private void lastJoined(Duration ago) {
        jdbc.update("UPDATE batch SET last_added_at = ? WHERE status = 'OPEN'", Timestamp.from(Instant.now().minus(ago)));
    }

    private Map<String, Object> onlyBatch() {
        return jdbc.queryForMap("SELECT status, record_count FROM batch");
    }

    private String sealReason() {
        return jdbc.queryForObject("SELECT reason FROM batch_transition WHERE to_status = 'SEALED'", String.class);
    }

    @Test
    void aBatchHoldingTheIdleMinimumClosesWhenRecordsStopJoiningIt() {
        BatchAssembler assembler = assembler(new BatchProperties(1000, Duration.ofHours(1), Duration.ofSeconds(2), 100, null, null));
        assembler.store(records(0, 150, 3));
        assertThat(assembler.sealDue()).as("records joined just now").isZero();
        lastJoined(Duration.ofSeconds(3));
        assertThat(assembler.sealDue()).isEqualTo(1);
        assertThat(onlyBatch()).containsEntry("status", "SEALED").containsEntry("record_count", 150);
        assertThat(sealReason()).contains("no record joined for PT2S").contains("150 records");
    }

    @Test
    void aTrickleBelowTheIdleMinimumWaitsForTheAgeLimit() {
        BatchAssembler assembler = assembler(new BatchProperties(1000, Duration.ofSeconds(5), Duration.ofSeconds(2), 100, null, null));
        assembler.store(records(0, 99, 3));
        lastJoined(Duration.ofSeconds(3));
        assertThat(assembler.sealDue()).as("99 records, idle 3 s, opened just now").isZero();
        jdbc.update("UPDATE batch SET opened_at = ?", Timestamp.from(Instant.now().minusSeconds(6)));
        assertThat(assembler.sealDue()).isEqualTo(1);
        assertThat(sealReason()).contains("age limit PT5S reached");
    }

    @Test
    void aRecordJoiningKeepsTheBatchOpen() {
        BatchAssembler assembler = assembler(new BatchProperties(1000, Duration.ofHours(1), Duration.ofSeconds(2), 100, null, null));
        assembler.store(records(0, 150, 3));
        lastJoined(Duration.ofSeconds(3));
        assembler.store(records(150, 151, 3));
        assertThat(assembler.sealDue()).as("a record joined just now").isZero();
        assertThat(onlyBatch()).containsEntry("status", "OPEN").containsEntry("record_count", 151);
    }

    @Test
    void aBatchOpenedBeforeTheUpgradeCountsItsIdlenessFromItsOpening() {
        BatchAssembler assembler = assembler(new BatchProperties(1000, Duration.ofHours(1), Duration.ofSeconds(2), 100, null, null));
        assembler.store(records(0, 150, 3));
        jdbc.update("UPDATE batch SET last_added_at = NULL, opened_at = ?", Timestamp.from(Instant.now().minusSeconds(1)));
        assertThat(assembler.sealDue()).as("opened 1 s ago").isZero();
        jdbc.update("UPDATE batch SET opened_at = ?", Timestamp.from(Instant.now().minusSeconds(3)));
        assertThat(assembler.sealDue()).isEqualTo(1);
    }

    @Test
    void theMostSpecificLimitsWin() {
        BatchProperties properties = new BatchProperties(1000, Duration.ofHours(1), Duration.ofSeconds(2), 100,
                Map.of(1, new BatchProperties.Limits(20, null, Duration.ofHours(1), 5)),
                Map.of("TaxRecord", Map.of(1, new BatchProperties.Limits(null, null, null, 10))));
        assertThat(properties.maxIdle("TaxRecord", 1)).as("class").isEqualTo(Duration.ofHours(1));
        assertThat(properties.idleMinRecords("TaxRecord", 1)).as("schema and class").isEqualTo(10);
        assertThat(properties.idleMinRecords("CreditRecord", 1)).as("class").isEqualTo(5);
        assertThat(properties.maxRecords("TaxRecord", 1)).as("class, the schema's leaves it out").isEqualTo(20);
        assertThat(properties.maxIdle("TaxRecord", 3)).as("hub-wide").isEqualTo(Duration.ofSeconds(2));
        BatchAssembler assembler = assembler(properties);
        assembler.store(records(0, 12, 1));
        lastJoined(Duration.ofSeconds(3));
        assertThat(assembler.sealDue()).as("class 1 idles for an hour").isZero();
    }
}
