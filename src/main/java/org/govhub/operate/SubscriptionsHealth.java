package org.govhub.operate;

import java.util.LinkedHashMap;
import java.util.Map;
import org.govhub.share.Subscriptions;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * The departments' subscriptions whose grant is active, one detail per subscription: its channel,
 * backlog and last error. DOWN while a push subscription's last attempt failed (the department's
 * endpoint or the broker does not take its batches) or it has dead letters waiting for an operator:
 * delivery to that department is not moving. A feed nobody reads, or a broker queue that is full
 * because its department does not read, is the department's to drain and stays UP, with its backlog.
 */
@Component("subscriptionsHealthIndicator") // shown as "subscriptions" (Boot drops the suffix); the bean "subscriptions" is the service
public class SubscriptionsHealth implements HealthIndicator {

    private final Subscriptions subscriptions;

    public SubscriptionsHealth(Subscriptions subscriptions) {
        this.subscriptions = subscriptions;
    }

    @Override
    public Health health() {
        Health.Builder health = Health.up();
        for (Map<String, Object> s : subscriptions.list(null)) {
            if (!"ACTIVE".equals(s.get("grantStatus"))) {
                continue;
            }
            Map<String, Object> detail = new LinkedHashMap<>();
            detail.put("department", s.get("department"));
            detail.put("channel", s.get("channel"));
            detail.put("backlog", s.get("backlog"));
            int attempts = ((Number) s.get("attempts")).intValue();
            int deadLetters = ((Number) s.get("deadLetters")).intValue();
            if (attempts > 0) {
                detail.put("state", "FAILING");
                detail.put("lastError", s.get("lastError"));
                detail.put("nextAttemptAt", s.get("nextAttemptAt"));
                health.down();
            } else if (deadLetters > 0) {
                detail.put("state", "DEAD_LETTERS");
                detail.put("deadLetters", deadLetters);
                health.down();
            } else {
                detail.put("state", "OK");
            }
            if (s.containsKey("broker")) {
                detail.put("broker", s.get("broker"));
            }
            health.withDetail((String) s.get("subscription"), detail);
        }
        return health.build();
    }
}
