package org.govhub.operate;

import java.util.Collection;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.spring.boot.CamelContextConfiguration;
import org.apache.camel.support.LifecycleStrategySupport;
import org.springframework.stereotype.Component;

/**
 * Every route needs an explicit id: operators find routes by name in Hawtio, in logs and in
 * alerts, and a generated {@code route7} changes whenever a file is added. A route file without
 * one stops start-up, naming the file.
 */
@Component
public class ExplicitRouteIds implements CamelContextConfiguration {

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
