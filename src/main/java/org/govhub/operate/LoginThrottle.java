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
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Slows password guessing, per account and per client address. After {@code max-failures} failed
 * logins in a row for an account ({@code max-failures-per-address} for an address), each further try
 * waits: {@code first-delay}, then twice as long after each new failure, up to {@code max-delay}.
 * Tries in a wait are answered 429 with Retry-After and never reach the password check. A success
 * clears the account's count (not the address's: a guesser with one good account of their own
 * could clear it); counts are forgotten {@code window} after their last failure. Hand-written:
 * Spring Security has no login throttling, and this is a map of counters. The counts live in this
 * hub's memory: a restart forgets them, and several hubs behind one address would count apart.
 */
@Component
public class LoginThrottle {

    /** How the throttle is set: govhub.security.login.*. */
    public record Settings(int maxFailuresPerAccount, int maxFailuresPerAddress, Duration firstDelay, Duration maxDelay,
            Duration window) {
    }

    private static final int MAX_TRACKED = 100_000;

    private final Settings settings;
    private final Clock clock;
    private final Map<String, Failures> failures = new ConcurrentHashMap<>();

    @Autowired
    public LoginThrottle(@Value("${govhub.security.login.max-failures:5}") int maxFailuresPerAccount,
            @Value("${govhub.security.login.max-failures-per-address:10}") int maxFailuresPerAddress,
            @Value("${govhub.security.login.first-delay:30s}") Duration firstDelay,
            @Value("${govhub.security.login.max-delay:15m}") Duration maxDelay,
            @Value("${govhub.security.login.window:15m}") Duration window) {
        this(new Settings(maxFailuresPerAccount, maxFailuresPerAddress, firstDelay, maxDelay, window), Clock.systemUTC());
    }

    public LoginThrottle(Settings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
    }

    private static final class Failures {
        int count;
        Instant last;
    }

    /** How long this account or address must still wait before its next try; zero when it may try now. */
    public Duration waitFor(String username, String address) {
        Duration account = username == null ? Duration.ZERO : waitFor("user:" + normal(username), settings.maxFailuresPerAccount());
        Duration from = address == null ? Duration.ZERO : waitFor("addr:" + address, settings.maxFailuresPerAddress());
        return account.compareTo(from) >= 0 ? account : from;
    }

    public void failed(String username, String address) {
        if (failures.size() > MAX_TRACKED) {
            forgetOld();
        }
        if (username != null) {
            count("user:" + normal(username));
        }
        if (address != null) {
            count("addr:" + address);
        }
    }

    public void succeeded(String username) {
        if (username != null) {
            failures.remove("user:" + normal(username));
        }
    }

    /** Forgets every count (tests, and an admin's fresh start). */
    public void clear() {
        failures.clear();
    }

    private Duration waitFor(String key, int max) {
        Failures f = failures.get(key);
        if (f == null) {
            return Duration.ZERO;
        }
        synchronized (f) {
            Instant now = clock.instant();
            if (f.count < max || expired(f, now)) {
                return Duration.ZERO;
            }
            Instant until = f.last.plus(delay(f.count - max));
            return now.isBefore(until) ? Duration.between(now, until) : Duration.ZERO;
        }
    }

    /** The wait after the n-th failure beyond the limit (n = 0 for the failure that reached it). */
    Duration delay(int beyond) {
        Duration d = settings.firstDelay();
        for (int i = 0; i < beyond && d.compareTo(settings.maxDelay()) < 0; i++) {
            d = d.multipliedBy(2);
        }
        return d.compareTo(settings.maxDelay()) > 0 ? settings.maxDelay() : d;
    }

    private void count(String key) {
        Failures f = failures.computeIfAbsent(key, k -> new Failures());
        synchronized (f) {
            Instant now = clock.instant();
            if (f.last != null && expired(f, now)) {
                f.count = 0;
            }
            f.count++;
            f.last = now;
        }
    }

    private boolean expired(Failures f, Instant now) {
        // counts are forgotten a window after the last failure, but never while a wait is still running
        return f.last.plus(settings.window()).isBefore(now) && f.last.plus(settings.maxDelay()).isBefore(now);
    }

    private void forgetOld() {
        Instant now = clock.instant();
        failures.values().removeIf(f -> {
            synchronized (f) {
                return f.last != null && expired(f, now);
            }
        });
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
