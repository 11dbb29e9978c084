package org.govhub.operate;


import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.govhub.audit.ExchangeLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.security.authentication.event.AbstractAuthenticationFailureEvent;
import org.springframework.security.authentication.event.AuthenticationSuccessEvent;
import org.springframework.security.core.Authentication;
import org.springframework.security.web.authentication.WebAuthenticationDetails;
import org.springframework.stereotype.Component;

/**
 * Every login, the one place that hears of them: Spring Security's success and failure events (form
 * login and HTTP Basic alike) and the throttle's refusals. Each becomes a log line (user, address,
 * outcome; never the password), a count by outcome and an entry among the latest 200, which admins
 * read at /api/admin/accounts/logins; failures feed the throttle. Each is appended to the exchange log too.
 */
@Component
public class LoginEvents {

    private static final Logger log = LoggerFactory.getLogger(LoginEvents.class);
    private static final int KEPT = 200;

    private final LoginThrottle throttle;
    private final ExchangeLog exchangeLog;
    private final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();
    private final Deque<Map<String, Object>> latest = new ArrayDeque<>();

    public LoginEvents(LoginThrottle throttle, ExchangeLog exchangeLog) {
        this.throttle = throttle;
        this.exchangeLog = exchangeLog;
    }

    @EventListener
    public void succeeded(AuthenticationSuccessEvent event) {
        Authentication who = event.getAuthentication();
        boolean department = who.getAuthorities().stream().anyMatch(a -> a.getAuthority().equals("ROLE_" + Roles.DEPARTMENT));
        throttle.succeeded(who.getName());
        record(who.getName(), address(who), "success", null, department ? who.getName() : null);
    }

    @EventListener
    public void failed(AbstractAuthenticationFailureEvent event) {
        String user = event.getAuthentication().getName();
        String address = address(event.getAuthentication());
        throttle.failed(user, address);
        record(user, address, "failure", event.getException().getClass().getSimpleName(), null);
    }

    void throttled(String user, String address, long retryAfterSeconds) {
        record(user, address, "throttled", "retry after " + retryAfterSeconds + " s", null);
    }

    /**
     * One login outcome: into the exchange log first (a login whose entry cannot be written fails:
     * {@link ExchangeLog.Unavailable}), then logged, counted and kept among the latest.
     */
    void record(String user, String address, String outcome, String detail, String department) {
        String safeUser = clean(user);
        exchangeLog.append(new ExchangeLog.Event(safeUser, "login", "hub", department, null, null,
                outcome + (address == null ? "" : " from " + address) + (detail == null ? "" : " (" + detail + ")")));
        counts.computeIfAbsent(outcome, o -> new AtomicLong()).incrementAndGet();
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("at", Instant.now().toString());
        entry.put("user", safeUser);
        entry.put("address", address);
        entry.put("outcome", outcome);
        if (detail != null) {
            entry.put("detail", detail);
        }
        synchronized (latest) {
            latest.addFirst(entry);
            while (latest.size() > KEPT) {
                latest.removeLast();
            }
        }
        if ("success".equals(outcome)) {
            log.info("login success user={} address={}", safeUser, address);
        } else {
            log.warn("login {} user={} address={}{}", outcome, safeUser, address, detail == null ? "" : " (" + detail + ")");
        }
    }

    public Map<String, Object> summary() {
        Map<String, Long> byOutcome = new LinkedHashMap<>();
        for (String outcome : List.of("success", "failure", "throttled")) {
            byOutcome.put(outcome, counts.getOrDefault(outcome, new AtomicLong()).get());
        }
        synchronized (latest) {
            return Map.of("counts", byOutcome, "latest", new ArrayList<>(latest));
        }
    }

    public long count(String outcome) {
        return counts.getOrDefault(outcome, new AtomicLong()).get();
    }

    private static String address(Authentication authentication) {
        return authentication.getDetails() instanceof WebAuthenticationDetails details ? details.getRemoteAddress() : null;
    }

    /** A user name as typed by anyone: no line breaks or control characters into the log, and not too long. */
    private static String clean(String user) {
        if (user == null) {
            return "";
        }
        String s = user.replaceAll("\\p{Cntrl}", "?");
        return s.length() > 100 ? s.substring(0, 100) + "…" : s;
    }
}
