package org.govhub.ingest;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.Exchange;
import org.govhub.normalise.IdentityNumbers;
import org.govhub.normalise.RecordNormaliser;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.actuate.health.Health;
import org.springframework.stereotype.Component;

/**
 * What every source did lately, whatever its kind (SQL, change capture, FTP, REST): the one place
 * that decides whether a source is healthy, and that logs its polls and its failures.
 *
 * <p>A source template reports each unit of work (a page, a file, a batch of change events):
 * {@link #begin} when it starts, {@link #end} once all of its items are on the broker or in
 * quarantine and the mark has moved, {@link #fail} when it failed. From that:
 * <ul>
 * <li>every unit's log line accounts for every item: taken = new + repeats + quarantined;</li>
 * <li>a source whose unit has neither ended nor progressed ({@link #progressed}) for {@code govhub.ingest.blocked-after} is BLOCKED (a full
 * broker, a hung connection), one failing since its last success is FAILING, one whose units keep
 * saying there is more while its mark stays put is STUCK: none of these is UP in health;</li>
 * <li>a failure that repeats is logged once, then once per {@code govhub.ingest.repeat-log-interval}
 * with its count, and its end is logged once.</li>
 * </ul>
 * State is in memory: after a restart a source is UP until its first unit says otherwise; its marks
 * themselves are in the hub database.
 */
@Component("sourceActivity")
public class SourceActivity {

    private static final Logger log = LoggerFactory.getLogger(SourceActivity.class);

    /** Exchange property holding the {@link Tally} of the unit in hand (shared by the split's row exchanges). */
    public static final String TALLY = "govhubTally";

    /** Health states beyond Spring's UP/DOWN, each with a reason in the details. */
    public enum Condition { OK, FAILING, BLOCKED, STUCK, SILENT, PROBLEM }

    /** What became of the items of one unit of work. */
    public static final class Tally {
        private final AtomicInteger published = new AtomicInteger();
        private final AtomicInteger quarantined = new AtomicInteger();
        private final AtomicInteger repeats = new AtomicInteger();

        public void published() {
            published.incrementAndGet();
        }

        public void quarantined() {
            quarantined.incrementAndGet();
        }

        /** Items the source recognised as taken before (not published again). */
        public void repeats(int n) {
            repeats.addAndGet(n);
        }

        public int taken() {
            return published.get() + quarantined.get() + repeats.get();
        }

        public int newItems() {
            return published.get();
        }

        public int repeatItems() {
            return repeats.get();
        }

        public int quarantinedItems() {
            return quarantined.get();
        }

        @Override
        public String toString() {
            return taken() + " taken = " + published.get() + " new + " + repeats.get() + " repeat(s) + " + quarantined.get()
                    + " quarantined";
        }
    }

    private static final class State {
        volatile Instant unitSince;
        // the unit's last progress (its start, then each chunk committed): BLOCKED counts from here
        volatile Instant progressAt;
        volatile String unitWhat;
        volatile Instant lastSuccess;
        volatile String lastUnit;
        volatile String mark;
        long units;
        long published;
        long quarantined;
        long repeats;
        // failing since the last success
        int failures;
        Instant failingSince;
        Instant lastFailureAt;
        String error;
        Instant errorLoggedAt;
        int unlogged;
        // units that said "more" while the mark stayed put
        int stalls;
        String stallReason;
        // the last stall the source reported itself, and when it was logged
        String stuckLogged;
        Instant stuckLoggedAt;
        // blocked: logged once per unit; silent: once per silence
        boolean blockedLogged;
        boolean silentLogged;
        // a standing problem the source found (rows it cannot read, a file waiting too long)
        String problem;
        // the kind of unit whose failure makes the source FAILING (see kind)
        String failedKind;
        // a stream that reports itself at least this often (change capture's heartbeats), and since when it is watched
        Duration expectEvery;
        Instant watchedSince;
        // what quiet units (single change events) took since the last summary line
        Tally quiet = new Tally();
        Instant quietLoggedAt = Instant.now();
    }

    /** Seconds between two summary lines of a source whose units are single change events. */
    static final int SUMMARY_SECONDS = 30;

