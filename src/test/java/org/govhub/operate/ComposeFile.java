package org.govhub.operate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * docker/compose.yaml as Compose reads it, without Docker, alone or with docker/compose.cluster.yaml
 * merged in ({@code docker compose -f compose.yaml -f compose.cluster.yaml}): a service's {@code environment:} with
 * every {@code ${VAR}}, {@code ${VAR:-default}}, {@code ${VAR-default}}, {@code ${VAR:?error}},
 * {@code ${VAR?error}} and {@code $$} interpolated from the variables of an env file, as Compose does
 * (docs.docker.com/reference/compose-file/interpolation), and env files read with their own
 * interpolation.
 */
public final class ComposeFile {

    public static final Path COMPOSE = Path.of("docker/compose.yaml");
    /** The second hub node and ZooKeeper, merged into COMPOSE. */
    public static final Path CLUSTER = Path.of("docker/compose.cluster.yaml");
    private static final Pattern VARIABLE = Pattern.compile("\\$\\$|\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])((?:[^{}]|\\{[^{}]*})*))?}");

    final JsonNode document;

    private ComposeFile(JsonNode document) {
        this.document = document;
    }

    public static ComposeFile read(Path file) {
        return new ComposeFile(tree(file));
    }

    /**
     * {@code file} with {@code overrides} merged in, as Compose merges several {@code -f} files, then
     * every service's {@code extends} resolved. As these files use it: maps merge key by key, the
     * later file winning; a list is replaced (the one list an override gives, govhub-2's ports, is
     * marked {@code !override} for Compose, which otherwise appends); {@code extends} copies the
     * named service of the named file except its {@code depends_on}, as Compose does.
     */
    public static ComposeFile read(Path file, Path... overrides) {
        JsonNode merged = tree(file);
        for (Path override : overrides) {
            merged = merge(merged, tree(override));
        }
        Path dir = file.toAbsolutePath().getParent();
        if (merged.path("services") instanceof ObjectNode services) {
            services.fields().forEachRemaining(s -> {
                JsonNode extended = s.getValue().path("extends");
                if (extended.isObject()) {
                    JsonNode base = tree(dir.resolve(extended.path("file").asText(file.getFileName().toString())))
                            .path("services").path(extended.path("service").asText()).deepCopy();
                    ((ObjectNode) base).remove("depends_on");
                    JsonNode own = s.getValue().deepCopy();
                    ((ObjectNode) own).remove("extends");
                    s.setValue(merge(base, own));
                }
            });
        }
        return new ComposeFile(merged);
    }

    private static JsonNode tree(Path file) {
        try {
            return new YAMLMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode merge(JsonNode target, JsonNode override) {
        if (target instanceof ObjectNode object && override.isObject()) {
            override.fields().forEachRemaining(f -> object.set(f.getKey(),
                    object.has(f.getKey()) ? merge(object.get(f.getKey()), f.getValue()) : f.getValue()));
            return object;
        }
        return override;
    }

    /** The services, each with its settings as Compose starts it. */
    public JsonNode services() {
        return document.path("services");
    }

    /** The service's environment as its container gets it, the variables taken from {@code variables}. */
    public Map<String, String> environment(String service, Map<String, String> variables) {
        JsonNode environment = document.path("services").path(service).path("environment");
        if (!environment.isObject()) {
            throw new IllegalArgumentException("service " + service + " has no environment map in " + COMPOSE);
        }
        Map<String, String> result = new LinkedHashMap<>();
        environment.fields().forEachRemaining(e -> result.put(e.getKey(), interpolate(e.getValue().asText(), variables::get)));
        return result;
    }

    /**
     * Every variable the file names in {@code ${...}} (nested ones too), and whether Compose stops
     * without it ({@code :?} or {@code ?}) or it has a default.
     */
    public Map<String, Boolean> variables() {
        Map<String, Boolean> required = new TreeMap<>();
        collect(document, required);
        return required;
    }

    private static void collect(JsonNode node, Map<String, Boolean> required) {
        if (node.isContainerNode()) {
            node.forEach(child -> collect(child, required));
            return;
        }
        collect(node.asText(), required);
    }

    private static void collect(String text, Map<String, Boolean> required) {
        Matcher m = VARIABLE.matcher(text);
        while (m.find()) {
            if (m.group(1) == null) {
                continue;
            }
            boolean asked = m.group(2) == null || m.group(2).endsWith("?");
            required.merge(m.group(1), asked, Boolean::logicalOr);
            if (m.group(3) != null) {
                collect(m.group(3), required);
            }
        }
    }

    /** Compose's interpolation of one value; a missing required variable fails as Compose would, with its message. */
    public static String interpolate(String value, Function<String, String> variables) {
        Matcher m = VARIABLE.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String replacement;
            if (m.group(1) == null) {
                replacement = "$";
            } else {
                String name = m.group(1);
                String found = variables.apply(name);
                String operator = m.group(2);
                boolean unsetOrEmpty = found == null || (operator != null && operator.startsWith(":") && found.isEmpty());
                if (operator == null) {
                    replacement = found == null ? "" : found;
                } else if (operator.endsWith("-")) {
                    replacement = unsetOrEmpty ? interpolate(m.group(3), variables) : found;
                } else if (unsetOrEmpty) {
                    throw new IllegalArgumentException("required variable " + name + " is missing a value: "
                            + interpolate(m.group(3), variables));
                } else {
                    replacement = found;
                }
            }
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString();
    }

    /**
     * An env file as Compose reads docker/.env: {@code KEY=VALUE} lines, comments, values
     * interpolated from the lines above; {@code given} fills in (or overrides) values, as an operator
     * does when copying the template.
     */
    public static Map<String, String> envFile(Path file, Map<String, String> given) {
        Map<String, String> values = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                String trimmed = line.strip();
                if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                    continue;
                }
                int eq = trimmed.indexOf('=');
                String key = trimmed.substring(0, eq).strip();
                String value = given.containsKey(key) ? given.get(key) : interpolate(trimmed.substring(eq + 1).strip(), values::get);
                values.put(key, value);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        given.forEach(values::putIfAbsent);
        return values;
    }
}
