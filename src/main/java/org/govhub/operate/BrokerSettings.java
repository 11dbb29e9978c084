package org.govhub.operate;

import org.apache.activemq.artemis.core.settings.impl.AddressFullMessagePolicy;
import org.apache.activemq.artemis.core.settings.impl.AddressSettings;
import org.springframework.boot.autoconfigure.jms.artemis.ArtemisConfigurationCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.unit.DataSize;
import org.springframework.beans.factory.annotation.Value;

/**
 * Address settings of the embedded broker for the record queues (govhub.records.*); an external
 * broker takes the same from docker/artemis/broker.xml.
 * <ul>
 * <li>never drop a record: no limit on delivery attempts (Artemis drops a message after 10
 * failed attempts when no dead-letter address is set), with a growing redelivery delay so a
 * batch stage whose database is down does not spin;</li>
 * <li>BLOCK, not PAGE, when a queue holds {@code govhub.broker.max-queue-size}: paged messages
 * come back in arrival order, so an urgent record written to a page file would wait behind the
 * backlog. Blocking keeps every waiting record in memory, in priority order, and leaves a
 * backlog beyond the limit in the departmental systems, which the sources read when there is
 * room again.</li>
 * <li>the broker's management beans on the platform MBean server, so operators see the queues, their
 * depth and each waiting message with its JMS priority in Hawtio (JMX tree, org.apache.activemq.artemis:
 * countMessages("AMQPriority = 9"), listMessagesAsJSON).</li>
 * </ul>
 */
@Configuration(proxyBeanMethods = false)
public class BrokerSettings {

    public static final String RECORD_QUEUES = "govhub.records.#";

    @Bean
    ArtemisConfigurationCustomizer recordQueueSettings(@Value("${govhub.broker.max-queue-size:64MB}") DataSize maxQueueSize) {
        return configuration -> configuration.setJMXManagementEnabled(true).addAddressSetting(RECORD_QUEUES, new AddressSettings()
                .setMaxDeliveryAttempts(-1)
                .setRedeliveryDelay(1000)
                .setRedeliveryMultiplier(2)
                .setMaxRedeliveryDelay(60_000)
                .setAddressFullMessagePolicy(AddressFullMessagePolicy.BLOCK)
                .setMaxSizeBytes(maxQueueSize.toBytes()));
    }
}
