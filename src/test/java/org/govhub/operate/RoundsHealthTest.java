package org.govhub.operate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.govhub.cluster.Leadership;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.Status;

/**
 * A timed round that fails as a whole turns "rounds" DOWN, with its count and error, until a run succeeds; one whose run
 * hangs is BLOCKED until it ends; other routes are not watched.
 */
class RoundsHealthTest {

    @Test
    void aRoundFailingAsAWholeIsDownUntilItsNextRunSucceeds() throws Exception {
        AtomicBoolean failing = new AtomicBoolean();
        try (DefaultCamelContext camel = new DefaultCamelContext()) {
            RoundsHealth rounds = new RoundsHealth(List.of("delivery-round"), Duration.ofMinutes(10), Duration.ofMinutes(5), new Leadership(camel));
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
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean hang = new AtomicBoolean(true);
        try (DefaultCamelContext camel = new DefaultCamelContext()) {
            RoundsHealth rounds = new RoundsHealth(List.of("hanging-round"), Duration.ofMillis(300), Duration.ofMinutes(5), new Leadership(camel));
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

    @Test
    void aFailingRoundIsLoggedOnceWithItsStackThenWithACountAndItsRecoveryOnce() {
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        Logger logger = (Logger) LoggerFactory.getLogger(RoundsHealth.class);
        logger.addAppender(logged);
        logged.start();
        try {
            RoundsHealth rounds = new RoundsHealth(List.of("delivery-round"), Duration.ofMinutes(10), Duration.ofMillis(200),
                    new Leadership(new DefaultCamelContext()));
            IllegalStateException indexBroken = new IllegalStateException("round failed", new SQLException("Row \"47\" not found"));
            for (int run = 0; run < 50; run++) {
                rounds.ended("delivery-round", indexBroken);
            }
            assertThat(logged.list).as("50 failed runs within the interval: the first only").hasSize(1);
            ILoggingEvent first = logged.list.get(0);
            assertThat(first.getLevel()).isEqualTo(Level.WARN);
            assertThat(first.getFormattedMessage()).isEqualTo("round delivery-round: failed: SQLException: Row \"47\" not found");
            assertThat(first.getThrowableProxy()).as("the first with its stack").isNotNull();

            rounds.ended("delivery-round", new IllegalStateException("round failed", new SQLException("Connection is broken")));
            assertThat(logged.list).as("another error is logged at once").hasSize(2);
            assertThat(logged.list.get(1).getFormattedMessage()).startsWith("round delivery-round: failed (51 runs in a row since ")
                    .endsWith(", 49 not logged): SQLException: Connection is broken");
            assertThat(logged.list.get(1).getThrowableProxy()).as("a repeat without its stack").isNull();

            await().pollDelay(Duration.ofMillis(250)).atMost(Duration.ofSeconds(2)).until(() -> true);
            rounds.ended("delivery-round", new IllegalStateException("round failed", new SQLException("Connection is broken")));
            assertThat(logged.list).as("the same error again after the interval").hasSize(3);
            assertThat(logged.list.get(2).getFormattedMessage()).contains("(52 runs in a row since ").contains(", 0 not logged)");

            rounds.ended("delivery-round", null);
            rounds.ended("delivery-round", null);
            assertThat(logged.list).as("the recovery, once").hasSize(4);
            assertThat(logged.list.get(3).getLevel()).isEqualTo(Level.INFO);
            assertThat(logged.list.get(3).getFormattedMessage()).startsWith("round delivery-round: runs again after 52 failed run(s) since ")
                    .endsWith("(last: SQLException: Connection is broken)");
        } finally {
            logger.detachAppender(logged);
        }
    }

    private static int failures(Health health) {
        Object detail = health.getDetails().get("delivery-round");
        Object failures = detail == null ? null : ((Map<?, ?>) detail).get("failedRunsInARow");
        return failures == null ? 0 : ((Number) failures).intValue();
    }
}
