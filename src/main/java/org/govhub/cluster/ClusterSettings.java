package org.govhub.cluster;

import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * What the leader-elected routes' {@code from} URIs start with (docs/cluster.md). With
 * {@code govhub.cluster.service} none (one node, the default) nothing: every route consumes as it
 * always did. With a cluster service, Camel's {@code master:<namespace>:} in front, so the route runs
 * on every node and its consumer only on the namespace's leader:
 * <ul>
 * <li>{@code govhub.cluster.source-route}: one namespace per source ({@code {{sourceId}}} is the
 * template parameter, resolved by Camel), so different sources may lead on different nodes;</li>
 * <li>{@code govhub.cluster.batch-route}: one namespace for the batch stage and delivery together,
 * which rely on one JVM's lock (BatchAssembler) and on one delivery round at a time;</li>
 * <li>{@code govhub.cluster.share-route}: the push rounds to departments, whose one-worker-per-subscription
 * claim is held in the JVM (PushDelivery);</li>
 * <li>{@code govhub.cluster.report-route}: generating and delivering the weekly report, once per week.</li>
 * </ul>
 */
public class ClusterSettings implements EnvironmentPostProcessor {

    static final String SERVICE = "govhub.cluster.service";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        boolean clustered = clustered(environment.getProperty(SERVICE, "none"));
        environment.getPropertySources().addLast(new MapPropertySource("govhub-cluster-routes", Map.of(
                "govhub.cluster.source-route", clustered ? "master:govhub-source-{{sourceId}}:" : "",
                "govhub.cluster.batch-route", clustered ? "master:govhub-batches:" : "",
                "govhub.cluster.share-route", clustered ? "master:govhub-share:" : "",
                "govhub.cluster.report-route", clustered ? "master:govhub-reports:" : "")));
    }

    /** Whether this hub runs with a cluster service (the one reading of govhub.cluster.service). */
    public static boolean clustered(org.springframework.core.env.Environment environment) {
        return clustered(environment.getProperty(SERVICE, "none"));
    }

    /** none, zookeeper or kubernetes; anything else stops the hub before it starts. */
    static boolean clustered(String service) {
        return switch (service) {
            case "none", "" -> false;
            case "zookeeper", "kubernetes" -> true;
            default -> throw new IllegalStateException(SERVICE + " is '" + service + "': it must be none, zookeeper or kubernetes");
        };
    }
}
