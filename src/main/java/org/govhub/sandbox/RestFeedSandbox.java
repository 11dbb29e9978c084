package org.govhub.sandbox;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the simulated REST systems share: generated item versions served through a
 * {@link SandboxFeed}, a credential that can be rotated, and later versions published on demand.
 * Tests reach them as beans: {@link #revise()} publishes the later versions, {@link #feed()}
 * injects faults and shows every request, {@link #useToken(String)} rotates the credential.
 */
abstract class RestFeedSandbox {

    private final List<SandboxFeed.Version> versions;
    private final SandboxFeed feed;
    private volatile String token;
    private volatile boolean revised;

    RestFeedSandbox(List<SandboxFeed.Version> versions, SandboxFeed feed, String token) {
        this.versions = List.copyOf(versions);
        this.feed = feed;
        this.token = token;
        this.versions.stream().filter(v -> v.stage() == 0).forEach(v -> feed.publish(v.item()));
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
     * the next ones, one fault each; {"revise": true} publishes the later versions of some items.
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
        return Map.of("pendingFaults", feed.pendingFaults(), "revisedItems", revised);
    }

    /** The versions published so far, oldest stage first. */
    public List<SandboxFeed.Version> published() {
        return versions.stream().filter(v -> v.stage() == 0 || revised).toList();
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
