package org.govhub.operate;

import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import org.springframework.boot.autoconfigure.jms.artemis.ArtemisConfigurationCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Settings of the embedded broker: the record queues' address settings from
 * {@code broker/broker.properties} (the same file an external broker takes, see docker/compose.yaml:
 * no limit on delivery attempts, BLOCK instead of paging), and the broker's management beans on
 * the platform MBean server, so operators see the queues, their depth and each waiting message
 * with its JMS priority in Hawtio (JMX tree org.apache.activemq.artemis, e.g.
 * {@code countMessages("AMQPriority = 9")}, {@code listMessagesAsJSON}).
 */
@Configuration(proxyBeanMethods = false)
public class BrokerSettings {

    public static final String PROPERTIES = "broker/broker.properties";

    @Bean
    ArtemisConfigurationCustomizer recordQueueSettings() {
        return configuration -> {
            configuration.setJMXManagementEnabled(true);
            try {
                configuration.parsePrefixedProperties(configuration, PROPERTIES, properties(), null);
            } catch (Exception e) {
                throw new IllegalStateException("broker settings " + PROPERTIES + " cannot be applied: " + e.getMessage(), e);
            }
        };
    }

    public static Properties properties() {
        Properties properties = new Properties();
        try (InputStream in = BrokerSettings.class.getClassLoader().getResourceAsStream(PROPERTIES)) {
            if (in == null) {
                throw new IllegalStateException(PROPERTIES + " is not on the class path");
            }
            try (Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
                properties.load(reader);
            }
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot read " + PROPERTIES, e);
        }
        return properties;
    }
}
