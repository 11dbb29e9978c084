package org.govhub.operate;

import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.jms.connection.CachingConnectionFactory;
import org.springframework.stereotype.Component;

/**
 * Settings of the hub's Artemis client, embedded broker or external:
 * <ul>
 * <li>consumer window 0, so consumers really take the highest JMS priority first (急用先行).
 * Artemis clients normally buffer up to 1 MiB of messages per consumer; an urgent message
 * arriving behind a full buffer would wait for it. With 0 the broker hands over one message at a
 * time, in priority order (the batch stage's consumers are transacted and single-threaded, so the
 * cost is one round trip per record);</li>
 * <li>destinations cached: the sources send every record to its schema's queue, and without the
 * cache each send first asks the broker whether the queue exists.</li>
 * </ul>
 */
@Component
public class BrokerClientSettings implements BeanPostProcessor {

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        Object target = bean instanceof CachingConnectionFactory caching ? caching.getTargetConnectionFactory() : bean;
        if (target instanceof ActiveMQConnectionFactory artemis) {
            artemis.setConsumerWindowSize(0);
            artemis.setCacheDestinations(true);
        }
        return bean;
    }
}
