package org.govhub.sandbox;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.govhub.normalise.Converters;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

/**
 * The paged change feed of a simulated departmental REST API, as both sandbox APIs serve it:
 * {@code ?updatedSince=&cursor=&limit=} answered with {@code {items, nextCursor}}, items ordered by
 * (updatedAt, id), updatedSince inclusive, the cursor continuing strictly after the previous page.
 * It also behaves like a real system on a bad day, on demand: HTTP 500, a hang past the caller's
 * timeout, a body that is not JSON, HTTP 429 when called faster than its limit, HTTP 401 on a wrong
 * credential; and, switched on until switched off ({@link Behaviour}), it ignores the limit or serves
 * a cursor that does not advance. Items can be published with a broken updatedAt or without an id
 * (served as they are, ordered by the time the system keeps for them). Every request is recorded
 * ({@link #requests()}) so that tests can check the caller.
 */
public final class SandboxFeed {

    /** A failure injected into a request. */
    public enum Fault { SERVER_ERROR, HANG, GARBAGE, TOO_MANY_REQUESTS }

    /** How an item published by {@link RestFeedSandbox#publishNew} is broken on purpose (what the hub must keep out of its order). */
    public enum Broken {
        UNPARSEABLE_UPDATED_AT("updatedAt that is not a time"),
        EPOCH_MILLIS_UPDATED_AT("updatedAt in epoch milliseconds"),
        IMPOSSIBLE_UPDATED_AT("updatedAt on an impossible day"),
        FAR_FUTURE_UPDATED_AT("updatedAt far in the future"),
        LOCAL_UPDATED_AT("updatedAt without an offset"),
        MISSING_UPDATED_AT("no updatedAt"),
        MISSING_ID("no id"),
        /** In the items array, the item's id as a text where the item should be (a serialisation bug). */
        NOT_AN_OBJECT("an id instead of an item");

        /** As {@link SandboxFeed.Version#defect()} says it. */
        public final String defect;

        Broken(String defect) {
            this.defect = defect;
        }
    }

    /** How the API misbehaves on every request while switched on. */
    public enum Behaviour {
        /** Serves everything from the position asked for in one page, whatever the limit. */
        IGNORE_LIMIT,
        /** Answers a page's cursor with that same cursor (a request without one gets a cursor that leads to the same page). */
        STALE_CURSOR,
        /** Ignores the cursor: serves the first page again and again, each time with a new-looking next cursor. */
        SAME_PAGE
    }

    /**
     * One generated version of an item: what the source holds from {@code stage} on (0 at start,
     * 1 after a revision). {@code defect} says how it was broken on purpose (null: valid);
     * {@code newContent} is false for a version that only moved updatedAt.
     */
    public record Version(String id, int stage, Map<String, Object> item, String defect, boolean newContent) {
        public String updatedAt() {
            return (String) item.get("updatedAt");
        }
    }

    /** One request as the API saw it: what was asked, what was answered (ids, next cursor), which fault. */
    public record Served(Instant at, String updatedSince, String cursor, int limit, int status, List<String> ids,
            String nextCursor, Fault fault) {
        public boolean ok() {
            return status == 200 && fault == null;
        }

        /** What the request asked for: its cursor, or else its updatedSince. */
        public String position() {
            return cursor != null ? "cursor " + cursor : "since " + updatedSince;
        }
    }

    /** Where an item stands in the system's own order: the time it keeps for it (not the text it serves) and the id. */
    private record Key(Instant updatedAt, String id) {
    }

    private static final Comparator<Key> ORDER = Comparator.comparing(Key::updatedAt).thenComparing(Key::id);

    private final String idField;
    private final int maxPerSecond;
    private final long hangMillis;
    /** What each item serves: its JSON object (a map), or, broken on purpose, something else. */
    private final TreeMap<Key, Object> items = new TreeMap<>(ORDER);
    private final Map<String, Key> keyById = new HashMap<>();
    private final Deque<Fault> faults = new ArrayDeque<>();
    private int okBeforeFaults;
    private final Deque<Instant> lastSecond = new ArrayDeque<>();
    private final List<Served> requests = new CopyOnWriteArrayList<>();
    private final java.util.EnumSet<Behaviour> behaviours = java.util.EnumSet.noneOf(Behaviour.class);
    private long cursorsIssued;

