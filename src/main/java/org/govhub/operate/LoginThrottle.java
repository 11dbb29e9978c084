package org.govhub.operate;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Slows password guessing, per account and per client address. After {@code max-failures} failed
 * logins in a row for an account ({@code max-failures-per-address} for an address), each further try
 * waits: {@code first-delay}, then twice as long after each new failure, up to {@code max-delay}.
 * Tries in a wait are answered 429 with Retry-After and never reach the password check. A success
 * clears the account's count (not the address's: a guesser with one good account of their own
 * could clear it); counts are forgotten {@code window} after their last failure. Hand-written:
 * Spring Security has no login throttling, and this is a counter per key. The counts are in the hub
 * database (login_failure, V20), so every node of a cluster counts the same failures and a restart
 * forgets none; a failure raises its count in one UPDATE, which the database serialises on the row.
 */
@Component
public class LoginThrottle {

    /** How the throttle is set: govhub.security.login.*. */
    public record Settings(int maxFailuresPerAccount, int maxFailuresPerAddress, Duration firstDelay, Duration maxDelay,
            Duration window) {

        /** How long a count is kept after its last failure: the window, but never less than a wait. */
        Duration kept() {
            return window.compareTo(maxDelay) >= 0 ? window : maxDelay;
        }
    }

    /** The column's width; longer keys are user names no account has, and are cut (their counts merge). */
    private static final int KEY_LENGTH = 300;
    private static final Duration PRUNE_EVERY = Duration.ofMinutes(1);

    private final Settings settings;
    private final JdbcTemplate jdbc;
    private final Clock clock;
    private final AtomicReference<Instant> lastPruned = new AtomicReference<>(Instant.MIN);

    @Autowired
    public LoginThrottle(JdbcTemplate hubDatabase,
            @Value("${govhub.security.login.max-failures:5}") int maxFailuresPerAccount,
            @Value("${govhub.security.login.max-failures-per-address:10}") int maxFailuresPerAddress,
            @Value("${govhub.security.login.first-delay:30s}") Duration firstDelay,
            @Value("${govhub.security.login.max-delay:15m}") Duration maxDelay,
            @Value("${govhub.security.login.window:15m}") Duration window) {
        this(new Settings(maxFailuresPerAccount, maxFailuresPerAddress, firstDelay, maxDelay, window), hubDatabase,
                Clock.systemUTC());
    }

    public LoginThrottle(Settings settings, JdbcTemplate hubDatabase, Clock clock) {
        this.settings = settings;
        this.jdbc = hubDatabase;
        this.clock = clock;
    }

    /** How long this account or address must still wait before its next try; zero when it may try now. */
    public Duration waitFor(String username, String address) {
        Duration account = username == null ? Duration.ZERO : waitFor(userKey(username), settings.maxFailuresPerAccount());
        Duration from = address == null ? Duration.ZERO : waitFor(addressKey(address), settings.maxFailuresPerAddress());
        return account.compareTo(from) >= 0 ? account : from;
    }

    public void failed(String username, String address) {
        Instant now = clock.instant();
        if (username != null) {
            count(userKey(username), now);
        }
        if (address != null) {
            count(addressKey(address), now);
        }
        forgetOld(now);
    }

    public void succeeded(String username) {
        if (username != null) {
            jdbc.update("DELETE FROM login_failure WHERE throttle_key = ?", userKey(username));
        }
    }

    /** Forgets every count, on every node (tests, and an admin's fresh start). */
    public void clear() {
        jdbc.update("DELETE FROM login_failure");
    }

    private Duration waitFor(String key, int max) {
        List<long[]> rows = jdbc.query("SELECT failures, last_failure_ms FROM login_failure WHERE throttle_key = ?",
                (rs, i) -> new long[] {rs.getInt(1), rs.getLong(2)}, key);
        if (rows.isEmpty()) {
            return Duration.ZERO;
        }
        int count = (int) rows.get(0)[0];
        Instant last = Instant.ofEpochMilli(rows.get(0)[1]);
        Instant now = clock.instant();
        if (count < max || expired(last, now)) {
            return Duration.ZERO;
        }
        Instant until = last.plus(delay(count - max));
        return now.isBefore(until) ? Duration.between(now, until) : Duration.ZERO;
    }

