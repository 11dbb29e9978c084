package org.govhub.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.net.SocketTimeoutException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.govhub.normalise.RecordNormaliser;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.actuate.health.Health;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Paging of the {@code rest-source} route template: builds each page request from the source's
 * {@link RestCursor}, reads the page, and moves the cursor only after all of the page's items are on
 * the broker or in quarantine. A page that fails (HTTP error, timeout, a body that is not a page) is
 * asked for again, with the same cursor, after a back-off that doubles with every consecutive
 * failure: a page is never skipped. The cursor and the failure state live in the hub database
 * ({@code rest_cursor}), so a restart continues where the last finished page left off.
 *
 * <p>The HTTP call itself stays in the route (camel-http, behind a throttle); this bean never sees
 * or logs the credential, and logs no item content (personal data), only ids and counts.
 */
@Component("restPages")
public class RestPages {

    private static final Logger log = LoggerFactory.getLogger(RestPages.class);

    /** Exchange properties the route template sets from its parameters. */
    public static final String PAGE_SIZE = "govhubPageSize";
    public static final String ID_FIELD = "govhubIdField";
    public static final String UPDATED_AT_FIELD = "govhubUpdatedAtField";
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

    private static final String REQUEST_CURSOR = "govhubRequestCursor";
    private static final String PAGE = "govhubPage";
    private static final String PAGES_THIS_POLL = "govhubPagesThisPoll";

    /** What a page said, kept on the exchange while its items go through the route. */
    record Page(List<RestCursor.Key> keys, String nextCursor, int served, int fresh) {
    }

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .build();

    private final JdbcTemplate jdbc;
    private final Environment environment;

