package org.govhub.operate;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Typed template parameters. A route template declares a parameter's type at the start of its
 * description ({@code description: "[integer] Milliseconds between two polls"}; no tag means
 * string). Every {@code templatedRoute} is checked against its template: each parameter it sets
 * must be declared there, and its value (after property placeholders) must have the declared
 * type. Camel itself checks that required parameters are present.
 */
public final class TemplateParameterTypes {

    private static final Pattern TYPE_TAG = Pattern.compile("^\\[(string|integer|boolean)]");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{([^}:]+)(?::([^}]*))?}}");

    private TemplateParameterTypes() {
    }

    private record Use(Path file, int line, String template, String name, String value) {
    }

    /**
     * @param resolve resolves a property key to its value, or null when it cannot be known
     */
    public static List<String> check(List<Path> files, UnaryOperator<String> resolve) {
        Map<String, Map<String, String>> templates = new HashMap<>();
        List<Use> uses = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (Path file : files) {
            Node root;
            try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                root = new Yaml(new LoaderOptions()).compose(reader);
            } catch (IOException | RuntimeException e) {
                continue; // syntax errors are reported by Camel's own loader, with line and column
            }
            if (!(root instanceof SequenceNode list)) {
                continue;
            }
            for (Node item : list.getValue()) {
                Map<String, Node> top = map(item);
                if (top.get("routeTemplate") != null) {
                    Map<String, Node> t = map(top.get("routeTemplate"));
                    Map<String, String> types = new HashMap<>();
                    for (Node p : items(t.get("parameters"))) {
                        Map<String, Node> param = map(p);
                        String description = text(param.get("description"));
                        Matcher m = TYPE_TAG.matcher(description == null ? "" : description);
                        types.put(text(param.get("name")), m.find() ? m.group(1) : "string");
                    }
                    templates.put(text(t.get("id")), types);
                }
                if (top.get("templatedRoute") != null) {
                    Map<String, Node> t = map(top.get("templatedRoute"));
                    for (Node p : items(t.get("parameters"))) {
                        Map<String, Node> param = map(p);
                        uses.add(new Use(file, p.getStartMark().getLine() + 1, text(t.get("routeTemplateRef")),
                                text(param.get("name")), text(param.get("value"))));
                    }
                }
            }
        }
        for (Use use : uses) {
            Map<String, String> types = templates.get(use.template());
            if (types == null) {
                continue; // Camel reports an unknown template
            }
            String where = use.file() + ": line " + use.line() + ": ";
            String type = types.get(use.name());
            if (type == null) {
                problems.add(where + "parameter '" + use.name() + "' is not declared by template " + use.template()
                        + " (declared: " + types.keySet().stream().sorted().toList() + ")");
                continue;
            }
            String value = resolvePlaceholders(use.value(), resolve);
            if (value == null) {
                continue; // known only at run time
            }
            boolean ok = switch (type) {
                case "integer" -> value.strip().matches("-?\\d+");
                case "boolean" -> value.strip().matches("true|false");
                default -> true;
            };
            if (!ok) {
                problems.add(where + "parameter '" + use.name() + "' of template " + use.template() + " must be "
                        + ("integer".equals(type) ? "an integer" : "a boolean") + ", not '" + value + "'");
            }
        }
        return problems;
    }

    /** Camel property functions ({{env:NAME:default}}) and optional placeholders ({{?name}}). */
    private static final Pattern FUNCTION = Pattern.compile("^\\?|^(env|sys|service|service\\.host|service\\.port|bean|ref|k8s[a-z:-]*|vault[a-z:-]*)$");

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

    private static Map<String, Node> map(Node node) {
        Map<String, Node> map = new HashMap<>();
        if (node instanceof MappingNode m) {
            for (NodeTuple t : m.getValue()) {
                if (t.getKeyNode() instanceof ScalarNode k) {
                    map.put(k.getValue(), t.getValueNode());
                }
            }
        }
        return map;
    }

    private static List<Node> items(Node node) {
        return node instanceof SequenceNode s ? s.getValue() : List.of();
    }

    private static String text(Node node) {
        return node instanceof ScalarNode s ? s.getValue() : null;
    }
}
