package org.govhub;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;

/**
 * The project's route and mapping files copied into a test's own folder, where the test adds or
 * breaks some, and the hub's argument that loads routes from there.
 */
public final class ProjectFiles {

    private ProjectFiles() {
    }

    /** Copies the project's files of {@code folder} ("routes", "mappings"), all or the named ones, into {@code target}. */
    public static Path copy(String folder, Path target, String... only) {
        try {
            Files.createDirectories(target);
            List<Path> files;
            if (only.length > 0) {
                files = Stream.of(only).map(name -> Path.of(folder, name)).toList();
            } else {
                try (Stream<Path> all = Files.list(Path.of(folder))) {
                    files = all.toList();
                }
            }
            for (Path f : files) {
                Files.copy(f, target.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Writes a source's route file into {@code routes}, as a data-integration team would:
     * {@code <sourceId>-source.yaml} filling in {@code template} with the source id, its mapping and
     * the other parameters, given as name, value pairs.
     */
    public static Path source(Path routes, String template, String sourceId, String mapping, String... parameters) {
        StringBuilder yaml = new StringBuilder("- templatedRoute:\n    routeTemplateRef: " + template + "\n    routeId: " + sourceId
                + "-source\n    parameters:\n      - { name: sourceId, value: " + sourceId + " }\n      - { name: mapping, value: "
                + mapping + " }\n");
        for (int i = 0; i + 1 < parameters.length; i += 2) {
            yaml.append("      - { name: ").append(parameters[i]).append(", value: \"").append(parameters[i + 1]).append("\" }\n");
        }
        try {
            return Files.writeString(routes.resolve(sourceId + "-source.yaml"), yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The argument that makes a hub load its routes from {@code routes}. */
    public static String routesFrom(Path routes) {
        return "--camel.main.routes-include-pattern=file:" + routes + "/*.yaml";
    }
}
