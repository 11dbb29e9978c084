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
 * credential. Every request is recorded ({@link #requests()}) so that tests can check the caller.
 */
public final class SandboxFeed {

    /** A failure injected into a request. */
    public enum Fault { SERVER_ERROR, HANG, GARBAGE, TOO_MANY_REQUESTS }

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

    private record Key(Instant updatedAt, String id) {
    }

    private static final Comparator<Key> ORDER = Comparator.comparing(Key::updatedAt).thenComparing(Key::id);

    private final String idField;
    private final int maxPerSecond;
    private final long hangMillis;
    private final TreeMap<Key, Map<String, Object>> items = new TreeMap<>(ORDER);
    private final Map<String, Key> keyById = new HashMap<>();
    private final Deque<Fault> faults = new ArrayDeque<>();
    private int okBeforeFaults;
    private final Deque<Instant> lastSecond = new ArrayDeque<>();
    private final List<Served> requests = new CopyOnWriteArrayList<>();

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
        String id = (String) item.get(idField);
        Key key = new Key(Converters.dateTime(item.get("updatedAt")).toInstant(), id);
        Key old = keyById.put(id, key);
        if (old != null) {
            items.remove(old);
        }
        items.put(key, item);
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
            if (limit < 1 || limit > 1000) {
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
        Map<Key, Map<String, Object>> from;
        if (cursor != null && !cursor.isBlank()) {
            Key after = decode(cursor);
            from = items.tailMap(after, false);
        } else if (updatedSince != null && !updatedSince.isBlank()) {
            Instant since = Converters.dateTime(updatedSince).toInstant();
            from = items.tailMap(new Key(since, ""), true);
        } else {
            from = items;
        }
        List<Map<String, Object>> list = new ArrayList<>();
        Key last = null;
        for (Map.Entry<Key, Map<String, Object>> e : from.entrySet()) {
            if (list.size() == limit) {
                break;
            }
            list.add(e.getValue());
            ids.add(e.getKey().id());
            last = e.getKey();
        }
        boolean more = last != null && items.higherKey(last) != null;
        Map<String, Object> page = new LinkedHashMap<>();
        page.put("items", list);
        page.put("nextCursor", more ? encode(last) : null);
        return page;
    }

    private static String encode(Key key) {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((key.updatedAt().toString() + "\n" + key.id()).getBytes(StandardCharsets.UTF_8));
    }

    private static Key decode(String cursor) {
        try {
            String[] parts = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8).split("\n", 2);
            return new Key(Instant.parse(parts[0]), parts[1]);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("cursor is not one this API issued");
        }
    }

    private static ResponseEntity<Map<String, Object>> error(HttpStatus status, String message) {
        return ResponseEntity.status(status).body(Map.of("error", status.getReasonPhrase(), "message", message));
    }
}
