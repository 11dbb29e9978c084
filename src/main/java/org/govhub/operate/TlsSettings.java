package org.govhub.operate;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * HTTPS only when it is configured (docs/tls.md). The {@code govhub.tls.*} settings (filled from
 * {@code GOVHUB_TLS_*} and {@code GOVHUB_PLATFORM_*STORE*} in application.yaml, empty by default)
 * become Spring Boot SSL bundles:
 * <ul>
 * <li>{@code govhub-server}: a keystore set makes the hub serve HTTPS with it ({@code server.ssl.bundle})
 *     and mark the session cookie Secure;</li>
 * <li>{@code govhub-platform}: a client keystore and/or a truststore for the calls to the national
 *     platform ({@code govhub.platform.ssl-bundle}, used by {@link org.govhub.deliver.PlatformTls}).</li>
 * </ul>
 * Nothing set, nothing added: the embedded defaults stay plain HTTP on the loopback interface. A
 * store set without its password, or naming no readable file, stops the start with one message that
 * names every such variable. Passwords are not copied: the bundle refers to the {@code govhub.tls.*}
 * setting by placeholder. Reads a handful of named settings, never walks the environment.
 */
public class TlsSettings implements EnvironmentPostProcessor {

    public static final String SERVER_BUNDLE = "govhub-server";
    public static final String PLATFORM_BUNDLE = "govhub-platform";
    static final String SOURCE_NAME = "govhub TLS settings (docs/tls.md)";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        Map<String, Object> settings = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();

        String server = "spring.ssl.bundle.jks." + SERVER_BUNDLE + ".";
        if (store(environment, problems, settings, server + "keystore", "govhub.tls.server.keystore", "GOVHUB_TLS_KEYSTORE")) {
            alias(environment, settings, server, "govhub.tls.server.key-alias");
            settings.put("server.ssl.bundle", SERVER_BUNDLE);
            // Tomcat marks it Secure on an HTTPS request anyway; said here so that it holds behind any connector
            settings.put("server.servlet.session.cookie.secure", "true");
        }

        String platform = "spring.ssl.bundle.jks." + PLATFORM_BUNDLE + ".";
        boolean clientKey = store(environment, problems, settings, platform + "keystore", "govhub.tls.platform.keystore",
                "GOVHUB_PLATFORM_KEYSTORE");
        boolean trust = store(environment, problems, settings, platform + "truststore", "govhub.tls.platform.truststore",
                "GOVHUB_PLATFORM_TRUSTSTORE");
        if (clientKey) {
            alias(environment, settings, platform, "govhub.tls.platform.key-alias");
        }
        if (clientKey || trust) {
            settings.put("govhub.platform.ssl-bundle", PLATFORM_BUNDLE);
            // the platform endpoints' {{?govhub.platform.ssl-context-parameters}}: absent, camel-http gets no SSL option
            settings.put("govhub.platform.ssl-context-parameters", "#platformTls");
        }

        if (!problems.isEmpty()) {
            throw new Incomplete(problems);
        }
        if (!settings.isEmpty()) {
            // last: a spring.ssl.bundle.* or server.ssl.* setting given directly wins over the derived one
            environment.getPropertySources().addLast(new MapPropertySource(SOURCE_NAME, settings));
        }
    }

    /** Adds the store's location and password placeholder when its setting has a value; records what is wrong with it. */
    private static boolean store(ConfigurableEnvironment environment, List<String> problems, Map<String, Object> settings,
            String bundleStore, String setting, String variable) {
        String location = value(environment, setting);
        if (location == null) {
            return false;
        }
        String passwordSetting = setting + "-password";
        if (value(environment, passwordSetting) == null) {
            problems.add(variable + " (" + setting + ") is set, but not " + variable + "_PASSWORD (" + passwordSetting + ")");
        }
        String url = hasPrefix(location) ? location : "file:" + location;
        if (url.startsWith("file:") && !Files.isReadable(Path.of(url.substring("file:".length())))) {
            problems.add(variable + " (" + setting + ") names " + location + ", which is not a readable file");
        }
        settings.put(bundleStore + ".location", url);
        // by reference: the password stays in the one setting that holds it
        settings.put(bundleStore + ".password", "${" + passwordSetting + "}");
        return true;
    }

    private static void alias(ConfigurableEnvironment environment, Map<String, Object> settings, String bundle, String setting) {
        if (value(environment, setting) != null) {
            settings.put(bundle + "key.alias", "${" + setting + "}");
        }
    }

    /** classpath:, file:, … as Spring reads them; a bare path is a file (a drive letter is not a prefix). */
    private static boolean hasPrefix(String location) {
        return location.matches("^[A-Za-z][A-Za-z0-9+.\\-]+:.*");
    }

    private static String value(ConfigurableEnvironment environment, String setting) {
        try {
            String value = environment.getProperty(setting);
            return value == null || value.isBlank() ? null : value.trim();
        } catch (IllegalArgumentException unresolvable) {
            return null;
        }
    }

    /** TLS is half configured: a store without its password, or a store that cannot be read. */
    public static final class Incomplete extends IllegalStateException {

        private final List<String> problems;

        Incomplete(List<String> problems) {
            super("TLS settings incomplete: " + String.join("; ", problems));
            this.problems = List.copyOf(problems);
        }

        public List<String> problems() {
            return problems;
        }
    }

    /** Prints every problem as a plain message instead of a stack trace. */
    public static final class Analyzer extends AbstractFailureAnalyzer<Incomplete> {
        @Override
        protected FailureAnalysis analyze(Throwable rootFailure, Incomplete cause) {
            return new FailureAnalysis("The TLS settings are incomplete:" + System.lineSeparator() + "    "
                    + String.join(System.lineSeparator() + "    ", cause.problems()),
                    "Set each keystore together with its password, to a file the hub can read (docs/tls.md),"
                            + " or unset the keystore variable to go without TLS.", cause);
        }
    }
}
