package org.govhub.deliver;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.util.concurrent.TimeUnit;
import org.apache.camel.RuntimeCamelException;
import org.apache.camel.http.base.HttpOperationFailedException;
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
    private final CircuitBreaker circuit = PlatformCircuit.create(
            new PlatformProperties("http://x", null, Duration.ofMinutes(5), 12, 3, Duration.ofSeconds(30)), clock);

    private void fails(Exception why) {
        assertThat(circuit.tryAcquirePermission()).isTrue();
        circuit.onError(0, TimeUnit.NANOSECONDS, why);
    }

    private void answers() {
        assertThat(circuit.tryAcquirePermission()).isTrue();
        circuit.onSuccess(0, TimeUnit.NANOSECONDS);
    }

    @Test
    void opensAfterTheThresholdInARowHoldsCallsThenTriesOnce() {
        fails(new SocketTimeoutException("read timed out"));
        fails(new RuntimeCamelException(new HttpOperationFailedException("http://x", 503, "Service Unavailable", null, null, "")));
        answers();
        fails(new ConnectException("refused"));
        fails(new ConnectException("refused"));
        assertThat(circuit.getState()).as("an answer in between: not three failures in a row").isEqualTo(CircuitBreaker.State.CLOSED);
        fails(new ConnectException("refused"));
        assertThat(circuit.getState()).isEqualTo(CircuitBreaker.State.OPEN);
        assertThat(PlatformCircuit.holding(circuit)).isTrue();
        assertThat(circuit.tryAcquirePermission()).isFalse();

        now = now.plusSeconds(31);
        assertThat(PlatformCircuit.holding(circuit)).as("time for the trial").isFalse();
        assertThat(circuit.getState()).isEqualTo(CircuitBreaker.State.HALF_OPEN);
        assertThat(circuit.tryAcquirePermission()).as("the trial call").isTrue();
        assertThat(circuit.tryAcquirePermission()).as("only one trial at a time").isFalse();
        circuit.onError(0, TimeUnit.NANOSECONDS, new ConnectException("refused"));
        assertThat(circuit.getState()).isEqualTo(CircuitBreaker.State.OPEN);

        now = now.plusSeconds(31);
        assertThat(PlatformCircuit.holding(circuit)).isFalse();
        answers();
        assertThat(circuit.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(circuit.tryAcquirePermission()).isTrue();
        assertThat(circuit.tryAcquirePermission()).isTrue();
    }

    @Test
    void aRefusedBatchIsAnAnswerFromAPlatformThatIsUp() {
        for (int i = 0; i < 5; i++) {
            fails(new RuntimeCamelException(new HttpOperationFailedException("http://x", 422, "Unprocessable", null, null, "")));
        }
        assertThat(circuit.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(circuit.getMetrics().getNumberOfFailedCalls()).isZero();
        assertThat(PlatformCircuit.refusal(new HttpOperationFailedException("http://x", 429, "Too Many", null, null, ""))).isFalse();
        assertThat(PlatformCircuit.refusal(new HttpOperationFailedException("http://x", 409, "Conflict", null, null, ""))).isTrue();
    }

    @Test
    void backOffDoublesUpToItsLimit() {
        assertThat(PlatformDelivery.backoff(1, Duration.ofMinutes(5))).hasSeconds(2);
        assertThat(PlatformDelivery.backoff(4, Duration.ofMinutes(5))).hasSeconds(16);
        assertThat(PlatformDelivery.backoff(30, Duration.ofMinutes(5))).hasSeconds(300);
    }
}
