package org.govhub.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.govhub.SandboxHubTest;
import org.govhub.ingest.RestPages;
import org.govhub.sandbox.NationalPlatformReceiver;
import org.govhub.sandbox.ProvincialPlatformSandbox;
import org.govhub.sandbox.SandboxFeed;
import org.govhub.sandbox.SandboxFeed.Served;
import org.govhub.sandbox.SandboxFeed.Version;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A hub stopped in the middle of a REST pull and started again on the same data directory continues
 * from the cursor it stored: no item is missing at the platform, none arrives twice, and the source
 * is not read again from the beginning.
 */
class RestSourceRestartTest {

    private static final String FILINGS = "provincial-filings";
    private static final String[] ARGS = {
        "--govhub.sandbox.tax-bureau.rows=10",
        "--govhub.sources.provincial-filings.enabled=true",
        "--govhub.sources.provincial-filings.page-size=5",
        "--govhub.sources.provincial-filings.rate-per-second=3",
        "--govhub.sources.provincial-filings.poll-interval=500",
        "--govhub.sources.provincial-filings.check-interval=100",
        "--govhub.sandbox.provincial-platform.filings=100",
        "--govhub.sandbox.provincial-platform.invalid-every=10",
    };

    @Test
    void aHubStoppedMidPullContinuesFromItsStoredCursorWithNoGapsAndNoRepeats() {
        Path dir = SandboxHubTest.newDataDir("govhub-rest-restart");
        SandboxFeed firstFeed;
        try (ConfigurableApplicationContext first = HubProcess.start(dir, ARGS)) {
            RestPages pages = first.getBean(RestPages.class);
            firstFeed = first.getBean(ProvincialPlatformSandbox.class).feed();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> {
                Map<String, Object> s = pages.state(FILINGS);
                return !s.isEmpty() && ((Number) s.get("pages")).intValue() >= 4;
            });
        }
        List<Served> run1 = firstFeed.requests();
        List<Served> run1Ok = run1.stream().filter(Served::ok).toList();
        Served lastOfRun1 = run1Ok.get(run1Ok.size() - 1);
        assertThat(lastOfRun1.nextCursor()).as("the first run was stopped in the middle of the pull").isNotNull();

        try (ConfigurableApplicationContext second = HubProcess.start(dir, ARGS)) {
            ProvincialPlatformSandbox sandbox = second.getBean(ProvincialPlatformSandbox.class);
            NationalPlatformReceiver platform = second.getBean(NationalPlatformReceiver.class);
            JdbcTemplate hub = second.getBean(JdbcTemplate.class);
            List<Version> published = sandbox.published();
            Map<String, Integer> expected = RestSourcesEndToEndTest.expectedDeliveries(published);
            int expectedTotal = expected.values().stream().mapToInt(Integer::intValue).sum();
            List<String> invalid = published.stream().filter(v -> v.defect() != null).map(Version::id).toList();
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).until(() ->
                    received(platform).size() >= expectedTotal
                            && hub.queryForObject("SELECT COUNT(*) FROM quarantine WHERE source_id = ?", Long.class, FILINGS)
                            >= invalid.size());
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10)).until(() -> received(platform).size() == expectedTotal);

            // no gaps, no repeats at the platform (across both runs: its store is on disk)
            List<Map<String, Object>> received = received(platform);
            Map<Object, Long> times = received.stream().collect(Collectors.groupingBy(r -> r.get("source_record_key"), Collectors.counting()));
            assertThat(times.keySet()).isEqualTo(expected.keySet());
            assertThat(times.values()).allMatch(n -> n == 1);
            assertThat(hub.queryForList("SELECT source_record_key FROM quarantine WHERE source_id = ?", String.class, FILINGS))
                    .containsExactlyInAnyOrderElementsOf(invalid);

            // the second run went on from the stored cursor, not from the beginning ...
            List<Served> run2 = sandbox.feed().requests();
            Served firstOfRun2 = run2.get(0);
            String previousCursor = run1Ok.size() > 1 ? run1Ok.get(run1Ok.size() - 2).nextCursor() : null;
            assertThat(firstOfRun2.cursor()).isNotNull().isIn(lastOfRun1.nextCursor(), previousCursor);
            // ... so the source served nothing twice, except at most the page in flight at the stop
            Set<String> overlap = new HashSet<>(RestSourcesEndToEndTest.servedIds(run1));
            overlap.retainAll(RestSourcesEndToEndTest.servedIds(run2));
            assertThat(overlap).isSubsetOf(lastOfRun1.ids());
            if (firstOfRun2.cursor().equals(lastOfRun1.nextCursor())) {
                assertThat(overlap).isEmpty();
            }
            Set<String> served = new HashSet<>(RestSourcesEndToEndTest.servedIds(run1));
            served.addAll(RestSourcesEndToEndTest.servedIds(run2));
            assertThat(served).containsAll(published.stream().map(Version::id).toList());
        }
    }

    private static List<Map<String, Object>> received(NationalPlatformReceiver platform) {
        return platform.receivedRecords().stream().filter(r -> FILINGS.equals(r.get("source_id"))).toList();
    }
}
