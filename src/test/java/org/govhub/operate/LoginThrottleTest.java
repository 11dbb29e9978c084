package org.govhub.operate;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.ClassPathResource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.init.ScriptUtils;

/**
 * The throttle's arithmetic on a clock the test moves, and what it leaves a guesser: how many
 * passwords per account and per address reach the password check in a minute and in an hour. Its
 * counts are in the hub database (V20 on an in-memory H2 here; LoginThrottleOnPostgresTest runs the
 * same on PostgreSQL), and two throttles on one database count like one: two nodes of a cluster.
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

    HikariDataSource db;
    HikariDataSource secondNode;
    JdbcTemplate jdbc;

    @BeforeEach
    void freshDatabase() throws Exception {
        db = new HikariDataSource();
        openDatabase(db);
        db.setMaximumPoolSize(4);
        try (var c = db.getConnection()) {
            ScriptUtils.executeSqlScript(c, new ClassPathResource("db/migration/V20__login_failures.sql"));
        }
        jdbc = new JdbcTemplate(db);
        // another node's own pool on the same database
        secondNode = new HikariDataSource();
        secondNode.setJdbcUrl(db.getJdbcUrl());
        secondNode.setUsername(db.getUsername());
        secondNode.setMaximumPoolSize(4);
    }

    @AfterEach
    void closeDatabase() {
        secondNode.close();
        db.close();
    }

    /** The hub's default database: H2. */
    void openDatabase(HikariDataSource db) {
        db.setJdbcUrl("jdbc:h2:mem:login-throttle-" + System.nanoTime() + ";DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1");
        db.setUsername("sa");
    }

    private LoginThrottle throttle(Clock clock) {
        return new LoginThrottle(DEFAULTS, jdbc, clock);
    }

    private LoginThrottle onSecondNode(Clock clock) {
        return new LoginThrottle(DEFAULTS, new JdbcTemplate(secondNode), clock);
    }

    @Test
    void afterFiveFailuresEachTryWaitsLongerUpToTheLimit() {
        MovableClock clock = new MovableClock();
        LoginThrottle throttle = throttle(clock);
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
        LoginThrottle throttle = throttle(clock);
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
        LoginThrottle throttle = throttle(clock);
        for (int i = 0; i < 4; i++) {
            throttle.failed("alice", null);
        }
        clock.now = clock.now.plus(Duration.ofMinutes(16));
        throttle.failed("alice", null);
        assertThat(throttle.waitFor("alice", null)).isZero();
    }

    @Test
    void failuresSplitAcrossTwoNodesAreThrottledAsOnOne() {
        MovableClock clock = new MovableClock();
        LoginThrottle a = throttle(clock);
        LoginThrottle b = onSecondNode(clock);
        for (int i = 0; i < 3; i++) {
            a.failed("alice", "10.0.0.1");
        }
        b.failed("alice", "10.0.0.2");
        assertThat(a.waitFor("alice", null)).isZero();
        b.failed("alice", "10.0.0.2");
        assertThat(a.waitFor("alice", null)).isEqualTo(Duration.ofSeconds(30));
        assertThat(b.waitFor("alice", null)).isEqualTo(Duration.ofSeconds(30));
        clock.now = clock.now.plusSeconds(30);
        a.failed("alice", "10.0.0.1");
        assertThat(b.waitFor("alice", null)).as("the delay doubles whichever node failed").isEqualTo(Duration.ofSeconds(60));
        // a success on one node clears the account on the other, not the address
        b.succeeded("alice");
        assertThat(a.waitFor("alice", null)).isZero();
        for (int i = 0; i < 5; i++) {
            a.failed("user" + i, "10.0.0.3");
            b.failed("other" + i, "10.0.0.3");
        }
        assertThat(b.waitFor("someone-new", "10.0.0.3")).isEqualTo(Duration.ofSeconds(30));
        assertThat(a.waitFor("someone-new", "10.0.0.3")).isEqualTo(Duration.ofSeconds(30));
        a.clear();
        assertThat(b.waitFor("someone-new", "10.0.0.3")).isZero();
    }

    @Test
    void concurrentFailuresOnTwoNodesAllCount() throws Exception {
        MovableClock clock = new MovableClock();
        List<LoginThrottle> nodes = List.of(throttle(clock), onSecondNode(clock));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> tries = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                LoginThrottle node = nodes.get(t % 2);
                tries.add(pool.submit(() -> {
                    for (int i = 0; i < 25; i++) {
                        node.failed("alice", "10.0.0.1");
                    }
                }));
            }
            for (Future<?> f : tries) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        assertThat(jdbc.queryForList("SELECT failures FROM login_failure ORDER BY throttle_key", Integer.class))
                .as("addr:10.0.0.1 and user:alice, 200 failures each").containsExactly(200, 200);
    }

    @Test
    void expiredCountsAreDeleted() {
        MovableClock clock = new MovableClock();
        LoginThrottle throttle = throttle(clock);
        throttle.failed("alice", "10.0.0.1");
        clock.now = clock.now.plus(Duration.ofMinutes(10));
        throttle.failed("bob", null);
        clock.now = clock.now.plus(Duration.ofMinutes(6));
        throttle.failed("carol", null);
        assertThat(jdbc.queryForList("SELECT throttle_key FROM login_failure ORDER BY throttle_key", String.class))
                .containsExactly("user:bob", "user:carol");
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
    private long[] guesses(boolean newUserEachTry) {
        MovableClock clock = new MovableClock();
        LoginThrottle throttle = throttle(clock);
        throttle.clear(); // each guesser on a fresh database
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
