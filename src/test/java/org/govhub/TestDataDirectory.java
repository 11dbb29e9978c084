package org.govhub;

import java.util.Map;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.PropertySource;

/**
 * Every hub a test starts gets a fresh data directory of its own (hub database, broker journal,
 * sandbox databases), unless the test names one (--govhub.data-dir, a test property): never the
 * working directory's ./data, and never one shared by two test contexts. Registered for the test
 * class path in META-INF/spring.factories.
 */
public class TestDataDirectory implements ApplicationContextInitializer<ConfigurableApplicationContext> {

    private static final String KEY = "govhub.data-dir";

    @Override
    public void initialize(ConfigurableApplicationContext context) {
        ConfigurableEnvironment environment = context.getEnvironment();
        for (PropertySource<?> source : environment.getPropertySources()) {
            // "configurationProperties" is Spring Boot's view over all the others, not a source of its own
            if (!"configurationProperties".equals(source.getName()) && source.containsProperty(KEY)) {
                if (!source.getName().contains("application.yaml")) {
                    return; // named by the test or its command line
                }
                break;
            }
        }
        String dir = SandboxHubTest.newDataDir("govhub-test").toString();
        environment.getPropertySources().addFirst(new MapPropertySource("test data directory", Map.of(KEY, dir)));
    }
}
