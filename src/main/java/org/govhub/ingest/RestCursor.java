package org.govhub.ingest;

import java.math.BigInteger;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.govhub.normalise.Converters;

/**
 * Where an incremental pull from a REST source stands (pure logic, no I/O; {@link RestPages} keeps
 * it in the hub database).
 *
 * <p>The <b>mark</b> is the (updatedAt, id) of the last item taken, in the source's own order:
 * by updatedAt, and by id among items with an equal updatedAt. An item is new when it lies after the
 * mark, so items that tie on updatedAt are neither skipped nor taken twice, whichever way a page
 * boundary falls through them. The <b>next cursor</b> is the source's opaque cursor for the next
 * page while a pull is unfinished; once caught up it is null and the next pull asks for changes
 * since the mark's updatedAt (inclusive: the source cannot be told about the id), and drops what
 * is not after the mark.
 *
 * @param markUpdatedAt updatedAt of the last item taken, as the source wrote it; null before the first
 * @param markId        id of that item
 * @param nextCursor    the source's cursor of the next page, or null when caught up
 */
public record RestCursor(String markUpdatedAt, String markId, String nextCursor) {

    public static final RestCursor START = new RestCursor(null, null, null);

    /** How a source's API names its query parameters. */
    public record Api(String sinceParam, String cursorParam, String limitParam) {
        public static final Api DEFAULT = new Api("updatedSince", "cursor", "limit");
    }

    /** The place of one item in the source's order. */
    public record Key(String updatedAt, String id) {
        boolean complete() {
            return updatedAt != null && !updatedAt.isBlank() && id != null && !id.isBlank();
        }
    }

    public RestCursor {
        nextCursor = nextCursor == null || nextCursor.isBlank() ? null : nextCursor;
    }

    public boolean hasMark() {
        return markUpdatedAt != null && markId != null;
    }

    /** The query parameters of the next page: the cursor while a pull is unfinished, else changes since the mark. */
    public Map<String, String> nextQuery(Api api, int limit) {
        Map<String, String> query = new LinkedHashMap<>();
        if (nextCursor != null) {
            query.put(api.cursorParam(), nextCursor);
        } else if (markUpdatedAt != null) {
            query.put(api.sinceParam(), markUpdatedAt);
        }
        query.put(api.limitParam(), Integer.toString(limit));
        return query;
    }

    /** {@link #nextQuery} URL-encoded, for Camel's {@code CamelHttpQuery} header. */
    public String queryString(Api api, int limit) {
        return nextQuery(api, limit).entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }

    /**
     * Whether an item was not taken yet: it lies after the mark. An item without updatedAt or id
     * cannot be placed; it counts as new, and its own validation decides what becomes of it.
     */
    public boolean isNew(Key item) {
        return !hasMark() || !item.complete() || compare(item, new Key(markUpdatedAt, markId)) > 0;
    }

    /** The cursor once every item of a page is on the broker or in quarantine. */
    public RestCursor after(List<Key> items, String pageNextCursor) {
        Key mark = hasMark() ? new Key(markUpdatedAt, markId) : null;
        for (Key item : items) {
            if (item.complete() && (mark == null || compare(item, mark) > 0)) {
                mark = item;
            }
        }
        return mark == null ? new RestCursor(null, null, pageNextCursor)
                : new RestCursor(mark.updatedAt(), mark.id(), pageNextCursor);
    }

    /** The source's order: updatedAt as points in time, then id (numerically when both are whole numbers). */
    public static int compare(Key a, Key b) {
        int byTime = compareTime(a.updatedAt(), b.updatedAt());
        return byTime != 0 ? byTime : compareId(a.id(), b.id());
    }

    static int compareTime(String a, String b) {
        Instant x = instant(a);
        Instant y = instant(b);
        return x != null && y != null ? x.compareTo(y) : a.compareTo(b);
    }

    static int compareId(String a, String b) {
        if (a.matches("\\d+") && b.matches("\\d+")) {
            return new BigInteger(a).compareTo(new BigInteger(b));
        }
        return a.compareTo(b);
    }

    private static Instant instant(String text) {
        try {
            return Converters.dateTime(text).toInstant();
        } catch (RuntimeException e) { // ConversionException or a value that is not text
            return null;
        }
    }

    @Override
    public String toString() {
        return "(" + markUpdatedAt + ", " + markId + ")" + (nextCursor == null ? "" : " next page " + nextCursor);
    }
}
