package org.govhub;

import java.time.Duration;

/**
 * The wait before the next attempt, the same rule everywhere in the hub (platform delivery, report
 * deliveries, failing sources, a scheduled report that cannot be built): {@code first} after the
 * first failure, doubled after each further one, never more than {@code max}.
 */
public record Backoff(Duration first, Duration max) {

    /** The wait after {@code failures} failures in a row (1 for the first). */
    public Duration after(int failures) {
        Duration wait = first.multipliedBy(1L << Math.min(Math.max(failures - 1, 0), 30));
        return wait.compareTo(max) > 0 || wait.isNegative() ? max : wait;
    }
}
