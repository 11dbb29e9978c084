package org.govhub.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.springframework.core.env.Environment;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * The route templates and templated routes of the route files, with the line of every parameter,
 * read before Camel starts: the hub checks them as it starts and the check-files command without
 * starting (parameters, mappings, connections), and the source connections are found from them. A
 * file that is not YAML is left to Camel's own loader, which reports it with line and column.
 * (Camel's route model keeps no lines of template parameters, so this reads the YAML nodes itself.)
 */
public record RouteFileModel(Map<String, Template> templates, List<Use> uses) {

    /** Camel's name for a Kamelet file: its YAML DSL loads one as the route template metadata.name. */
    public static final String KAMELET = ".kamelet.yaml";

    /**
     * A route template: a Kamelet, whose {@code spec.definition} is the JSON Schema of its parameters
     * (an empty object when it has none), or a plain {@code routeTemplate}, whose definition is null.
     */
    public record Template(String id, Path file, int line, JsonNode definition) {
    }

    /** A value set in a templated route, and its line. */
    public record Value(String value, int line) {
    }

    /** A templated route: which template it fills in, where, and with what. */
    public record Use(Path file, int line, String routeId, String template, Map<String, Value> parameters) {

        public String parameter(String name) {
            Value v = parameters.get(name);
            return v == null ? null : v.value();
        }

        public int line(String name) {
            Value v = parameters.get(name);
            return v == null ? line : v.line();
        }
    }

    /** The templated routes that are sources: they name a sourceId (and a mapping). */
    public List<Use> sources() {
        return uses.stream().filter(u -> u.parameter("sourceId") != null).toList();
    }

    public static RouteFileModel read(List<Path> files) {
        Map<String, Template> templates = new LinkedHashMap<>();
        List<Use> uses = new ArrayList<>();
        for (Path file : files) {
            if (file.getFileName().toString().endsWith(KAMELET)) {
                readKamelet(file, templates);
                continue;
            }
            Node root;
            try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                root = new Yaml(new LoaderOptions()).compose(reader);
            } catch (IOException | RuntimeException e) {
                continue; // reported by Camel's loader, with line and column
            }
            if (!(root instanceof SequenceNode list)) {
                continue;
            }
            for (Node item : list.getValue()) {
                Map<String, Node> top = map(item);
                if (top.get("routeTemplate") != null) {
                    String id = text(map(top.get("routeTemplate")).get("id"));
                    templates.put(id, new Template(id, file, item.getStartMark().getLine() + 1, null));
                }
                if (top.get("templatedRoute") != null) {
                    Map<String, Node> t = map(top.get("templatedRoute"));
                    Map<String, Value> parameters = new LinkedHashMap<>();
                    for (Node p : items(t.get("parameters"))) {
                        Map<String, Node> param = map(p);
                        parameters.put(text(param.get("name")), new Value(text(param.get("value")), p.getStartMark().getLine() + 1));
                    }
                    uses.add(new Use(file, item.getStartMark().getLine() + 1, text(t.get("routeId")), text(t.get("routeTemplateRef")),
                            parameters));
                }
            }
        }
        return new RouteFileModel(templates, uses);
    }

    private static void readKamelet(Path file, Map<String, Template> templates) {
        JsonNode kamelet;
        try {
            kamelet = new YAMLMapper().readTree(file.toFile());
        } catch (IOException | RuntimeException e) {
            return; // reported by Camel's loader, with line and column
        }
        String id = kamelet == null ? null : kamelet.at("/metadata/name").asText(null);
        if (id != null) {
            JsonNode definition = kamelet.at("/spec/definition");
            templates.put(id, new Template(id, file, 1, definition.isObject() ? definition : JsonNodeFactory.instance.objectNode()));
        }
    }

    /** The route files the hub loads: {@code camel.main.routes-include-pattern} entries of the form file:dir/*.yaml. */
    public static List<Path> files(Environment environment) {
        List<Path> files = new ArrayList<>();
        String patterns = environment.getProperty("camel.main.routes-include-pattern", "");
        for (String pattern : patterns.split(",")) {
            pattern = pattern.strip();
            if (!pattern.startsWith("file:")) {
                continue;
            }
            Path glob = Path.of(pattern.substring("file:".length()));
            Path dir = glob.getParent() == null ? Path.of(".") : glob.getParent();
            PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + glob.getFileName());
            files.addAll(list(dir, matcher));
        }
        return files;
    }

    /** The YAML files of a folder, sorted by name. */
    public static List<Path> files(Path dir) {
        return list(dir, FileSystems.getDefault().getPathMatcher("glob:*.{yaml,yml}"));
    }

    private static List<Path> list(Path dir, PathMatcher matcher) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> matcher.matches(p.getFileName())).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, Node> map(Node node) {
        Map<String, Node> map = new LinkedHashMap<>();
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