    /** The wait after the n-th failure beyond the limit (n = 0 for the failure that reached it). */
    Duration delay(int beyond) {
        Duration d = settings.firstDelay();
        for (int i = 0; i < beyond && d.compareTo(settings.maxDelay()) < 0; i++) {
            d = d.multipliedBy(2);
        }
        return d.compareTo(settings.maxDelay()) > 0 ? settings.maxDelay() : d;
    }

    /**
     * One more failure for the key. The UPDATE reads and raises the count under the row's lock (H2 and
     * PostgreSQL alike), so failures on two nodes at once both count; an expired count starts again at 1.
     * The first failure inserts the row; if another node inserted it just before, the UPDATE is made again.
     */
    private void count(String key, Instant now) {
        long nowMs = now.toEpochMilli();
        long expiredBefore = now.minus(settings.kept()).toEpochMilli();
        String raise = "UPDATE login_failure SET failures = CASE WHEN last_failure_ms < ? THEN 1 ELSE failures + 1 END,"
                + " last_failure_ms = ? WHERE throttle_key = ?";
        if (jdbc.update(raise, expiredBefore, nowMs, key) > 0) {
            return;
        }
        try {
            jdbc.update("INSERT INTO login_failure (throttle_key, failures, last_failure_ms) VALUES (?, 1, ?)", key, nowMs);
        } catch (DuplicateKeyException insertedByAnother) {
            jdbc.update(raise, expiredBefore, nowMs, key);
        }
    }

    private boolean expired(Instant last, Instant now) {
        // counts are forgotten a window after the last failure, but never while a wait is still running
        return last.plus(settings.kept()).isBefore(now);
    }

    /** Deletes expired counts, at most once a minute on each node (any node's pruning serves all). */
    private void forgetOld(Instant now) {
        Instant last = lastPruned.get();
        if (last.isAfter(now.minus(PRUNE_EVERY)) || !lastPruned.compareAndSet(last, now)) {
            return;
        }
        jdbc.update("DELETE FROM login_failure WHERE last_failure_ms < ?", now.minus(settings.kept()).toEpochMilli());
    }

    private static String userKey(String username) {
        return key("user:" + normal(username));
    }

    private static String addressKey(String address) {
        return key("addr:" + address);
    }

    private static String key(String key) {
        return key.length() > KEY_LENGTH ? key.substring(0, KEY_LENGTH) : key;
    }

    private static String normal(String username) {
        return username.strip().toLowerCase(Locale.ROOT);
    }

    /** The user name a login request carries (HTTP Basic or the login form), or null when it is no login. */
    static String attemptedUser(HttpServletRequest request) {
        String authorization = request.getHeader("Authorization");
        if (authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            try {
                String decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
                int colon = decoded.indexOf(':');
                return colon < 0 ? decoded : decoded.substring(0, colon);
            } catch (IllegalArgumentException e) {
                return "";
            }
        }
        if ("POST".equals(request.getMethod()) && "/login".equals(request.getServletPath())) {
            String username = request.getParameter("username");
            return username == null ? "" : username;
        }
        return null;
    }

    /** Answers 429 to a login try made during its account's or address's wait, before any password check. */
    public OncePerRequestFilter filter(LoginEvents events) {
        return new OncePerRequestFilter() {
            @Override
            protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                    throws ServletException, IOException {
                String user = attemptedUser(request);
                if (user != null) {
                    Duration wait = waitFor(user, request.getRemoteAddr());
                    if (!wait.isZero()) {
                        long seconds = Math.max(1, (wait.toMillis() + 999) / 1000);
                        events.throttled(user, request.getRemoteAddr(), seconds);
                        response.setStatus(429);
                        response.setHeader("Retry-After", Long.toString(seconds));
                        response.setContentType("application/json");
                        response.getWriter().write("{\"error\":\"too many failed logins; try again in " + seconds + " s\"}");
                        return;
                    }
                }
                chain.doFilter(request, response);
            }
        };
    }
}
