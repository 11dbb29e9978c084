package org.govhub.deliver;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The national platform's batch API.
 *
 * @param url          base URL; batches are POSTed to {@code <url>/api/v1/batches}
 * @param token        bearer token; comes from the environment in production and is never logged
 * @param maxBackoff   longest wait between two attempts at one batch (back-off doubles up to it)
 */
@ConfigurationProperties("govhub.platform")
public record PlatformProperties(String url, String token, @DefaultValue("5m") Duration maxBackoff) {

    @Override
    public String toString() {
        return "PlatformProperties[url=" + url + ", token=****, maxBackoff=" + maxBackoff + "]";
    }
}