    public SandboxFeed(String idField, int maxPerSecond, long hangMillis) {
        this.idField = idField;
        this.maxPerSecond = maxPerSecond;
        this.hangMillis = hangMillis;
    }

    /** A feed with faults planned from the start ({@code faults} after {@code failAfter} good requests). */
    public SandboxFeed(String idField, int maxPerSecond, long hangMillis, int failAfter, List<Fault> faults) {
        this(idField, maxPerSecond, hangMillis);
        if (faults != null && !faults.isEmpty()) {
            failAfter(failAfter, faults.toArray(Fault[]::new));
        }
    }

    /** Publishes an item: a new one, or a new version replacing the one with its id. */
    public synchronized void publish(Map<String, Object> item) {
        publish(item, Converters.dateTime(item.get("updatedAt")).toInstant(), (String) item.get(idField));
    }

    /**
     * Publishes an item in the system's order at {@code orderAt} under {@code id}, whatever its own
     * updatedAt and id fields say (a broken updatedAt, no id: a serialisation bug of the real system).
     */
    public synchronized void publish(Object item, Instant orderAt, String id) {
        Key key = new Key(orderAt, id);
        Key old = keyById.put(id, key);
        if (old != null) {
            items.remove(old);
        }
        items.put(key, item);
    }

    /** The latest time in the system's order (null when empty). */
    public synchronized Instant latest() {
        return items.isEmpty() ? null : items.lastKey().updatedAt();
    }

    /** Switches the API's behaviours: exactly these from now on (none: it behaves). */
    public synchronized void behave(java.util.Collection<Behaviour> now) {
        behaviours.clear();
        behaviours.addAll(now);
    }

    public synchronized java.util.Set<Behaviour> behaviours() {
        return java.util.EnumSet.copyOf(behaviours);
    }

    public String idField() {
        return idField;
    }

    public synchronized int size() {
        return items.size();
    }

    /** After {@code okRequests} more authorised requests answered normally, the next ones fail, one fault each. */
    public synchronized void failAfter(int okRequests, Fault... next) {
        okBeforeFaults = okRequests;
        faults.addAll(List.of(next));
    }

    public synchronized int pendingFaults() {
        return faults.size();
    }

    /** Every request so far, in arrival order. */
    public List<Served> requests() {
        return List.copyOf(requests);
    }

