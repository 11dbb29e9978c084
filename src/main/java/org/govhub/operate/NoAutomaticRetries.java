package org.govhub.operate;

import org.apache.camel.component.http.HttpClientConfigurer;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.springframework.stereotype.Component;

/**
 * Every outgoing HTTP call of the hub ({@code httpClientConfigurer: "#noAutomaticRetries"} in the
 * rest-source template and the platform-delivery route): Apache HttpClient's own automatic
 * retries are off. Left on, it repeats a request answered with 429 or 503, or cut off, by itself:
 * past a REST source's throttle (more requests than the configured rate) and out of sight of the
 * back-off, the circuit breaker and the failure state. Retries are the hub's own, where they can be
 * seen: {@link org.govhub.ingest.RestPages} for a failed page, {@link org.govhub.deliver.PlatformDelivery}
 * for a failed batch.
 */
@Component("noAutomaticRetries")
public class NoAutomaticRetries implements HttpClientConfigurer {

    @Override
    public void configureHttpClient(HttpClientBuilder builder) {
        builder.disableAutomaticRetries();
    }
}
