package org.govhub.ingest;

import org.apache.camel.component.http.HttpClientConfigurer;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.springframework.stereotype.Component;

/**
 * The HTTP client of REST sources ({@code httpClientConfigurer: "#restSourceHttpClient"} in the
 * rest-source template): Apache HttpClient's own automatic retries are off. Left on, it repeats a
 * request answered with 429 or 503, or cut off, by itself: behind the route's throttle (so more
 * requests than the configured rate) and out of sight of the source's back-off and failure state.
 * A failed page is retried by {@link RestPages} instead, through the throttle.
 */
@Component("restSourceHttpClient")
public class RestSourceHttpClient implements HttpClientConfigurer {

    @Override
    public void configureHttpClient(HttpClientBuilder builder) {
        builder.disableAutomaticRetries();
    }
}
