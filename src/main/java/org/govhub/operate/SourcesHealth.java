package org.govhub.operate;

import java.sql.Connection;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.sql.DataSource;
import org.govhub.ingest.RestPages;
import org.govhub.ingest.SourceConnection;
import org.govhub.ingest.SourceDataSourceRegistrar;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.boot.actuate.health.CompositeHealthContributor;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthContributor;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * Health of every source, one entry per source id under {@code sources}: a departmental database
 * (JDBC url) by its connection, a REST source ({@code base-url}) by the state of its pull. Other
 * kinds of source are skipped here.
 */
@Component("sources")
public class SourcesHealth implements CompositeHealthContributor {

    private final Map<String, HealthContributor> contributors = new LinkedHashMap<>();

    public SourcesHealth(Environment environment, BeanFactory beans, RestPages restPages) {
        Binder binder = Binder.get(environment);
        Map<String, SourceConnection> connections = binder
                .bind(SourceDataSourceRegistrar.PREFIX, Bindable.mapOf(String.class, SourceConnection.class))
                .orElse(Map.of());
        // every source id, also those with no connection settings at all (REST, files)
        binder.bind(SourceDataSourceRegistrar.PREFIX, Bindable.mapOf(String.class, Object.class))
                .orElse(Map.of())
                .keySet()
                .forEach(id -> {
                    SourceConnection connection = connections.get(id);
                    if (connection != null && SourceDataSourceRegistrar.isDatabase(connection)) {
                        contributors.put(id, indicator(beans.getBean(id, DataSource.class)));
                    } else if (environment.containsProperty(SourceDataSourceRegistrar.PREFIX + "." + id + ".base-url")) {
                        contributors.put(id, (HealthIndicator) () -> restPages.health(id));
                    }
                });
    }

    private static HealthIndicator indicator(DataSource dataSource) {
        return () -> {
            try (Connection c = dataSource.getConnection()) {
                return c.isValid(3)
                        ? Health.up().withDetail("database", c.getMetaData().getDatabaseProductName()).build()
                        : Health.down().withDetail("error", "connection not valid").build();
            } catch (Exception e) {
                return Health.down().withDetail("error", e.getClass().getSimpleName() + ": " + e.getMessage()).build();
            }
        };
    }

    @Override
    public HealthContributor getContributor(String name) {
        return contributors.get(name);
    }

    @Override
    public java.util.Iterator<org.springframework.boot.actuate.health.NamedContributor<HealthContributor>> iterator() {
        return contributors.entrySet().stream()
                .map(e -> org.springframework.boot.actuate.health.NamedContributor.of(e.getKey(), e.getValue()))
                .iterator();
    }
}
