package org.govhub.ingest;

import jakarta.jms.ConnectionFactory;
import org.apache.camel.spring.spi.SpringTransactionPolicy;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jms.connection.JmsTransactionManager;

/**
 * The broker transaction a source's poll (a file, a REST page) is published in
 * (routes/record-publishing.yaml): every record of the poll is sent in one JMS transaction and
 * committed once, so the broker syncs its journal once per poll instead of once per record. The
 * source's watermark, file or cursor moves only after that commit.
 */
@Configuration(proxyBeanMethods = false)
public class IngestTransactions {

    /**
     * A transaction policy only, not a transaction-manager bean: a second transaction manager in
     * the context would make Spring Boot drop the hub database's own.
     */
    @Bean("brokerTransaction")
    SpringTransactionPolicy brokerTransaction(ConnectionFactory connectionFactory) {
        JmsTransactionManager manager = new JmsTransactionManager(connectionFactory);
        manager.afterPropertiesSet();
        SpringTransactionPolicy policy = new SpringTransactionPolicy(manager);
        policy.setPropagationBehaviorName("PROPAGATION_REQUIRED");
        return policy;
    }
}
