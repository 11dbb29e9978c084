package org.govhub.operate;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.spring.boot.CamelContextConfiguration;
import org.apache.camel.support.LifecycleStrategySupport;
import org.govhub.ingest.RouteFileModel;
import org.springframework.core.env.Environment;
import org.springframework.core.env.PropertyResolver;
import org.springframework.stereotype.Component;

/**
 * Rules for route files that Camel does not enforce, checked as the hub starts:
 * <ul>
 * <li>every route has an explicit id: operators find routes by name in Hawtio, in logs and in
 * alerts, and a generated {@code route7} changes whenever a file is added;</li>
 * <li>template parameters keep to the JSON Schema of their Kamelet (see {@link TemplateParameterTypes});</li>
 * <li>every source has its mapping, its connection and the properties its parameters name (see
 * {@link SourceRouteChecks}).</li>
 * </ul>
 * A file that breaks one stops start-up, naming the file, the line and what to set.
 */
@Component
public class RouteFileRules implements CamelContextConfiguration {

    /** Checks the route files as the bean is created: before Camel loads them. */
    public RouteFileRules(Environment environment) {
        List<String> problems = problems(RouteFileModel.read(RouteFileModel.files(environment)),
                Path.of(environment.getProperty("govhub.mappings.dir", "mappings")), environment);
        if (!problems.isEmpty()) {
            throw new IllegalStateException("route files are invalid:\n  - " + String.join("\n  - ", problems));
        }
    }

    /** Every problem of the route files against these properties (the check-files command asks the same). */
    public static List<String> problems(RouteFileModel model, Path mappings, PropertyResolver properties) {
        List<String> problems = new ArrayList<>(TemplateParameterTypes.check(model, properties::getProperty));
        problems.addAll(SourceRouteChecks.check(model, mappings, properties));
        return problems;
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

    @Override
    public void afterApplicationStart(CamelContext camelContext) {
        // nothing to do
    }
}
