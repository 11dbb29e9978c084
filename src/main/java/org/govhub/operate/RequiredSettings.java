package org.govhub.operate;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.Profiles;
import org.springframework.core.env.PropertySource;

/**
 * The prod profile's required settings are the {@code ${VARIABLE}} placeholders without a default
 * in application-prod.yaml. All of them are checked before anything starts, and every missing one
 * is reported in one message that names the environment variable and the setting it fills, instead
 * of one stack trace per start.
 */
public class RequiredSettings implements EnvironmentPostProcessor {

    static final String PROFILE = "prod";
    private static final String ATTACHED = "configurationProperties";
    private static final Pattern NO_DEFAULT = Pattern.compile("\\$\\{([A-Za-z0-9_.\\-]+)}");

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        if (!environment.acceptsProfiles(Profiles.of(PROFILE))) {
            return;
        }
        Map<String, String> missing = missing(environment);
        if (!missing.isEmpty()) {
            throw new Missing(missing);
        }
    }

    /** Variable name to the setting it fills, for every required variable that has no value. */
    static Map<String, String> missing(ConfigurableEnvironment environment) {
        Map<String, String> missing = new LinkedHashMap<>();
        for (PropertySource<?> source : environment.getPropertySources()) {
            if (!source.getName().contains("application-" + PROFILE + ".") || !(source instanceof EnumerablePropertySource<?> file)) {
                continue;
            }
            for (String setting : file.getPropertyNames()) {
                if (!fromThisFile(environment, file, setting)) {
                    continue; // the command line or another source sets it
                }
                Matcher placeholder = NO_DEFAULT.matcher(String.valueOf(file.getProperty(setting)));
                while (placeholder.find()) {
                    String variable = placeholder.group(1);
                    if (!hasValue(environment, variable)) {
                        missing.putIfAbsent(variable, setting);
                    }
                }
            }
        }
        return missing;
    }

    private static boolean fromThisFile(ConfigurableEnvironment environment, PropertySource<?> file, String setting) {
        for (PropertySource<?> source : environment.getPropertySources()) {
            // Spring's "configurationProperties" view wraps every other source; it answers for all of them
            if (!ATTACHED.equals(source.getName()) && source.containsProperty(setting)) {
                return source == file;
            }
        }
        return false;
    }

    private static boolean hasValue(ConfigurableEnvironment environment, String variable) {
        try {
            String value = environment.getProperty(variable);
            return value != null && !value.isBlank();
        } catch (IllegalArgumentException unresolvable) {
            return false;
        }
    }

    /** The prod profile cannot start: these variables are not set. */
    public static final class Missing extends IllegalStateException {

        private final Map<String, String> variables;

        Missing(Map<String, String> variables) {
            super("the prod profile needs " + variables.size() + " more setting(s): " + String.join(", ", variables.keySet()));
            this.variables = Map.copyOf(variables);
        }

        public Map<String, String> variables() {
            return variables;
        }

        String table() {
            List<String> lines = new ArrayList<>();
            int width = variables.keySet().stream().mapToInt(String::length).max().orElse(0);
            new java.util.TreeMap<>(variables).forEach((variable, setting) ->
                    lines.add("    " + variable + " ".repeat(width - variable.length() + 2) + "(" + setting + ")"));
            return String.join(System.lineSeparator(), lines);
        }
    }

    /** Prints the whole list as a plain message instead of a stack trace. */
    public static final class Analyzer extends AbstractFailureAnalyzer<Missing> {
        @Override
        protected FailureAnalysis analyze(Throwable rootFailure, Missing cause) {
            return new FailureAnalysis("The prod profile needs these " + cause.variables().size()
                    + " environment variable(s), which are not set:" + System.lineSeparator() + cause.table(),
                    "Set every variable listed above (docker/ shows them all), then start again.", cause);
        }
    }
}
