package org.govhub.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.springframework.core.env.StandardEnvironment;

/**
 * In a cluster every node runs every route; a route whose consumer acts on shared state (a source,
 * batches, pushes, reports) must run on one node at a time, so its {@code from} starts with a cluster
 * placeholder. This reads every route file and Kamelet: a consumer added without one fails here
 * unless it is on the short list of routes that are about the node itself.
 */
class LeaderElectedRoutesTest {

    /** Routes that look at this node only: its own blocked units and change-capture engines, its own metric snapshot. */
    private static final Map<String, String> PER_NODE = Map.of(
            "source-watch", "watches this node's own units and engines",
            "hub-metrics", "this node's metric snapshot");

    @Test
    void everyConsumerOnSharedStateIsLeaderElected() throws IOException {
        Map<String, String> fromUris = new TreeMap<>();
        try (Stream<Path> files = Files.list(Path.of("routes"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).toList()) {
                for (JsonNode doc : new YAMLMapper().readerFor(JsonNode.class).<JsonNode>readValues(file.toFile()).readAll()) {
                    collect(doc, file.getFileName().toString(), fromUris);
                }
            }
        }
        assertThat(fromUris).as("route consumers found").hasSizeGreaterThan(10);
        Map<String, String> unowned = new TreeMap<>(fromUris);
        unowned.entrySet().removeIf(e -> e.getValue().startsWith("{{govhub.cluster.") || !e.getValue().startsWith("timer:")
                && !e.getValue().startsWith("ftp") && !e.getValue().startsWith("cdc-") || PER_NODE.containsKey(e.getKey()));
        assertThat(unowned).as("consumers that would run on every node of a cluster (route -> from)").isEmpty();
    }

    @Test
    void theClusterPlaceholdersAreMasterEndpointsOnlyWithAClusterService() {
        for (String service : new String[] {"zookeeper", "kubernetes"}) {
            StandardEnvironment environment = environment(service);
            assertThat(environment.getProperty("govhub.cluster.share-route")).isEqualTo("master:govhub-share:");
            assertThat(environment.getProperty("govhub.cluster.report-route")).isEqualTo("master:govhub-reports:");
            assertThat(environment.getProperty("govhub.cluster.batch-route")).isEqualTo("master:govhub-batches:");
            assertThat(environment.getProperty("govhub.cluster.source-route")).isEqualTo("master:govhub-source-{{sourceId}}:");
        }
        StandardEnvironment single = environment("none");
        for (String route : new String[] {"share", "report", "batch", "source"}) {
            assertThat(single.getProperty("govhub.cluster." + route + "-route")).as(route).isEmpty();
        }
    }

    private static StandardEnvironment environment(String service) {
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().addFirst(new org.springframework.core.env.MapPropertySource("test",
                Map.of(ClusterSettings.SERVICE, service)));
        new ClusterSettings().postProcessEnvironment(environment, null);
        return environment;
    }

    /** Every route's and template's {@code from.uri}, by route id (or file and template name). */
    private static void collect(JsonNode node, String file, Map<String, String> fromUris) {
        if (node.isArray()) {
            node.forEach(n -> collect(n, file, fromUris));
            return;
        }
        if (node.has("route")) {
            JsonNode route = node.get("route");
            fromUris.put(route.path("id").asText(file), route.path("from").path("uri").asText());
        } else if (node.has("spec") && node.path("spec").has("template")) {
            // a Kamelet: its route is spec.template.route (or spec.template directly)
            JsonNode template = node.path("spec").path("template");
            JsonNode from = template.has("route") ? template.path("route").path("from") : template.path("from");
            fromUris.put(file, from.path("uri").asText());
        }
    }
}
