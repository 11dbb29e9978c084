package org.govhub.operate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.Status;

/** A timed round that fails as a whole turns "rounds" DOWN, with its count and error, until a run succeeds; other routes are not watched. */
class RoundsHealthTest {

    @Test
    void aRoundFailingAsAWholeIsDownUntilItsNextRunSucceeds() throws Exception {
        RoundsHealth rounds = new RoundsHealth(List.of("delivery-round"));
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

    private static int failures(Health health) {
        Object detail = health.getDetails().get("delivery-round");
        Object failures = detail == null ? null : ((Map<?, ?>) detail).get("failedRunsInARow");
        return failures == null ? 0 : ((Number) failures).intValue();
    }
}
