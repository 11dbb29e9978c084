package org.govhub.deliver;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The national platform's batch API (contract: src/main/resources/openapi/national-platform.yaml).
 *
 * @param url              base URL; batches are POSTed to {@code <url>/api/v1/batches}
 * @param token            bearer token; comes from the environment in production and is never logged
 * @param maxBackoff       longest wait between two attempts at one batch (back-off doubles up to it)
 * @param maxAttempts      attempts at one batch before it is dead (an operator can re-send it)
 * @param failureThreshold consecutive failed calls that open the circuit breaker
 * @param openFor          how long an open circuit sends nothing before one trial call
 */
@ConfigurationProperties("govhub.platform")
public record PlatformProperties(String url, String token, @DefaultValue("5m") Duration maxBackoff,
        @DefaultValue("12") int maxAttempts, @DefaultValue("5") int failureThreshold, @DefaultValue("30s") Duration openFor) {

    @Override
    public String toString() {
        return "PlatformProperties[url=" + url + ", token=****, maxBackoff=" + maxBackoff + ", maxAttempts=" + maxAttempts + "]";
    }
}
