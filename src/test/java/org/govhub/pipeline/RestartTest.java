package org.govhub.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.NotifyBuilder;
import org.govhub.SandboxHubTest;
import org.govhub.sandbox.NationalPlatformReceiver;
import org.govhub.SandboxExpectations;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Stopping and starting the hub on the same data directory: watermark, broker journal and batch
 * state carry over, so nothing is sent twice and nothing is left behind.
 */
class RestartTest {

    @Test
    void aRestartedHubSendsNothingAgain() {
        Path dir = SandboxHubTest.newDataDir("govhub-restart");
        int received;
        long batches;
        try (ConfigurableApplicationContext first = HubProcess.start(dir)) {
            awaitEverythingDelivered(first);
            received = receiver(first).receivedRecords().size();
            batches = hub(first).queryForObject("SELECT COUNT(*) FROM batch", Long.class);
        }
        try (ConfigurableApplicationContext second = HubProcess.start(dir)) {
            CamelContext camel = second.getBean(CamelContext.class);
            NotifyBuilder polls = new NotifyBuilder(camel).fromRoute("tax-bureau-source").whenCompleted(5).create();
            NotifyBuilder deliveryRounds = new NotifyBuilder(camel).fromRoute("platform-delivery").whenCompleted(5).create();
            assertThat(polls.matches(60, TimeUnit.SECONDS)).isTrue();
            assertThat(deliveryRounds.matches(60, TimeUnit.SECONDS)).isTrue();

            NationalPlatformReceiver platform = receiver(second);
            assertThat(platform.receivedRecords()).hasSize(received);
            // not even an idempotent repeat: every batch was submitted exactly once
            assertThat(platform.receivedBatches()).allMatch(b -> ((Number) b.get("submissions")).intValue() == 1);
            assertThat(hub(second).queryForObject("SELECT COUNT(*) FROM batch", Long.class)).isEqualTo(batches);
            assertThat(hub(second).queryForObject("SELECT COUNT(*) FROM quarantine", Long.class))
                    .isEqualTo(SandboxExpectations.invalidKeys(second).size());
        }
    }

    @Test
    void aHubStoppedMidFlightDeliversTheRestExactlyOnceAfterRestart() {
        Path dir = SandboxHubTest.newDataDir("govhub-midflight");
        int atStop;
        // slow delivery rounds in the first run, so the stop comes while batches are waiting
        try (ConfigurableApplicationContext first = HubProcess.start(dir, "--govhub.delivery.poll-interval=2500")) {
            NationalPlatformReceiver platform = receiver(first);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                    .until(() -> !platform.receivedRecords().isEmpty());
            atStop = platform.receivedRecords().size();
        }
        try (ConfigurableApplicationContext second = HubProcess.start(dir)) {
            Set<String> expected = SandboxExpectations.validKeys(second);
            assertThat(atStop).as("the first run was stopped before it had delivered everything").isLessThan(expected.size());
            awaitEverythingDelivered(second);
            List<Map<String, Object>> received = receiver(second).receivedRecords();
            Map<String, Long> times = received.stream()
                    .collect(Collectors.groupingBy(SandboxExpectations::key, Collectors.counting()));
            assertThat(times.keySet()).isEqualTo(expected);
            assertThat(times.values()).allMatch(n -> n == 1);
        }
    }

    private static void awaitEverythingDelivered(ConfigurableApplicationContext context) {
        long valid = SandboxExpectations.validKeys(context).size();
        NationalPlatformReceiver platform = receiver(context);
        JdbcTemplate hub = hub(context);
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
                .until(() -> platform.receivedRecords().size() >= valid
                        && hub.queryForObject("SELECT COUNT(*) FROM batch WHERE status <> 'ACKNOWLEDGED'", Long.class) == 0);
    }

    private static NationalPlatformReceiver receiver(ConfigurableApplicationContext context) {
        return context.getBean(NationalPlatformReceiver.class);
    }

    private static JdbcTemplate hub(ConfigurableApplicationContext context) {
        return context.getBean(JdbcTemplate.class);
    }
}
