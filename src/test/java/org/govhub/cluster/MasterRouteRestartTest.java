package org.govhub.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.zookeeper.cluster.ZooKeeperClusterService;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;

/**
 * What a pause relies on in a cluster (SourcePauses): a leader-elected route ({@code master:} on the
 * ZooKeeper cluster service) that is stopped and started again takes the lead again and consumes.
 */
class MasterRouteRestartTest {

    @Test
    void aStoppedMasterRouteConsumesAgainOnceStarted() throws Exception {
        AtomicInteger fired = new AtomicInteger();
        try (TestingServer zookeeper = new TestingServer(true); CamelContext camel = new DefaultCamelContext()) {
            ZooKeeperClusterService service = new ZooKeeperClusterService();
            service.setId("node-1");
            service.setNodes(zookeeper.getConnectString());
            service.setBasePath("/restart-test");
            camel.addService(service);
            camel.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("master:govhub-source-x:timer:x-poll?period=100&delay=0").routeId("x-source").process(e -> fired.incrementAndGet());
                }
            });
            camel.start();
            awaitMoreThan(fired, 0);
            camel.getRouteController().stopRoute("x-source", 60, TimeUnit.SECONDS);
            int atStop = fired.get();
            Thread.sleep(500);
            assertThat(fired.get()).as("polls while stopped").isEqualTo(atStop);
            camel.getRouteController().startRoute("x-source");
            awaitMoreThan(fired, atStop);
        }
    }

    private static void awaitMoreThan(AtomicInteger fired, int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (fired.get() <= count && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(fired.get()).as("polls").isGreaterThan(count);
    }
}
