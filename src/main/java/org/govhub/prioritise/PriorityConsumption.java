package org.govhub.prioritise;

import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.jms.connection.CachingConnectionFactory;
import org.springframework.stereotype.Component;

/**
 * Lets consumers really take the highest JMS priority first. Artemis clients normally buffer up to
 * 1 MiB of messages per consumer (consumerWindowSize); an urgent message arriving behind a full
 * buffer would wait for it. A window of 0 makes the broker hand over one message at a time, in
 * priority order. (The batch stage's consumers are transacted and single-threaded, so the cost is
 * one round trip per record.)
 */
@Component
public class PriorityConsumption implements BeanPostProcessor {

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        Object target = bean instanceof CachingConnectionFactory caching ? caching.getTargetConnectionFactory() : bean;
        if (target instanceof ActiveMQConnectionFactory artemis) {
            artemis.setConsumerWindowSize(0);
        }
        return bean;
    }
}
