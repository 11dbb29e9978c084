package org.govhub.share;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.govhub.SandboxHubTest;
import org.govhub.normalise.CanonicalJson;
import org.govhub.sandbox.DepartmentWebhookSandbox;
import org.govhub.sandbox.NationalPlatformReceiver;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Departments on the sandbox hub: the catalog, a conditional request approved with narrower terms,
 * a feed and a webhook that deliver exactly the granted fields and rows, masked, each record once;
 * another department's key is refused; a revoked grant stops delivery; a webhook receiver that is
 * down gets everything once when it is back.
 */
class ShareFlowTest extends SandboxHubTest {

    @LocalServerPort
    int port;
    @Autowired
    NationalPlatformReceiver platform;
    @Autowired
    DepartmentWebhookSandbox webhooks;
    @Autowired
    JdbcTemplate hub;
    @Autowired
    SubscriptionBroker queues;
    @Autowired
    org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ artemis;
    @Autowired
    PushDelivery pushes;
    @Autowired
    org.govhub.sandbox.TaxBureauSandbox taxBureau;
    @Autowired
    org.apache.camel.ProducerTemplate producer;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void theCatalogListsEverySchemaWithItsPersonalFieldsForOperatorsAndDepartmentsOnly() throws Exception {
        JsonNode catalog = json(call("GET", "/api/catalog", operator(), null), 200);
        assertThat(catalog.path("resources")).extracting(r -> r.path("schema").asText())
                .containsExactlyInAnyOrder("EnterpriseFiling", "TaxRecord", "SocialInsuranceRecord", "CreditRecord");
        JsonNode credit = json(call("GET", "/api/catalog/GOVHUB-CREDIT", operator(), null), 200);
        assertThat(credit.path("shareType").asText()).isEqualTo("CONDITIONAL");
        JsonNode subjectId = field(credit, "subjectId");
        assertThat(subjectId.path("personal").asText()).isEqualTo("ID_NUMBER");
        assertThat(subjectId.path("type").asText()).isEqualTo("string");
        assertThat(call("GET", "/catalog", operator(), null).body()).contains("有条件共享", "subjectId", "ID_NUMBER");

        String key = department("catalog-reader").key();
        assertThat(call("GET", "/api/catalog", apiKey(key), null).statusCode()).isEqualTo(200);
        assertThat(call("GET", "/api/catalog", null, null).statusCode()).isEqualTo(401);
        assertThat(call("GET", "/api/catalog", apiKey("ghk_AAAAAAAAAAAAAAAA." + "x".repeat(43)), null).statusCode()).isEqualTo(401);
        // a department reaches nothing of the operator's
        for (String path : List.of("/api/admin/batches", "/api/admin/share/requests", "/api/admin/quarantine", "/actuator/hawtio/",
                "/actuator/health", "/sandbox/platform/batches", "/")) {
            assertThat(call("GET", path, apiKey(key), null).statusCode()).as(path).isEqualTo(403);
        }
    }