    private final Map<String, State> states = new ConcurrentHashMap<>();
    private final Duration blockedAfter;
    private final int stuckAfter;
    private final Duration repeatLogInterval;

    public SourceActivity(@Value("${govhub.ingest.blocked-after:2m}") Duration blockedAfter,
            @Value("${govhub.ingest.stuck-after:3}") int stuckAfter,
            @Value("${govhub.ingest.repeat-log-interval:5m}") Duration repeatLogInterval) {
        this.blockedAfter = blockedAfter;
        this.stuckAfter = stuckAfter;
        this.repeatLogInterval = repeatLogInterval;
    }

    private State state(String sourceId) {
        return states.computeIfAbsent(Objects.requireNonNull(sourceId, "source id"), id -> new State());
    }

    /** A unit of work starts ({@code what}: "page", "file x.csv", ...); its items are counted in a fresh {@link Tally}. */
    public Tally begin(Exchange exchange, String what) {
        State s = state(sourceId(exchange));
        Instant now = Instant.now();
        s.progressAt = now; // first: a reader that sees the new unitSince must not see an old progressAt
        s.unitSince = now;
        s.unitWhat = what;
        s.blockedLogged = false;
        Tally tally = new Tally();
        exchange.setProperty(TALLY, tally);
        return tally;
    }

    /**
     * The unit in hand made progress: a chunk of its items is on the broker (a page or file too
     * large for one transaction goes in chunks). A unit is BLOCKED when it has made none for
     * {@code blocked-after}, however long it runs in all.
     */
    public void progressed(Exchange exchange) {
        State s = states.get(sourceId(exchange));
        if (s != null && s.unitSince != null) {
            s.progressAt = Instant.now();
        }
    }

    /** The unit's tally, if a unit is in hand (record-publishing counts into it). */
    public static Tally tally(Exchange exchange) {
        return exchange.getProperty(TALLY, Tally.class);
    }

    /** One item of the unit is on the broker or in quarantine (RecordPages); the urgent lane's are not the unit's. */
    public static void counted(Exchange exchange, boolean valid) {
        Tally tally = tally(exchange);
        if (tally == null || Boolean.TRUE.equals(exchange.getProperty(UrgentLane.URGENT_ONLY, Boolean.class))) {
            return;
        }
        if (valid) {
            tally.published();
        } else {
            tally.quarantined();
        }
    }

    /**
     * The unit ended: every item is on the broker or in quarantine and the mark moved from
     * {@code before} to {@code after}. {@code more} says the source has more waiting at once (a full
     * page): then a mark that did not move is a stall, and enough stalls in a row make the source STUCK.
     */
    public void end(Exchange exchange, Object before, Object after, boolean more) {
        finish(exchange, before, after, more, false);
    }

    /**
     * {@link #end} for a unit of one event (a change captured from a database log), which would make
     * one log line per change: these are summed up and logged every {@value #SUMMARY_SECONDS} s by {@link #watch}.
     */
    public void endQuietly(Exchange exchange, Object position) {
        finish(exchange, position, position, false, true);
    }

