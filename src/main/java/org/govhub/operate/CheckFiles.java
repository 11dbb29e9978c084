package org.govhub.operate;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.govhub.enrich.PolicyRules;
import org.govhub.ingest.RouteFileModel;
import org.govhub.normalise.MappingException;
import org.govhub.normalise.MappingRegistry;
import org.govhub.normalise.SchemaRegistry;
import org.govhub.prioritise.PriorityRules;
import org.govhub.share.Catalog;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.io.ClassPathResource;

/**
 * Checks {@code routes/} and {@code mappings/} without starting the hub: every mapping file as the
 * hub loads it, every route file through Camel's YAML DSL, every route's explicit id, the
 * resource catalog against its file schema and the shared schemas, the priority rules and the
 * relief rules. Run it
 * before deploying a change:
 *
 * <pre>./mvnw -q compile exec:java@check-files</pre>
 *
 * Exit code 0 when everything is usable, 1 with each problem (file, line, reason) otherwise.
 */
public final class CheckFiles {

    private CheckFiles() {
    }

    public static void main(String[] args) {
        // a command: only problems and the verdict on the console
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
                .setLevel(ch.qos.logback.classic.Level.WARN);
        Path routes = Path.of(args.length > 0 ? args[0] : "routes");
        Path mappings = Path.of(args.length > 1 ? args[1] : "mappings");
        List<String> problems = check(routes, mappings);
        if (problems.isEmpty()) {
            System.out.println("OK: " + count(routes) + " route file(s) in " + routes + " and " + count(mappings)
                    + " mapping file(s) in " + mappings + " are valid");
            System.exit(0);
        }
        System.out.println(problems.size() + " problem(s):");
        problems.forEach(p -> System.out.println("  - " + p));
        System.exit(1);
    }

    /** Every problem found, each naming its file; empty when all files are usable. */
    public static List<String> check(Path routes, Path mappings) {
        return check(routes, mappings, hubEnvironment());
    }

    /** {@link #check(Path, Path)} with the properties the hub will have (a test's, a deployment's). */
    public static List<String> check(Path routes, Path mappings, StandardEnvironment environment) {
        List<String> problems = new ArrayList<>();
        SchemaRegistry schemas = new SchemaRegistry();
        try {
            MappingRegistry.load(schemas, mappings);
        } catch (MappingException e) {
            problems.addAll(e.problems());
        }
        // every field of every shared schema has its catalog entry (meaning, personal data or not)
        problems.addAll(Catalog.problems(new ClassPathResource(Catalog.DEFAULT_FILE), schemas));
        problems.addAll(PriorityRules.problems(new ClassPathResource(PriorityRules.DEFAULT_FILE)));
        problems.addAll(PolicyRules.problems(new ClassPathResource(PolicyRules.DEFAULT_FILE)));
        problems.addAll(checkRoutes(routes));
        if (Files.isDirectory(routes)) {
            RouteFileModel model = RouteFileModel.read(files(routes));
            problems.addAll(RouteFileRules.problems(model, mappings, environment));
        }
        return problems;
    }

    /** The environment variables and system properties, then the hub's application.yaml: what the hub resolves properties from. */
    public static StandardEnvironment hubEnvironment() {
        StandardEnvironment environment = new StandardEnvironment();
        try {
            new YamlPropertySourceLoader().load("application.yaml", new ClassPathResource("application.yaml"))
                    .forEach(environment.getPropertySources()::addLast);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return environment;
    }

    static List<String> checkRoutes(Path dir) {
        List<String> problems = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return List.of(dir + ": route directory not found");
        }
        DefaultCamelContext camel = new DefaultCamelContext();
        try {
            // Parsing only: nothing is started, so endpoints and beans are not looked up.
            camel.getPropertiesComponent().setIgnoreMissingLocation(true);
            // templates first, so that files instantiating them find them whatever their names
            List<Path> ordered = new ArrayList<>(files(dir));
            ordered.sort(java.util.Comparator.comparing((Path p) -> !p.toString().endsWith(RouteFileModel.KAMELET)).thenComparing(Path::toString));
            for (Path file : ordered) {
                Resource resource = ResourceHelper.resolveResource(camel, "file:" + file);
                try {
                    PluginHelper.getRoutesLoader(camel).loadRoutes(resource);
                } catch (Exception e) {
                    problems.add(message(e));
                }
            }
            for (RouteDefinition route : ((ModelCamelContext) camel).getRouteDefinitions()) {
                if (!route.hasCustomIdAssigned()) {
                    problems.add(route.getResource() == null ? "a route" : route.getResource().getLocation()
                            + ": route from " + route.getInput().getEndpointUri() + " has no id");
                }
            }
        } finally {
            camel.stop();
        }
        return problems;
    }

    private static String message(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t && (t.getMessage() == null || !t.getMessage().contains("line"))) {
            t = t.getCause();
        }
        return String.valueOf(t.getMessage()).strip().replaceAll("\\s*\\n\\s*", " ");
    }

    private static List<Path> files(Path dir) {
        return RouteFileModel.files(dir);
    }

    private static long count(Path dir) {
        return Files.isDirectory(dir) ? files(dir).size() : 0;
    }
}