    /** Answers one request of the feed. */
    public ResponseEntity<?> serve(boolean authorised, String updatedSince, String cursor, int limit) {
        Instant now = Instant.now();
        Fault fault = null;
        Map<String, Object> page;
        List<String> ids = new ArrayList<>();
        synchronized (this) {
            while (!lastSecond.isEmpty() && lastSecond.peekFirst().isBefore(now.minusMillis(1000))) {
                lastSecond.pollFirst();
            }
            lastSecond.addLast(now);
            if (lastSecond.size() > maxPerSecond) {
                return record(now, updatedSince, cursor, limit, HttpStatus.TOO_MANY_REQUESTS, ids, null,
                        error(HttpStatus.TOO_MANY_REQUESTS, "more than " + maxPerSecond + " requests in a second"));
            }
            if (!authorised) {
                return record(now, updatedSince, cursor, limit, HttpStatus.UNAUTHORIZED, ids, null,
                        error(HttpStatus.UNAUTHORIZED, "missing or wrong credential"));
            }
            if (!faults.isEmpty()) {
                if (okBeforeFaults > 0) {
                    okBeforeFaults--;
                } else {
                    fault = faults.pollFirst();
                }
            }
            if (limit < 1 || limit > 1000 && !behaviours.contains(Behaviour.IGNORE_LIMIT)) {
                return record(now, updatedSince, cursor, limit, HttpStatus.BAD_REQUEST, ids, fault,
                        error(HttpStatus.BAD_REQUEST, "limit must be 1..1000"));
            }
            try {
                page = page(updatedSince, cursor, limit, ids);
            } catch (RuntimeException e) {
                return record(now, updatedSince, cursor, limit, HttpStatus.BAD_REQUEST, ids, fault,
                        error(HttpStatus.BAD_REQUEST, e.getMessage()));
            }
        }
        if (fault == null) {
            return record(now, updatedSince, cursor, limit, HttpStatus.OK, ids, null, ResponseEntity.ok(page));
        }
        switch (fault) {
            case SERVER_ERROR -> {
                return record(now, updatedSince, cursor, limit, HttpStatus.INTERNAL_SERVER_ERROR, List.of(), fault,
                        error(HttpStatus.INTERNAL_SERVER_ERROR, "数据库连接失败 (injected)"));
            }
            case TOO_MANY_REQUESTS -> {
                return record(now, updatedSince, cursor, limit, HttpStatus.TOO_MANY_REQUESTS, List.of(), fault,
                        error(HttpStatus.TOO_MANY_REQUESTS, "rate limit (injected)"));
            }
            case GARBAGE -> {
                // a page cut off in the middle, as a proxy with a full buffer delivers it
                String body = "{\"items\": [{\"" + idField + "\": \"" + (ids.isEmpty() ? "X" : ids.get(0)) + "\", \"upd";
                return record(now, updatedSince, cursor, limit, HttpStatus.OK, List.of(), fault,
                        ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(body));
            }
            case HANG -> {
                Served served = new Served(now, updatedSince, cursor, limit, HttpStatus.OK.value(), List.of(), null, fault);
                requests.add(served);
                try {
                    Thread.sleep(hangMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return ResponseEntity.ok(page);
            }
            default -> throw new IllegalStateException(fault.name());
        }
    }

    private ResponseEntity<?> record(Instant at, String updatedSince, String cursor, int limit, HttpStatus status,
            List<String> ids, Fault fault, ResponseEntity<?> response) {
        Object next = fault == null && response.getBody() instanceof Map<?, ?> page ? page.get("nextCursor") : null;
        requests.add(new Served(at, updatedSince, cursor, limit, status.value(), List.copyOf(ids), (String) next, fault));
        return response;
    }

    private Map<String, Object> page(String updatedSince, String cursor, int limit, List<String> ids) {
        Map<Key, Object> from;
        boolean ignoreCursor = behaviours.contains(Behaviour.SAME_PAGE);
        if (cursor != null && !cursor.isBlank() && !ignoreCursor) {
            Key after = decode(cursor);
            from = items.tailMap(after, false);
        } else if (updatedSince != null && !updatedSince.isBlank()) {
            Instant since = Converters.dateTime(updatedSince).toInstant();
            from = items.tailMap(new Key(since, ""), true);
        } else {
            from = items;
        }
        int most = behaviours.contains(Behaviour.IGNORE_LIMIT) ? Integer.MAX_VALUE : limit;
        List<Object> list = new ArrayList<>();
        Key first = null;
        Key last = null;
        for (Map.Entry<Key, Object> e : from.entrySet()) {
            if (list.size() == most) {
                break;
            }
            list.add(e.getValue());
            ids.add(e.getKey().id());
            first = first == null ? e.getKey() : first;
            last = e.getKey();
        }
        boolean more = last != null && items.higherKey(last) != null;
        String next = null;
        if (more && behaviours.contains(Behaviour.STALE_CURSOR)) {
            // the cursor asked with, or one that leads to this same page again
            next = cursor != null && !cursor.isBlank() ? cursor : encode(new Key(first.updatedAt(), ""));
        } else if (more) {
            next = encode(last);
        }
        Map<String, Object> page = new LinkedHashMap<>();
        page.put("items", list);
        page.put("nextCursor", next);
        return page;
    }

    /** A cursor after {@code key}; each one issued looks different (as a real system's opaque tokens do). */
    private String encode(Key key) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString((key.updatedAt().toString() + "\n" + key.id()
                + (behaviours.contains(Behaviour.SAME_PAGE) ? "\n" + ++cursorsIssued : "")).getBytes(StandardCharsets.UTF_8));
    }

    private static Key decode(String cursor) {
        try {
            String[] parts = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8).split("\n", 3);
            return new Key(Instant.parse(parts[0]), parts[1]);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("cursor is not one this API issued");
        }
    }

    private static ResponseEntity<Map<String, Object>> error(HttpStatus status, String message) {
        return ResponseEntity.status(status).body(Map.of("error", status.getReasonPhrase(), "message", message));
    }
}
