package org.govhub.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.govhub.SandboxHubTest;
import org.govhub.audit.ExchangeLogKey;
import org.govhub.audit.ExchangeLogTable;
import org.govhub.audit.ExchangeLogVerifier;
import org.govhub.audit.Pem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/**
 * The exchange log survives SIGKILL: a hub killed while it delivers batches (and logs them) comes
 * back with the same signing key and continues the same chain, and the export of both runs verifies.
 */
class ExchangeLogCrashTest {

    private static final String ACKNOWLEDGED = "batch (\\S+) acknowledged by the national platform";

    @Test
    @Timeout(300)
    void aHubKilledWhileLoggingContinuesOneValidChainAfterRestart() throws Exception {
        Path dir = SandboxHubTest.newDataDir("govhub-crash-exchange-log");
        String[] sandbox = ExactlyOnce.sandbox(1500, 300);
        Instant killedAt;
        try (HubJvm first = HubJvm.start(dir, "crash-exchange-log", sandbox)) {
            first.awaitLogged(ACKNOWLEDGED, 3, Duration.ofSeconds(90));
            first.kill();
            killedAt = Instant.now();
        }
        String publicKey = Files.readString(dir.resolve("audit").resolve(ExchangeLogKey.PUBLIC_FILE));
        Instant restartedAt = Instant.now();
        try (HubJvm second = HubJvm.start(dir, "crash-exchange-log", sandbox)) {
            second.awaitLogged(ACKNOWLEDGED, 3, Duration.ofSeconds(90));
            second.stop();
        }
        assertThat(Files.readString(dir.resolve("audit").resolve(ExchangeLogKey.PUBLIC_FILE)))
                .as("the key of the first start is kept").isEqualTo(publicKey);
        try (Connection c = DriverManager.getConnection("jdbc:h2:file:" + dir.resolve("hub").resolve("govhub")
                + ";DATABASE_TO_LOWER=TRUE;ACCESS_MODE_DATA=r", "sa", "")) {
            JdbcTemplate hub = new JdbcTemplate(new SingleConnectionDataSource(c, true));
            List<String> export = ExchangeLogTable.exportLines(hub);
            assertThat(ExchangeLogVerifier.verify(export, Pem.publicKey(publicKey))).isEmpty();
            assertThat(hub.queryForObject("SELECT COUNT(*) FROM exchange_log WHERE action = 'platform receipt' AND logged_at_ms < ?",
                    Long.class, killedAt.toEpochMilli())).as("receipts logged before the kill").isGreaterThanOrEqualTo(3);
            assertThat(hub.queryForObject("SELECT COUNT(*) FROM exchange_log WHERE action = 'platform receipt' AND logged_at_ms > ?",
                    Long.class, restartedAt.toEpochMilli())).as("receipts logged after the restart").isGreaterThanOrEqualTo(3);
            assertThat(hub.queryForObject("SELECT last_seq FROM exchange_log_head", Long.class)).isEqualTo(export.size());
            System.out.printf("exchange log crash: %d entries over a SIGKILL and a restart, chain and signatures valid%n", export.size());
        }
    }
}