    @Test
    void aConditionalRequestWaitsForApprovalAndTheFeedDeliversExactlyTheGrantedFieldsAndRowsMaskedOnce() throws Exception {
        Dept reader = department("credit-feed");
        JsonNode request = json(call("POST", "/api/share/requests", apiKey(reader.key()), """
                {"resource":"GOVHUB-CREDIT","purpose":"疫情期间信贷支持政策落实 (credit relief for affected persons)",
                 "fields":["subjectType","subjectId","subjectName","recordType","regionCode","provenance"],
                 "regionPrefixes":["3601","3604"]}"""), 201);
        assertThat(request.path("status").asText()).isEqualTo("PENDING");
        assertThat(request.path("dueOn").asText()).matches("\\d{4}-\\d{2}-\\d{2}");
        assertThat(request.path("overdue").asBoolean()).isFalse();
        long requestId = request.path("request").asLong();
        // nothing to subscribe to before the operator decides
        assertThat(json(call("GET", "/api/share/grants", apiKey(reader.key()), null), 200).path("grants")).isEmpty();
        // the operator narrows it to one county of Nanchang and may not widen it
        awaitCreditReferenceAtThePlatform();
        String county = oneCreditCounty();
        assertThat(call("POST", "/api/admin/share/requests/" + requestId + "/approve", operator(),
                "{\"regionPrefixes\":[\"36\"]}").statusCode()).isEqualTo(400);
        // a list left out of the approval stays as asked (here the fields)
        JsonNode approved = json(call("POST", "/api/admin/share/requests/" + requestId + "/approve", operator(),
                "{\"regionPrefixes\":[\"" + county + "\"]}"), 200);
        assertThat(approved.path("status").asText()).isEqualTo("GRANTED");
        long grant = approved.path("grant").asLong();

        JsonNode subscription = json(call("POST", "/api/share/subscriptions", apiKey(reader.key()),
                "{\"grant\":" + grant + ",\"channel\":\"FEED\",\"from\":\"beginning\"}"), 201);
        String id = subscription.path("subscription").asText();
        String start = subscription.path("position").asText();

        List<JsonNode> got = new ArrayList<>();
        String end = readAll(reader.key(), id, null, 7, got);
        // what the grant should give: every credit record of that county in the batches the feed has passed, once
        List<JsonNode> passed = creditRecordsUpTo(end);
        assertThat(passed.stream().filter(r -> !r.path("regionCode").asText().startsWith(county)))
                .as("records of other counties, which the grant leaves out").isNotEmpty();
        Set<String> expected = passed.stream()
                .filter(r -> r.path("regionCode").asText().startsWith(county))
                .map(r -> r.path("provenance").path("sourceId").asText() + "/" + r.path("provenance").path("sourceRecordKey").asText())
                .collect(Collectors.toSet());
        assertThat(expected).isNotEmpty();
        assertThat(got).extracting(r -> r.path("recordId").asText()).doesNotHaveDuplicates();
        assertThat(got.stream().map(r -> r.path("record").path("provenance"))
                .map(p -> p.path("sourceId").asText() + "/" + p.path("sourceRecordKey").asText()).toList())
                .doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(expected);
        boolean sawPerson = false;
        for (JsonNode item : got) {
            JsonNode record = item.path("record");
            Set<String> fields = new HashSet<>();
            record.fieldNames().forEachRemaining(fields::add);
            assertThat(fields).isSubsetOf("subjectType", "subjectId", "subjectName", "recordType", "regionCode", "provenance");
            assertThat(record.path("regionCode").asText()).startsWith(county);
            if (record.path("subjectType").asText().equals("PERSON")) {
                sawPerson = true;
                assertThat(record.path("subjectId").asText()).as("a person's identity number").matches("\\d{6}\\*{10}[0-9X]{2}");
                if (record.hasNonNull("subjectName")) {
                    assertThat(record.path("subjectName").asText()).as("a person's name").matches(".\\*+");
                }
            } else {
                assertThat(record.path("subjectId").asText()).as("an enterprise's credit code is not personal").doesNotContain("*");
            }
        }
        assertThat(sawPerson).as("the county's records include persons").isTrue();

        // the committed cursor is kept: reading on without one continues at the end; replaying from the start gives the same again
        JsonNode onward = json(call("GET", "/api/share/subscriptions/" + id + "/records?limit=50", apiKey(reader.key()), null), 200);
        assertThat(onward.path("after").asText()).isEqualTo(end);
        List<JsonNode> replay = new ArrayList<>();
        readAll(reader.key(), id, start, 50, replay);
        assertThat(replay.subList(0, got.size())).extracting(r -> r.path("recordId").asText())
                .containsExactlyElementsOf(got.stream().map(r -> r.path("recordId").asText()).toList());
        assertThat(call("GET", "/api/share/subscriptions/" + id + "/records?after=1.-1.0", apiKey(reader.key()), null).statusCode())
                .as("a cursor before the subscription's start").isEqualTo(400);
        assertThat(call("GET", "/api/share/subscriptions/" + id + "/records?after=1.999999999.0", apiKey(reader.key()), null).statusCode())
                .as("a cursor past what has been shared").isEqualTo(400);

        // another department is refused this subscription; the operator revokes the grant and the feed stops
        Dept other = department("other-dept");
        assertThat(call("GET", "/api/share/subscriptions/" + id + "/records", apiKey(other.key()), null).statusCode()).isEqualTo(403);
        assertThat(call("POST", "/api/admin/share/grants/" + grant + "/revoke", operator(), "{\"reason\":\"duty ended\"}").statusCode())
                .isEqualTo(200);
        assertThat(call("GET", "/api/share/subscriptions/" + id + "/records?after=" + start, apiKey(reader.key()), null).statusCode())
                .isEqualTo(403);
        // exchange log (issue 15): every read of the feed, and the revocation, with who did it
        assertThat(hub.queryForList("SELECT outcome FROM exchange_log WHERE action = 'subscription pull' AND resource = ?",
                String.class, "subscription/" + id)).isNotEmpty().allMatch(o -> o.matches("read \\d+ records"));
        assertThat(hub.queryForList("SELECT outcome FROM exchange_log WHERE action = 'api POST' AND resource = ? AND actor = 'admin'",
                String.class, "/api/admin/share/grants/" + grant + "/revoke")).containsExactly("attempt", "answered 200");
    }

