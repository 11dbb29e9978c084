package org.govhub.operate;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.govhub.deliver.PlatformProperties;
import org.govhub.deliver.PlatformTls;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/** Whether the national platform answers its status call with the hub's credentials. */
@Component("platform")
public class PlatformHealth implements HealthIndicator {

    private final PlatformProperties platform;
    private final io.github.resilience4j.circuitbreaker.CircuitBreaker circuit;
    private final Environment environment;
    private final HttpClient client;

    public PlatformHealth(PlatformProperties platform, io.github.resilience4j.circuitbreaker.CircuitBreaker circuit, Environment environment,
            PlatformTls tls) {
        this.platform = platform;
        this.circuit = circuit;
        this.environment = environment;
        HttpClient.Builder client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3));
        if (tls.bundle() != null) {
            // as the deliveries: the hub's client certificate and the platform's CAs (docs/tls.md)
            client.sslContext(tls.sslContext());
        }
        this.client = client.build();
    }

    @Override
    public Health health() {
        // Read per call, not from the bound properties: by default the URL names the port the
        // web server got at start (local.server.port), which is unknown when properties are bound.
        String url = environment.getProperty("govhub.platform.url") + "/api/v1/status";
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(3)).GET();
            if (platform.token() != null && !platform.token().isBlank()) {
                request.header("Authorization", "Bearer " + platform.token());
            }
            HttpResponse<Void> response = client.send(request.build(), HttpResponse.BodyHandlers.discarding());
            Health.Builder health = response.statusCode() / 100 == 2 ? Health.up() : Health.down();
            return health.withDetail("url", url).withDetail("status", response.statusCode())
                    .withDetail("circuit", circuit.getState()).build();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Health.down().withDetail("url", url).withDetail("error", "interrupted").build();
        } catch (Exception e) {
            return Health.down().withDetail("url", url).withDetail("error", e.getClass().getSimpleName())
                    .withDetail("circuit", circuit.getState()).build();
        }
    }
}
