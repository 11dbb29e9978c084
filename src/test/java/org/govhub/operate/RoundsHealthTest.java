package org.govhub.operate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.Status;

/**
 * A timed round that fails as a whole turns "rounds" DOWN, with its count and error, until a run succeeds; one whose run
 * hangs is BLOCKED until it ends; other routes are not watched.
 */
class RoundsHealthTest {

    @Test
    void aRoundFailingAsAWholeIsDownUntilItsNextRunSucceeds() throws Exception {
        RoundsHealth rounds = new RoundsHealth(List.of("delivery-round"), Duration.ofMinutes(10));
        AtomicBoolean failing = new AtomicBoolean();
        try (DefaultCamelContext camel = new DefaultCamelContext()) {
            camel.addRoutePolicyFactory(rounds);
            camel.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("timer:round?period=20").routeId("delivery-round").process(e -> {
                        if (failing.get()) {
                            throw new IllegalStateException("round failed", new SQLException("Row \"47\" not found in primary index\nSQL statement: ..."));
                        }
                    });
                    from("timer:other?period=20").routeId("not-a-round").process(e -> {
                        throw new IllegalStateException("not watched");
                    });
                }
            });
            camel.start();
            await().atMost(Duration.ofSeconds(5)).until(() -> rounds.health().getDetails().containsKey("delivery-round"));
            assertThat(rounds.health().getStatus()).isEqualTo(Status.UP);
            assertThat(rounds.health().getDetails()).doesNotContainKey("not-a-round");

            failing.set(true);
            await().atMost(Duration.ofSeconds(5)).until(() -> failures(rounds.health()) >= 3);
            Health down = rounds.health();
            assertThat(down.getStatus()).isEqualTo(Status.DOWN);
            Map<?, ?> detail = (Map<?, ?>) down.getDetails().get("delivery-round");
            assertThat(detail.get("state")).isEqualTo("FAILING");
            assertThat((String) detail.get("lastError")).as("the deepest cause, its first line")
                    .isEqualTo("SQLException: Row \"47\" not found in primary index");
            String since = (String) detail.get("failingSince");
            await().atMost(Duration.ofSeconds(5)).until(() -> failures(rounds.health()) >= 6);
            assertThat(((Map<?, ?>) rounds.health().getDetails().get("delivery-round")).get("failingSince")).as("since the first failure")
                    .isEqualTo(since);

            failing.set(false);
            await().atMost(Duration.ofSeconds(5)).until(() -> rounds.health().getStatus().equals(Status.UP));
            assertThat(((Map<?, ?>) rounds.health().getDetails().get("delivery-round")).get("state")).isEqualTo("OK");
        }
    }

    @Test
    void aRoundWhoseRunHangsIsBlockedUntilTheRunEnds() throws Exception {
        RoundsHealth rounds = new RoundsHealth(List.of("hanging-round"), Duration.ofMillis(300));
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean hang = new AtomicBoolean(true);
        try (DefaultCamelContext camel = new DefaultCamelContext()) {
            camel.addRoutePolicyFactory(rounds);
            camel.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("timer:hang?period=20").routeId("hanging-round").process(e -> {
                        if (hang.getAndSet(false)) {
                            release.await(); // a call that does not come back
                        }
                    });
                }
            });
            camel.start();
            await().atMost(Duration.ofSeconds(5)).until(() -> rounds.health().getDetails().containsKey("hanging-round"));
            Map<?, ?> running = (Map<?, ?>) rounds.health().getDetails().get("hanging-round");
            assertThat(running.get("state")).as("under way, not yet for long").isEqualTo("OK");
            assertThat(rounds.health().getStatus()).isEqualTo(Status.UP);
            await().atMost(Duration.ofSeconds(5)).until(() -> rounds.health().getStatus().equals(Status.DOWN));
            Map<?, ?> blocked = (Map<?, ?>) rounds.health().getDetails().get("hanging-round");
            assertThat(blocked.get("state")).isEqualTo("BLOCKED");
            assertThat((String) blocked.get("runningSince")).isNotEmpty();

            release.countDown();
            await().atMost(Duration.ofSeconds(5)).until(() -> rounds.health().getStatus().equals(Status.UP));
            assertThat(((Map<?, ?>) rounds.health().getDetails().get("hanging-round")).get("state")).isEqualTo("OK");
        }
    }

    private static int failures(Health health) {
        Object detail = health.getDetails().get("delivery-round");
        Object failures = detail == null ? null : ((Map<?, ?>) detail).get("failedRunsInARow");
        return failures == null ? 0 : ((Number) failures).intValue();
    }
}
