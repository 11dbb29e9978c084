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
 * <p>The <b>mark</b> is the latest updatedAt taken and the ids of every item taken at exactly that
 * time. An item is new when it is later than the mark, or at the mark's time and not among its ids.
 * So items that tie on updatedAt are neither skipped nor taken twice, whichever way a page boundary
 * falls through them and however the source orders tied ids (as numbers, as text, by collation):
 * the hub never relies on the source's id order. The <b>next cursor</b> is the source's opaque
 * cursor for the next page while a pull is unfinished; once caught up it is null and the next pull
 * asks for changes since the mark's updatedAt (inclusive) and drops what it already took.
 *
 * @param markUpdatedAt updatedAt of the latest items taken, as the source wrote it; null before the first
 * @param markId        the ids taken at that time, as a JSON array (a single plain id from older state is read too)
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
     * Whether an item was not taken yet: later than the mark, or at the mark's time and not among
     * the ids taken then. An item without updatedAt or id cannot be placed; it counts as new, and
     * its own validation decides what becomes of it.
     */
    public boolean isNew(Key item) {
        if (!hasMark() || !item.complete()) {
            return true;
        }
        int byTime = compareTime(item.updatedAt(), markUpdatedAt);
        return byTime > 0 || (byTime == 0 && !markIds().contains(item.id()));
    }

    /** The ids taken at the mark's time. */
    public java.util.Set<String> markIds() {
        java.util.Set<String> ids = new java.util.TreeSet<>();
        if (markId == null) {
            return ids;
        }
        if (!markId.startsWith("[")) {
            ids.add(markId);
            return ids;
        }
        org.govhub.normalise.CanonicalJson.read(markId).forEach(n -> ids.add(n.asText()));
        return ids;
    }

    /** The cursor once every item of a page is on the broker or in quarantine. */
    public RestCursor after(List<Key> items, String pageNextCursor) {
        String time = hasMark() ? markUpdatedAt : null;
        java.util.Set<String> ids = markIds();
        for (Key item : items) {
            if (!item.complete()) {
                continue;
            }
            int byTime = time == null ? 1 : compareTime(item.updatedAt(), time);
            if (byTime > 0) {
                time = item.updatedAt();
                ids = new java.util.TreeSet<>(java.util.Set.of(item.id()));
            } else if (byTime == 0) {
                ids.add(item.id());
            }
        }
        return time == null ? new RestCursor(null, null, pageNextCursor)
                : new RestCursor(time, org.govhub.normalise.CanonicalJson.write(
                        org.govhub.normalise.CanonicalJson.MAPPER.valueToTree(ids)), pageNextCursor);
    }

    /** An order for tests and logs: updatedAt as points in time, then id (numerically when both are whole numbers). */
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
