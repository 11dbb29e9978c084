package org.govhub.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.zookeeper.cluster.ZooKeeperClusterService;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;

/**
 * Two nodes (two Camel contexts, each with its own ZooKeeper cluster service) on one ZooKeeper:
 * both report the same leader for a namespace, only the leader says "here", and when the leader
 * stops the other one takes the namespace and says so (what GET /api/admin/cluster shows).
 */
class LeadershipTest {

    @Test
    void bothNodesAgreeWhoLeadsAndTheOtherTakesOverWhenTheLeaderStops() throws Exception {
        try (TestingServer zookeeper = new TestingServer(true)) {
            CamelContext first = node("node-1", zookeeper);
            CamelContext second = node("node-2", zookeeper);
            try {
                Leadership one = new Leadership(first);
                Leadership two = new Leadership(second);
                await(() -> leader(one).isPresent() && leader(one).equals(leader(two)));
                String leader = leader(one).orElseThrow();
                Leadership leading = leader.equals("node-1") ? one : two;
                Leadership standing = leading == one ? two : one;
                assertThat(namespace(leading).here()).as("the leader leads here").isTrue();
                assertThat(namespace(standing).here()).as("the other node stands by").isFalse();
                assertThat(namespace(leading).routes()).containsExactly("share-rounds");
                assertThat(standing.standby(List.of("share-rounds"))).map(Leadership.Standby::leader).contains(Optional.of(leader));

                (leading == one ? first : second).stop();
                await(() -> namespace(standing).here());
                assertThat(namespace(standing).leader()).as("the new leader").isNotEqualTo(Optional.of(leader)).isPresent();
            } finally {
                first.stop();
                second.stop();
            }
        }
    }

    private static Optional<String> leader(Leadership leadership) {
        return namespace(leadership).leader();
    }

    private static Leadership.Namespace namespace(Leadership leadership) {
        List<Leadership.Namespace> namespaces = leadership.namespaces();
        assertThat(namespaces).extracting(Leadership.Namespace::namespace).containsExactly("govhub-share");
        return namespaces.get(0);
    }

    /** Makes {@code camel} a cluster node {@code id} on the test ZooKeeper (a short session: a lost node is seen in seconds). */
    static ZooKeeperClusterService joinZooKeeper(CamelContext camel, String id, TestingServer zookeeper, String basePath) throws Exception {
        ZooKeeperClusterService service = new ZooKeeperClusterService();
        service.setId(id);
        service.setNodes(zookeeper.getConnectString());
        service.setBasePath(basePath);
        service.setSessionTimeout(3000);
        camel.addService(service);
        return service;
    }

    private static CamelContext node(String id, TestingServer zookeeper) throws Exception {
        CamelContext camel = new DefaultCamelContext();
        joinZooKeeper(camel, id, zookeeper, "/leadership-test");
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("master:govhub-share:timer:share?period=200").routeId("share-rounds").log("round");
                from("timer:metrics?period=1000").routeId("per-node").log("metrics");
            }
        });
        camel.start();
        return camel;
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waited 30 s").isLessThan(deadline);
            Thread.sleep(100);
        }
    }
}
