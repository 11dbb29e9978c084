package org.govhub.operate;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.stream.Stream;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.spring.boot.CamelContextConfiguration;
import org.apache.camel.support.LifecycleStrategySupport;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * Rules for route files that Camel does not enforce, checked as the hub starts:
 * <ul>
 * <li>every route has an explicit id: operators find routes by name in Hawtio, in logs and in
 * alerts, and a generated {@code route7} changes whenever a file is added;</li>
 * <li>template parameters have the declared type and exist (see {@link TemplateParameterTypes}).</li>
 * </ul>
 * A file that breaks one stops start-up, naming the file.
 */
@Component
public class RouteFileRules implements CamelContextConfiguration {

    private final Environment environment;

    /** Checks parameter types as the bean is created: before Camel loads the route files. */
    public RouteFileRules(Environment environment) {
        this.environment = environment;
        List<String> problems = TemplateParameterTypes.check(routeFiles(), environment::getProperty);
        if (!problems.isEmpty()) {
            throw new IllegalStateException("route files are invalid:\n  - " + String.join("\n  - ", problems));
        }
    }

    @Override
    public void beforeApplicationStart(CamelContext camelContext) {
        camelContext.addLifecycleStrategy(new LifecycleStrategySupport() {
            @Override
            public void onRoutesAdd(Collection<Route> routes) {
                for (Route route : routes) {
                    if (!route.isCustomId()) {
                        String where = route.getSourceResource() == null ? "a route" : route.getSourceResource().getLocation();
                        throw new IllegalStateException(where + ": route from " + route.getEndpoint().getEndpointUri()
                                + " has no id; give every route an explicit 'id' (or 'routeId' for a templatedRoute)");
                    }
                }
            }
        });
    }

    /** The files of {@code camel.main.routes-include-pattern} entries of the form file:dir/*.yaml. */
    private List<Path> routeFiles() {
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
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> s = Files.list(dir)) {
                s.filter(p -> matcher.matches(p.getFileName())).sorted().forEach(files::add);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return files;
    }

    @Override
    public void afterApplicationStart(CamelContext camelContext) {
        // nothing to do
    }
}
