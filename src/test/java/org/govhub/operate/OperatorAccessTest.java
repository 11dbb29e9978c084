package org.govhub.operate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.govhub.SandboxHubTest;
import org.govhub.normalise.CanonicalJson;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

/** What operators and programs meet at the door: logins, health, Hawtio's view of the routes. */
class OperatorAccessTest extends SandboxHubTest {

    @LocalServerPort
    int port;

    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    @Test
    void theProbesAreTheOnlyEndpointsOpenWithoutLogin() throws Exception {
        assertThat(get("/actuator/health/liveness", null).statusCode()).isEqualTo(200);
        HttpResponse<String> readiness = get("/actuator/health/readiness", null);
        assertThat(readiness.statusCode()).isEqualTo(200);
        assertThat(readiness.body()).as("a status, no details").isEqualTo("{\"status\":\"UP\"}");
        for (String path : new String[] {"/actuator/health", "/actuator/health/db", "/api/admin/batches",
            "/api/admin/quarantine", "/actuator/jolokia", "/sandbox/platform/batches"}) {
            assertThat(get(path, null).statusCode()).as(path).isEqualTo(401);
        }
        // a browser (asking for HTML) is sent to the login form
        HttpResponse<String> hawtio = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/actuator/hawtio/"))
                .header("Accept", "text/html").GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(hawtio.statusCode()).isEqualTo(302);
        assertThat(hawtio.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).endsWith("/login"));
        assertThat(get("/api/admin/batches", "admin:wrong-password").statusCode()).isEqualTo(401);
    }

    @Test
    void healthReportsBrokerHubDatabaseSourceAndPlatform() throws Exception {
        // Camel's consumer checks start pessimistic (DOWN) and turn UP after each consumer's first poll
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).pollInterval(java.time.Duration.ofMillis(500))
                .until(() -> get("/actuator/health", "admin:" + OPERATOR_PASSWORD).statusCode() == 200);
        HttpResponse<String> response = get("/actuator/health", "admin:" + OPERATOR_PASSWORD);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode health = CanonicalJson.read(response.body());
        assertThat(health.path("status").asText()).isEqualTo("UP");
        JsonNode components = health.path("components");
        assertThat(components.path("jms").path("status").asText()).isEqualTo("UP");
        assertThat(components.path("db").path("status").asText()).isEqualTo("UP");
        assertThat(components.path("sources").path("components").path("tax-bureau").path("status").asText()).isEqualTo("UP");
        assertThat(components.path("platform").path("status").asText()).isEqualTo("UP");
    }

    @Test
    void hawtioSeesTheCamelRoutesThroughJolokia() throws Exception {
        HttpResponse<String> response = get("/actuator/hawtio/jolokia/search/org.apache.camel:type=routes,*",
                "admin:" + OPERATOR_PASSWORD);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("tax-bureau-source", "tax-record-batching", "batch-sealing", "platform-delivery");

        HttpResponse<String> login = get("/actuator/hawtio/auth/config/login", "admin:" + OPERATOR_PASSWORD);
        assertThat(login.statusCode()).isEqualTo(200);
        assertThat(login.body()).contains("Spring Security");
    }

    @Test
    void theSandboxPlatformApiDemandsItsToken() throws Exception {
        HttpRequest submit = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/sandbox/platform/api/v1/batches"))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer not-the-token")
                .POST(HttpRequest.BodyPublishers.ofString("{\"manifest\":{},\"records\":[]}")).build();
        assertThat(http.send(submit, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
    }

    @Test
    void theSimulatedRestSystemsTakeFaultsFromOperatorsOnly() throws Exception {
        for (String system : new String[] {"provincial-platform", "credit-portal"}) {
            String path = "/api/sandbox/" + system + "/faults";
            // armed far ahead: this hub is shared with other tests, whose pulls must not meet them
            String body = "{\"after\": 1000000, \"faults\": [\"SERVER_ERROR\", \"HANG\"]}";
            // refused without login: 403 from the CSRF check (no Basic header), 401 with wrong credentials
            assertThat(post(path, body, null).statusCode()).as(path).isEqualTo(403);
            assertThat(post(path, body, "admin:wrong-password").statusCode()).as(path).isEqualTo(401);
            HttpResponse<String> response = post(path, body, "admin:" + OPERATOR_PASSWORD);
            assertThat(response.statusCode()).as(path).isEqualTo(200);
            assertThat(CanonicalJson.read(response.body()).path("pendingFaults").asInt()).as(path).isGreaterThanOrEqualTo(2);
        }
    }

    /** On embedded defaults (sandbox on) the hub listens on loopback: from this machine's other address, nothing answers. */
    @Test
    void onEmbeddedDefaultsTheHubAnswersOnThisMachineOnly() throws Exception {
        java.net.InetAddress outward = java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces()).stream()
                .filter(i -> !i.getName().startsWith("lo"))
                .flatMap(i -> java.util.Collections.list(i.getInetAddresses()).stream())
                .filter(a -> a instanceof java.net.Inet4Address && !a.isLoopbackAddress()).findFirst().orElse(null);
        assertThat(outward).as("a non-loopback address of this machine to call from").isNotNull();
        assertThat(get("/actuator/health/liveness", null).statusCode()).isEqualTo(200);
        try (java.net.Socket socket = new java.net.Socket()) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> socket.connect(new java.net.InetSocketAddress(outward, port), 2000))
                    .as("the hub's port on " + outward).isInstanceOf(java.io.IOException.class);
        }
    }

    private HttpResponse<String> post(String path, String json, String credentials) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
        if (credentials != null) {
            request.header("Authorization", "Basic "
                    + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path, String credentials) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).GET();
        if (credentials != null) {
            request.header("Authorization", "Basic "
                    + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
