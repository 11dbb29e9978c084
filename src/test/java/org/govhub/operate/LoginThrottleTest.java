package org.govhub.operate;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/**
 * The throttle's arithmetic on a clock the test moves, and what it leaves a guesser: how many
 * passwords per account and per address reach the password check in a minute and in an hour.
 */
class LoginThrottleTest {

    private static final LoginThrottle.Settings DEFAULTS =
            new LoginThrottle.Settings(5, 10, Duration.ofSeconds(30), Duration.ofMinutes(15), Duration.ofMinutes(15));

    static final class MovableClock extends Clock {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");

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
    }

    @Test
    void afterFiveFailuresEachTryWaitsLongerUpToTheLimit() {
        MovableClock clock = new MovableClock();
        LoginThrottle throttle = new LoginThrottle(DEFAULTS, clock);
        for (int i = 0; i < 4; i++) {
            throttle.failed("alice", "10.0.0.1");
        }
        assertThat(throttle.waitFor("alice", "10.0.0.9")).isZero();
        throttle.failed("alice", "10.0.0.1");
        assertThat(throttle.waitFor("alice", "10.0.0.9")).isEqualTo(Duration.ofSeconds(30));
        assertThat(throttle.waitFor("ALICE ", "10.0.0.9")).as("user names as typed").isEqualTo(Duration.ofSeconds(30));
        assertThat(throttle.waitFor("bob", "10.0.0.9")).isZero();
        clock.now = clock.now.plusSeconds(30);
        assertThat(throttle.waitFor("alice", "10.0.0.9")).isZero();
        throttle.failed("alice", "10.0.0.1");
        assertThat(throttle.waitFor("alice", null)).isEqualTo(Duration.ofSeconds(60));
        assertThat(throttle.delay(10)).isEqualTo(Duration.ofMinutes(15));
        // a success clears the account, not the address
        throttle.succeeded("alice");
        assertThat(throttle.waitFor("alice", null)).isZero();
    }

    @Test
    void anAddressIsThrottledAcrossUserNames() {
        MovableClock clock = new MovableClock();
        LoginThrottle throttle = new LoginThrottle(DEFAULTS, clock);
        for (int i = 0; i < 10; i++) {
            throttle.failed("user" + i, "10.0.0.1");
        }
        assertThat(throttle.waitFor("someone-new", "10.0.0.1")).isEqualTo(Duration.ofSeconds(30));
        assertThat(throttle.waitFor("someone-new", "10.0.0.2")).isZero();
        throttle.succeeded("user9");
        assertThat(throttle.waitFor("someone-new", "10.0.0.1")).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void countsAreForgottenAWindowAfterTheLastFailure() {
        MovableClock clock = new MovableClock();
        LoginThrottle throttle = new LoginThrottle(DEFAULTS, clock);
        for (int i = 0; i < 4; i++) {
            throttle.failed("alice", null);
        }
        clock.now = clock.now.plus(Duration.ofMinutes(16));
        throttle.failed("alice", null);
        assertThat(throttle.waitFor("alice", null)).isZero();
    }

    /** A guesser who tries again the moment the hub lets them: the figures for the report. */
    @Test
    void whatAGuesserGetsPerMinuteAndPerHour() {
        long[] perAccount = guesses(false);
        long[] perAddress = guesses(true);
        System.out.printf("login throttling (defaults: 5 per account, 10 per address, 30 s doubling to 15 min):%n"
                + "  one account:  %d passwords checked in the first minute, %d in the first hour, %d in 24 h%n"
                + "  one address:  %d in the first minute, %d in the first hour, %d in 24 h (any user names)%n",
                perAccount[0], perAccount[1], perAccount[2], perAddress[0], perAddress[1], perAddress[2]);
        assertThat(perAccount[0]).isEqualTo(6); // 5, then one after 30 s
        assertThat(perAccount[1]).isLessThanOrEqualTo(12);
        assertThat(perAddress[0]).isEqualTo(11);
    }

    /** Passwords that reach the check in 1 min, 1 h and 24 h, trying every 10 ms whenever not made to wait. */
    private static long[] guesses(boolean newUserEachTry) {
        MovableClock clock = new MovableClock();
        LoginThrottle throttle = new LoginThrottle(DEFAULTS, clock);
        Instant start = clock.now;
        long checked = 0;
        long[] at = new long[3];
        int user = 0;
        while (clock.now.isBefore(start.plus(Duration.ofHours(24)))) {
            String name = newUserEachTry ? "user" + user++ : "alice";
            Duration wait = throttle.waitFor(name, "10.0.0.1");
            if (wait.isZero()) {
                throttle.failed(name, "10.0.0.1");
                checked++;
                clock.now = clock.now.plusMillis(10);
            } else {
                clock.now = clock.now.plus(wait);
            }
            Duration since = Duration.between(start, clock.now);
            if (since.compareTo(Duration.ofMinutes(1)) <= 0) {
                at[0] = checked;
            }
            if (since.compareTo(Duration.ofHours(1)) <= 0) {
                at[1] = checked;
            }
            at[2] = checked;
        }
        return at;
    }
}
