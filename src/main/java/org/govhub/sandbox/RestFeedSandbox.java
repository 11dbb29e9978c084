package org.govhub.sandbox;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.govhub.normalise.Converters;

/**
 * What the simulated REST systems share: generated item versions served through a
 * {@link SandboxFeed}, a credential that can be rotated, and later versions published on demand.
 * Tests reach them as beans: {@link #revise()} publishes the later versions, {@link #publishNew}
 * publishes new items (some broken on purpose), {@link #feed()} injects faults, switches
 * behaviours and shows every request, {@link #useToken(String)} rotates the credential.
 */
abstract class RestFeedSandbox {

    private static final DateTimeFormatter ISO = DateTimeFormatter.ISO_OFFSET_DATE_TIME;

    private final List<SandboxFeed.Version> versions;
    private final List<SandboxFeed.Version> added = new CopyOnWriteArrayList<>();
    private final SandboxFeed feed;
    private final long seed;
    private volatile String token;
    private volatile boolean revised;
    private int batches;

    RestFeedSandbox(List<SandboxFeed.Version> versions, SandboxFeed feed, String token, long seed,
            List<SandboxFeed.Behaviour> behaviours) {
        this.versions = List.copyOf(versions);
        this.feed = feed;
        this.token = token;
        this.seed = seed;
        this.versions.stream().filter(v -> v.stage() == 0).forEach(v -> feed.publish(v.item()));
        if (behaviours != null) {
            feed.behave(behaviours);
        }
    }

    /** {@code count} valid items of this system, newly generated from {@code seed}, in the order of their times. */
    abstract List<Map<String, Object>> freshItems(int count, long seed);

    /**
     * Publishes a batch of new items later than everything the system holds: {@code valid} valid
     * ones, and one broken item for each entry of {@code broken}, spread evenly among them (every
     * fourth item ties on updatedAt with the one before). A broken item keeps its place in the
     * system's own order; only what it serves is broken. Deterministic: the n-th batch of a system
     * always holds the same items.
     *
     * @return the versions published, in the system's order
     */
    public synchronized List<SandboxFeed.Version> publishNew(int valid, List<SandboxFeed.Broken> broken) {
        int batch = ++batches;
        int total = valid + broken.size();
        List<Map<String, Object>> fresh = freshItems(total, seed + 1000L * batch);
        Map<Integer, SandboxFeed.Broken> brokenAt = new java.util.HashMap<>();
        for (int i = 0; i < broken.size(); i++) {
            int at = (int) ((long) (i + 1) * total / (broken.size() + 1));
            while (brokenAt.containsKey(at)) {
                at = (at + 1) % total;
            }
            brokenAt.put(at, broken.get(i));
        }
        Instant latest = feed.latest();
        OffsetDateTime clock = (latest == null ? Instant.parse("2020-04-01T00:00:00Z") : latest.plusSeconds(3600))
                .atOffset(Converters.CHINA);
        String idField = feed.idField();
        List<SandboxFeed.Version> published = new ArrayList<>();
        for (int i = 0; i < total; i++) {
            if (i % 4 != 3) {
                clock = clock.plusSeconds(37);
            }
            Map<String, Object> item = new LinkedHashMap<>(fresh.get(i));
            String id = item.get(idField) + "N" + batch;
            item.put(idField, id);
            item.put("updatedAt", clock.format(ISO));
            SandboxFeed.Broken b = brokenAt.get(i);
            if (b != null) {
                breakItem(item, b, clock, idField);
            }
            feed.publish(b == SandboxFeed.Broken.NOT_AN_OBJECT ? id : item, clock.toInstant(), id);
            published.add(new SandboxFeed.Version(id, 2, item, b == null ? null : b.defect, true));
        }
        added.addAll(published);
        return published;
    }