    public RestPages(JdbcTemplate jdbc, Environment environment) {
        this.jdbc = jdbc;
        this.environment = environment;
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

    /** Prepares the GET of the next page: query from the stored cursor, no other headers, no body. */
    public void request(Exchange exchange) {
        RestCursor cursor = cursor(sourceId(exchange));
        exchange.setProperty(REQUEST_CURSOR, cursor);
        exchange.removeProperty(PAGE);
        var message = exchange.getMessage();
        message.removeHeaders("*");
        message.setBody(null);
        message.setHeader(Exchange.HTTP_METHOD, "GET");
        message.setHeader(Exchange.HTTP_QUERY, cursor.queryString(api(exchange), intProperty(exchange, PAGE_SIZE)));
        message.setHeader("Accept", "application/json");
    }

    /**
     * Reads a page: {@code {items: [...], nextCursor: "..."|null}} (field names from the template).
     * The body becomes the list of items not taken before, each a map (nested objects as maps, for
     * dotted paths in the mapping). A body that is not such a page fails the page.
     */
    public void page(Exchange exchange) {
        String body = exchange.getMessage().getBody(String.class);
        JsonNode root;
        try {
            root = JSON.readTree(body == null ? "" : body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the page is not valid JSON: " + e.getOriginalMessage());
        }
        String itemsField = exchange.getProperty(ITEMS_FIELD, String.class);
        String nextField = exchange.getProperty(NEXT_CURSOR_FIELD, String.class);
        if (root == null || !root.isObject() || !root.path(itemsField).isArray()) {
            throw new IllegalStateException("the page is not a JSON object with an array '" + itemsField + "'");
        }
        JsonNode next = root.path(nextField);
        if (!next.isMissingNode() && !next.isNull() && !next.isTextual()) {
            throw new IllegalStateException("the page's '" + nextField + "' is neither text nor null");
        }
        RestCursor cursor = exchange.getProperty(REQUEST_CURSOR, RestCursor.class);
        String idField = exchange.getProperty(ID_FIELD, String.class);
        String updatedAtField = exchange.getProperty(UPDATED_AT_FIELD, String.class);
        List<RestCursor.Key> keys = new ArrayList<>();
        List<Map<String, Object>> fresh = new ArrayList<>();
        for (JsonNode item : root.path(itemsField)) {
            if (!item.isObject()) {
                throw new IllegalStateException("the page's '" + itemsField + "' holds something that is not an object");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> row = JSON.convertValue(item, LinkedHashMap.class);
            RestCursor.Key key = new RestCursor.Key(text(RowKeys.value(row, updatedAtField)), text(RowKeys.value(row, idField)));
            keys.add(key);
            if (cursor.isNew(key)) {
                fresh.add(row);
            }
        }
        String nextCursor = next.isTextual() ? next.asText() : null;
        exchange.setProperty(PAGE, new Page(keys, nextCursor, keys.size(), fresh.size()));
        exchange.getMessage().setBody(fresh);
    }

    /** The page's items are all on the broker or in quarantine: the cursor moves past them. */
    public void advance(Exchange exchange) {
        String sourceId = sourceId(exchange);
        RestCursor before = exchange.getProperty(REQUEST_CURSOR, RestCursor.class);
        Page page = exchange.getProperty(PAGE, Page.class);
        RestCursor after = before.after(page.keys(), page.nextCursor());
        Instant now = Instant.now();
        Instant nextAttempt = after.nextCursor() == null ? now.plusMillis(longProperty(exchange, POLL_INTERVAL)) : now;
        Timestamp t = Timestamp.from(now);
        int updated = jdbc.update("""
                UPDATE rest_cursor SET mark_updated_at = ?, mark_id = ?, next_cursor = ?, pages = pages + 1,
                       items = items + ?, failures = 0, last_success_at = ?, next_attempt_at = ?, changed_at = ?
                 WHERE source_id = ?""",
                after.markUpdatedAt(), after.markId(), after.nextCursor(), page.fresh(), t, Timestamp.from(nextAttempt), t,
                sourceId);
        if (updated == 0) {
            jdbc.update("""
                    INSERT INTO rest_cursor (source_id, mark_updated_at, mark_id, next_cursor, pages, items, failures,
                                             last_success_at, next_attempt_at, changed_at)
                    VALUES (?, ?, ?, ?, 1, ?, 0, ?, ?, ?)""",
                    sourceId, after.markUpdatedAt(), after.markId(), after.nextCursor(), page.fresh(), t,
                    Timestamp.from(nextAttempt), t);
        }
        int pages = exchange.getProperty(PAGES_THIS_POLL, 0, Integer.class) + 1;
        exchange.setProperty(PAGES_THIS_POLL, pages);
        exchange.setProperty(MORE, after.nextCursor() != null && pages < intProperty(exchange, MAX_PAGES) && !stopping(exchange));
        log.info("source {}: page taken, {} item(s), {} new, on the broker or in quarantine; mark {} -> {}{}", sourceId,
                page.served(), page.fresh(), markText(before), markText(after),
                after.nextCursor() == null ? ", caught up" : ", more pages");
    }

    /**
     * A page failed: the cursor stays where it is, the same page is asked for again after the
     * back-off. A source cursor the source no longer accepts (HTTP 400 or 410 on a cursor request)
     * is dropped, and the next attempt asks for changes since the mark instead, which is safe
     * because items not after the mark are dropped.
     */
    public void failed(Exchange exchange) {
        String sourceId = sourceId(exchange);
        Exception e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        String error = describe(e);
        RestCursor cursor = exchange.getProperty(REQUEST_CURSOR, RestCursor.class);
        if (cursor == null) {
            cursor = cursor(sourceId);
        }
        boolean dropCursor = cursor.nextCursor() != null && e instanceof HttpOperationFailedException h
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
        log.warn("source {}: page at {} failed (attempt {}), not skipped: asked again in {} ms{}: {}", sourceId,
                markText(cursor), failures, delay, dropCursor ? " without the source's cursor" : "", error);
    }

    /** First retry after {@code retryDelay}, doubling with every consecutive failure up to {@code maxBackoff}. */
    static long backoff(int failures, long retryDelay, long maxBackoff) {
        int doublings = Math.min(Math.max(failures - 1, 0), 30);
        long delay = retryDelay * (1L << doublings);
        return delay <= 0 ? maxBackoff : Math.min(delay, maxBackoff);
    }

    /** What went wrong with a page, for the log and the health endpoint: no credential, no item content. */
    static String describe(Throwable e) {
        if (e == null) {
            return "unknown failure";
        }
        if (e instanceof HttpOperationFailedException h) {
            String body = h.getResponseBody() == null ? "" : h.getResponseBody().replaceAll("\\s+", " ").strip();
            // what the source said, shortened and with identity numbers masked: it goes to logs and health
            body = org.govhub.normalise.IdentityNumbers.maskAll(body.length() > 200 ? body.substring(0, 200) + "…" : body);
            return "HTTP " + h.getStatusCode() + (h.getStatusText() == null || h.getStatusText().isBlank() ? "" : " " + h.getStatusText())
                    + (body.isEmpty() ? "" : ": " + body);
        }
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof SocketTimeoutException || c.getClass().getSimpleName().contains("Timeout")) {
                return "no answer within the timeout (" + c.getClass().getSimpleName() + ": " + c.getMessage() + ")";
            }
        }
        String message = e.getClass().getSimpleName() + ": " + e.getMessage();
        return message.length() > 500 ? message.substring(0, 500) + "…" : message;
    }

    /** The stored cursor of a source; {@link RestCursor#START} before its first page. */
    public RestCursor cursor(String sourceId) {
        List<RestCursor> rows = jdbc.query("SELECT mark_updated_at, mark_id, next_cursor FROM rest_cursor WHERE source_id = ?",
                (rs, i) -> new RestCursor(rs.getString(1), rs.getString(2), rs.getString(3)), sourceId);
        return rows.isEmpty() ? RestCursor.START : rows.get(0);
    }

    /** The whole pull state of a source (mark, cursor, counts, failures), or an empty map before its first page. */
    public Map<String, Object> state(String sourceId) {
        List<Map<String, Object>> rows = jdbc.queryForList("SELECT * FROM rest_cursor WHERE source_id = ?", sourceId);
        return rows.isEmpty() ? Map.of() : rows.get(0);
    }

    /** Health of a REST source: DOWN while its current page keeps failing, with the error. */
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
        if (s.get("last_success_at") != null) {
            details.put("lastSuccess", s.get("last_success_at").toString());
        }
        int failures = ((Number) s.get("failures")).intValue();
        if (failures > 0) {
            details.put("failures", failures);
            details.put("error", s.get("last_error"));
            details.put("since", String.valueOf(s.get("last_error_at")));
            return Health.down().withDetails(details).build();
        }
        return Health.up().withDetails(details).build();
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

    private static RestCursor.Api api(Exchange exchange) {
        return new RestCursor.Api(exchange.getProperty(SINCE_PARAM, String.class),
                exchange.getProperty(CURSOR_PARAM, String.class), exchange.getProperty(LIMIT_PARAM, String.class));
    }

    private static String markText(RestCursor c) {
        return c.hasMark() ? "(" + c.markUpdatedAt() + ", " + c.markId() + ")" : "(start)";
    }

    private static String sourceId(Exchange exchange) {
        return exchange.getProperty(RecordNormaliser.SOURCE_ID, String.class);
    }

    private static String text(Object value) {
        return value == null ? null : value.toString().strip();
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