    @Test
    void anUnconditionalResourceIsGrantedAtOnceAndItsWebhookGetsEveryGrantedRecordOnceThroughAnOutage() throws Exception {
        Dept market = department("market-reg");
        JsonNode request = json(call("POST", "/api/share/requests", apiKey(market.key()), """
                {"resource":"GOVHUB-TAX-DECL","purpose":"tax relief follow-up","inClear":["PHONE"]}"""), 400);
        assertThat(request.path("error").asText()).contains("inClear", "no PHONE field");
        JsonNode unconditional = json(call("POST", "/api/share/requests", apiKey(market.key()), """
                {"resource":"GOVHUB-ENT-FILING","purpose":"市场主体复工监测 (market supervision of resumption)"}"""), 201);
        assertThat(unconditional.path("status").asText()).isEqualTo("GRANTED");
        assertThat(unconditional.path("decidedBy").asText()).isEqualTo("catalog");
        JsonNode asked = json(call("POST", "/api/share/requests", apiKey(market.key()), """
                {"resource":"GOVHUB-TAX-DECL","purpose":"市场主体复工监测 (market supervision of resumption)",
                 "fields":["creditCode","enterpriseName","regionCode","period","provenance"],"regionPrefixes":["3601"]}"""), 201);
        JsonNode granted = json(call("POST", "/api/admin/share/requests/" + asked.path("request").asLong() + "/approve", operator(), null), 200);
        long grant = granted.path("grant").asLong();

        webhooks.down("market-reg-" + market.suffix(), true);
        JsonNode subscription = json(call("POST", "/api/share/subscriptions", apiKey(market.key()),
                "{\"grant\":" + grant + ",\"channel\":\"WEBHOOK\",\"from\":\"beginning\",\"endpoint\":\"http://localhost:" + port
                        + "/sandbox/departments/market-reg-" + market.suffix() + "/webhook\"}"), 201);
        String id = subscription.path("subscription").asText();
        webhooks.trust(id, subscription.path("signingSecret").asText());
        assertThat(call("GET", "/api/share/subscriptions/" + id, apiKey(market.key()), null).body()).doesNotContain("whs_");

        // declarations reach the platform while the department's receiver is down: the subscription retries and backs off
        Set<String> declarations = awaitDeclarationsAtThePlatform();
        await().atMost(Duration.ofSeconds(30)).until(() -> hub.queryForObject(
                "SELECT attempts FROM subscription WHERE subscription_id = ?", Integer.class, id) >= 2);
        assertThat(webhooks.received("market-reg-" + market.suffix())).isEmpty();
        webhooks.down("market-reg-" + market.suffix(), false);

        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).until(() -> json(call("GET",
                "/api/share/subscriptions/" + id, apiKey(market.key()), null), 200).path("backlog").path("batches").asInt() == 0
                && hub.queryForObject("SELECT COUNT(*) FROM batch WHERE schema_name = 'TaxRecord' AND share_seq IS NOT NULL"
                        + " AND status <> 'OPEN'", Integer.class) > 0);
        String end = json(call("GET", "/api/share/subscriptions/" + id, apiKey(market.key()), null), 200).path("position").asText();
        List<JsonNode> passed = recordsUpTo("TaxRecord", end);
        assertThat(passed.stream().map(r -> r.path("provenance").path("sourceRecordKey").asText()).toList()).containsAll(declarations);
        Set<String> expected = passed.stream().filter(r -> r.path("regionCode").asText().startsWith("3601"))
                .map(r -> r.path("provenance").path("sourceRecordKey").asText()).collect(Collectors.toSet());
        assertThat(expected).hasSizeLessThan(passed.size());
        var received = webhooks.received("market-reg-" + market.suffix());
        assertThat(received).extracting(DepartmentWebhookSandbox.Received::recordId).doesNotHaveDuplicates();
        assertThat(received).extracting(r -> r.record().path("provenance").path("sourceRecordKey").asText())
                .doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(expected);
        assertThat(received).allSatisfy(r -> {
            Set<String> fields = new HashSet<>();
            r.record().fieldNames().forEachRemaining(fields::add);
            assertThat(fields).isSubsetOf("creditCode", "enterpriseName", "regionCode", "period", "provenance");
        });
        JsonNode shown = json(call("GET", "/api/admin/share/subscriptions", operator(), null), 200);
        assertThat(shown.path("subscriptions")).anySatisfy(s -> {
            assertThat(s.path("subscription").asText()).isEqualTo(id);
            assertThat(s.path("deadLetters").asInt()).isZero();
        });
        // revoked: the subscription is no longer pushed
        assertThat(pushes.candidates("WEBHOOK")).contains(id);
        assertThat(call("POST", "/api/admin/share/grants/" + grant + "/revoke", operator(), "{\"reason\":\"done\"}").statusCode()).isEqualTo(200);
        assertThat(pushes.candidates("WEBHOOK")).doesNotContain(id);
        // exchange log (issue 15): each POST to the department logged before it went, the outage's failures, the deliveries
        List<String> pushed = hub.queryForList("SELECT outcome FROM exchange_log WHERE action = 'subscription push' AND resource = ?"
                + " AND payload_sha256 IS NOT NULL AND department IS NOT NULL", String.class, "subscription/" + id);
        assertThat(pushed).anyMatch(o -> o.startsWith("attempt (WEBHOOK")).anyMatch(o -> o.startsWith("failed: "))
                .anyMatch(o -> o.equals("delivered"));
    }

    @Test
    void aBatchTheDepartmentRefusesIsDeadLetteredAndTheOperatorSendsItAgainOnceFixed() throws Exception {
        Dept dept = department("refusing");
        String name = "refusing-" + dept.suffix();
        JsonNode asked = json(call("POST", "/api/share/requests", apiKey(dept.key()), """
                {"resource":"GOVHUB-TAX-DECL","purpose":"content check","fields":["creditCode","period","provenance"]}"""), 201);
        long grant = json(call("POST", "/api/admin/share/requests/" + asked.path("request").asLong() + "/approve", operator(), null), 200)
                .path("grant").asLong();
        awaitDeclarationsAtThePlatform();
        webhooks.refuse(name, true);
        String id = json(call("POST", "/api/share/subscriptions", apiKey(dept.key()), "{\"grant\":" + grant
                + ",\"channel\":\"WEBHOOK\",\"from\":\"beginning\",\"endpoint\":\"http://localhost:" + port
                + "/sandbox/departments/" + name + "/webhook\"}"), 201).path("subscription").asText();
        // every batch is refused (422): each goes to the dead letters at once and the subscription moves on
        await().atMost(Duration.ofSeconds(60)).until(() -> json(call("GET", "/api/share/subscriptions/" + id, apiKey(dept.key()), null), 200)
                .path("backlog").path("batches").asInt() == 0);
        JsonNode dead = json(call("GET", "/api/admin/share/subscriptions/" + id + "/dead-letters", operator(), null), 200).path("deadLetters");
        assertThat(dead).isNotEmpty();
        assertThat(dead.get(0).path("reason").asText()).contains("refused", "422");
        assertThat(webhooks.received(name)).isEmpty();
        // health does not say UP while that department's delivery waits for an operator
        JsonNode health = CanonicalJson.read(call("GET", "/actuator/health/subscriptions", operator(), null).body());
        assertThat(health.path("status").asText()).isEqualTo("DOWN");
        assertThat(health.path("details").path(id).path("state").asText()).isEqualTo("DEAD_LETTERS");
        // fixed on the department's side: the operator re-sends one dead letter, and only its records arrive, once
        webhooks.refuse(name, false);
        String batch = dead.get(0).path("batchId").asText();
        assertThat(call("POST", "/api/admin/share/subscriptions/" + id + "/dead-letters/" + dead.get(0).path("id").asLong() + "/resend",
                operator(), null).statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(30)).until(() -> !webhooks.received(name).isEmpty());
        Thread.sleep(1500);
        assertThat(webhooks.received(name)).extracting(r -> r.recordId().split("/")[0]).containsOnly(batch);
        assertThat(webhooks.received(name)).extracting(DepartmentWebhookSandbox.Received::recordId).doesNotHaveDuplicates()
                .hasSize(org.govhub.batch.RecordChunks.inOrder(hub, batch).size());
        assertThat(json(call("GET", "/api/admin/share/subscriptions/" + id + "/dead-letters", operator(), null), 200).path("deadLetters"))
                .anySatisfy(d -> assertThat(d.path("status").asText()).isEqualTo("RESENT"));
        assertThat(call("POST", "/api/admin/share/subscriptions/" + id + "/dead-letters/" + dead.get(0).path("id").asLong() + "/resend",
                operator(), null).statusCode()).as("a dead letter already re-sent").isEqualTo(404);
        // the grant ends: the subscription no longer counts in health
        assertThat(call("POST", "/api/admin/share/grants/" + grant + "/revoke", operator(), "{\"reason\":\"test over\"}").statusCode())
                .isEqualTo(200);
        assertThat(CanonicalJson.read(call("GET", "/actuator/health/subscriptions", operator(), null).body()).path("details").has(id))
                .isFalse();
    }

    @Test
    void aPythonAmqpClientConsumesExactlyItsGrantedRecordsFromItsOwnQueueAndNothingAfterRevocation() throws Exception {
        PythonAmqpClient python = PythonAmqpClient.require();
        Dept stats = department("stats");
        awaitCreditReferenceAtThePlatform();
        String county = oneCreditCounty();
        JsonNode asked = json(call("POST", "/api/share/requests", apiKey(stats.key()), """
                {"resource":"GOVHUB-CREDIT","purpose":"统计监测 (statistics of epidemic-related credit events)",
                 "fields":["subjectType","subjectId","recordType","regionCode","provenance"],"regionPrefixes":["%s"]}""".formatted(county)), 201);
        long grant = json(call("POST", "/api/admin/share/requests/" + asked.path("request").asLong() + "/approve", operator(), null), 200)
                .path("grant").asLong();
        // a subscription refused for bad input leaves no queue behind on the broker
        assertThat(call("POST", "/api/share/subscriptions", apiKey(stats.key()),
                "{\"grant\":" + grant + ",\"channel\":\"AMQP\",\"from\":\"yesterday\"}").statusCode()).isEqualTo(400);
        assertThat(java.util.Arrays.stream(artemis.getActiveMQServer().getActiveMQServerControl().getQueueNames())
                .filter(q -> q.startsWith("govhub.subscription.stats-" + stats.suffix() + "."))).as("queues of a refused subscription").isEmpty();
        JsonNode subscription = json(call("POST", "/api/share/subscriptions", apiKey(stats.key()),
                "{\"grant\":" + grant + ",\"channel\":\"AMQP\",\"from\":\"beginning\"}"), 201);
        JsonNode broker = subscription.path("broker");
        String login = PythonAmqpClient.loginOf(stats.key());
        assertThat(broker.path("user").asText()).startsWith("ghk_<keyId>");
        String queue = broker.path("queue").asText();
        awaitCreditReferenceAtThePlatform();
        await().atMost(Duration.ofSeconds(60)).until(() -> json(call("GET", "/api/share/subscriptions/"
                + subscription.path("subscription").asText(), apiKey(stats.key()), null), 200).path("backlog").path("batches").asInt() == 0);
        String end = json(call("GET", "/api/share/subscriptions/" + subscription.path("subscription").asText(), apiKey(stats.key()), null), 200)
                .path("position").asText();

        // another department's key (even a valid one) cannot read this queue
        Dept other = department("snoop");
        PythonAmqpClient.Consumed refused = python.consume(broker.path("url").asText(), PythonAmqpClient.loginOf(other.key()), other.key(), queue, 3);
        assertThat(refused.exit()).as(refused.err()).isEqualTo(2);
        assertThat(refused.out()).isEmpty();
        PythonAmqpClient.Consumed wrongUser = python.consume(broker.path("url").asText(), login, other.key(), queue, 3);
        assertThat(wrongUser.exit()).as(wrongUser.err()).isEqualTo(2);

        PythonAmqpClient.Consumed consumer = python.consume(broker.path("url").asText(), login, stats.key(), queue, 4);
        assertThat(consumer.exit()).as(consumer.err()).isZero();
        List<JsonNode> messages = consumer.out().lines().map(CanonicalJson::read).toList();
        List<JsonNode> records = new ArrayList<>();
        messages.forEach(m -> m.path("body").path("records").forEach(records::add));
        assertThat(messages).extracting(m -> m.path("deliveryId").asText()).doesNotHaveDuplicates();
        Set<String> expected = creditRecordsUpTo(end).stream().filter(r -> r.path("regionCode").asText().startsWith(county))
                .map(r -> r.path("provenance").path("sourceId").asText() + "/" + r.path("provenance").path("sourceRecordKey").asText())
                .collect(Collectors.toSet());
        assertThat(records.stream().map(r -> r.path("record").path("provenance"))
                .map(p -> p.path("sourceId").asText() + "/" + p.path("sourceRecordKey").asText()).toList())
                .doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(expected);
        for (JsonNode item : records) {
            JsonNode record = item.path("record");
            Set<String> fields = new HashSet<>();
            record.fieldNames().forEachRemaining(fields::add);
            assertThat(fields).isSubsetOf("subjectType", "subjectId", "recordType", "regionCode", "provenance");
            assertThat(record.path("regionCode").asText()).startsWith(county);
            if (record.path("subjectType").asText().equals("PERSON")) {
                assertThat(record.path("subjectId").asText()).matches("\\d{6}\\*{10}[0-9X]{2}");
            }
        }
        // a rotated key: the broker refuses the old login at once and takes the new one
        JsonNode rotated = json(call("POST", "/api/share/keys/rotate", apiKey(stats.key()), null), 200);
        String newKey = rotated.path("key").asText();
        String newLogin = PythonAmqpClient.loginOf(newKey);
        PythonAmqpClient.Consumed oldKey = python.consume(broker.path("url").asText(), login, stats.key(), queue, 3);
        assertThat(oldKey.exit()).as(oldKey.err()).isEqualTo(2);
        PythonAmqpClient.Consumed withNewKey = python.consume(broker.path("url").asText(), newLogin, newKey, queue, 3);
        assertThat(withNewKey.exit()).as(withNewKey.err()).isZero();
        assertThat(withNewKey.out()).as("everything was read already").isEmpty();

        // revoked: the queue goes with what it holds and the department can no longer attach to it
        assertThat(call("POST", "/api/admin/share/grants/" + grant + "/revoke", operator(), "{\"reason\":\"survey finished\"}")
                .statusCode()).isEqualTo(200);
        PythonAmqpClient.Consumed afterRevoke = python.consume(broker.path("url").asText(), newLogin, newKey, queue, 3);
        assertThat(afterRevoke.exit()).as(afterRevoke.err()).isEqualTo(2);
        assertThat(afterRevoke.out()).isEmpty();
    }

    @Test
    void theBrokerKeepsABatchSentTwiceWithTheSameDeliveryIdOnce() {
        // what happens when the hub dies after the broker took a batch and before the position moved:
        // the batch goes again with the same delivery id, through the same route step
        String queue = "govhub.subscription.dup-check." + UUID.randomUUID();
        queues.open("dup-check", queue);
        for (int i = 0; i < 2; i++) {
            producer.send("jms:queue:" + queue + "?preserveMessageQos=true&deliveryPersistent=true", exchange -> {
                exchange.getMessage().setHeader(PushDelivery.DUPLICATE_ID, "subscription-x:batch-y");
                exchange.getMessage().setBody("{\"deliveryId\":\"subscription-x:batch-y\"}");
            });
        }
        producer.send("jms:queue:" + queue, exchange -> {
            exchange.getMessage().setHeader(PushDelivery.DUPLICATE_ID, "subscription-x:batch-z");
            exchange.getMessage().setBody("{}");
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> queues.depth(queue) >= 2);
        assertThat(queues.depth(queue)).as("messages queued: the repeat dropped").isEqualTo(2);
    }

    // ---- helpers

    /** Reads the feed to its current end into {@code all}; returns the cursor at the end. */
    private String readAll(String key, String subscription, String after, int limit, List<JsonNode> all) throws Exception {
        String cursor = after;
        for (int page = 0; page < 1000; page++) {
            JsonNode body = json(call("GET", "/api/share/subscriptions/" + subscription + "/records?limit=" + limit
                    + (cursor == null ? "" : "&after=" + cursor), apiKey(key), null), 200);
            body.path("records").forEach(all::add);
            if (body.path("records").isEmpty()) {
                return body.path("next").asText();
            }
            cursor = body.path("next").asText();
        }
        throw new AssertionError("the feed did not end");
    }

    private void awaitCreditReferenceAtThePlatform() {
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                .until(() -> platform.receivedRecords("credit-reference").size() >= 285);
    }

    /** The county of a credit record the hub has shared: a row filter that leaves others out. */
    private String oneCreditCounty() {
        String batch = hub.queryForList("SELECT batch_id FROM batch WHERE schema_name = 'CreditRecord' AND share_seq IS NOT NULL"
                + " ORDER BY share_seq", String.class).get(0);
        return CanonicalJson.read(org.govhub.batch.RecordChunks.inOrder(hub, batch).get(0)).path("regionCode").asText();
    }

    private List<JsonNode> creditRecordsUpTo(String cursor) {
        return recordsUpTo("CreditRecord", cursor);
    }

    /** The records of a schema in every batch at or before a cursor's position in its class. */
    private List<JsonNode> recordsUpTo(String schema, String cursor) {
        List<JsonNode> records = new ArrayList<>();
        for (String part : cursor.split("-")) {
            String[] f = part.split("\\.");
            assertThat(f[2]).as("the feed's end is at a batch boundary").isEqualTo("0");
            for (String batch : hub.queryForList("SELECT batch_id FROM batch WHERE schema_name = ? AND priority_class = ?"
                    + " AND share_seq <= ?", String.class, schema, Integer.parseInt(f[0]), Long.parseLong(f[1]))) {
                org.govhub.batch.RecordChunks.inOrder(hub, batch).forEach(r -> records.add(CanonicalJson.read(r)));
            }
        }
        return records;
    }

    /** Every valid declaration of the sandbox tax bureau at the platform (so no more tax batches come). */
    private Set<String> awaitDeclarationsAtThePlatform() {
        long valid = taxBureau.rows().stream().filter(org.govhub.sandbox.GeneratedRow::valid).count();
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                .until(() -> platform.receivedRecords("tax-bureau").size() >= valid);
        return platform.receivedRecords("tax-bureau").stream().map(r -> (String) r.get("source_record_key"))
                .collect(Collectors.toSet());
    }

    private record Dept(String key, String suffix) {
    }

    private Dept department(String prefix) throws Exception {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        JsonNode created = json(call("POST", "/api/admin/departments", operator(),
                "{\"id\":\"" + prefix + "-" + suffix + "\",\"name\":\"test department " + prefix + "\"}"), 201);
        assertThat(created.path("key").asText()).startsWith("ghk_");
        return new Dept(created.path("key").asText(), suffix);
    }

    private static JsonNode field(JsonNode resource, String name) {
        for (JsonNode f : resource.path("fields")) {
            if (f.path("name").asText().equals(name)) {
                return f;
            }
        }
        throw new AssertionError("no field " + name);
    }

    private static String[] operator() {
        return new String[] {"Authorization", "Basic " + Base64.getEncoder().encodeToString(
                ("admin:" + OPERATOR_PASSWORD).getBytes(StandardCharsets.UTF_8))};
    }

    private static String[] apiKey(String key) {
        return new String[] {"X-Api-Key", key};
    }

    private HttpResponse<String> call(String method, String path, String[] header, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        if (header != null) {
            request.header(header[0], header[1]);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response, int status) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        return CanonicalJson.read(response.body());
    }

}
