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

    /** The argument that makes a hub load its routes from {@code routes}. */
    public static String routesFrom(Path routes) {
        return "--camel.main.routes-include-pattern=file:" + routes + "/*.yaml";
    }
}
