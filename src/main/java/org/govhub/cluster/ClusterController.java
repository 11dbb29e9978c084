package org.govhub.cluster;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** Operators' view of the cluster from this node: which node leads each namespace (docs/cluster.md). */
@RestController
public class ClusterController {

    private final Leadership leadership;
    private final String service;
    private final String nodeId;

    public ClusterController(Leadership leadership, @Value("${govhub.cluster.service:none}") String service,
            @Value("${govhub.cluster.node-id}") String nodeId) {
        this.leadership = leadership;
        this.service = service;
        this.nodeId = nodeId;
    }

    @GetMapping("/api/admin/cluster")
    public Map<String, Object> cluster() {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("node", nodeId);
        result.put("service", service);
        result.put("namespaces", leadership.namespaces().stream().map(n -> {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("namespace", n.namespace());
            row.put("leader", n.leader().orElse(null)); // null: an election is under way, no node polls
            row.put("here", n.here());
            row.put("routes", n.routes());
            return row;
        }).toList());
        return result;
    }
}
