package org.govhub.ingest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.Exchange;
import org.govhub.Backoff;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.govhub.normalise.IdentityNumbers;
import org.govhub.normalise.NormalisedRecord;
import org.govhub.normalise.RecordNormaliser;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.actuate.health.Health;
import org.springframework.core.env.Environment;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Paging of the {@code rest-source} route template: builds each page request from the source's
 * {@link RestCursor}, reads the page, hands its items over (in chunks, see the template), and moves
 * the cursor only after all of the page's items are on the broker or in quarantine.
 *
 * <ul>
 * <li><b>Every item accounted for.</b> Each item of a page is new (published, or quarantined by its
 * mapping), a repeat (taken before, per the mark) or refused (no id, or an updatedAt that breaks the
 * source's {@link UpdatedAtRule}: quarantined with the reason); the page ends only when the
 * {@link SourceActivity} tally says taken = new + repeats + quarantined = what the source served.
 * A refused item never moves the mark and is never compared with it.</li>
 * <li><b>Any page size.</b> The page is read whole once as bytes (the structure, the next cursor,
 * the new mark), then its items are parsed one at a time as the route's split takes them in chunks:
 * an API that ignores the limit and serves 100,000 items holds memory for its bytes and one chunk.</li>
 * <li><b>Failures.</b> A page that fails (HTTP error, timeout, a body that is not a page) is asked
 * for again, with the same cursor, after a back-off that doubles with every consecutive failure: a
 * page is never skipped.</li>
 * <li><b>A cursor that does not advance</b> (the next cursor is the one just asked with, or a page
 * served before since the mark last moved comes again while the source says there is more) is a
 * stall: reported to {@link SourceActivity#stuck}, the source's cursor dropped, and the pull asks
 * for changes since the mark after the doubling back-off; health is DOWN until a page asked for by
 * cursor comes back advancing, or the pull is caught up.</li>
 * </ul>
 * The pull state lives in the hub database ({@code rest_cursor}), so a restart continues where the
 * last finished page left off. The HTTP call itself stays in the route (camel-http, behind a
 * throttle); this bean never sees or logs the credential, and logs no item content (personal data),
 * only ids and counts.
 */
@Component("restPages")
public class RestPages implements RowReader {

    private static final Logger log = LoggerFactory.getLogger(RestPages.class);

    /** Exchange properties the route template sets from its parameters. */
    public static final String PAGE_SIZE = "govhubPageSize";
    public static final String ID_FIELD = "govhubIdField";
    public static final String UPDATED_AT_FIELD = "govhubUpdatedAtField";
    public static final String UPDATED_AT_FORMAT = "govhubUpdatedAtFormat";
    public static final String MAX_FUTURE_SKEW = "govhubMaxFutureSkew";
    public static final String ITEMS_FIELD = "govhubItemsField";
    public static final String NEXT_CURSOR_FIELD = "govhubNextCursorField";
    public static final String SINCE_PARAM = "govhubSinceParam";
    public static final String CURSOR_PARAM = "govhubCursorParam";
    public static final String LIMIT_PARAM = "govhubLimitParam";
    public static final String POLL_INTERVAL = "govhubPollInterval";
    public static final String RETRY_DELAY = "govhubRetryDelay";
    public static final String MAX_BACKOFF = "govhubMaxBackoff";
    public static final String MAX_PAGES = "govhubMaxPages";
    /** Whether the route's page loop goes on. */
    public static final String MORE = "govhubMorePages";

    private static final String REQUEST = "govhubRestRequest";
    private static final String PAGE = "govhubPage";
    private static final String PAGES_THIS_POLL = "govhubPagesThisPoll";
    /** Most fingerprints of pages remembered per source while its mark stands still. */
    private static final int MAX_REMEMBERED_PAGES = 10_000;

    /** The pull state as read for a request: the cursor, and what the page's end compares with. */
    record Request(RestCursor cursor, long revision, int stalls, String lastStall, UpdatedAtRule rule, Instant now) {
    }

    /**
     * What a page said, read whole before any of it is published: how many items it served, how many
     * of them are repeats and how many go on (new or refused: {@link #handedOver}), its next cursor, the mark after it and
     * its fingerprint (ids and updatedAt values in order, to recognise the same page served again).
     */
    record Page(byte[] body, int served, int repeats, int goingOn, String nextCursor, RestCursor after, String fingerprint,
            List<RestSkips.Skip> skips) {
    }

    /**
     * One item handed to record-publishing: the item (an element of the page that is not a JSON
     * object stands under {@link #NOT_AN_OBJECT}), why it has no place in the order (if so), an
     * operator's skip, and its updatedAt as served.
     */
    public record Item(Map<String, Object> row, boolean object, List<String> refusals, RestSkips.Skip skip, String updatedAtAsServed) {
    }

    /** The key under which an element of a page's items that is not an object is kept (quarantined as served). */
    public static final String NOT_AN_OBJECT = "notAnObject";

    /** One element of a page's items, read, with its verdict. */
    private record Element(Map<String, Object> row, boolean object, RestCursor.Verdict verdict) {
    }

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .build();

    private final JdbcTemplate jdbc;
    private final Environment environment;
    private final RecordNormaliser normaliser;
    private final SourceActivity activity;
    private final RestSkips skips;
    /** Per source: fingerprints of the pages served since its mark last moved (a repeated one is a stall). */
    private final Map<String, Set<String>> pagesSinceMarkMoved = new ConcurrentHashMap<>();
    /** Sources already reported (once) as serving more items than asked for. */
    private final Set<String> overLimitReported = ConcurrentHashMap.newKeySet();

    public RestPages(JdbcTemplate jdbc, Environment environment, RecordNormaliser normaliser, SourceActivity activity,
            RestSkips skips) {
        this.jdbc = jdbc;
        this.environment = environment;
        this.normaliser = normaliser;
        this.activity = activity;
        this.skips = skips;
    }

    /** Whether a pull is due now (not waiting out a back-off or the poll interval); starts the page loop. */
    public boolean due(Exchange exchange) {
        String sourceId = sourceId(exchange);
        List<Timestamp> next = jdbc.queryForList("SELECT next_attempt_at FROM rest_cursor WHERE source_id = ?",
                Timestamp.class, sourceId);
        boolean due = next.isEmpty() || next.get(0) == null || !next.get(0).toInstant().isAfter(Instant.now());
        exchange.setProperty(MORE, due);
        exchange.setProperty(PAGES_THIS_POLL, 0);
        return due;
    }

    /**
     * Prepares the GET of the next page: query from the stored cursor, no other headers, no body.
     * A stored mark that is not a valid time under the source's rule (written before the rule
     * existed, or under another format) fails the page with the reason: an operator rewinds it.
     */
    public void request(Exchange exchange) {
        String sourceId = sourceId(exchange);
        activity.begin(exchange, "page");
        exchange.removeProperty(REQUEST); // a failure before the request is built must not see the previous page's
        exchange.removeProperty(PAGE);
        UpdatedAtRule rule = rule(exchange);
        Instant now = Instant.now();
        Map<String, Object> s = state(sourceId);
        RestCursor cursor = cursor(sourceId, s, rule, now);
        exchange.setProperty(REQUEST, new Request(cursor, s.isEmpty() ? 0 : number(s, "revision"),
                s.isEmpty() ? 0 : (int) number(s, "stalls"), s.isEmpty() ? null : (String) s.get("last_stall"), rule, now));
        var message = exchange.getMessage();
        message.removeHeaders("*");
        message.setBody(null);
        message.setHeader(Exchange.HTTP_METHOD, "GET");
        message.setHeader(Exchange.HTTP_QUERY, cursor.queryString(api(exchange), intProperty(exchange, PAGE_SIZE)));
        message.setHeader("Accept", "application/json");
    }

    /**
     * Reads a page: {@code {items: [...], nextCursor: "..."|null}} (field names from the template).
     * The whole page is checked and judged here, item by item, before anything of it is published;
     * the body becomes an iterator over the items that go on (new and refused ones, as {@link Item}),
     * parsed again one at a time as the route's split takes them. A body that is not such a page
     * fails the page.
     */
    public void page(Exchange exchange) {
        byte[] body = exchange.getMessage().getBody(byte[].class);
        Request request = exchange.getProperty(REQUEST, Request.class);
        String sourceId = sourceId(exchange);
        List<RestSkips.Skip> skipList = skips.of(sourceId);
        Judge judge = new Judge(exchange, request);
        RestCursor.Advance advance = request.cursor().advance();
        MessageDigest fingerprint = sha256();
        int[] served = {0};
        int[] repeats = {0};
        String next = readPage(body == null ? new byte[0] : body, exchange.getProperty(ITEMS_FIELD, String.class),
                exchange.getProperty(NEXT_CURSOR_FIELD, String.class), e -> {
            served[0]++;
            String place = e.object() ? judge.idText(e.row()) + "\u0000" + judge.updatedAtText(e.row()) : String.valueOf(e.row());
            fingerprint.update((place + "\n").getBytes(StandardCharsets.UTF_8));
            if (e.verdict() instanceof RestCursor.Repeat) {
                repeats[0]++;
            } else if (e.verdict() instanceof RestCursor.New n) {
                advance.add(n.key());
            }
        }, judge);
        String print = served[0] == 0 ? "empty page pointing to " + next : HexFormat.of().formatHex(fingerprint.digest());
        Page page = new Page(body, served[0], repeats[0], served[0] - repeats[0], next, advance.result(next), print, skipList);
        exchange.setProperty(PAGE, page);
        SourceActivity.tally(exchange).repeats(page.repeats());
        int limit = intProperty(exchange, PAGE_SIZE);
        if (page.served() > limit && overLimitReported.add(sourceId)) {
            log.warn("source {}: a page held {} items, more than the {} asked for (the API ignores '{}'); they go to the broker "
                    + "in chunks, and this is reported once", sourceId, page.served(), limit, exchange.getProperty(LIMIT_PARAM));
        }
        exchange.getMessage().setBody(handedOver(page, exchange, judge));
    }

    /** The items of a page that go on (not repeats), parsed one at a time from the page's bytes. */
    private Iterator<Item> handedOver(Page page, Exchange exchange, Judge judge) {
        if (page.goingOn() == 0) {
            return java.util.Collections.emptyIterator();
        }
        String itemsField = exchange.getProperty(ITEMS_FIELD, String.class);
        JsonParser parser;
        try {
            parser = JSON.createParser(page.body());
            seekItems(parser, itemsField);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Iterator<>() {
            private int index;
            private Item next = advance();

            private Item advance() {
                try {
                    JsonToken t;
                    while ((t = parser.nextToken()) != JsonToken.END_ARRAY && t != null) {
                        Element e = judge.read(parser, index++, itemsField);
                        if (e.verdict() instanceof RestCursor.Repeat) {
                            continue;
                        }
                        return item(e, judge, page.skips());
                    }
                    parser.close();
                    return null;
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }

            @Override
            public boolean hasNext() {
                return next != null;
            }

            @Override
            public Item next() {
                if (next == null) {
                    throw new NoSuchElementException();
                }
                Item item = next;
                next = advance();
                return item;
            }
        };
    }

    /** An element that goes on, as an item: why it has no place in the order, an operator's skip that applies to it. */
    private static Item item(Element e, Judge judge, List<RestSkips.Skip> skips) {
        List<String> refusals = e.verdict() instanceof RestCursor.Refused r ? r.reasons() : List.of();
        String version = e.object() ? judge.updatedAtText(e.row()) : null;
        RestSkips.Skip skip = e.object() ? RestSkips.applying(skips, judge.idText(e.row()), version) : null;
        return new Item(e.row(), e.object(), refusals, skip, version);
    }

    /**
     * The row reader of REST items in record-publishing: a new item is normalised as any row; a
     * refused or skipped one goes to quarantine with its refusals, the operator's skip and whatever
     * its mapping finds besides, its raw item kept as served.
     */
    @Override
    public NormalisedRecord read(Object row, Exchange exchange) {
        Item item = (Item) row;
        String sourceId = sourceId(exchange);
        NormalisedRecord r = normaliser.normalise(sourceId, exchange.getProperty(RecordNormaliser.MAPPING_ID, String.class),
                item.row(), Instant.now());
        List<String> setAsideFor = new ArrayList<>(item.refusals());
        if (item.skip() != null) {
            setAsideFor.add(skips.reason(sourceId, item.skip()));
            skips.taken(item.skip(), item.updatedAtAsServed());
        }
        return record(item, r, setAsideFor);
    }

    /**
     * An item's record: its row's record, or, when it is set aside (refused, skipped), the row set
     * aside for those reasons and what its mapping finds besides (not for a value that is no item at all).
     */
    public static NormalisedRecord record(Item item, NormalisedRecord normalised, List<String> setAsideFor) {
        if (setAsideFor.isEmpty()) {
            return normalised;
        }
        List<String> reasons = new ArrayList<>(setAsideFor);
        if (item.object()) {
            reasons.addAll(normalised.reasons());
        }
        return normalised.setAside(reasons);
    }

    /** What reading a page needs of a source's rest-source parameters. */
    public record PageLayout(String itemsField, String nextCursorField, String idField, String updatedAtField, UpdatedAtRule rule) {
    }

    /** A page read as a source's first (no mark yet): the items in order, each with why it has no place in the order if so. */
    public record FirstPage(List<Item> items, String nextCursor) {
    }

    /**
     * Reads a body as the source's first page, with the checks and verdicts of {@link #page}: for a
     * trial of a source that does not run yet (SourceTrial). A body that is not a page throws.
     */
    public static FirstPage firstPage(byte[] body, PageLayout layout, Instant now) {
        Judge judge = new Judge(layout.idField(), layout.updatedAtField(), RestCursor.START, layout.rule(), now);
        List<Item> items = new ArrayList<>();
        String next = readPage(body, layout.itemsField(), layout.nextCursorField(), e -> items.add(item(e, judge, List.of())), judge);
        return new FirstPage(items, next);
    }

    /**
     * The page's items are all on the broker or in quarantine: checks that every one is accounted
     * for, recognises a cursor that does not advance, and moves the cursor past the page.
     */
    public void advance(Exchange exchange) {
        String sourceId = sourceId(exchange);
        Request request = exchange.getProperty(REQUEST, Request.class);
        Page page = exchange.getProperty(PAGE, Page.class);
        SourceActivity.Tally tally = SourceActivity.tally(exchange);
        if (tally.taken() != page.served()) {
            throw new IllegalStateException("the page's items do not add up: the source served " + page.served() + " but "
                    + tally + "; the page is asked for again");
        }
        RestCursor before = request.cursor();
        String stall = stall(sourceId, before, page, tally);
        RestCursor after = stall == null ? page.after() : page.after().withNextCursor(null);
        // the cursor is shown to work by a page asked for by cursor that moved the mark, or by catching up
        boolean cursorWorks = before.nextCursor() != null && !after.markText().equals(before.markText());
        int stalls = stall != null ? request.stalls() + 1 : cursorWorks || page.nextCursor() == null ? 0 : request.stalls();
        String lastStall = stall != null ? stall : stalls == 0 ? null : request.lastStall();
        Instant now = Instant.now();
        long delay = stall != null ? backoff(stalls, longProperty(exchange, RETRY_DELAY), longProperty(exchange, MAX_BACKOFF))
                : after.nextCursor() == null ? longProperty(exchange, POLL_INTERVAL) : 0;
        Timestamp t = Timestamp.from(now);
        Timestamp nextAttempt = Timestamp.from(now.plusMillis(delay));
        Timestamp stallAt = stall != null ? t : null;
        int updated = jdbc.update("""
                UPDATE rest_cursor SET mark_updated_at = ?, mark_id = ?, next_cursor = ?, pages = pages + 1, items = items + ?,
                       published = published + ?, repeats = repeats + ?, quarantined = quarantined + ?, failures = 0,
                       stalls = ?, last_stall = ?, last_stall_at = COALESCE(?, last_stall_at), last_success_at = ?,
                       next_attempt_at = ?, changed_at = ?
                 WHERE source_id = ? AND revision = ?""",
                after.markUpdatedAt(), after.markId(), after.nextCursor(), page.served(), tally.newItems(), tally.repeatItems(),
                tally.quarantinedItems(), stalls, lastStall, stallAt, t, nextAttempt, t, sourceId, request.revision());
        boolean moved = updated == 1;
        if (!moved && state(sourceId).isEmpty()) {
            try {
                jdbc.update("""
                        INSERT INTO rest_cursor (source_id, mark_updated_at, mark_id, next_cursor, pages, items, published, repeats,
                                                 quarantined, failures, stalls, last_stall, last_stall_at, last_success_at,
                                                 next_attempt_at, changed_at)
                        VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?)""",
                        sourceId, after.markUpdatedAt(), after.markId(), after.nextCursor(), page.served(), tally.newItems(),
                        tally.repeatItems(), tally.quarantinedItems(), stalls, lastStall, stallAt, t, nextAttempt, t);
                moved = true;
            } catch (DuplicateKeyException e) {
                moved = false; // an operator set the mark of a source that had none, while its first page was in flight
            }
        }
        int pages = exchange.getProperty(PAGES_THIS_POLL, 0, Integer.class) + 1;
        exchange.setProperty(PAGES_THIS_POLL, pages);
        boolean more = moved && after.nextCursor() != null && pages < intProperty(exchange, MAX_PAGES) && !stopping(exchange);
        exchange.setProperty(MORE, more);
        if (!moved) {
            // The items are on the broker or in quarantine and count; what the operator set wins, the next page starts from it.
            jdbc.update("""
                    UPDATE rest_cursor SET pages = pages + 1, items = items + ?, published = published + ?, repeats = repeats + ?,
                           quarantined = quarantined + ?, last_success_at = ?, changed_at = ?
                     WHERE source_id = ?""", page.served(), tally.newItems(), tally.repeatItems(), tally.quarantinedItems(), t, t,
                    sourceId);
            log.warn("source {}: its mark was moved by an operator while a page was in flight; the page's own move to {} is "
                    + "dropped", sourceId, after);
            activity.end(exchange, before, cursor(sourceId, state(sourceId), request.rule(), now), false);
            return;
        }
        activity.end(exchange, before, after, more);
        if (stall != null) {
            activity.stuck(sourceId, stall);
            log.debug("source {}: stall {} in a row; asking for changes since the mark {} in {} ms", sourceId, stalls,
                    after.markText(), delay);
        } else if (stalls == 0 && request.stalls() > 0) {
            log.info("source {}: its cursor advances again after {} stall(s)", sourceId, request.stalls());
        }
    }

    /**
     * Whether the page shows a cursor that does not advance: the source offers more, but its next
     * cursor is the one just asked with, or it served a page it served before since the mark last
     * moved (the same items in the same order). Null if the page advanced.
     */
    private String stall(String sourceId, RestCursor before, Page page, SourceActivity.Tally tally) {
        Set<String> seen = pagesSinceMarkMoved.computeIfAbsent(sourceId, id -> ConcurrentHashMap.newKeySet());
        if (!page.after().markText().equals(before.markText()) || page.nextCursor() == null || seen.size() >= MAX_REMEMBERED_PAGES) {
            seen.clear();
        }
        boolean servedBefore = !seen.add(page.fingerprint());
        if (page.nextCursor() == null) {
            return null;
        }
        if (page.nextCursor().equals(before.nextCursor())) {
            return "the source answers a page's cursor with that same cursor as the next one (it does not advance): the cursor "
                    + "is dropped and changes since the mark are asked for after a back-off";
        }
        if (servedBefore && tally.newItems() == 0) {
            return "the source serves a page it served before (" + page.served() + " item(s), nothing new) and says there is "
                    + "more: the cursor is dropped and changes since the mark are asked for after a back-off";
        }
        return null;
    }

    /**
     * A page failed: the cursor stays where it is, the same page is asked for again after the
     * back-off. A source cursor the source no longer accepts (HTTP 400 or 410 on a cursor request)
     * is dropped, and the next attempt asks for changes since the mark instead, which is safe
     * because items not after the mark are dropped. {@link SourceActivity} logs the failure (a
     * repeated one once, with a count) and shows it in health.
     */
    public void failed(Exchange exchange) {
        String sourceId = sourceId(exchange);
        Exception e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        String error = describe(e);
        Request request = exchange.getProperty(REQUEST, Request.class);
        String nextCursor = request != null ? request.cursor().nextCursor()
                : (String) state(sourceId).get("next_cursor");
        boolean dropCursor = nextCursor != null && e instanceof HttpOperationFailedException h
                && (h.getStatusCode() == 400 || h.getStatusCode() == 410);
        Integer previous = jdbc.queryForList("SELECT failures FROM rest_cursor WHERE source_id = ?", Integer.class, sourceId)
                .stream().findFirst().orElse(null);
        int failures = (previous == null ? 0 : previous) + 1;
        long delay = backoff(failures, longProperty(exchange, RETRY_DELAY), longProperty(exchange, MAX_BACKOFF));
        Instant now = Instant.now();
        Timestamp t = Timestamp.from(now);
        Timestamp next = Timestamp.from(now.plusMillis(delay));
        String stored = error.length() > 2000 ? error.substring(0, 2000) : error;
        if (previous == null) {
            jdbc.update("""
                    INSERT INTO rest_cursor (source_id, pages, items, failures, last_error, last_error_at, next_attempt_at,
                                             changed_at)
                    VALUES (?, 0, 0, ?, ?, ?, ?, ?)""", sourceId, failures, stored, t, next, t);
        } else {
            jdbc.update("""
                    UPDATE rest_cursor SET failures = ?, last_error = ?, last_error_at = ?, next_attempt_at = ?,
                           next_cursor = CASE WHEN ? THEN NULL ELSE next_cursor END, changed_at = ?
                     WHERE source_id = ?""", failures, stored, t, next, dropCursor, t, sourceId);
        }
        exchange.setProperty(MORE, false);
        activity.failed(sourceId, error + (dropCursor ? " (the source's cursor is dropped: changes since the mark are asked for)" : ""));
        log.debug("source {}: page at {} failed (attempt {}), not skipped: asked again in {} ms", sourceId,
                request == null ? "?" : request.cursor(), failures, delay);
    }

    /** First retry after {@code retryDelay}, doubling with every consecutive failure up to {@code maxBackoff}. */
    static long backoff(int failures, long retryDelay, long maxBackoff) {
        return new Backoff(Duration.ofMillis(retryDelay), Duration.ofMillis(maxBackoff)).after(failures).toMillis();
    }

    /** What went wrong with a page, for the log and the health endpoint: no credential, no item content. */
    static String describe(Throwable e) {
        if (e == null) {
            return "unknown failure";
        }
        if (e instanceof HttpOperationFailedException h) {
            String body = h.getResponseBody() == null ? "" : h.getResponseBody().replaceAll("\\s+", " ").strip();
            // what the source said, shortened and with identity numbers masked: it goes to logs and health
            body = IdentityNumbers.maskAll(body.length() > 200 ? body.substring(0, 200) + "…" : body);
            return "HTTP " + h.getStatusCode() + (h.getStatusText() == null || h.getStatusText().isBlank() ? "" : " " + h.getStatusText())
                    + (body.isEmpty() ? "" : ": " + body);
        }
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof SocketTimeoutException || c.getClass().getSimpleName().contains("Timeout")) {
                return "no answer within the timeout (" + c.getClass().getSimpleName() + ": " + c.getMessage() + ")";
            }
        }
        return SourceActivity.describe(e);
    }

    /**
     * The stored cursor of a source under its rule; {@link RestCursor#START} before its first page.
     *
     * @throws IllegalStateException when the stored mark is not a valid time under the rule
     */
    private static RestCursor cursor(String sourceId, Map<String, Object> s, UpdatedAtRule rule, Instant now) {
        if (s.isEmpty()) {
            return RestCursor.START;
        }
        String text = (String) s.get("mark_updated_at");
        String next = (String) s.get("next_cursor");
        if (text == null) {
            return new RestCursor(null, null, null, next);
        }
        UpdatedAtRule.Placement p = rule.place("the stored mark's updatedAt", text, now);
        if (p instanceof UpdatedAtRule.Refused r) {
            throw new IllegalStateException(r.reason() + "; the source cannot go on from it until an operator rewinds it "
                    + "(POST /api/admin/sources/" + sourceId + "/mark/rewind)");
        }
        return new RestCursor(text, ((UpdatedAtRule.Placed) p).at(), (String) s.get("mark_id"), next);
    }

    /** The whole pull state of a source (mark, cursor, counts, failures, stalls), or an empty map before its first page. */
    public Map<String, Object> state(String sourceId) {
        List<Map<String, Object>> rows = jdbc.queryForList("SELECT * FROM rest_cursor WHERE source_id = ?", sourceId);
        return rows.isEmpty() ? Map.of() : rows.get(0);
    }

    /**
     * Sets a source's cursor to {@code to} on an operator's request (the next pull starts from it)
     * and counts the move, so that a page in flight does not overwrite it; clears the back-off.
     */
    void set(String sourceId, RestCursor to) {
        Timestamp t = Timestamp.from(Instant.now());
        int updated = jdbc.update("""
                UPDATE rest_cursor SET mark_updated_at = ?, mark_id = ?, next_cursor = ?, next_attempt_at = NULL,
                       revision = revision + 1, changed_at = ?
                 WHERE source_id = ?""", to.markUpdatedAt(), to.markId(), to.nextCursor(), t, sourceId);
        if (updated == 0) {
            jdbc.update("""
                    INSERT INTO rest_cursor (source_id, mark_updated_at, mark_id, next_cursor, pages, items, failures, revision,
                                             changed_at)
                    VALUES (?, ?, ?, ?, 0, 0, 0, 1, ?)""", sourceId, to.markUpdatedAt(), to.markId(), to.nextCursor(), t);
        }
        pagesSinceMarkMoved.remove(sourceId);
    }

    /** Health of a REST source: DOWN while its current page keeps failing, or its cursor does not advance, with the reason. */
    public Health health(String sourceId) {
        if (!environment.getProperty("govhub.sources." + sourceId + ".enabled", Boolean.class, true)) {
            return Health.unknown().withDetail("enabled", false).build();
        }
        Map<String, Object> s = state(sourceId);
        if (s.isEmpty()) {
            return Health.up().withDetail("pages", 0).build();
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("mark", s.get("mark_updated_at") == null ? "none" : s.get("mark_updated_at") + " / " + s.get("mark_id"));
        details.put("caughtUp", s.get("next_cursor") == null);
        details.put("pages", s.get("pages"));
        details.put("items", s.get("items"));
        details.put("itemsPublished", s.get("published"));
        details.put("itemsRepeated", s.get("repeats"));
        details.put("itemsQuarantined", s.get("quarantined"));
        if (s.get("last_success_at") != null) {
            details.put("lastSuccess", s.get("last_success_at").toString());
        }
        int failures = ((Number) s.get("failures")).intValue();
        int stalls = ((Number) s.get("stalls")).intValue();
        if (failures > 0) {
            details.put("failures", failures);
            details.put("error", s.get("last_error"));
            details.put("since", String.valueOf(s.get("last_error_at")));
        }
        if (stalls > 0) {
            details.put("stalls", stalls);
            details.put("stalled", s.get("last_stall"));
            details.putIfAbsent("error", "stalled: " + s.get("last_stall"));
        }
        if (s.get("next_attempt_at") != null) {
            details.put("nextAttempt", s.get("next_attempt_at").toString());
        }
        return (failures > 0 || stalls > 0 ? Health.down() : Health.up()).withDetails(details).build();
    }

    // ---- reading a page

    /** Reads an item's id and updatedAt and judges it: the same for the check of the page and for handing items over. */
    private static final class Judge {
        private final String idField;
        private final String updatedAtField;
        private final RestCursor cursor;
        private final UpdatedAtRule rule;
        private final Instant now;

        Judge(Exchange exchange, Request request) {
            this(exchange.getProperty(ID_FIELD, String.class), exchange.getProperty(UPDATED_AT_FIELD, String.class),
                    request.cursor(), request.rule(), request.now());
        }

        Judge(String idField, String updatedAtField, RestCursor cursor, UpdatedAtRule rule, Instant now) {
            this.idField = idField;
            this.updatedAtField = updatedAtField;
            this.cursor = cursor;
            this.rule = rule;
            this.now = now;
        }

        RestCursor.Verdict verdict(Map<String, Object> row) {
            return cursor.judge(idField, RowKeys.value(row, idField), updatedAtField, RowKeys.value(row, updatedAtField), rule, now);
        }

        /**
         * Reads the element of the items array at the parser: an object is an item, judged; anything
         * else (text, a number, null, a list) is no item and is refused, kept as served.
         */
        Element read(JsonParser p, int index, String itemsField) throws IOException {
            if (p.currentToken() == JsonToken.START_OBJECT) {
                @SuppressWarnings("unchecked")
                Map<String, Object> row = JSON.readValue(p, LinkedHashMap.class);
                return new Element(row, true, verdict(row));
            }
            com.fasterxml.jackson.databind.JsonNode node = JSON.readTree(p);
            Map<String, Object> row = new LinkedHashMap<>();
            row.put(NOT_AN_OBJECT, node == null ? null : JSON.convertValue(node, Object.class));
            String kind = node == null || node.isNull() ? "null" : node.isArray() ? "a list" : node.isTextual() ? "a text"
                    : node.isNumber() ? "a number" : node.isBoolean() ? "a boolean" : node.getNodeType().toString().toLowerCase();
            return new Element(row, false, new RestCursor.Refused(List.of(
                    itemsField + "[" + index + "] is not an item (a JSON object) but " + kind + "; kept as served")));
        }

        String idText(Map<String, Object> row) {
            Object id = RowKeys.value(row, idField);
            return id == null ? null : id.toString().strip();
        }

        /** The updatedAt as served, for the version an operator's skip took (at most 200 characters). */
        String updatedAtText(Map<String, Object> row) {
            Object v = RowKeys.value(row, updatedAtField);
            String text = v == null ? null : v.toString().strip();
            return text == null || text.length() <= 200 ? text : text.substring(0, 200);
        }
    }

    private interface ItemVisitor {
        void visit(Element element);
    }

    /** Checks the whole page and visits each item with its verdict; returns the next cursor (null on the last page). */
    private static String readPage(byte[] body, String itemsField, String nextField, ItemVisitor visitor, Judge judge) {
        String next = null;
        boolean items = false;
        try (JsonParser p = JSON.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw notAPage("the page is not a JSON object with an array '" + itemsField + "'");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if (field.equals(itemsField) && !items) {
                    if (value != JsonToken.START_ARRAY) {
                        throw notAPage("the page's '" + itemsField + "' is not an array");
                    }
                    items = true;
                    int index = 0;
                    JsonToken t;
                    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                        if (t == null) {
                            throw notAPage("the page ends inside its '" + itemsField + "'");
                        }
                        visitor.visit(judge.read(p, index++, itemsField));
                    }
                } else if (field.equals(nextField)) {
                    if (value == JsonToken.VALUE_STRING) {
                        next = p.getText();
                    } else if (value != JsonToken.VALUE_NULL) {
                        throw notAPage("the page's '" + nextField + "' is neither text nor null");
                    }
                } else {
                    p.skipChildren();
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
                throw notAPage("the page does not end after its JSON object");
            }
        } catch (IOException e) {
            throw notAPage("the page is not valid JSON: " + firstLine(e.getMessage()));
        }
        if (!items) {
            throw notAPage("the page is not a JSON object with an array '" + itemsField + "'");
        }
        return next == null || next.isBlank() ? null : next;
    }

    /** Positions a parser of a checked page at the start of its items array. */
    private static void seekItems(JsonParser p, String itemsField) throws IOException {
        p.nextToken();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            if (field.equals(itemsField) && value == JsonToken.START_ARRAY) {
                return;
            }
            p.skipChildren();
        }
        throw new IllegalStateException("no '" + itemsField + "' in a page read before");
    }

    private static IllegalStateException notAPage(String message) {
        return new IllegalStateException(message);
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Whether the hub or the route is stopping: the page loop then ends after the page in hand. (Not
     * the loop's breakOnShutdown: in Camel 4.17 a loop that saw one route stop never loops again
     * after the route is started again.)
     */
    private static boolean stopping(Exchange exchange) {
        var context = exchange.getContext();
        if (context.isStopping() || context.isStopped()) {
            return true;
        }
        var status = exchange.getFromRouteId() == null ? null
                : context.getRouteController().getRouteStatus(exchange.getFromRouteId());
        return status != null && (status.isStopping() || status.isStopped());
    }

    private static UpdatedAtRule rule(Exchange exchange) {
        return new UpdatedAtRule(exchange.getProperty(UPDATED_AT_FORMAT, String.class),
                Duration.ofMillis(longProperty(exchange, MAX_FUTURE_SKEW)));
    }

    private static RestCursor.Api api(Exchange exchange) {
        return new RestCursor.Api(exchange.getProperty(SINCE_PARAM, String.class),
                exchange.getProperty(CURSOR_PARAM, String.class), exchange.getProperty(LIMIT_PARAM, String.class));
    }

    private static String sourceId(Exchange exchange) {
        return exchange.getProperty(RecordNormaliser.SOURCE_ID, String.class);
    }

    private static long number(Map<String, Object> row, String column) {
        Object v = row.get(column);
        return v == null ? 0 : ((Number) v).longValue();
    }

    private static int intProperty(Exchange exchange, String name) {
        return Integer.parseInt(exchange.getProperty(name, String.class).strip());
    }

    private static long longProperty(Exchange exchange, String name) {
        String value = exchange.getProperty(name, String.class).strip();
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            return Duration.parse(value).toMillis();
        }
    }
}
