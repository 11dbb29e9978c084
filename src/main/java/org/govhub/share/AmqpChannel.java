package org.govhub.share;

import java.util.Optional;
import org.apache.activemq.artemis.api.core.QueueConfiguration;
import org.apache.activemq.artemis.api.core.RoutingType;
import org.apache.activemq.artemis.core.remoting.impl.netty.NettyAcceptor;
import org.apache.activemq.artemis.core.server.ActiveMQServer;
import org.apache.activemq.artemis.core.server.Queue;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.boot.autoconfigure.jms.artemis.ArtemisConfigurationCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The broker channel: a durable queue per AMQP subscription on the embedded Artemis, reachable by
 * any AMQP 1.0 client on {@code govhub.share.amqp.host:port} (5673 by default; 5672 is often taken).
 * It needs the embedded broker (an external one has its own users). Turning it on enables the
 * broker's security ({@link BrokerAccess}): a department consumes only its
 * own subscriptions' queues. The hub sends each granted batch once per subscription with Artemis's
 * duplicate-detection id set to the delivery id, so a batch sent again after a crash (sent, position
 * not yet saved) is dropped by the broker, and stops sending while a queue holds
 * {@code max-queued} batches, so a department that does not read costs the broker a bounded amount.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnExpression("${govhub.share.amqp.enabled:false} and '${spring.artemis.mode:embedded}' == 'embedded'"
        + " and ${spring.artemis.embedded.enabled:true}")
public class AmqpChannel {

    static final String QUEUE_PREFIX = "govhub.subscription.";

    /** The queues of a department's subscriptions are named {@code govhub.subscription.<department>.<subscription id>}. */
    static String queuePrefix(String departmentId) {
        return QUEUE_PREFIX + departmentId + ".";
    }

    public static String queueOf(Subscriptions.Subscription s) {
        return queuePrefix(s.departmentId()) + s.id();
    }

    @Bean
    ArtemisConfigurationCustomizer amqpAcceptor(@Value("${govhub.share.amqp.host:127.0.0.1}") String host,
            @Value("${govhub.share.amqp.port:5673}") int port) {
        return configuration -> {
            try {
                configuration.addAcceptorConfiguration("amqp", "tcp://" + host + ":" + port + "?protocols=AMQP");
            } catch (Exception e) {
                throw new IllegalStateException("the AMQP acceptor cannot be configured: " + e.getMessage(), e);
            }
            configuration.setSecurityEnabled(true);
            // no cached decisions: a revoked grant or key refuses the next attach at once, not 10 s later
            configuration.setSecurityInvalidationInterval(0);
        };
    }

    /** Gives the embedded broker its security manager before it starts (Spring Boot offers no other hook for it). */
    @Bean
    static BeanPostProcessor brokerAccessInstaller(ObjectProvider<DepartmentAccounts> accounts, ObjectProvider<JdbcTemplate> jdbc) {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessBeforeInitialization(Object bean, String beanName) {
                if (bean instanceof EmbeddedActiveMQ broker) {
                    broker.setSecurityManager(new BrokerAccess(accounts::getObject, jdbc::getObject));
                }
                return bean;
            }
        };
    }

    @Bean
    BrokerQueues brokerQueues(EmbeddedActiveMQ broker, @Value("${govhub.share.amqp.host:127.0.0.1}") String host,
            @Value("${govhub.share.amqp.max-queued:100}") int maxQueued) {
        return new BrokerQueues(broker, host, maxQueued);
    }

    /** The subscription queues on the embedded broker. */
    public static final class BrokerQueues {
        private final EmbeddedActiveMQ broker;
        private final String host;
        final int maxQueued;

        BrokerQueues(EmbeddedActiveMQ broker, String host, int maxQueued) {
            this.broker = broker;
            this.host = host;
            this.maxQueued = maxQueued;
        }

        private ActiveMQServer server() {
            return broker.getActiveMQServer();
        }

        /** Creates the durable queue of a subscription (if it is not there yet). */
        public void create(String queue) {
            try {
                if (server().locateQueue(queue) == null) {
                    server().createQueue(QueueConfiguration.of(queue).setAddress(queue).setRoutingType(RoutingType.ANYCAST)
                            .setDurable(true).setAutoCreateAddress(true));
                }
            } catch (Exception e) {
                throw new IllegalStateException("the broker cannot create queue " + queue + ": " + e.getMessage(), e);
            }
        }

        /** Messages waiting in a subscription's queue. */
        public long depth(String queue) {
            return Optional.ofNullable(server().locateQueue(queue)).map(Queue::getMessageCount).orElse(0L);
        }

        /** Removes what a revoked grant's queue still holds: nothing more of it can be read. */
        public int purge(String queue) {
            Queue q = server().locateQueue(queue);
            try {
                return q == null ? 0 : q.deleteAllReferences();
            } catch (Exception e) {
                throw new IllegalStateException("the broker cannot empty queue " + queue + ": " + e.getMessage(), e);
            }
        }

        /** Where departments connect: the AMQP acceptor's address (its actual port, when configured as 0). */
        public String url() {
            var acceptor = server().getRemotingService().getAcceptor("amqp");
            int port = acceptor instanceof NettyAcceptor netty ? netty.getActualPort() : -1;
            return "amqp://" + host + ":" + port;
        }
    }
}