    private void finish(Exchange exchange, Object before, Object after, boolean more, boolean quiet) {
        String sourceId = sourceId(exchange);
        Tally tally = tally(exchange);
        if (tally == null) {
            tally = new Tally();
        }
        State s = state(sourceId);
        String what = s.unitWhat == null ? "poll" : s.unitWhat;
        String from = String.valueOf(before);
        String to = String.valueOf(after);
        boolean stalled = more && Objects.equals(from, to);
        synchronized (s) {
            s.unitSince = null;
            s.lastSuccess = Instant.now();
            s.lastUnit = what + ": " + tally;
            s.mark = to;
            s.units++;
            s.published += tally.published.get();
            s.quarantined += tally.quarantined.get();
            s.repeats += tally.repeats.get();
            // a unit of the kind that failed (or any unit after a failed poll) ends the failure: the source's
            // pages going on do not hide that its late-commit check keeps failing
            if (s.failedKind == null || "poll".equals(s.failedKind) || s.failedKind.equals(kind(what))) {
                recovered(sourceId, s);
            }
            if (stalled) {
                s.stalls++;
                if (s.stalls == stuckAfter) {
                    s.stallReason = "the source keeps offering more after " + s.stalls + " " + what + "s in a row, but its mark stays at "
                            + to;
                    log.warn("source {}: STUCK: {}", sourceId, s.stallReason);
                }
            } else if (s.stalls > 0) {
                // a stall the source reported itself ends when the source says so (it may retry and stall again)
                if (s.stalls >= stuckAfter && !Objects.equals(s.stallReason, s.stuckLogged)) {
                    log.info("source {}: its mark moves again ({} -> {}) after {} stalled {}s", sourceId, from, to, s.stalls, what);
                }
                s.stalls = 0;
                s.stallReason = null;
            }
        }
        if (quiet) {
            synchronized (s) {
                s.quiet.published.addAndGet(tally.published.get());
                s.quiet.quarantined.addAndGet(tally.quarantined.get());
                s.quiet.repeats.addAndGet(tally.repeats.get());
            }
        } else if (tally.taken() > tally.repeats.get()) {
            // a unit of repeats only (a caught-up source asked again since its mark) logs at debug: every poll would say it
            log.info("source {}: {} done: {}; mark {} -> {}{}", sourceId, what, tally, from, to, more ? ", more waiting" : "");
        } else {
            log.debug("source {}: {} done, nothing new: {}; mark {}", sourceId, what, tally, to);
        }
    }

    private static void recovered(String sourceId, State s) {
        if (s.failures > 0) {
            log.info("source {}: working again after {} failure(s) since {} (last: {})", sourceId, s.failures,
                    s.failingSince, s.error);
            s.failures = 0;
            s.failingSince = null;
            s.error = null;
            s.unlogged = 0;
            s.failedKind = null;
        }
    }

    /**
     * A poll that found nothing to take worked (an FTP drop folder was listed: a source whose units
     * are only its files has no unit to end then). It ends the failures that came before the poll
     * started, not one of the poll's own units (a file of it that failed).
     */
    public void polled(String sourceId, Instant pollStarted) {
        State s = states.get(sourceId);
        if (s == null || pollStarted == null) {
            return;
        }
        synchronized (s) {
            if (s.lastFailureAt != null && s.lastFailureAt.isBefore(pollStarted)) {
                recovered(sourceId, s);
            }
        }
    }

    /**
     * The unit failed: nothing of it counts, the mark stays, the source will try again. The first
     * failure is logged, a repeat of the same error only once per {@code repeat-log-interval} with
     * its count; the source is FAILING until a unit ends again.
     */
    public void fail(Exchange exchange) {
        Throwable e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        if (e == null) {
            e = exchange.getException();
        }
        failed(sourceId(exchange), describe(e));
    }

    /** A failure that is not an exchange's (a consumer's poll, a connector): as {@link #fail}. */
    public void failed(String sourceId, String error) {
        State s = state(sourceId);
        Instant now = Instant.now();
        synchronized (s) {
            // a unit in hand failed, or else the source's poll itself (a unit that ended earlier is not the one)
            String what = s.unitSince != null && s.unitWhat != null ? s.unitWhat : "poll";
            s.unitSince = null;
            s.failures++;
            s.failedKind = kind(what);
            s.lastFailureAt = now;
            if (s.failingSince == null) {
                s.failingSince = now;
            }
            boolean sameError = error.equals(s.error);
            s.error = error;
            if (!sameError || s.errorLoggedAt == null || s.errorLoggedAt.plus(repeatLogInterval).isBefore(now)) {
                log.warn("source {}: {} failed{}: {}", sourceId, what,
                        s.failures == 1 ? "" : " (" + s.failures + " failures since " + s.failingSince
                                + (s.unlogged > 0 ? ", " + s.unlogged + " not logged" : "") + ")",
                        error);
                s.errorLoggedAt = now;
                s.unlogged = 0;
            } else {
                s.unlogged++;
            }
        }
    }

    /** The kind of a unit: its description without what it was about ("file x.csv" is a file). */
    private static String kind(String what) {
        return what.startsWith("file ") ? "file" : what;
    }

