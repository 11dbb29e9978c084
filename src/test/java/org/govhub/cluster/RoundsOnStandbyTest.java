package org.govhub.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.zookeeper.cluster.ZooKeeperClusterService;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.curator.test.TestingServer;
import org.govhub.operate.RoundsHealth;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.Status;

/**
 * A round's health on two nodes on one ZooKeeper: the node that runs it tells how its runs go, the
 * other stands by (UP, with the leader); a node that led while the round failed and then lost the
 * lead is not left DOWN by runs that are no longer its to make.
 */
class RoundsOnStandbyTest {

    /** The nodes whose runs of the round fail. */
    private final Set<String> failingOn = ConcurrentHashMap.newKeySet();

    @Test
    void aRoundIsJudgedOnTheNodeThatRunsItAndStandsByElsewhere() throws Exception {
        try (TestingServer zookeeper = new TestingServer(true)) {
            Node first = node("node-1", zookeeper);
            Node second = node("node-2", zookeeper);
            try {
                failingOn.add("node-1");
                failingOn.add("node-2");
                await().atMost(Duration.ofSeconds(30)).until(() -> state(first).equals("FAILING") || state(second).equals("FAILING"));
                Node leading = state(first).equals("FAILING") ? first : second;
                Node standing = leading == first ? second : first;
                assertThat(leading.rounds.health().getStatus()).isEqualTo(Status.DOWN);
                Health standby = standing.rounds.health();
                assertThat(standby.getStatus()).as("the node that stands by").isEqualTo(Status.UP);
                assertThat(detail(standby)).containsEntry("state", "STANDBY").containsEntry("leader", leading.id);

                // the leader gives up the round's namespace while its runs fail; the other node runs it, and well
                failingOn.remove(standing.id);
                leading.cluster.stopView("govhub-share");
                await().atMost(Duration.ofSeconds(30)).until(() -> state(standing).equals("OK"));
                await().atMost(Duration.ofSeconds(10)).until(() -> !state(leading).equals("FAILING"));
                assertThat(detail(leading.rounds.health())).as("out of the namespace, it sees no leader; its failed runs are behind it")
                        .containsEntry("state", "NO_LEADER").doesNotContainKeys("failedRunsInARow", "lastError");
                // back in the namespace, it stands by
                leading.cluster.startView("govhub-share");
                await().atMost(Duration.ofSeconds(30)).until(() -> state(leading).equals("STANDBY"));
                Health former = leading.rounds.health();
                assertThat(former.getStatus()).as("the former leader, its failed runs behind it").isEqualTo(Status.UP);
                assertThat(detail(former)).containsEntry("leader", standing.id).doesNotContainKeys("failedRunsInARow", "lastError");
                assertThat(standing.rounds.health().getStatus()).isEqualTo(Status.UP);
            } finally {
                first.camel.stop();
                second.camel.stop();
            }
        }
    }

    private record Node(String id, CamelContext camel, ZooKeeperClusterService cluster, RoundsHealth rounds) {
    }

    private Node node(String id, TestingServer zookeeper) throws Exception {
        CamelContext camel = new DefaultCamelContext();
        ZooKeeperClusterService cluster = LeadershipTest.joinZooKeeper(camel, id, zookeeper, "/rounds-on-standby-test");
        RoundsHealth rounds = new RoundsHealth(List.of("share-rounds"), Duration.ofMinutes(10), Duration.ofMinutes(5), new Leadership(camel));
        camel.addRoutePolicyFactory(rounds);
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("master:govhub-share:timer:share?period=100").routeId("share-rounds").process(e -> {
                    if (failingOn.contains(id)) {
                        throw new IllegalStateException("the round failed on " + id);
                    }
                });
            }
        });
        camel.start();
        return new Node(id, camel, cluster, rounds);
    }

    private static String state(Node node) {
        Object detail = node.rounds.health().getDetails().get("share-rounds");
        return detail == null ? "" : String.valueOf(((Map<?, ?>) detail).get("state"));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> detail(Health health) {
        return (Map<String, Object>) health.getDetails().get("share-rounds");
    }
}
