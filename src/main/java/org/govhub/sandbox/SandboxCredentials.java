package org.govhub.sandbox;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.PropertySource;

/**
 * The sandbox's credentials (the simulated FTP logins, the platforms' tokens, the credit portal's
 * key) are generated at its first start and kept in {@code <data-dir>/sandbox/credentials.properties},
 * readable by the owner only: nothing committed to the project grants access to anything. A value
 * set in the configuration or the environment still wins (this source comes last).
 *
 * <p>The source answers lazily, on the first look-up, because tests choose the data directory
 * after environment post-processing (an initializer), and the file must follow it.
 */
public class SandboxCredentials implements EnvironmentPostProcessor {

    static final String FILE = "sandbox/credentials.properties";
    static final List<String> GENERATED = List.of("govhub.sandbox.hrss.password", "govhub.sandbox.drc-miit.password",
            "govhub.sandbox.platform.token", "govhub.sandbox.provincial-platform.token", "govhub.sandbox.credit-portal.api-key");

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        environment.getPropertySources().addLast(new Generated(environment));
    }

    /** The credentials of the sandbox under this data directory, generated and saved if missing. */
    public static Map<String, String> of(Path dataDir) {
        return STORES.computeIfAbsent(dataDir.toAbsolutePath().normalize(), SandboxCredentials::loadOrCreate);
    }

    private static final Map<Path, Map<String, String>> STORES = new ConcurrentHashMap<>();

    private static Map<String, String> loadOrCreate(Path dataDir) {
        Path file = dataDir.resolve(FILE);
        try {
            Properties saved = new Properties();
            if (Files.exists(file)) {
                try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                    saved.load(in);
                }
            }
            boolean changed = false;
            SecureRandom random = new SecureRandom();
            for (String key : GENERATED) {
                if (saved.getProperty(key, "").isBlank()) {
                    byte[] bytes = new byte[18];
                    random.nextBytes(bytes);
                    saved.setProperty(key, HexFormat.of().formatHex(bytes));
                    changed = true;
                }
            }
            if (changed) {
                save(file, saved);
            }
            Map<String, String> values = new ConcurrentHashMap<>();
            saved.stringPropertyNames().forEach(k -> values.put(k, saved.getProperty(k)));
            return Map.copyOf(values);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the sandbox credentials in " + file, e);
        }
    }

    private static void save(Path file, Properties values) throws IOException {
        Files.createDirectories(file.getParent());
        Path part = file.resolveSibling(file.getFileName() + ".part");
        Files.deleteIfExists(part);
        try {
            Files.createFile(part, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException notPosix) {
            Files.createFile(part);
        }
        try (Writer out = Files.newBufferedWriter(part, StandardCharsets.UTF_8)) {
            values.store(out, "GovHub sandbox credentials, generated at first start; delete this file to generate new ones");
        }
        Files.move(part, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Answers only for the generated keys, and only while the sandbox is on. */
    private static final class Generated extends PropertySource<String> {

        // not the source itself: Spring Boot would walk an environment given as source, this one included
        private final ConfigurableEnvironment environment;

        Generated(ConfigurableEnvironment environment) {
            super("govhub-sandbox-credentials", FILE);
            this.environment = environment;
        }

        @Override
        public Object getProperty(String name) {
            if (!GENERATED.contains(name) || !environment.getProperty("govhub.sandbox.enabled", Boolean.class, false)) {
                return null;
            }
            return of(Path.of(environment.getProperty("govhub.data-dir", "./data"))).get(name);
        }

        @Override
        public boolean containsProperty(String name) {
            return getProperty(name) != null;
        }
    }
}
