package org.govhub.cluster;

import java.util.List;
import java.util.Optional;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.cluster.CamelClusterMember;
import org.apache.camel.component.master.MasterConsumer;
import org.apache.camel.component.master.MasterEndpoint;
import org.apache.camel.support.cluster.ClusterServiceHelper;
import org.springframework.context.annotation.Lazy;
import org.springframework.stereotype.Component;

/**
 * Whether this node leads a leader-elected route ({@code master:} in front of its consumer, see
 * {@link ClusterSettings}) or stands by for another node. On one node there is no {@code master:}
 * route, and every route "leads".
 */
@Component
public class Leadership {

    private final CamelContext camel;

    public Leadership(@Lazy CamelContext camel) {
        this.camel = camel;
    }

    /** A node that stands by: the namespace and the node that leads it (empty when no node does at the moment). */
    public record Standby(String namespace, Optional<String> leader) {
    }

    /**
     * When this node is started but not the leader for the first of {@code routeIds} that is
     * leader-elected: who leads instead. Empty when this node leads, runs alone, or the route is not running.
     */
    public Optional<Standby> standby(List<String> routeIds) {
        for (String routeId : routeIds) {
            Route route = camel.getRoute(routeId);
            if (route != null && route.getConsumer() instanceof MasterConsumer master && master.isRunAllowed() && !master.isMaster()) {
                String namespace = ((MasterEndpoint) master.getEndpoint()).getNamespace();
                return Optional.of(new Standby(namespace, leader(namespace)));
            }
        }
        return Optional.empty();
    }

    /** A namespace of this node's leader-elected routes: its routes, the node that leads it (if any) and whether that is this node. */
    public record Namespace(String namespace, List<String> routes, Optional<String> leader, boolean here) {
    }

    /** Every namespace this node takes part in, by name (none on one node). */
    public List<Namespace> namespaces() {
        java.util.Map<String, List<String>> routes = new java.util.TreeMap<>();
        java.util.Map<String, Boolean> here = new java.util.HashMap<>();
        for (Route route : camel.getRoutes()) {
            if (route.getConsumer() instanceof MasterConsumer master) {
                String namespace = ((MasterEndpoint) master.getEndpoint()).getNamespace();
                routes.computeIfAbsent(namespace, n -> new java.util.ArrayList<>()).add(route.getRouteId());
                here.merge(namespace, master.isRunAllowed() && master.isMaster(), Boolean::logicalOr);
            }
        }
        return routes.entrySet().stream().map(e -> new Namespace(e.getKey(), e.getValue().stream().sorted().toList(),
                leader(e.getKey()), here.get(e.getKey()))).toList();
    }

    private Optional<String> leader(String namespace) {
        try {
            return ClusterServiceHelper.lookupService(camel).flatMap(service -> {
                try {
                    return service.getView(namespace).getLeader().map(CamelClusterMember::getId);
                } catch (Exception e) {
                    return Optional.empty();
                }
            });
        } catch (RuntimeException e) {
            return Optional.empty(); // asked while the cluster service stops
        }
    }
}