    /**
     * A source reports a stall it detected itself (a cursor that does not advance): STUCK at once.
     * The same reason is logged once per {@code repeat-log-interval}, also when units that moved in
     * between (the source's retries) cleared the state.
     */
    public void stuck(String sourceId, String reason) {
        State s = state(sourceId);
        synchronized (s) {
            Instant now = Instant.now();
            if (!reason.equals(s.stuckLogged) || s.stuckLoggedAt.plus(repeatLogInterval).isBefore(now)) {
                log.warn("source {}: STUCK: {}", sourceId, reason);
                s.stuckLogged = reason;
                s.stuckLoggedAt = now;
            }
            s.stalls = Math.max(s.stalls, stuckAfter);
            s.stallReason = reason;
        }
    }

    /**
     * A standing problem the source found besides its units' outcome (rows it cannot place, a file
     * that waits too long): the source is not UP while there is one; null clears it. Logged when it changes.
     */
    public void problem(String sourceId, String problem) {
        State s = state(sourceId);
        synchronized (s) {
            if (!Objects.equals(problem, s.problem)) {
                if (problem == null) {
                    log.info("source {}: problem resolved: {}", sourceId, s.problem);
                } else {
                    log.warn("source {}: {}", sourceId, problem);
                }
            }
            s.problem = problem;
        }
    }

    /**
     * A source that reports itself at least every {@code every} (a change stream's heartbeats): one
     * that has said nothing for longer is SILENT (its engine stopped, or never started).
     */
    public void expect(String sourceId, Duration every) {
        State s = state(sourceId);
        synchronized (s) {
            s.expectEvery = every;
            s.watchedSince = Instant.now();
        }
    }

    /** Since when an expected source has said nothing, if it is SILENT. */
    public java.util.Optional<Instant> silentSince(String sourceId) {
        State s = states.get(sourceId);
        if (s == null || s.expectEvery == null || s.unitSince != null || s.failures > 0) {
            return java.util.Optional.empty();
        }
        Instant last = s.lastSuccess == null || s.lastSuccess.isBefore(s.watchedSince) ? s.watchedSince : s.lastSuccess;
        return last.plus(s.expectEvery).isBefore(Instant.now()) ? java.util.Optional.of(last) : java.util.Optional.empty();
    }

    /** The source's condition now, with its reason. */
    public Condition condition(String sourceId) {
        State s = states.get(sourceId);
        if (s == null) {
            return Condition.OK;
        }
        Instant since = s.unitSince == null ? null : s.progressAt;
        if (since != null && since.plus(blockedAfter).isBefore(Instant.now())) {
            return Condition.BLOCKED;
        }
        if (s.failures > 0) {
            return Condition.FAILING;
        }
        if (s.stallReason != null) {
            return Condition.STUCK;
        }
        if (silentSince(sourceId).isPresent()) {
            return Condition.SILENT;
        }
        return s.problem != null ? Condition.PROBLEM : Condition.OK;
    }

    /** What the source has handed over since start: published, quarantined or repeats (0 for a source not seen yet). */
    public long handedOver(String sourceId, String outcome) {
        State s = states.get(sourceId);
        if (s == null) {
            return 0;
        }
        synchronized (s) {
            return switch (outcome) {
                case "valid" -> s.published;
                case "quarantined" -> s.quarantined;
                case "repeat" -> s.repeats;
                default -> throw new IllegalArgumentException("no such outcome: " + outcome);
            };
        }
    }

    /** When the source last finished a unit of work, if it has since start. */
    public java.util.Optional<Instant> lastSuccess(String sourceId) {
        State s = states.get(sourceId);
        return java.util.Optional.ofNullable(s == null ? null : s.lastSuccess);
    }

