package org.govhub.ingest;

import com.zaxxer.hikari.HikariDataSource;
import java.util.Map;
import java.util.TreeMap;
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
 * {@code govhub.sources} (the entries with a JDBC {@code url}). The bean name is the source id, so
 * a route file refers to it as {@code dataSource: "#tax-bureau"}: adding a source is configuration,
 * not Java. File drops ({@code ftp} block) and REST APIs ({@code base-url}) get no pool.
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
        jdbcSources(environment).forEach((id, connection) -> {
            RootBeanDefinition definition = new RootBeanDefinition(SourcePool.class, () -> new SourcePool(pool(id, connection)));
            definition.setDestroyMethodName("close");
            // Not a candidate for injection by type: the hub's own database stays the only one.
            definition.setAutowireCandidate(false);
            registry.registerBeanDefinition(id, definition);
        });
    }

    /**
     * Every source with a connection: the ids the route files name ({@code sourceId}) and those
     * declared under {@code govhub.sources} in configuration files, each bound by its own prefix.
     * Binding by id lets an id with a hyphen come from environment variables alone
     * ({@code GOVHUB_SOURCES_CITY_TAX_URL} for {@code city-tax}), which a map of all sources
     * cannot: there the variable's underscores cannot tell the id from the property.
     */
    public static Map<String, SourceConnection> sources(Environment environment) {
        return sources(environment, RouteFileModel.read(RouteFileModel.files(environment)));
    }

    /** {@link #sources(Environment)} for route files already read. */
    public static Map<String, SourceConnection> sources(Environment environment, RouteFileModel routes) {
        java.util.Set<String> ids = new java.util.TreeSet<>();
        routes.sources().forEach(u -> ids.add(u.parameter("sourceId")));
        ids.addAll(Binder.get(environment).bind(PREFIX, Bindable.mapOf(String.class, Object.class)).orElse(Map.of()).keySet());
        Map<String, SourceConnection> sources = new TreeMap<>();
        for (String id : ids) {
            if (id == null || id.contains("{{")) {
                continue;
            }
            Binder.get(environment).bind(PREFIX + "." + id, SourceConnection.class).ifBound(connection -> {
                if (connection.jdbc() || connection.ftp() != null && connection.ftp().host() != null && !connection.ftp().host().isBlank()
                        || connection.rest()) {
                    sources.put(id, connection);
                }
            });
        }
        return sources;
    }

    /** The database sources: those with a JDBC url. */
    public static Map<String, SourceConnection> jdbcSources(Environment environment) {
        Map<String, SourceConnection> jdbc = new TreeMap<>();
        sources(environment).forEach((id, c) -> {
            if (c.jdbc()) {
                jdbc.put(id, c);
            }
        });
        return jdbc;
    }

    /** A read-only pool for one departmental database (a deployed source's too, operate/SourceDeployments). */
    public static HikariDataSource pool(String id, SourceConnection connection) {
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
