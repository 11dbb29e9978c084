package org.govhub.cluster;

import java.time.Duration;
import org.apache.camel.cluster.CamelClusterService;
import org.apache.camel.component.kubernetes.cluster.KubernetesClusterService;
import org.apache.camel.component.kubernetes.cluster.LeaseResourceType;
import org.apache.camel.component.zookeeper.cluster.ZooKeeperClusterService;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The cluster service behind the {@code master:} routes (docs/cluster.md), when
 * {@code govhub.cluster.service} asks for one: Camel's own implementations, no lock of the hub's.
 * Camel finds the bean in the registry (ClusterServiceHelper) and starts it with the context.
 */
@Configuration(proxyBeanMethods = false)
public class ClusterConfiguration {

    /** Bare machines: a ZooKeeper ensemble, leader election by Curator; a dead node's turn ends with its session. */
    @Bean
    @ConditionalOnProperty(name = ClusterSettings.SERVICE, havingValue = "zookeeper")
    CamelClusterService zooKeeperClusterService(@Value("${govhub.cluster.node-id}") String nodeId,
            @Value("${govhub.cluster.zookeeper.nodes}") String nodes,
            @Value("${govhub.cluster.zookeeper.base-path}") String basePath,
            @Value("${govhub.cluster.zookeeper.session-timeout}") Duration sessionTimeout,
            @Value("${govhub.cluster.zookeeper.connection-timeout}") Duration connectionTimeout) {
        if (nodes.isBlank()) {
            throw new IllegalStateException("govhub.cluster.service is zookeeper: set govhub.cluster.zookeeper.nodes (GOVHUB_ZOOKEEPER_NODES)");
        }
        ZooKeeperClusterService service = new ZooKeeperClusterService();
        service.setId(nodeId);
        service.setNodes(nodes);
        service.setBasePath(basePath);
        service.setSessionTimeout(sessionTimeout.toMillis());
        service.setConnectTimeout(connectionTimeout.toMillis());
        return service;
    }

    /** Kubernetes: a coordination.k8s.io Lease per namespace, held by the pod (RBAC: get, create, update leases; list pods). */
    @Bean
    @ConditionalOnProperty(name = ClusterSettings.SERVICE, havingValue = "kubernetes")
    CamelClusterService kubernetesClusterService(@Value("${govhub.cluster.node-id}") String nodeId,
            @Value("${govhub.cluster.kubernetes.namespace:}") String namespace,
            @Value("${govhub.cluster.kubernetes.lease-duration}") Duration leaseDuration,
            @Value("${govhub.cluster.kubernetes.renew-deadline}") Duration renewDeadline,
            @Value("${govhub.cluster.kubernetes.retry-period}") Duration retryPeriod) {
        KubernetesClusterService service = new KubernetesClusterService();
        service.setId(nodeId);
        service.setPodName(nodeId);
        if (!namespace.isBlank()) {
            service.setKubernetesNamespace(namespace);
        }
        service.setLeaseResourceType(LeaseResourceType.Lease);
        service.setLeaseDurationMillis(leaseDuration.toMillis());
        service.setRenewDeadlineMillis(renewDeadline.toMillis());
        service.setRetryPeriodMillis(retryPeriod.toMillis());
        return service;
    }
}
