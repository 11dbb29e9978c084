package org.govhub.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import org.govhub.SandboxHubTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An operator pauses the tax source in the middle of its backlog: it stops taking rows (health
 * OUT_OF_SERVICE, state PAUSED, with who and why), stays paused through a SIGKILL and a restart (its
 * route is not even started), and once resumed goes on from its mark: every valid row reaches the
 * platform exactly once, every broken one is in quarantine.
 */
class SourcePauseTest {

    private static final int TAX_ROWS = 20_000;
    private static final String SOURCE = "/api/admin/sources/tax-bureau";

    @Test
    @Timeout(600)
    void aPausedSourceTakesNothingAcrossACrashAndOnceResumedGoesOnFromItsMarkExactlyOnce() {
        Path dir = SandboxHubTest.newDataDir("govhub-pause");
        ExactlyOnce expected = new ExactlyOnce(TAX_ROWS, 0);
        String[] args = ExactlyOnce.sandbox(TAX_ROWS, 0);
        long takenWhenPaused;
        try (HubJvm hub = HubJvm.start(dir, "pause", args)) {
            awaitTaken(hub, 1);
            long started = System.nanoTime();
            JsonNode paused = hub.post(SOURCE + "/pause", "{\"reason\": \"the bureau rebuilds its export view\"}");
            double pauseSeconds = (System.nanoTime() - started) / 1e9;
            assertThat(paused.path("status").asText()).isEqualTo("OUT_OF_SERVICE");
            assertThat(paused.path("details").path("state").asText()).isEqualTo("PAUSED");
            assertThat(paused.path("details").path("reason").asText()).contains("paused by admin", "the bureau rebuilds its export view");
            assertThat(paused.path("paused").path("by").asText()).isEqualTo("admin");
            assertThat(paused.path("markChanges").get(0).path("ACTION").asText(paused.path("markChanges").get(0).path("action").asText()))
                    .isEqualTo("PAUSE");
            takenWhenPaused = taken(hub.get(SOURCE));
            assertThat(takenWhenPaused).as("rows taken when the pause answered").isBetween(1L, (long) TAX_ROWS - 1);
            HubJvm.sleep(3000);
            assertThat(taken(hub.get(SOURCE))).as("rows taken 3 s after the pause").isEqualTo(takenWhenPaused);
            assertThat(hub.postStatus(SOURCE + "/pause", "{\"reason\": \"again\"}")).as("pausing a paused source").isEqualTo(409);
            assertThat(hub.postStatus(SOURCE + "/pause", "{}")).as("a pause without a reason").isEqualTo(400);
            System.out.printf("[pause] paused after %,d of %,d rows; the pause answered in %.1f s%n", takenWhenPaused, TAX_ROWS, pauseSeconds);
            hub.kill();
        }
        try (HubJvm hub = HubJvm.start(dir, "pause", args)) {
            hub.awaitLogged("source tax-bureau: paused since .* route tax-bureau-source not started", 1, Duration.ofSeconds(30));
            HubJvm.sleep(3000);
            JsonNode stillPaused = hub.get(SOURCE);
            assertThat(stillPaused.path("details").path("state").asText()).as("after the restart").isEqualTo("PAUSED");
            assertThat(taken(stillPaused)).as("rows taken since the restart while paused").isZero();
            assertThat(hub.logged("source tax-bureau: .* done: ")).as("polls since the restart while paused").isEmpty();

            JsonNode resumed = hub.post(SOURCE + "/resume", "{\"reason\": \"the view is back\"}");
            assertThat(resumed.path("paused").isNull()).as("paused after the resume: %s", resumed.path("paused")).isTrue();
            assertThat(hub.postStatus(SOURCE + "/resume", "{\"reason\": \"again\"}")).as("resuming a running source").isEqualTo(409);
            expected.awaitDelivered(hub, Duration.ofMinutes(5));
            assertThat(hub.get(SOURCE).path("status").asText()).isEqualTo("UP");
            hub.stop();
        }
        System.out.println("[pause] " + expected.check(dir));
    }

    /** Rows the source handed over since this hub started: published, quarantined or repeats. */
    private static long taken(JsonNode source) {
        JsonNode d = source.path("details");
        return d.path("published").asLong() + d.path("quarantined").asLong() + d.path("repeats").asLong();
    }

    private static void awaitTaken(HubJvm hub, long atLeast) {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (taken(hub.get(SOURCE)) < atLeast) {
            assertThat(System.nanoTime()).as("the source took nothing within 2 minutes").isLessThan(deadline);
            HubJvm.sleep(50);
        }
    }
}
