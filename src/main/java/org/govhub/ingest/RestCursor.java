package org.govhub.ingest;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.govhub.normalise.CanonicalJson;

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
 * <p>Only an item with an id and a valid updatedAt ({@link UpdatedAtRule}) has a place in the order
 * ({@link #judge}); any other is refused with its reasons, is never compared with the mark and never
 * moves it, so it cannot make another item look taken.
 *
 * @param markUpdatedAt updatedAt of the latest items taken, as the source wrote it; null before the first
 * @param markAt        the instant it names (compared; the text is what the source is asked with)
 * @param markId        the ids taken at that time, as a JSON array (a single plain id from older state is read too)
 * @param nextCursor    the source's cursor of the next page, or null when caught up
 */
public record RestCursor(String markUpdatedAt, Instant markAt, String markId, String nextCursor) {

    public static final RestCursor START = new RestCursor(null, null, null, null);

    /** Longest id the hub keeps (the key columns of quarantine and batches hold 200 characters). */
    static final int MAX_ID_LENGTH = 200;

    /** How a source's API names its query parameters. */
    public record Api(String sinceParam, String cursorParam, String limitParam) {
        public static final Api DEFAULT = new Api("updatedSince", "cursor", "limit");
    }

    /** The place of one item in the source's order: a valid updatedAt (text and instant) and an id. */
    public record Key(String updatedAt, Instant at, String id) {
        public Key {
            Objects.requireNonNull(updatedAt, "updatedAt");
            Objects.requireNonNull(at, "at");
            Objects.requireNonNull(id, "id");
        }
    }

    /** What one served item is to the pull. */
    public sealed interface Verdict permits New, Repeat, Refused {
    }

    /** Not taken before: it is published (or quarantined by its mapping), and moves the mark. */
    public record New(Key key) implements Verdict {
    }

    /** Taken before, per the mark: counted, not published again. */
    public record Repeat(Key key) implements Verdict {
    }

    /** No place in the order (no id, or an updatedAt that breaks the rule): quarantined with these reasons. */
    public record Refused(List<String> reasons) implements Verdict {
    }

    public RestCursor {
        nextCursor = nextCursor == null || nextCursor.isBlank() ? null : nextCursor;
        if ((markUpdatedAt == null) != (markAt == null)) {
            throw new IllegalArgumentException("a mark has both its text and its instant, or neither");
        }
    }

    public boolean hasMark() {
        return markAt != null && markId != null;
    }

    /** The cursor with the source's next cursor replaced (null: ask for changes since the mark). */
    public RestCursor withNextCursor(String next) {
        return new RestCursor(markUpdatedAt, markAt, markId, next);
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
     * Judges one served item by its id and updatedAt values (as the page holds them): refused when
     * either cannot place it (every reason), else new or a repeat per the mark.
     */
    public Verdict judge(String idField, Object id, String updatedAtField, Object updatedAt, UpdatedAtRule rule, Instant now) {
        List<String> reasons = new ArrayList<>(2);
        String idText = null;
        if (id == null) {
            reasons.add(idField + " is missing: an item is identified only by it");
        } else if (id instanceof Map<?, ?> || id instanceof Iterable<?> || id instanceof Boolean) {
            reasons.add(idField + " " + UpdatedAtRule.quote(String.valueOf(id)) + " is not a text or a number");
        } else {
            idText = id.toString().strip();
            if (idText.isEmpty()) {
                reasons.add(idField + " is empty: an item is identified only by it");
            } else if (idText.length() > MAX_ID_LENGTH) {
                reasons.add(idField + " is " + idText.length() + " characters long; at most " + MAX_ID_LENGTH + " are kept");
            }
        }
        UpdatedAtRule.Placement placement = rule.place(updatedAtField, updatedAt, now);
        if (placement instanceof UpdatedAtRule.Refused r) {
            reasons.add(r.reason());
        }
        if (!reasons.isEmpty()) {
            return new Refused(List.copyOf(reasons));
        }
        UpdatedAtRule.Placed placed = (UpdatedAtRule.Placed) placement;
        Key key = new Key(placed.text(), placed.at(), idText);
        return isNew(key) ? new New(key) : new Repeat(key);
    }

    /** Whether a placed item was not taken yet: later than the mark, or at the mark's time and not among the ids taken then. */
    public boolean isNew(Key item) {
        if (!hasMark()) {
            return true;
        }
        int byTime = item.at().compareTo(markAt);
        return byTime > 0 || (byTime == 0 && !markIds().contains(item.id()));
    }

    /** The ids taken at the mark's time. */
    public Set<String> markIds() {
        return ids(markId);
    }

    /** The ids of a stored mark: a JSON array (a single plain id from older state is read too). */
    static Set<String> ids(String markId) {
        Set<String> ids = new TreeSet<>();
        if (markId == null) {
            return ids;
        }
        if (!markId.startsWith("[")) {
            ids.add(markId);
            return ids;
        }
        CanonicalJson.read(markId).forEach(n -> ids.add(n.asText()));
        return ids;
    }

    /** The cursor once every item of a page is on the broker or in quarantine (placed items only). */
    public RestCursor after(List<Key> items, String pageNextCursor) {
        Advance advance = advance();
        items.forEach(advance::add);
        return advance.result(pageNextCursor);
    }

    /** Moves the mark item by item, for a page too large to hold its keys (an API that ignores the limit). */
    public Advance advance() {
        return new Advance(this);
    }

    /** The mark moving over a page's placed items: to the latest time, with every id taken at it; never backwards. */
    public static final class Advance {
        private String text;
        private Instant at;
        private Set<String> ids;

        private Advance(RestCursor from) {
            this.text = from.hasMark() ? from.markUpdatedAt : null;
            this.at = from.hasMark() ? from.markAt : null;
            this.ids = from.markIds();
        }

        public void add(Key item) {
            int byTime = at == null ? 1 : item.at().compareTo(at);
            if (byTime > 0) {
                text = item.updatedAt();
                at = item.at();
                ids = new TreeSet<>(Set.of(item.id()));
            } else if (byTime == 0) {
                ids.add(item.id());
            }
        }

        public RestCursor result(String pageNextCursor) {
            return at == null ? new RestCursor(null, null, null, pageNextCursor)
                    : new RestCursor(text, at, CanonicalJson.write(CanonicalJson.MAPPER.valueToTree(ids)), pageNextCursor);
        }
    }

    /** The mark for people: (updatedAt, ids), or (start). */
    public String markText() {
        return hasMark() ? "(" + markUpdatedAt + ", " + markId + ")" : "(start)";
    }

    @Override
    public String toString() {
        return markText() + (nextCursor == null ? "" : " next page " + nextCursor);
    }
}
