package org.govhub.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.govhub.SandboxHubTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A REST API that ignores the limit and answers the first request with all of its filings in one
 * page (sandbox behaviour IGNORE_LIMIT; 40,000, more than the 8 MiB broker queue holds in compressed pages, so that one
 * transaction for the page could never commit), on a hub in its own JVM with a bounded heap: the
 * page goes to the broker in chunks, each its own transaction, so its records reach the platform
 * while the page is still being sent; when the broker queue is full (the batch stage stopped) the
 * source is BLOCKED in health, not UP; once the queue drains, every valid filing arrives exactly once
 * and every broken one is in quarantine (checked in the hub's and the platform's files), and the
 * page's log line accounts for every item. {@code -Dgovhub.huge-page.filings=100000
 * -Dgovhub.huge-page.heap=1g} is the measurement in docs/connect-a-rest-api.md; the figures are printed.
 */
class RestHugePageTest {

    private static final int FILINGS = Integer.getInteger("govhub.huge-page.filings", 40_000);
    private static final String HEAP = System.getProperty("govhub.huge-page.heap", "512m");
    private static final String BATCHING = "org.apache.camel:context=govhub,type=routes,name=\"enterprise-filing-batching\"";
    private static final String SOURCE = "/api/admin/sources/provincial-filings";

    @Test
    @Timeout(900)
    void aHugePageGoesToTheBrokerInChunksArrivesExactlyOnceAndABlockedSendIsNotUp() throws Exception {
        Path dir = SandboxHubTest.newDataDir("govhub-huge-page");
        ExactlyOnce expected = new ExactlyOnce(0, 0, FILINGS);
        List<String> args = new ArrayList<>(List.of(ExactlyOnce.sandbox(0, 0, FILINGS, 100)));
        args.add("--govhub.sandbox.provincial-platform.behaviours=IGNORE_LIMIT");
        args.add("--govhub.ingest.blocked-after=5s");
        args.add("--govhub.batch.max-records=500");
        long started = System.nanoTime();
        AtomicLong maxHeapUsed = new AtomicLong();
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
        try (HubJvm hub = HubJvm.start(dir, "huge-page", HEAP, args.toArray(String[]::new))) {
            // the batch stage stops taking filings: the queue fills up (8 MiB) and the source's sends block
            hub.jolokiaExec(BATCHING, "stop()");
            sampler.scheduleAtFixedRate(() -> maxHeapUsed.accumulateAndGet(heapUsed(hub), Math::max), 0, 250, TimeUnit.MILLISECONDS);

            JsonNode blocked = await(Duration.ofMinutes(3), () -> hub.get(SOURCE), s -> "BLOCKED".equals(s.path("details").path("state").asText()));
            assertThat(blocked.path("status").asText()).isEqualTo("DOWN");
            assertThat(blocked.path("details").path("reason").asText()).contains("has not finished nor made progress",
                    "a full broker queue");
            assertThat(blocked.path("mark").path("pages").asLong(0)).as("pages finished").isZero();
            long liveWhileBlocked = liveHeap(hub);
            double blockedAt = seconds(started);

            // the batch stage takes filings again: the page's records reach the platform while the page is still being sent
            hub.jolokiaExec(BATCHING, "start()");
            await(Duration.ofMinutes(3), () -> hub.get("/sandbox/platform/batches"), p -> p.path("records").asLong() > 0);
            assertThat(hub.get(SOURCE).path("mark").path("pages").asLong(0)).as("pages finished when the first records arrived")
                    .isZero();

            expected.awaitDelivered(hub, Duration.ofMinutes(10));
            double deliveredAt = seconds(started);
            sampler.shutdownNow();
            JsonNode source = hub.get(SOURCE);
            assertThat(source.path("status").asText()).isEqualTo("UP");
            String pageLine = hub.awaitLogged("source provincial-filings: page done: " + FILINGS + " taken", 1, Duration.ofSeconds(10));
            assertThat(pageLine).contains(FILINGS + " taken = " + expected.valid.size() + " new + 0 repeat(s) + "
                    + expected.invalid.size() + " quarantined");
            assertThat(hub.logged("a page held " + FILINGS + " items, more than the 100 asked for")).hasSize(1);
            assertThat(hub.logged("source provincial-filings: page failed")).isEmpty();
            long liveAfter = liveHeap(hub);
            hub.stop();
            System.out.printf("[huge page] %,d filings in one page: blocked after %.1f s, all delivered %.1f s after start; "
                    + "heap (-Xmx%s): at most %d MiB used, %d MiB live while blocked, %d MiB live at the end%n", FILINGS, blockedAt,
                    deliveredAt, HEAP, maxHeapUsed.get() >> 20, liveWhileBlocked >> 20, liveAfter >> 20);
        } finally {
            sampler.shutdownNow();
        }
        System.out.println("[huge page] " + expected.check(dir));
    }

    private static long heapUsed(HubJvm hub) {
        try {
            return hub.get("/actuator/jolokia/read/java.lang:type=Memory/HeapMemoryUsage").path("value").path("used").asLong();
        } catch (RuntimeException | AssertionError e) {
            return 0; // the hub is stopping
        }
    }

    /** Heap in use after a full collection: what the hub holds on to. */
    private static long liveHeap(HubJvm hub) {
        hub.collectGarbage();
        return heapUsed(hub);
    }

    private static JsonNode await(Duration limit, java.util.function.Supplier<JsonNode> read, java.util.function.Predicate<JsonNode> done) {
        return org.awaitility.Awaitility.await().atMost(limit).pollInterval(Duration.ofMillis(250)).until(read::get, done::test);
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }
}
