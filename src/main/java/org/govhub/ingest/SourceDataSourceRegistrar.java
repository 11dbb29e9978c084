package org.govhub.ingest;

import com.zaxxer.hikari.HikariDataSource;
import java.util.Map;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.BeanDefinitionRegistryPostProcessor;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.EnvironmentAware;
import org.springframework.core.env.Environment;

/**
 * Registers one read-only connection pool per departmental database declared under
 * {@code govhub.sources}. The bean name is the source id, so a route file refers to it as
 * {@code dataSource: "#tax-bureau"}: adding a source is configuration, not Java. Only entries
 * with a JDBC {@code url} are databases; other sources (REST, files) keep their settings under the
 * same prefix and are skipped here.
 */
public class SourceDataSourceRegistrar implements BeanDefinitionRegistryPostProcessor, EnvironmentAware {

    public static final String PREFIX = "govhub.sources";

    private Environment environment;

    @Override
    public void setEnvironment(Environment environment) {
        this.environment = environment;
    }

    @Override
    public void postProcessBeanDefinitionRegistry(BeanDefinitionRegistry registry) {
        Map<String, SourceConnection> sources = Binder.get(environment)
                .bind(PREFIX, Bindable.mapOf(String.class, SourceConnection.class))
                .orElse(Map.of());
        sources.forEach((id, connection) -> {
            if (!isDatabase(connection)) {
                return;
            }
            RootBeanDefinition definition = new RootBeanDefinition(HikariDataSource.class, () -> pool(id, connection));
            definition.setDestroyMethodName("close");
            // Not a candidate for injection by type: the hub's own database stays the only one.
            definition.setAutowireCandidate(false);
            registry.registerBeanDefinition(id, definition);
        });
    }

    /** Whether a {@code govhub.sources.<id>} entry is a departmental database: its url is a JDBC url. */
    public static boolean isDatabase(SourceConnection connection) {
        return connection.url() != null && connection.url().strip().startsWith("jdbc:");
    }

    private static HikariDataSource pool(String id, SourceConnection connection) {
        HikariDataSource ds = new HikariDataSource();
        ds.setPoolName("source-" + id);
        ds.setJdbcUrl(connection.url());
        ds.setUsername(connection.username());
        ds.setPassword(connection.password());
        if (connection.driverClassName() != null) {
            ds.setDriverClassName(connection.driverClassName());
        }
        ds.setMaximumPoolSize(connection.poolSizeOrDefault());
        ds.setMinimumIdle(0);
        // A departmental system is read, never written.
        ds.setReadOnly(true);
        // Do not fail start-up when a department's database is down: the source route retries.
        ds.setInitializationFailTimeout(-1);
        return ds;
    }

    @Override
    public void postProcessBeanFactory(ConfigurableListableBeanFactory beanFactory) {
        // nothing to do
    }
}
