package org.govhub.deliver;

import java.time.Clock;
import java.time.Instant;
import org.springframework.stereotype.Component;

/**
 * Circuit breaker in front of the national platform. After {@code failureThreshold} calls in a row
 * fail for reasons the platform's health explains (no answer, time-out, 5xx, 429), it opens: no
 * batch is sent for {@code openFor}, so a platform that is down is not hammered and the hub does not
 * burn attempts. Then one trial call (half-open) decides: success closes it, failure opens it again.
 * A refusal of one batch (4xx) says nothing about the platform and does not count.
 */
@Component
public class PlatformCircuit {

    public enum State { CLOSED, OPEN, HALF_OPEN }

    private final PlatformProperties properties;
    private final Clock clock;
    private State state = State.CLOSED;
    private int consecutiveFailures;
    private Instant openedAt;
    private boolean trialInFlight;

    @org.springframework.beans.factory.annotation.Autowired
    public PlatformCircuit(PlatformProperties properties) {
        this(properties, Clock.systemUTC());
    }

    PlatformCircuit(PlatformProperties properties, Clock clock) {
        this.properties = properties;
        this.clock = clock;
    }

    /** Whether a call may go out now: always when closed, never while open, one trial when half-open. */
    public synchronized boolean admit() {
        if (state == State.OPEN && !clock.instant().isBefore(openedAt.plus(properties.openFor()))) {
            state = State.HALF_OPEN;
            trialInFlight = false;
        }
        return switch (state) {
            case CLOSED -> true;
            case OPEN -> false;
            case HALF_OPEN -> {
                if (trialInFlight) {
                    yield false;
                }
                trialInFlight = true;
                yield true;
            }
        };
    }

    /** Whether calls are being held back (open, and not yet time for a trial). */
    public synchronized boolean holding() {
        return state == State.OPEN && clock.instant().isBefore(openedAt.plus(properties.openFor()));
    }

    public synchronized void success() {
        state = State.CLOSED;
        consecutiveFailures = 0;
        trialInFlight = false;
    }

    public synchronized void failure() {
        consecutiveFailures++;
        trialInFlight = false;
        if (state == State.HALF_OPEN || consecutiveFailures >= properties.failureThreshold()) {
            state = State.OPEN;
            openedAt = clock.instant();
        }
    }

    public synchronized State state() {
        return state;
    }

    public synchronized int consecutiveFailures() {
        return consecutiveFailures;
    }
}
