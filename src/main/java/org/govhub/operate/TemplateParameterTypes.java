package org.govhub.operate;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.govhub.FileSchema;
import org.govhub.ingest.RouteFileModel;

/**
 * Typed template parameters. A route template is a Kamelet ({@code routes/<id>.kamelet.yaml}) whose
 * {@code spec.definition} is the JSON Schema of its parameters (type, default, required), the form
 * Camel's Kamelets and their catalog use. Every {@code templatedRoute} is validated against it once
 * its values' property placeholders are resolved: each parameter it sets must be declared there, have
 * the declared type and every required one must be set; a secret ({@code format: password}) must be
 * named by its property, not written into the route by a placeholder. A plain {@code routeTemplate} is refused: its
 * parameters have no types to check.
 * (Why Kamelets: they are Camel's own typed templates, camel-yaml-dsl loads one as a route template
 * without camel-kamelet, and the {@code templatedRoute} files that fill templates in stay as they were.)
 */
public final class TemplateParameterTypes {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{([^}:]+)(?::([^}]*))?}}");
    /** Camel property functions ({{env:NAME:default}}) and optional placeholders ({{?name}}). */
    private static final Pattern FUNCTION = Pattern.compile("^\\?|^(env|sys|service|service\\.host|service\\.port|bean|ref|k8s[a-z:-]*|vault[a-z:-]*)$");

    private TemplateParameterTypes() {
    }

    /** @param resolve resolves a property key to its value, or null when it cannot be known */
    public static List<String> check(List<Path> files, UnaryOperator<String> resolve) {
        return check(RouteFileModel.read(files), resolve);
    }

    public static List<String> check(RouteFileModel model, UnaryOperator<String> resolve) {
        List<String> problems = new ArrayList<>();
        Set<String> unusable = new HashSet<>();
        for (RouteFileModel.Template template : model.templates().values()) {
            List<String> found = template.definition() == null
                    ? List.of(template.file() + ": line " + template.line() + ": route template " + template.id()
                            + " declares its parameters without types: write it as a Kamelet, " + template.id() + RouteFileModel.KAMELET
                            + ", whose spec.definition is their JSON Schema")
                    : kameletProblems(template.file());
            problems.addAll(found);
            if (!found.isEmpty()) {
                unusable.add(template.id());
            }
        }
        for (RouteFileModel.Use use : model.uses()) {
            RouteFileModel.Template template = model.templates().get(use.template());
            if (template == null || unusable.contains(template.id())) {
                continue; // Camel reports an unknown template; a broken one is reported above
            }
            ObjectNode values = JsonNodeFactory.instance.objectNode();
            Set<String> runTime = new HashSet<>();
            use.parameters().forEach((name, value) -> {
                if ("password".equals(template.definition().path("properties").path(name).path("format").asText())
                        && value.value() != null && value.value().contains("{{")) {
                    // a placeholder is resolved into the route model, which Hawtio's and JMX's route dumps show
                    problems.add(use.file() + ": line " + value.line() + ": parameter '" + name + "' of template " + use.template()
                            + " is a secret: name its property as ${properties:key}, read when used, not {{key}}, which writes it into the route");
                }
                String resolved = resolvePlaceholders(value.value(), resolve);
                values.put(name, resolved == null ? value.value() : resolved.strip());
                if (resolved == null) {
                    runTime.add(name); // its type is known only at run time
                }
            });
            // the hub's rule, not Camel's: a parameter the template does not declare is a typo that Camel would ignore
            ObjectNode schema = template.definition().deepCopy();
            schema.put("additionalProperties", false);
            Map<Integer, List<String>> found = new TreeMap<>();
            for (ValidationMessage m : FileSchema.violations(schema, values)) {
                String name = m.getProperty() != null ? m.getProperty()
                        : m.getInstanceLocation().getNameCount() > 0 ? m.getInstanceLocation().getName(0) : null;
                if ("type".equals(m.getType()) && runTime.contains(name)) {
                    continue;
                }
                String problem = switch (m.getType()) {
                    case "additionalProperties" -> "parameter '" + name + "' is not declared by template " + use.template()
                            + " (declared: " + template.definition().path("properties").properties().stream().map(Map.Entry::getKey).sorted().toList() + ")";
                    case "required" -> "parameter '" + name + "' is required by template " + use.template() + " but not set";
                    case "type" -> "parameter '" + name + "' of template " + use.template() + " must be "
                            + article(template.definition().path("properties").path(name).path("type").asText()) + ", not '" + values.path(name).asText() + "'";
                    default -> "parameter '" + name + "' of template " + use.template() + ": " + m.getMessage();
                };
                found.computeIfAbsent(use.line(name), line -> new ArrayList<>()).add(problem);
            }
            found.forEach((line, texts) -> texts.forEach(text -> problems.add(use.file() + ": line " + line + ": " + text)));
        }
        return problems;
    }

    /** A Kamelet file against file-schemas/kamelet.schema.json: its parameters' schema must itself be usable. */
    private static List<String> kameletProblems(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return FileSchema.of("kamelet").read(in, file.toString()).problems();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String article(String type) {
        return ("integer".equals(type) ? "an " : "a ") + type;
    }

    /** The property keys a value needs that have no default (not functions, not optional), in order. */
    static List<String> placeholders(String value) {
        List<String> keys = new ArrayList<>();
        if (value != null) {
            Matcher m = PLACEHOLDER.matcher(value);
            while (m.find()) {
                if (!FUNCTION.matcher(m.group(1)).find() && m.group(2) == null) {
                    keys.add(m.group(1).strip());
                }
            }
        }
        return keys;
    }

    private static String resolvePlaceholders(String value, UnaryOperator<String> resolve) {
        if (value == null) {
            return null;
        }
        Matcher m = PLACEHOLDER.matcher(value);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            if (FUNCTION.matcher(m.group(1)).find()) {
                return null; // a function's value is known only at run time
            }
            String resolved = resolve.apply(m.group(1));
            if (resolved == null) {
                resolved = m.group(2);
            }
            if (resolved == null) {
                return null;
            }
            m.appendReplacement(sb, Matcher.quoteReplacement(resolved));
        }
        m.appendTail(sb);
        return sb.toString();
    }
}
