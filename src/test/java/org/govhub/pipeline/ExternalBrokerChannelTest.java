package org.govhub.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.activemq.artemis.spi.core.security.ActiveMQBasicSecurityManager;
import org.govhub.SandboxHubTest;
import org.govhub.normalise.CanonicalJson;
import org.govhub.share.PythonAmqpClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The broker channel on an external Artemis, as in production: the broker has its own user store
 * (Artemis's basic security manager) and the hub only a login whose role may manage it. The hub
 * gives each department key a broker login and each subscription a queue only its department may
 * read, through Artemis's management API; a Python AMQP client reads every granted declaration
 * exactly once through a SIGKILL of the hub during fan-out; a rotated key, another department and a
 * revoked grant are refused by the broker itself.
 */
class ExternalBrokerChannelTest {

    private static final String HUB_USER = "govhub";
    private static final String HUB_PASSWORD = "hub-broker-secret";
    private static final String HUB_ROLE = "amq";
    private static final Set<String> GRANTED = Set.of("creditCode", "period", "taxType", "regionCode", "provenance");

    @Test
    @Timeout(600)
    void departmentsReadTheirQueuesOnAnExternalBrokerExactlyOnceAndOnlyWhileGranted() throws Exception {
        PythonAmqpClient python = PythonAmqpClient.require();
        Path dir = SandboxHubTest.newDataDir("govhub-external-amqp");
        int brokerPort = HubJvm.freePort();
        ExactlyOnce expected = new ExactlyOnce(1500, 0);
        Set<String> declarations = expected.valid.stream().filter(k -> k.startsWith("tax-bureau|")).collect(Collectors.toSet());
        EmbeddedActiveMQ broker = StandaloneArtemis.secured(dir.resolve("external-artemis"), brokerPort, HUB_USER, HUB_PASSWORD, HUB_ROLE);
        String url = "amqp://127.0.0.1:" + brokerPort;
        List<String> args = new ArrayList<>(List.of(ExactlyOnce.sandbox(1500, 0)));
        args.addAll(List.of("--spring.artemis.mode=native", "--spring.artemis.broker-url=tcp://127.0.0.1:" + brokerPort,
                "--spring.artemis.embedded.enabled=false", "--spring.artemis.user=" + HUB_USER, "--spring.artemis.password=" + HUB_PASSWORD,
                "--govhub.share.amqp.url=" + url, "--govhub.share.amqp.hub-role=" + HUB_ROLE,
                "--govhub.share.amqp.reconcile-interval=2000"));
        String key;
        String otherKey;
        String queue;
        long grant;
        try {
            try (HubJvm hub = HubJvm.start(dir, "external-amqp", args.toArray(String[]::new))) {
                key = hub.post("/api/admin/departments", "{\"id\":\"tax-watch\",\"name\":\"external broker test\"}").path("key").asText();
                otherKey = hub.post("/api/admin/departments", "{\"id\":\"snoop\",\"name\":\"another department\"}").path("key").asText();
                assertThat(logins(broker)).as("broker logins made by the hub").contains(PythonAmqpClient.loginOf(key),
                        PythonAmqpClient.loginOf(otherKey));
                JsonNode request = hub.asDepartment(key, "POST", "/api/share/requests", "{\"resource\":\"GOVHUB-TAX-DECL\","
                        + "\"purpose\":\"relief follow-up\",\"fields\":" + CanonicalJson.MAPPER.writeValueAsString(new TreeSet<>(GRANTED)) + "}");
                grant = hub.post("/api/admin/share/requests/" + request.path("request").asLong() + "/approve", "{}").path("grant").asLong();
                JsonNode subscription = hub.asDepartment(key, "POST", "/api/share/subscriptions",
                        "{\"grant\":" + grant + ",\"channel\":\"AMQP\",\"from\":\"beginning\"}");
                queue = subscription.path("broker").path("queue").asText();
                assertThat(subscription.path("broker").path("url").asText()).isEqualTo(url);
                // killed while batches go to the department's queue
                await().atMost(Duration.ofSeconds(120)).until(() -> depth(broker, queue) > 0);
                hub.kill();
            }
            try (HubJvm hub = HubJvm.start(dir, "external-amqp", args.toArray(String[]::new))) {
                expected.awaitDelivered(hub, Duration.ofSeconds(150));
                await().atMost(Duration.ofSeconds(90)).until(() -> hub.asDepartment(key, "GET", "/api/share/subscriptions", null)
                        .path("subscriptions").get(0).path("backlog").path("batches").asInt() == 0);

                PythonAmqpClient.Consumed snoop = python.consume(url, PythonAmqpClient.loginOf(otherKey), otherKey, queue, 3);
                assertThat(snoop.exit()).as("another department: " + snoop.err()).isEqualTo(2);
                PythonAmqpClient.Consumed wrong = python.consume(url, PythonAmqpClient.loginOf(key), otherKey, queue, 3);
                assertThat(wrong.exit()).as("a wrong password: " + wrong.err()).isEqualTo(2);

                PythonAmqpClient.Consumed read = python.consume(url, PythonAmqpClient.loginOf(key), key, queue, 5);
                assertThat(read.exit()).as(read.err()).isZero();
                List<String> keys = new ArrayList<>();
                Set<String> fields = new HashSet<>();
                List<String> deliveries = new ArrayList<>();
                for (JsonNode message : read.out().lines().map(CanonicalJson::read).toList()) {
                    deliveries.add(message.path("deliveryId").asText());
                    for (JsonNode item : message.path("body").path("records")) {
                        JsonNode record = item.path("record");
                        record.fieldNames().forEachRemaining(fields::add);
                        keys.add(record.path("provenance").path("sourceId").asText() + "|"
                                + record.path("provenance").path("sourceRecordKey").asText());
                    }
                }
                assertThat(deliveries).as("batches by delivery id").doesNotHaveDuplicates();
                assertThat(keys).as("every valid declaration once, through a kill of the hub").doesNotHaveDuplicates()
                        .containsExactlyInAnyOrderElementsOf(declarations);
                assertThat(fields).isSubsetOf(GRANTED);

                // rotation: the old key's broker login goes with it, the new one reads
                String newKey = hub.asDepartment(key, "POST", "/api/share/keys/rotate", null).path("key").asText();
                assertThat(python.consume(url, PythonAmqpClient.loginOf(key), key, queue, 3).exit()).as("rotated-out key").isEqualTo(2);
                PythonAmqpClient.Consumed again = python.consume(url, PythonAmqpClient.loginOf(newKey), newKey, queue, 3);
                assertThat(again.exit()).as(again.err()).isZero();
                assertThat(again.out()).as("nothing twice").isEmpty();

                // a revoked grant's queue goes, consumers and all
                hub.post("/api/admin/share/grants/" + grant + "/revoke", "{\"reason\":\"follow-up finished\"}");
                assertThat(broker.getActiveMQServer().locateQueue(SimpleString.of(queue))).as("queue of the revoked grant").isNull();
                assertThat(python.consume(url, PythonAmqpClient.loginOf(newKey), newKey, queue, 3).exit()).isEqualTo(2);

                hub.post("/api/admin/departments/snoop/keys/" + PythonAmqpClient.loginOf(otherKey).substring(4) + "/revoke", "{}");
                assertThat(logins(broker)).doesNotContain(PythonAmqpClient.loginOf(otherKey), PythonAmqpClient.loginOf(key));

                // what the broker holds against the hub's database (a login the hub never issued or revoked while the
                // broker was away) is put right at the hub's next reconciliation
                ((ActiveMQBasicSecurityManager) broker.getActiveMQServer().getSecurityManager())
                        .addNewUser("ghk_stale0000000000", "anything", "govhub-department-tax-watch");
                await().atMost(Duration.ofSeconds(30)).until(() -> !logins(broker).contains("ghk_stale0000000000"));
                // every management request cleans up after itself: its temporary answer queue does not stay on the
                // broker (a request of a reconciliation may be under way at any moment, so at some moment none is there)
                await().atMost(Duration.ofSeconds(10)).until(() -> temporaryQueues(broker) == 0);
                hub.stop();
            }
            System.out.printf("[external broker] %d declarations read once over AMQP through a hub SIGKILL%n", declarations.size());
        } finally {
            broker.stop();
        }
    }

    private static long depth(EmbeddedActiveMQ broker, String queue) {
        var q = broker.getActiveMQServer().locateQueue(SimpleString.of(queue));
        return q == null ? 0 : q.getMessageCount();
    }

    private static long temporaryQueues(EmbeddedActiveMQ broker) {
        return java.util.Arrays.stream(broker.getActiveMQServer().getActiveMQServerControl().getQueueNames())
                .map(q -> broker.getActiveMQServer().locateQueue(SimpleString.of(q)))
                .filter(q -> q != null && q.isTemporary()).count();
    }

    private static Set<String> logins(EmbeddedActiveMQ broker) throws Exception {
        Map<String, Set<String>> users = ((ActiveMQBasicSecurityManager) broker.getActiveMQServer().getSecurityManager()).listUser(null);
        return users.keySet();
    }

}
