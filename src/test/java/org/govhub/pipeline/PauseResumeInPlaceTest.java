package org.govhub.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.curator.test.TestingServer;
import org.govhub.SandboxHubTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A source paused and resumed while the hub keeps running polls again (SourcePauseTest resumes
 * after a restart): on one node, and on a clustered node whose route has a master consumer. Camel's
 * page loop keeps the "shutting down" of the pause's route stop, so a route merely started again
 * would run polls that read nothing; SourcePauses builds it afresh.
 */
class PauseResumeInPlaceTest {

    private static final String SOURCE = "/api/admin/sources/tax-bureau";
    private static final String PAGE = "source tax-bureau: page done: ";

    @Test
    @Timeout(180)
    void onOneNode() {
        pauseAndResume("pause-in-place");
    }

    @Test
    @Timeout(180)
    void onAClusteredNode() throws Exception {
        try (TestingServer zookeeper = new TestingServer(true)) {
            pauseAndResume("pause-in-place-clustered", "--govhub.cluster.service=zookeeper",
                    "--govhub.cluster.zookeeper.nodes=" + zookeeper.getConnectString(), "--govhub.cluster.node-id=solo");
        }
    }

    private static void pauseAndResume(String name, String... cluster) {
        Path dir = SandboxHubTest.newDataDir("govhub-" + name);
        List<String> args = new ArrayList<>(List.of(ExactlyOnce.sandbox(20_000, 0)));
        args.addAll(List.of(cluster));
        try (HubJvm hub = HubJvm.start(dir, name, "512m", args.toArray(String[]::new))) {
            hub.awaitLogged(PAGE, 1, Duration.ofSeconds(60));
            hub.post(SOURCE + "/pause", "{\"reason\": \"in place\"}");
            int atPause = hub.logged(PAGE).size();
            HubJvm.sleep(2000);
            assertThat(hub.logged(PAGE)).as("pages while paused").hasSize(atPause);
            hub.post(SOURCE + "/resume", "{\"reason\": \"in place\"}");
            hub.awaitLogged(PAGE, atPause + 2, Duration.ofSeconds(30));
            assertThat(hub.get(SOURCE).path("details").path("state").asText()).as("state after the resume").isNotEqualTo("PAUSED");
        }
    }
}
