package org.govhub.report;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A clock a test sets to any moment; it then runs on from there in real time (so retries come due). */
final class MutableClock extends Clock {

    private volatile Instant base = Instant.now();
    private volatile long setAtNanos = System.nanoTime();

    void set(Instant instant) {
        this.base = instant;
        this.setAtNanos = System.nanoTime();
    }

    @Override
    public Instant instant() {
        return base.plus(Duration.ofNanos(System.nanoTime() - setAtNanos));
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }
}
