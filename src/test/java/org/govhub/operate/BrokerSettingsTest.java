package org.govhub.operate;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.settings.impl.AddressFullMessagePolicy;
import org.apache.activemq.artemis.core.settings.impl.AddressSettings;
import org.junit.jupiter.api.Test;

/** The broker properties file parses into the address settings it promises (the external broker reads the same file). */
class BrokerSettingsTest {

    @Test
    void recordQueuesNeverDropAndBlockInsteadOfPaging() throws Exception {
        ConfigurationImpl configuration = new ConfigurationImpl();
        configuration.parsePrefixedProperties(configuration, BrokerSettings.PROPERTIES, BrokerSettings.properties(), null);
        assertThat(configuration.getStatus()).doesNotContain("\"errors\":[{");

        AddressSettings records = configuration.getAddressSettings().get("govhub.records.#");
        assertThat(records).isNotNull();
        assertThat(records.getMaxDeliveryAttempts()).isEqualTo(-1);
        assertThat(records.getRedeliveryDelay()).isEqualTo(1000);
        assertThat(records.getRedeliveryMultiplier()).isEqualTo(2.0);
        assertThat(records.getMaxRedeliveryDelay()).isEqualTo(60_000);
        assertThat(records.getAddressFullMessagePolicy()).isEqualTo(AddressFullMessagePolicy.BLOCK);
        assertThat(records.getMaxSizeBytes()).isEqualTo(8L * 1024 * 1024);
    }
}
