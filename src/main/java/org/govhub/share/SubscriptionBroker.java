package org.govhub.share;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TemporaryQueue;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.activemq.artemis.api.core.management.ResourceNames;
import org.apache.activemq.artemis.api.jms.management.JMSManagementHelper;
import org.govhub.normalise.CanonicalJson;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The broker side of AMQP subscriptions, the same on the embedded Artemis and on an external one:
 * the hub administers the broker's own user store and security settings through Artemis's
 * management API (management messages on {@code activemq.management}), so a department's login is
 * checked by the broker itself and keeps working while the hub is down.
 * <ul>
 * <li>each API key is a broker user {@code ghk_<keyId>} (the key up to its dot) whose password is the
 * whole key, stored hashed by the broker, with the role {@code govhub-department-<department>};</li>
 * <li>that role may only consume and browse {@code govhub.subscription.<department>.#}; everything
 * else there, and everywhere, belongs to the hub's role;</li>
 * <li>a revoked key's user is removed, the broker's cached logins cleared and the key's
 * connections closed; a revoked grant's queues are destroyed with their consumers, so nothing
 * more of it can be read.</li>
 * </ul>
 * {@link #reconcile()} brings the broker back to what the hub's database says after an outage (a
 * key revoked or a grant revoked while the broker was unreachable, a queue lost with a new broker).
 * A key's secret is known only when it is issued, so a key the broker lost must be issued anew.
 */
public class SubscriptionBroker {

    private static final Logger log = LoggerFactory.getLogger(SubscriptionBroker.class);
    static final String QUEUE_PREFIX = "govhub.subscription.";
    private static final long ANSWER_MILLIS = 10_000;

    private final ConnectionFactory factory;
    private final JdbcTemplate jdbc;
    private final String hubRole;
    private final int maxQueued;
    private final Supplier<String> url;
    private Connection connection;

    SubscriptionBroker(ConnectionFactory factory, JdbcTemplate jdbc, String hubRole, int maxQueued, Supplier<String> url) {
        this.factory = factory;
        this.jdbc = jdbc;
        this.hubRole = hubRole;
        this.maxQueued = maxQueued;
        this.url = url;
    }

    /** The queues of a department's subscriptions are named {@code govhub.subscription.<department>.<subscription id>}. */
    static String queuePrefix(String departmentId) {
        return QUEUE_PREFIX + departmentId + ".";
    }

    public static String queueOf(Subscriptions.Subscription s) {
        return queuePrefix(s.departmentId()) + s.id();
    }

    /** The broker user of an API key: the key up to its dot. */
    public static String loginOf(String keyId) {
        return "ghk_" + keyId;
    }

    static String roleOf(String departmentId) {
        return "govhub-department-" + departmentId;
    }

    public int maxQueued() {
        return maxQueued;
    }

    /** Where departments connect. */
    public String url() {
        return url.get();
    }

    /** The department may read its subscriptions' queues, and this subscription's durable queue exists. */
    public void open(String departmentId, String queue) {
        String department = roleOf(departmentId);
        // the most specific match wins in Artemis, so the hub's role is named here again for what it does on these queues
        invoke(ResourceNames.BROKER, "addSecuritySettings", queuePrefix(departmentId) + "#", hubRole,
                department + "," + hubRole, hubRole, hubRole, hubRole, hubRole, hubRole, department + "," + hubRole, hubRole, hubRole);
        invoke(ResourceNames.BROKER, "createQueue", CanonicalJson.write(CanonicalJson.MAPPER.createObjectNode()
                .put("name", queue).put("address", queue).put("routing-type", "ANYCAST").put("durable", true)
                .put("auto-create-address", true)), true);
    }

    /** Messages waiting in a subscription's queue. */
    public long depth(String queue) {
        return ((Number) attribute(ResourceNames.QUEUE + queue, "messageCount")).longValue();
    }

    /** A revoked grant's queue goes, with what it holds and its consumers; returns the messages it held. */
    public long close(String queue) {
        if (!queues().contains(queue)) {
            return 0;
        }
        long held = depth(queue);
        invoke(ResourceNames.BROKER, "destroyQueue", queue, true, true);
        invoke(ResourceNames.BROKER, "clearAuthorizationCache");
        return held;
    }

    /** The broker learns a new key (before the hub stores it, so a key is never issued that the broker does not know). */
    public void addLogin(String departmentId, DepartmentAccounts.IssuedKey key) {
        invoke(ResourceNames.BROKER, "addUser", loginOf(key.keyId()), key.key(), roleOf(departmentId), false);
    }

    /** A revoked key logs in no more, and its open connections are closed. */
    public void removeLogin(String keyId) {
        String login = loginOf(keyId);
        if (logins().contains(login)) {
            invoke(ResourceNames.BROKER, "removeUser", login);
        }
        forget(login);
    }

    /** Drops the broker's cached logins and rights (kept for security-invalidation-interval, 10 s) and the login's connections. */
    private void forget(String login) {
        invoke(ResourceNames.BROKER, "clearAuthenticationCache");
        invoke(ResourceNames.BROKER, "clearAuthorizationCache");
        invoke(ResourceNames.BROKER, "closeConnectionsForUser", login);
    }

    /**
     * Brings the broker to what the database says: the queues of active AMQP subscriptions exist,
     * those of revoked grants are gone, and no key that is revoked or unknown logs in. Returns what it changed.
     */
    public List<String> reconcile() {
        List<String> changed = new java.util.ArrayList<>();
        Set<String> present = queues();
        for (var row : jdbc.queryForList("SELECT s.subscription_id, s.department_id, g.status FROM subscription s"
                + " JOIN share_grant g ON g.grant_id = s.grant_id WHERE s.channel = 'AMQP'")) {
            String queue = queuePrefix((String) row.get("department_id")) + row.get("subscription_id");
            boolean active = "ACTIVE".equals(row.get("status"));
            if (active && !present.contains(queue)) {
                open((String) row.get("department_id"), queue);
                changed.add("queue " + queue + " created");
            } else if (!active && present.contains(queue)) {
                close(queue);
                changed.add("queue " + queue + " of a revoked grant destroyed");
            }
        }
        Set<String> valid = new HashSet<>();
        jdbc.queryForList("SELECT key_id FROM department_key WHERE revoked_at IS NULL", String.class)
                .forEach(k -> valid.add(loginOf(k)));
        for (String login : logins()) {
            if (login.startsWith("ghk_") && !valid.contains(login)) {
                invoke(ResourceNames.BROKER, "removeUser", login);
                forget(login);
                changed.add("login " + login + " of a revoked key removed");
            }
        }
        changed.forEach(c -> log.info("subscription broker: {}", c));
        return changed;
    }

    private Set<String> queues() {
        Object names = attribute(ResourceNames.BROKER, "queueNames");
        Set<String> found = new HashSet<>();
        if (names instanceof Object[] array) {
            for (Object n : array) {
                found.add(String.valueOf(n));
            }
        }
        return found;
    }

    private Set<String> logins() {
        Set<String> found = new HashSet<>();
        for (JsonNode user : CanonicalJson.read(String.valueOf(invoke(ResourceNames.BROKER, "listUser", "")))) {
            found.add(user.path("username").asText());
        }
        return found;
    }

    /** The broker cannot do what the hub asks now (down, or refusing the hub's login the right): the API answers 503. */
    public static final class Unavailable extends RuntimeException {
        Unavailable(String message) {
            super(message);
        }

        Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private Object invoke(String resource, String operation, Object... args) {
        return ask(resource, operation, message -> JMSManagementHelper.putOperationInvocation(message, resource, operation, args));
    }

    private Object attribute(String resource, String name) {
        return ask(resource, name, message -> JMSManagementHelper.putAttribute(message, resource, name));
    }

    private interface Request {
        void fill(Message message) throws JMSException;
    }

    /** One management request and its answer (Artemis's request-reply over a temporary queue). */
    private synchronized Object ask(String resource, String what, Request request) {
        try {
            Session session = connection().createSession(false, Session.AUTO_ACKNOWLEDGE);
            TemporaryQueue answers = null;
            try {
                answers = session.createTemporaryQueue();
                Message answer;
                try (MessageConsumer consumer = session.createConsumer(answers);
                        MessageProducer producer = session.createProducer(session.createQueue("activemq.management"))) {
                    Message message = session.createMessage();
                    request.fill(message);
                    message.setJMSReplyTo(answers);
                    producer.send(message);
                    answer = consumer.receive(ANSWER_MILLIS);
                }
                if (answer == null) {
                    throw new Unavailable("the broker did not answer " + resource + " " + what + " within " + ANSWER_MILLIS + " ms");
                }
                if (!JMSManagementHelper.hasOperationSucceeded(answer)) {
                    throw new Unavailable("the broker refused " + resource + " " + what + ": " + JMSManagementHelper.getResult(answer));
                }
                return JMSManagementHelper.getResult(answer);
            } finally {
                // a temporary queue lives as long as its connection, which this one outlives requests by far
                if (answers != null) {
                    answers.delete();
                }
                session.close();
            }
        } catch (Unavailable e) {
            throw e;
        } catch (Exception e) {
            closeConnection();
            throw new Unavailable("the broker cannot be managed (" + resource + " " + what + "): " + e.getMessage(), e);
        }
    }

    private Connection connection() throws JMSException {
        if (connection == null) {
            connection = factory.createConnection();
            connection.setExceptionListener(e -> closeConnection());
            connection.start();
        }
        return connection;
    }

    private synchronized void closeConnection() {
        if (connection != null) {
            try {
                connection.close();
            } catch (JMSException ignored) {
                // it is gone already: the next request opens a new one
            }
            connection = null;
        }
    }
}
