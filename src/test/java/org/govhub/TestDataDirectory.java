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
    /** @SpringBootTest(properties), @DynamicPropertySource, and the command line of a hub a test starts (HubJvm). */
    private static final java.util.Set<String> TEST_SOURCES = java.util.Set.of("Inlined Test Properties", "Dynamic Test Properties",
            "commandLineArgs");

    @Override
    public void initialize(ConfigurableApplicationContext context) {
        ConfigurableEnvironment environment = context.getEnvironment();
        for (PropertySource<?> source : environment.getPropertySources()) {
            // only a test's own setting counts: an operator's GOVHUB_DATA_DIR must not put tests in a real directory
            if (TEST_SOURCES.contains(source.getName()) && source.containsProperty(KEY)) {
                return;
            }
        }
        String dir = SandboxHubTest.newDataDir("govhub-test").toString();
        environment.getPropertySources().addFirst(new MapPropertySource("test data directory", Map.of(KEY, dir)));
    }
}
