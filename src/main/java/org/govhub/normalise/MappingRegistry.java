package org.govhub.normalise;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * All mapping files of the {@code mappings/} directory, loaded and checked at start-up. One bad
 * file stops the hub with a message naming the file, the line and the problem: a source must not
 * run on a mapping nobody can read.
 */
@Component
public class MappingRegistry {

    private static final Logger log = LoggerFactory.getLogger(MappingRegistry.class);

    private final Map<String, MappingDefinition> mappings = new java.util.concurrent.ConcurrentSkipListMap<>();

    public MappingRegistry(SchemaRegistry schemas, @Value("${govhub.mappings.dir:mappings}") Path dir) {
        mappings.putAll(load(schemas, dir));
        log.info("loaded {} mapping(s) from {}: {}", mappings.size(), dir, mappings.keySet());
    }

    /**
     * Every mapping file of {@code dir}, loaded and checked; a {@link MappingException} lists the problems of
     * all of them. Logs nothing: CheckFiles loads folders that are not the hub's (a temporary one on each upload).
     */
    public static Map<String, MappingDefinition> load(SchemaRegistry schemas, Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new MappingException(List.of(dir.toAbsolutePath() + ": mapping directory not found (govhub.mappings.dir)"));
        }
        MappingLoader loader = new MappingLoader(schemas);
        Map<String, MappingDefinition> loaded = new TreeMap<>();
        List<String> problems = new ArrayList<>();
        for (Path file : files(dir)) {
            try {
                MappingDefinition m = loader.load(file);
                loaded.put(m.id(), m);
            } catch (MappingException e) {
                problems.addAll(e.problems()); // each names its file, line and column
            }
        }
        if (!problems.isEmpty()) {
            throw new MappingException(problems);
        }
        return loaded;
    }

    static List<Path> files(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().matches(".*\\.ya?ml$")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public MappingDefinition get(String id) {
        MappingDefinition m = mappings.get(id);
        if (m == null) {
            throw new IllegalArgumentException("no mapping '" + id + "' (loaded: " + mappings.keySet() + ")");
        }
        return m;
    }

    /**
     * A mapping deployed while the hub runs (operate/SourceDeployments): rows normalised from now on use
     * it. One that is replaced is not needed again: normalising happens in the source's own route,
     * which is stopped before its mapping changes.
     */
    public void put(MappingDefinition mapping) {
        mappings.put(mapping.id(), mapping);
        log.info("mapping {} version {} in use", mapping.id(), mapping.version());
    }

    public Map<String, MappingDefinition> all() {
        return Map.copyOf(mappings);
    }
}
