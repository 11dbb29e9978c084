package org.govhub.share;

import jakarta.jms.ConnectionFactory;
import java.util.Map;
import java.util.Set;
import org.apache.activemq.artemis.core.remoting.impl.netty.NettyAcceptor;
import org.apache.activemq.artemis.core.security.Role;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.apache.activemq.artemis.spi.core.security.ActiveMQBasicSecurityManager;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.jms.artemis.ArtemisConfigurationCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jms.connection.CachingConnectionFactory;

/**
 * The broker channel: a durable queue per AMQP subscription, reachable by any AMQP 1.0 client, on
 * the embedded Artemis (its AMQP acceptor on {@code govhub.share.amqp.host:port}, 5673 by default
 * as 5672 is often taken) or on the external one of production ({@code govhub.share.amqp.url}).
 * Either way the hub keeps the departments' logins and rights in the broker's own user store
 * ({@link SubscriptionBroker}). The hub sends each granted batch once per subscription with
 * Artemis's duplicate-detection id set to the delivery id, so a batch sent again after a crash
 * (sent, position not yet saved) is dropped by the broker, and stops sending while a queue holds
 * {@code max-queued} batches, so a department that does not read costs the broker a bounded amount.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "govhub.share.amqp.enabled", havingValue = "true")
public class AmqpChannel {

    /** The hub's role on the embedded broker; on an external one, the role of the hub's broker user (govhub.share.amqp.hub-role). */
    static final String EMBEDDED_HUB = "govhub-hub";

    @Bean
    SubscriptionBroker subscriptionBroker(ConnectionFactory factory, JdbcTemplate jdbc,
            @Value("${govhub.share.amqp.hub-role:" + EMBEDDED_HUB + "}") String hubRole,
            @Value("${govhub.share.amqp.max-queued:100}") int maxQueued,
            @Value("${govhub.share.amqp.url:}") String url, ObjectProvider<EmbeddedActiveMQ> embedded,
            @Value("${govhub.share.amqp.host:127.0.0.1}") String host) {
        // a dedicated connection of its own: management answers come on a temporary queue, which a cached session would outlive
        ConnectionFactory target = factory instanceof CachingConnectionFactory caching ? caching.getTargetConnectionFactory() : factory;
        return new SubscriptionBroker(target, jdbc, hubRole, maxQueued, () -> {
            if (!url.isBlank()) {
                return url;
            }
            EmbeddedActiveMQ broker = embedded.getIfAvailable();
            var acceptor = broker == null ? null : broker.getActiveMQServer().getRemotingService().getAcceptor("amqp");
            if (!(acceptor instanceof NettyAcceptor netty)) {
                throw new IllegalStateException("set govhub.share.amqp.url: where departments reach the external broker's AMQP acceptor");
            }
            return "amqp://" + host + ":" + netty.getActualPort();
        });
    }

    /** The embedded broker: an AMQP acceptor, security on, Artemis's own user store, the hub's in-VM login. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnExpression("'${spring.artemis.mode:embedded}' == 'embedded' and ${spring.artemis.embedded.enabled:true}")
    static class Embedded {

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
                // everything, everywhere, for the hub; departments get their rights from SubscriptionBroker
                configuration.putSecurityRoles("#", Set.of(new Role(EMBEDDED_HUB, true, true, true, true, true, true, true, true, true, true,
                        true, true)));
            };
        }

        /**
         * The broker's user store and the hub's login to it, set before either starts (Spring Boot has
         * no other hook for them): a password made at each start, known only to this process.
         */
        @Bean
        static BeanPostProcessor hubBrokerLogin() {
            String password = DepartmentAccounts.random(32);
            return new BeanPostProcessor() {
                @Override
                public Object postProcessBeforeInitialization(Object bean, String beanName) {
                    if (bean instanceof EmbeddedActiveMQ broker) {
                        broker.setSecurityManager(new ActiveMQBasicSecurityManager().init(Map.of(
                                ActiveMQBasicSecurityManager.BOOTSTRAP_USER, EMBEDDED_HUB,
                                ActiveMQBasicSecurityManager.BOOTSTRAP_PASSWORD, password,
                                ActiveMQBasicSecurityManager.BOOTSTRAP_ROLE, EMBEDDED_HUB)));
                    }
                    Object target = bean instanceof CachingConnectionFactory caching ? caching.getTargetConnectionFactory() : bean;
                    if (target instanceof ActiveMQConnectionFactory hub) {
                        hub.setUser(EMBEDDED_HUB);
                        hub.setPassword(password);
                    }
                    return bean;
                }
            };
        }
    }
}
