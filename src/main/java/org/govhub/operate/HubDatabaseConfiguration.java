package org.govhub.operate;

import com.zaxxer.hikari.HikariDataSource;
import org.springframework.boot.autoconfigure.jdbc.DataSourceProperties;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;

/**
 * The hub's own state database (watermarks, quarantine, batches). It is declared explicitly and
 * marked primary because every departmental source adds a DataSource bean of its own.
 */
@Configuration(proxyBeanMethods = false)
public class HubDatabaseConfiguration {

    @Bean
    @Primary
    @ConfigurationProperties("spring.datasource.hikari")
    public HikariDataSource hubDataSource(DataSourceProperties properties) {
        HikariDataSource ds = properties.initializeDataSourceBuilder().type(ClosedInOrder.class).build();
        ds.setPoolName("hub");
        return ds;
    }

    /** The pool that records, as it closes, that the hub database's run ended in order (HubDatabaseRecovery). */
    public static class ClosedInOrder extends HikariDataSource {
        @Override
        public void close() {
            if (!isClosed()) {
                HubDatabaseRecovery.markClosed(this);
            }
            super.close();
        }
    }
}
