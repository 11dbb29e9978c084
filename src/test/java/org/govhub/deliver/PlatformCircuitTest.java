package org.govhub.deliver;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class PlatformCircuitTest {

    private Instant now = Instant.parse("2020-02-24T08:00:00Z");
    private final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    };
    private final PlatformCircuit circuit = new PlatformCircuit(
            new PlatformProperties("http://x", null, Duration.ofMinutes(5), 12, 3, Duration.ofSeconds(30)), clock);

    @Test
    void opensAfterTheThresholdHoldsCallsThenTriesOnce() {
        for (int i = 0; i < 2; i++) {
            assertThat(circuit.admit()).isTrue();
            circuit.failure();
        }
        assertThat(circuit.state()).isEqualTo(PlatformCircuit.State.CLOSED);
        circuit.failure();
        assertThat(circuit.state()).isEqualTo(PlatformCircuit.State.OPEN);
        assertThat(circuit.admit()).isFalse();
        assertThat(circuit.holding()).isTrue();

        now = now.plusSeconds(30);
        assertThat(circuit.holding()).isFalse();
        assertThat(circuit.admit()).as("the trial call").isTrue();
        assertThat(circuit.admit()).as("only one trial at a time").isFalse();
        circuit.failure();
        assertThat(circuit.state()).isEqualTo(PlatformCircuit.State.OPEN);

        now = now.plusSeconds(30);
        assertThat(circuit.admit()).isTrue();
        circuit.success();
        assertThat(circuit.state()).isEqualTo(PlatformCircuit.State.CLOSED);
        assertThat(circuit.admit()).isTrue();
        assertThat(circuit.admit()).isTrue();
    }

    @Test
    void backOffDoublesUpToItsLimit() {
        assertThat(PlatformDelivery.backoff(1, Duration.ofMinutes(5))).hasSeconds(2);
        assertThat(PlatformDelivery.backoff(4, Duration.ofMinutes(5))).hasSeconds(16);
        assertThat(PlatformDelivery.backoff(30, Duration.ofMinutes(5))).hasSeconds(300);
    }
}
