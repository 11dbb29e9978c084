package org.govhub.operate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.govhub.SandboxHubTest;
import org.govhub.normalise.CanonicalJson;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/** The admin's accounts API, roles taking effect at once, the password policy, and throttled logins. */
class AccountsAndLoginsTest extends SandboxHubTest {

    static final String ADMIN = "admin:" + OPERATOR_PASSWORD;

    @LocalServerPort
    int port;
    @Autowired
    LoginThrottle throttle;
    @Autowired
    LoginEvents logins;

    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    // this hub is shared with other tests, all calling from 127.0.0.1: leave no counts behind
    @BeforeEach
    @AfterEach
    void forgetFailures() {
        throttle.clear();
    }

    @Test
    void anAdminManagesAccountsAndEachRoleTakesEffectAtOnce() throws Exception {
        HttpResponse<String> weak = call("POST", "/api/admin/accounts", "{\"username\":\"olga\",\"role\":\"operator\",\"password\":\"olga\"}", ADMIN);
        assertThat(weak.statusCode()).isEqualTo(400);
        assertThat(weak.body()).contains("shorter than 12 characters", "character classes", "contains the user name");
        assertThat(call("POST", "/api/admin/accounts", "{\"username\":\"olga\",\"role\":\"root\",\"password\":\"Olive-tree-2026\"}", ADMIN)
                .statusCode()).isEqualTo(400);
        assertThat(call("POST", "/api/admin/accounts", "{\"username\":\"olga\",\"role\":\"operator\",\"password\":\"Olive-tree-2026\"}", ADMIN)
                .statusCode()).isEqualTo(201);
        assertThat(call("POST", "/api/admin/accounts", "{\"username\":\"olga\",\"role\":\"viewer\",\"password\":\"Olive-tree-2026\"}", ADMIN)
                .statusCode()).isEqualTo(409);
        String olga = "olga:Olive-tree-2026";
        String replayNothing = "/api/admin/quarantine/replay?source=no-such-source";
        assertThat(call("POST", replayNothing, "", olga).statusCode()).isEqualTo(200);
        assertThat(call("GET", "/api/admin/accounts", null, olga).statusCode()).isEqualTo(403);

        JsonNode list = CanonicalJson.read(call("GET", "/api/admin/accounts", null, ADMIN).body());
        assertThat(list.path("accounts").toString()).contains("\"olga\"", "\"operator\"").doesNotContain("$2a$");

        assertThat(call("PUT", "/api/admin/accounts/olga/role", "{\"role\":\"viewer\"}", ADMIN).statusCode()).isEqualTo(204);
        assertThat(call("POST", replayNothing, "", olga).statusCode()).isEqualTo(403);
        assertThat(call("GET", "/api/admin/batches", null, olga).statusCode()).isEqualTo(200);

        assertThat(call("POST", "/api/admin/accounts/olga/disable", "", ADMIN).statusCode()).isEqualTo(204);
        assertThat(call("GET", "/api/admin/batches", null, olga).statusCode()).isEqualTo(401);
        assertThat(call("POST", "/api/admin/accounts/olga/enable", "", ADMIN).statusCode()).isEqualTo(204);
        assertThat(call("GET", "/api/admin/batches", null, olga).statusCode()).isEqualTo(200);

        assertThat(call("PUT", "/api/admin/accounts/olga/password", "{\"password\":\"olga1234\"}", ADMIN).statusCode()).isEqualTo(400);
        assertThat(call("PUT", "/api/admin/accounts/olga/password", "{\"password\":\"Birch-grove-2027\"}", ADMIN).statusCode()).isEqualTo(204);
        assertThat(call("GET", "/api/admin/batches", null, olga).statusCode()).isEqualTo(401);
        assertThat(call("GET", "/api/admin/batches", null, "olga:Birch-grove-2027").statusCode()).isEqualTo(200);
        assertThat(call("PUT", "/api/admin/accounts/nobody/role", "{\"role\":\"viewer\"}", ADMIN).statusCode()).isEqualTo(404);
    }

    @Test
    void theLastEnabledAdminCannotBeDisabledOrDemoted() throws Exception {
        assertThat(call("POST", "/api/admin/accounts", "{\"username\":\"second-admin\",\"role\":\"admin\",\"password\":\"Second-key-2026\"}", ADMIN)
                .statusCode()).isEqualTo(201);
        // with two admins, one may go
        assertThat(call("POST", "/api/admin/accounts/second-admin/disable", "", ADMIN).statusCode()).isEqualTo(204);
        HttpResponse<String> disable = call("POST", "/api/admin/accounts/admin/disable", "", ADMIN);
        assertThat(disable.statusCode()).isEqualTo(409);
        assertThat(disable.body()).contains("last enabled admin");
        assertThat(call("PUT", "/api/admin/accounts/admin/role", "{\"role\":\"operator\"}", ADMIN).statusCode()).isEqualTo(409);
        assertThat(call("GET", "/api/admin/accounts", null, ADMIN).statusCode()).isEqualTo(200);
        // a disabled admin does not count: demoting it is allowed, and the enabled one stays the last
        assertThat(call("PUT", "/api/admin/accounts/second-admin/role", "{\"role\":\"viewer\"}", ADMIN).statusCode()).isEqualTo(204);
    }