    private static void breakItem(Map<String, Object> item, SandboxFeed.Broken b, OffsetDateTime at, String idField) {
        switch (b) {
            case UNPARSEABLE_UPDATED_AT -> item.put("updatedAt", "昨天下午 (not a time)");
            case EPOCH_MILLIS_UPDATED_AT -> item.put("updatedAt", at.toInstant().toEpochMilli());
            case IMPOSSIBLE_UPDATED_AT -> item.put("updatedAt", at.format(DateTimeFormatter.ofPattern("yyyy-MM-'37T'HH:mm:ssXXX")));
            case FAR_FUTURE_UPDATED_AT -> item.put("updatedAt", "2099-12-31T23:59:59+08:00");
            case LOCAL_UPDATED_AT -> item.put("updatedAt", at.format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")));
            case MISSING_UPDATED_AT -> item.remove("updatedAt");
            case MISSING_ID -> item.remove(idField);
            case NOT_AN_OBJECT -> { } // served as its id (see publishNew)
            default -> throw new IllegalStateException(b.name());
        }
    }

    /** Publishes the later versions of some items (stage 1); once. */
    public synchronized int revise() {
        if (revised) {
            return 0;
        }
        revised = true;
        List<SandboxFeed.Version> later = versions.stream().filter(v -> v.stage() == 1).toList();
        later.forEach(v -> feed.publish(v.item()));
        return later.size();
    }

    /**
     * For people (the faults endpoint of each simulated system, admin login): {"after": 2, "faults":
     * ["SERVER_ERROR", "HANG", "GARBAGE", "TOO_MANY_REQUESTS"]} lets 2 more requests through and fails
     * the next ones, one fault each; {"revise": true} publishes the later versions of some items;
     * {"behaviours": ["IGNORE_LIMIT", "STALE_CURSOR", "SAME_PAGE"]} switches exactly these on from now
     * ([] switches them off); {"newItems": 30, "broken": ["EPOCH_MILLIS_UPDATED_AT", ...]} publishes
     * 30 new valid items with the broken ones among them (see {@link SandboxFeed.Broken}).
     */
    Map<String, Object> faults(Map<String, Object> request) {
        List<SandboxFeed.Fault> next = new ArrayList<>();
        if (request.get("faults") instanceof List<?> names) {
            for (Object name : names) {
                next.add(SandboxFeed.Fault.valueOf(String.valueOf(name)));
            }
        }
        int after = request.get("after") instanceof Number n ? n.intValue() : 0;
        if (!next.isEmpty()) {
            feed.failAfter(after, next.toArray(SandboxFeed.Fault[]::new));
        }
        int revised = Boolean.TRUE.equals(request.get("revise")) ? revise() : 0;
        if (request.get("behaviours") instanceof List<?> names) {
            feed.behave(names.stream().map(n -> SandboxFeed.Behaviour.valueOf(String.valueOf(n))).toList());
        }
        List<String> newIds = List.of();
        if (request.containsKey("newItems") || request.containsKey("broken")) {
            int valid = request.get("newItems") instanceof Number n ? n.intValue() : 0;
            List<SandboxFeed.Broken> broken = request.get("broken") instanceof List<?> names
                    ? names.stream().map(n -> SandboxFeed.Broken.valueOf(String.valueOf(n))).toList() : List.of();
            newIds = publishNew(valid, broken).stream().map(SandboxFeed.Version::id).toList();
        }
        return Map.of("pendingFaults", feed.pendingFaults(), "revisedItems", revised,
                "behaviours", feed.behaviours().stream().map(Enum::name).sorted().toList(), "newItems", newIds);
    }

    /** The versions published so far: the first, the revisions once published, then the new items in publishing order. */
    public List<SandboxFeed.Version> published() {
        List<SandboxFeed.Version> all = new ArrayList<>(versions.stream().filter(v -> v.stage() == 0 || revised).toList());
        all.addAll(added);
        return all;
    }

    public SandboxFeed feed() {
        return feed;
    }

    /** The credential the system accepts from now on (a rotation the hub has not heard of). */
    public void useToken(String newToken) {
        this.token = newToken;
    }

    long invalidAtStart() {
        return versions.stream().filter(v -> v.stage() == 0 && v.defect() != null).count();
    }

    /** Whether the presented credential is the current one (constant-time comparison). */
    boolean accepts(String presented) {
        String expected = token;
        if (expected == null || expected.isBlank()) {
            return true;
        }
        return presented != null && MessageDigest.isEqual(presented.getBytes(StandardCharsets.UTF_8),
                expected.getBytes(StandardCharsets.UTF_8));
    }
}
