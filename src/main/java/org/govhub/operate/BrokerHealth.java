package org.govhub.operate;

import jakarta.jms.ConnectionFactory;
import org.springframework.boot.actuate.jms.JmsHealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jms.connection.CachingConnectionFactory;

/**
 * Health {@code jms}: Spring Boot's check, on a new connection each time instead of the hub's cached
 * one. Against a broker pair the client reconnects without end (docs/cluster.md, "Broker pair"), so
 * the cached connection stays open while no broker answers, and the check on it said UP
 * throughout; a new connection fails at once (DOWN) until a broker of the pair accepts it.
 */
@Configuration(proxyBeanMethods = false)
public class BrokerHealth {

    @Bean
    JmsHealthIndicator jmsHealthContributor(ConnectionFactory factory) {
        return new JmsHealthIndicator(factory instanceof CachingConnectionFactory caching ? caching.getTargetConnectionFactory() : factory);
    }
}