    @Test
    void disablingAnAccountEndsItsBrowserSessions() throws Exception {
        assertThat(call("POST", "/api/admin/accounts", "{\"username\":\"vera\",\"role\":\"viewer\",\"password\":\"Looks-around-2026\"}", ADMIN)
                .statusCode()).isEqualTo(201);
        String session = formLogin("vera", "Looks-around-2026");
        assertThat(withSession("/api/admin/batches", session).statusCode()).isEqualTo(200);
        assertThat(call("POST", "/api/admin/accounts/vera/disable", "", ADMIN).statusCode()).isEqualTo(204);
        assertThat(withSession("/api/admin/batches", session).statusCode()).isEqualTo(401);
        assertThat(withSession("/api/admin/batches", session).statusCode()).isEqualTo(401);
    }

    @Test
    void repeatedFailuresAreAnswered429WithRetryAfterPerAccountAndPerAddress() throws Exception {
        assertThat(call("POST", "/api/admin/accounts", "{\"username\":\"tom\",\"role\":\"viewer\",\"password\":\"Only-reads-2026\"}", ADMIN)
                .statusCode()).isEqualTo(201);
        long failuresBefore = logins.count("failure");
        for (int i = 0; i < 5; i++) {
            assertThat(call("GET", "/api/admin/batches", null, "tom:wrong-" + i).statusCode()).isEqualTo(401);
        }
        // the right password too is not checked while the account waits; nor is the login form
        HttpResponse<String> throttled = call("GET", "/api/admin/batches", null, "tom:Only-reads-2026");
        assertThat(throttled.statusCode()).isEqualTo(429);
        assertThat(throttled.headers().firstValue("Retry-After")).hasValueSatisfying(s -> assertThat(Long.parseLong(s)).isBetween(1L, 30L));
        assertThat(formLoginStatus("tom", "Only-reads-2026")).isEqualTo(429);
        // other accounts from this address still log in (5 failures from it so far, the address limit is 10)
        assertThat(call("GET", "/api/admin/batches", null, ADMIN).statusCode()).isEqualTo(200);
        assertThat(logins.count("failure") - failuresBefore).isEqualTo(5);

        throttle.clear();
        for (int i = 0; i < 10; i++) {
            assertThat(formLoginStatus("guess-" + i, "wrong")).as("form failure %d", i).isEqualTo(302);
        }
        assertThat(call("GET", "/api/admin/batches", null, "tom:Only-reads-2026").statusCode()).as("the address waits").isEqualTo(429);

        // the admin calls from the same address, which waits too
        assertThat(call("GET", "/api/admin/accounts/logins", null, ADMIN).statusCode()).isEqualTo(429);
        throttle.clear();
        String body = call("GET", "/api/admin/accounts/logins", null, ADMIN).body();
        JsonNode summary = CanonicalJson.read(body);
        assertThat(summary.path("counts").path("throttled").asLong()).as(body).isGreaterThanOrEqualTo(3);
        assertThat(summary.path("latest").toString()).contains("\"guess-9\"", "\"failure\"", "127.0.0.1").doesNotContain("wrong");
    }

    /** Wrong passwords per minute for one account with no throttle (counts cleared after each try): the "before" figure. */
    @Test
    void measureUnthrottledGuessRate() throws Exception {
        long end = System.nanoTime() + 10_000_000_000L;
        int tries = 0;
        while (System.nanoTime() < end) {
            assertThat(call("GET", "/api/admin/batches", null, "admin:guess-" + tries).statusCode()).isEqualTo(401);
            throttle.clear();
            tries++;
        }
        System.out.printf("unthrottled: %d wrong passwords checked in 10 s over HTTP Basic from one client = %d per minute%n", tries, tries * 6);
    }

    private String formLogin(String user, String password) throws Exception {
        HttpResponse<String> response = formLoginResponse(user, password);
        assertThat(response.statusCode()).isEqualTo(302);
        assertThat(response.headers().firstValue("Location").orElse("")).doesNotContain("error");
        return response.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith("JSESSIONID="))
                .map(c -> c.substring(0, c.indexOf(';'))).findFirst().orElseThrow();
    }

    private int formLoginStatus(String user, String password) throws Exception {
        return formLoginResponse(user, password).statusCode();
    }

    private HttpResponse<String> formLoginResponse(String user, String password) throws Exception {
        HttpResponse<String> page = call("GET", "/actuator/health/liveness", null, null);
        String csrf = page.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith("XSRF-TOKEN="))
                .map(c -> c.substring("XSRF-TOKEN=".length(), c.indexOf(';'))).findFirst().orElseThrow();
        String form = "username=" + URLEncoder.encode(user, StandardCharsets.UTF_8) + "&password="
                + URLEncoder.encode(password, StandardCharsets.UTF_8) + "&_csrf=" + csrf;
        return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/login"))
                .header("Content-Type", "application/x-www-form-urlencoded").header("Cookie", "XSRF-TOKEN=" + csrf)
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> withSession(String path, String sessionCookie) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).header("Cookie", sessionCookie)
                .GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> call(String method, String path, String json, String credentials) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json))
                .header("Content-Type", "application/json");
        if (credentials != null) {
            request.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
