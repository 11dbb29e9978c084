package org.govhub.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.core.server.Queue;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.govhub.SandboxHubTest;
import org.govhub.normalise.RecordPage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The hub on an external Artemis (as in production: {@code spring.artemis.mode=native}), and that
 * broker stopped and started again on its journal while records are on it and nowhere else: the
 * hub reconnects by itself and every valid row reaches the platform exactly once.
 */
class BrokerRestartTest {

    private static final String TAX_QUEUE = "govhub.records.tax-record";
    private static final String TAX_WATERMARK = "source tax-bureau: page done: \\d+ taken";

    @Test
    @Timeout(300)
    void aBrokerRestartedWithRecordsOnItLosesAndRepeatsNothing() throws Exception {
        Path dir = SandboxHubTest.newDataDir("govhub-broker-restart");
        int brokerPort = HubJvm.freePort();
        ExactlyOnce expected = new ExactlyOnce(1500, 300);
        long started = System.nanoTime();
        EmbeddedActiveMQ broker = StandaloneArtemis.open(dir.resolve("external-artemis"), brokerPort);
        List<String> args = new ArrayList<>(List.of(ExactlyOnce.sandbox(1500, 300)));
        args.addAll(List.of("--spring.artemis.mode=native", "--spring.artemis.broker-url=tcp://127.0.0.1:" + brokerPort,
                "--spring.artemis.embedded.enabled=false"));
        try (HubJvm hub = HubJvm.start(dir, "broker-restart", args.toArray(String[]::new))) {
            hub.awaitLogged("BatchAssembler - batch \\S+ sealed with", 1, Duration.ofSeconds(60));
            // hold the tax records on the broker: they are read, sent and the watermark moves past them,
            // so for a while the broker's journal is the only place they are
            Queue taxQueue = broker.getActiveMQServer().locateQueue(SimpleString.of(TAX_QUEUE));
            taxQueue.pause();
            int watermarks = hub.logged(TAX_WATERMARK).size();
            hub.awaitLogged(TAX_WATERMARK, watermarks + 1, Duration.ofSeconds(60));
            long held = recordsOn(taxQueue);
            assertThat(held).as("tax records held on the broker after the watermark moved past them").isGreaterThan(100);

            broker.stop();
            HubJvm.sleep(3000); // the hub's consumers, polls and deliveries fail meanwhile
            broker = StandaloneArtemis.open(dir.resolve("external-artemis"), brokerPort);
            long afterRestart = recordsOn(broker.getActiveMQServer().locateQueue(SimpleString.of(TAX_QUEUE)));
            System.out.println("[broker restart] stopped with " + held + " tax records held on the queue, "
                    + afterRestart + " on it right after the restart");

            expected.awaitDelivered(hub, Duration.ofSeconds(150));
            hub.stop();
        } finally {
            broker.stop();
        }
        ExactlyOnce.Result result = expected.check(dir);
        System.out.println("[broker restart] " + result + "; " + (System.nanoTime() - started) / 1_000_000_000 + " s");
    }

    /** The records waiting on a queue: the record counts of its pages (RecordPage). */
    private static long recordsOn(Queue queue) {
        long records = 0;
        try (var pages = queue.browserIterator()) {
            while (pages.hasNext()) {
                Object count = pages.next().getMessage().getObjectProperty(RecordPage.H_RECORD_COUNT);
                records += count == null ? 0 : Long.parseLong(count.toString());
            }
        }
        return records;
    }
}
