package org.govhub.prioritise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.List;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.govhub.HubTest;
import org.govhub.SandboxHubTest;
import org.govhub.TaxRecordMessages;
import org.govhub.batch.DamagedRepeatIndex;
import org.govhub.normalise.CanonicalJson;
import org.govhub.sandbox.NationalPlatformReceiver;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * 急用先行 end to end: an urgent record overtakes a backlog on the broker, gets a batch of its own
 * class, and that batch is delivered before the backlog's.
 */
@HubTest({
            "govhub.sandbox.tax-bureau.rows=0",
            "govhub.sandbox.credit-reference.rows=0",
            "govhub.batch.max-records=50",
            "govhub.batch.max-age=1s",
            "govhub.delivery.poll-interval=200",
            "govhub.platform.open-for=1s",
            "govhub.platform.max-backoff=1s",
            "govhub.security.admin-password=Priority-test-26",
        })
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class UrgentFirstTest {

    @Autowired
    CamelContext camel;
    @Autowired
    ProducerTemplate producer;
    @Autowired
    JdbcTemplate hub;
    @Autowired
    NationalPlatformReceiver platform;

    @Test
    @Order(1)
    void anUrgentRecordOvertakesTheBacklogOnTheBrokerInBatchingAndInDelivery() throws Exception {
        platform.fail(NationalPlatformReceiver.Fault.UNAVAILABLE, -1);
        // a backlog waits on the broker while the batch stage is stopped
        camel.getRouteController().stopRoute("tax-record-batching");
        for (int i = 0; i < 400; i++) {
            send("backlog-" + i, 3);
        }
        send("urgent-1", 1);
        // what an operator sees in Hawtio's JMX tree: the waiting records and the urgent one among them
        ObjectName queue = new ObjectName("org.apache.activemq.artemis:broker=*,component=addresses,"
                + "address=\"govhub.records.tax-record\",subcomponent=queues,routing-type=\"anycast\",queue=\"govhub.records.tax-record\"");
        MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
        ObjectName found = jmx.queryNames(queue, null).iterator().next();
        assertThat(jmx.invoke(found, "countMessages", new Object[] {"AMQPriority = 9"}, new String[] {String.class.getName()}))
                .isEqualTo(1L);
        assertThat(jmx.getAttribute(found, "MessageCount")).isEqualTo(401L);
        camel.getRouteController().startRoute("tax-record-batching");

        // on the broker: the urgent record is taken among the first, not after 400 others
        await().atMost(Duration.ofSeconds(60)).until(() -> hub.queryForObject(
                "SELECT COUNT(*) FROM batch_record WHERE source_record_key = 'urgent-1'", Integer.class) == 1);
        Long urgentId = hub.queryForObject("SELECT id FROM batch_record WHERE source_record_key = 'urgent-1'", Long.class);
        Long firstId = hub.queryForObject("SELECT MIN(id) FROM batch_record", Long.class);
        assertThat(urgentId - firstId).as("records batched before the urgent one").isLessThan(3);

        // in batching: a batch of its own class, marked in its manifest
        await().atMost(Duration.ofSeconds(30)).until(() -> hub.queryForObject(
                "SELECT COUNT(*) FROM batch_record WHERE source_record_key LIKE 'backlog-%'", Integer.class) == 400
                && hub.queryForObject("SELECT COUNT(*) FROM batch WHERE status = 'OPEN'", Integer.class) == 0);
        String urgentBatch = hub.queryForObject("SELECT batch_id FROM batch_record WHERE source_record_key = 'urgent-1'", String.class);
        assertThat(hub.queryForObject("SELECT record_count FROM batch WHERE batch_id = ?", Integer.class, urgentBatch)).isEqualTo(1);
        assertThat(CanonicalJson.read(hub.queryForObject("SELECT manifest FROM batch WHERE batch_id = ?", String.class, urgentBatch))
                .path("priorityClass").asInt()).isEqualTo(1);

        // in delivery: when the platform is back, the urgent batch goes at once, not after the backlog
        // (first, or second when the first call after the outage was already under way)
        platform.recover();
        await().atMost(Duration.ofSeconds(60)).until(() -> platform.receivedRecords("test").size() == 401);
        List<String> batchOrder = platform.receivedRecords("test").stream().map(r -> (String) r.get("batch_id")).distinct().toList();
        assertThat(batchOrder).hasSize(9);
        assertThat(batchOrder.indexOf(urgentBatch)).as("place of the urgent batch among 9 delivered").isLessThanOrEqualTo(1);
    }

    @Test
    @Order(2)
    void equalContentUnderAnotherKeyIsAnotherRecordButTheSameRecordAgainIsARepeat() {
        String sameContent = CanonicalJson.sha256("two declarations with equal fields");
        send("repeats", "decl-1", 3, sameContent);
        send("repeats", "decl-2", 3, sameContent);
        send("repeats", "decl-1", 3, sameContent); // decl-1 read again after a crash
        send("repeats", "decl-3", 3, CanonicalJson.sha256("decl-3"));
        await().atMost(Duration.ofSeconds(30)).until(() -> hub.queryForObject(
                "SELECT COUNT(*) FROM batch_record WHERE source_record_key = 'decl-3'", Integer.class) == 1);
        assertThat(hub.queryForList("SELECT source_record_key FROM batch_record WHERE source_id = 'repeats' ORDER BY id", String.class))
                .containsExactly("decl-1", "decl-2", "decl-3");
    }

    @Test
    @Order(3)
    void aRecordTheBatchStoreRefusesIsSetAsideWithItsReasonAndTheOthersGoOn() throws Exception {
        // a source id longer than the store's column: the database refuses this one record
        send("x".repeat(150), "poison-1", 3, CanonicalJson.sha256("poison-1"));
        send("poison-test", "good-1", 3, CanonicalJson.sha256("good-1"));
        send("poison-test", "good-2", 3, CanonicalJson.sha256("good-2"));
        await().atMost(Duration.ofSeconds(60)).until(() -> hub.queryForObject(
                "SELECT COUNT(*) FROM batch_record WHERE source_id = 'poison-test'", Integer.class) == 2);
        MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
        ObjectName pattern = new ObjectName("org.apache.activemq.artemis:broker=*,component=addresses,"
                + "address=\"govhub.records.unreadable\",subcomponent=queues,routing-type=\"anycast\",queue=\"govhub.records.unreadable\"");
        // the queue is made when the first message is moved there, at the end of the drain
        await().atMost(Duration.ofSeconds(30)).until(() -> !jmx.queryNames(pattern, null).isEmpty()
                && (Long) jmx.getAttribute(jmx.queryNames(pattern, null).iterator().next(), "MessageCount") == 1L);
        ObjectName unreadable = jmx.queryNames(pattern, null).iterator().next();
        String listed = (String) jmx.invoke(unreadable, "listMessagesAsJSON", new Object[] {""}, new String[] {String.class.getName()});
        assertThat(listed).contains("poison-1", "the batch store refused it");
    }

    @Test
    @Order(4)
    void aRecordADamagedRepeatIndexRefusesIsStoredOnceTheIndexIsRebuiltNotSetAside() throws Exception {
        String damaged;
        try (Connection c = hub.getDataSource().getConnection(); Statement s = c.createStatement()) {
            damaged = DamagedRepeatIndex.repeatIndex(c);
            DamagedRepeatIndex.install(s);
        }
        try {
            send("ghost-test", DamagedRepeatIndex.KEY, 3, CanonicalJson.sha256("ghost"));
            send("ghost-test", "ghost-neighbour", 3, CanonicalJson.sha256("ghost-neighbour"));
            await().atMost(Duration.ofSeconds(60)).until(() -> hub.queryForObject(
                    "SELECT COUNT(*) FROM batch_record WHERE source_id = 'ghost-test'", Integer.class) == 2);
        } finally {
            try (Connection c = hub.getDataSource().getConnection(); Statement s = c.createStatement()) {
                DamagedRepeatIndex.remove(s);
            }
        }
        try (Connection c = hub.getDataSource().getConnection()) {
            assertThat(DamagedRepeatIndex.repeatIndex(c)).as("index behind the repeat constraint")
                    .isNotEqualTo(damaged).contains("rebuilt by GovHub at");
        }
        // the rebuilt index still refuses a true repeat
        assertThatThrownBy(() -> hub.update("INSERT INTO batch_record (batch_id, seq, content_hash, source_id, source_record_key,"
                + " added_at) SELECT batch_id, seq + 100000, content_hash, source_id, source_record_key, added_at"
                + " FROM batch_record WHERE source_record_key = ?", DamagedRepeatIndex.KEY)).isInstanceOf(DuplicateKeyException.class);
        ObjectName pattern = new ObjectName("org.apache.activemq.artemis:broker=*,component=addresses,"
                + "address=\"govhub.records.unreadable\",subcomponent=queues,routing-type=\"anycast\",queue=\"govhub.records.unreadable\"");
        MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
        for (ObjectName unreadable : jmx.queryNames(pattern, null)) {
            String listed = (String) jmx.invoke(unreadable, "listMessagesAsJSON", new Object[] {""}, new String[] {String.class.getName()});
            assertThat(listed).as("messages set aside").doesNotContain("ghost-test");
        }
    }

    @Test
    @Order(5)
    void anUrgentBatchSealedWhileABacklogIsBeingSentGoesNext() {
        // each submission takes half a second: 20 backlog batches keep delivery busy for 10 s
        platform.slowMillis(500);
        platform.fail(NationalPlatformReceiver.Fault.SLOW, -1);
        try {
            for (int i = 0; i < 1000; i++) {
                send("round-test", "round-backlog-" + i, 3, CanonicalJson.sha256("round-backlog-" + i));
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> delivered("round-test").size() >= 2);
            send("round-test", "round-urgent", 1, CanonicalJson.sha256("round-urgent"));
            await().atMost(Duration.ofSeconds(60)).until(() -> platform.receivedCount("round-test") == 1001);
        } finally {
            platform.recover();
        }
        String urgentBatch = hub.queryForObject("SELECT batch_id FROM batch_record WHERE source_record_key = 'round-urgent'", String.class);
        Timestamp urgentSealed = hub.queryForObject("SELECT sealed_at FROM batch WHERE batch_id = ?", Timestamp.class, urgentBatch);
        Timestamp urgentReceived = platform.receivedAt(urgentBatch);
        List<String> order = delivered("round-test");
        List<String> before = order.subList(0, order.indexOf(urgentBatch));
        List<String> after = order.subList(order.indexOf(urgentBatch) + 1, order.size());
        // timed by the hub's own clock, not by how fast this machine seals: once sealed, the urgent batch
        // waits at most for the one send under way, and it overtakes backlog batches sealed before it
        long receivedWhileUrgentWaited = before.stream().filter(b -> platform.receivedAt(b).after(urgentSealed)).count();
        long overtaken = after.stream().filter(b -> hub.queryForObject(
                "SELECT sealed_at FROM batch WHERE batch_id = ?", Timestamp.class, b).before(urgentSealed)).count();
        assertThat(receivedWhileUrgentWaited).as("backlog batches received after the urgent one was sealed, before it").isLessThanOrEqualTo(1);
        assertThat(overtaken).as("backlog batches sealed before the urgent one, delivered after it (urgent received at "
                + urgentReceived + ")").isGreaterThanOrEqualTo(1);
    }

    /** The batches of a source the platform holds, in the order it stored them. */
    private List<String> delivered(String sourceId) {
        return platform.receivedRecords(sourceId).stream().map(r -> (String) r.get("batch_id")).distinct().toList();
    }

    private void send(String key, int priorityClass) {
        send("test", key, priorityClass, CanonicalJson.sha256(key));
    }

    private void send(String sourceId, String key, int priorityClass, String contentHash) {
        TaxRecordMessages.send(producer, sourceId, key, priorityClass, contentHash);
    }
}