    /** Everything known about a source's recent work, for health and the admin API. */
    public Map<String, Object> details(String sourceId) {
        State s = states.get(sourceId);
        Map<String, Object> d = new LinkedHashMap<>();
        Condition condition = condition(sourceId);
        d.put("state", condition == Condition.OK ? "UP" : condition.name());
        if (s == null) {
            d.put("units", 0);
            return d;
        }
        synchronized (s) {
            switch (condition) {
                case BLOCKED -> d.put("reason", "its " + (s.unitWhat == null ? "poll" : s.unitWhat) + " started at " + s.unitSince
                        + " and has not finished nor made progress for " + Duration.between(s.progressAt, Instant.now()).toSeconds()
                        + " s: a full broker queue, or a source that does not answer");
                case FAILING -> d.put("reason", "failing since " + s.failingSince + " (" + s.failures + " failure(s)): " + s.error);
                case STUCK -> d.put("reason", s.stallReason);
                case PROBLEM -> d.put("reason", s.problem);
                case SILENT -> d.put("reason", "nothing from the change stream since " + silentSince(sourceId).orElse(null)
                        + " (it reports at least every " + s.expectEvery.toSeconds() + " s): its engine has stopped or not started;"
                        + " see the log");
                default -> { }
            }
            if (s.mark != null) {
                d.put("mark", s.mark);
            }
            d.put("units", s.units);
            d.put("published", s.published);
            d.put("repeats", s.repeats);
            d.put("quarantined", s.quarantined);
            if (s.lastSuccess != null) {
                d.put("lastSuccess", s.lastSuccess.toString());
                d.put("last", s.lastUnit);
            }
            if (s.unitSince != null) {
                d.put("inProgressSince", s.unitSince.toString());
            }
            if (s.problem != null && condition != Condition.PROBLEM) {
                d.put("problem", s.problem);
            }
        }
        return d;
    }

    /** The source's health: UP only when its work goes on; the reason otherwise. */
    public Health health(String sourceId) {
        return (condition(sourceId) == Condition.OK ? Health.up() : Health.down()).withDetails(details(sourceId)).build();
    }

    /** Logs each source that became BLOCKED, once per unit (routes/source-watch.yaml calls it): a blocked unit logs nothing itself. */
    public void watch() {
        states.forEach((sourceId, s) -> {
            synchronized (s) {
                if (s.quiet.taken() > 0 && s.quietLoggedAt.plusSeconds(SUMMARY_SECONDS).isBefore(Instant.now())) {
                    log.info("source {}: changes since {}: {}; mark {}", sourceId, s.quietLoggedAt, s.quiet, s.mark);
                    s.quiet = new Tally();
                    s.quietLoggedAt = Instant.now();
                }
            }
            if (!s.silentLogged && condition(sourceId) == Condition.SILENT) {
                s.silentLogged = true;
                log.warn("source {}: SILENT: {}", sourceId, details(sourceId).get("reason"));
            } else if (condition(sourceId) != Condition.SILENT) {
                s.silentLogged = false;
            }
            if (!s.blockedLogged && condition(sourceId) == Condition.BLOCKED) {
                s.blockedLogged = true;
                log.warn("source {}: BLOCKED: {}", sourceId, details(sourceId).get("reason"));
            }
        });
    }

    /** An error for logs and health: the exception's kind and message, identity numbers masked, never a stack. */
    public static String describe(Throwable e) {
        if (e == null) {
            return "unknown failure";
        }
        // Camel's wrappers name the exchange (a new id on every attempt): the failure is what they wrap,
        // and the same failure must read the same to be logged once with a count
        while ((e instanceof org.apache.camel.CamelExchangeException || e instanceof org.apache.camel.RuntimeCamelException)
                && e.getCause() != null && e.getCause() != e) {
            e = e.getCause();
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String text = e.getClass().getSimpleName() + ": " + e.getMessage();
        if (root != e && root.getMessage() != null && (e.getMessage() == null || !e.getMessage().contains(root.getMessage()))) {
            text += " (" + root.getClass().getSimpleName() + ": " + root.getMessage() + ")";
        }
        text = text.replaceAll("\\s+", " ").strip();
        return IdentityNumbers.maskAll(text.length() > 600 ? text.substring(0, 600) + "…" : text);
    }

    private static String sourceId(Exchange exchange) {
        return exchange.getProperty(RecordNormaliser.SOURCE_ID, String.class);
    }
}
