package org.govhub.operate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.govhub.SandboxHubTest;
import org.govhub.normalise.CanonicalJson;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/** Jolokia as an attacker on another site, and as each role, meets it (issue 15, item 4). */
class ConsoleHardeningTest extends SandboxHubTest {

    private static final String ROUTE = "tax-bureau-source";
    private static final String VIEWER_PASSWORD = "Console-viewer-7";

    @LocalServerPort
    int port;

    @Autowired
    OperatorAccounts accounts;

    @Autowired
    org.springframework.jdbc.core.JdbcTemplate jdbc;

    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    private String routeMBean;

    /** A test-only viewer account on the hub's account store. */
    @BeforeEach
    void viewerAccountAndRouteName() throws Exception {
        if (jdbc.queryForObject("SELECT COUNT(*) FROM operator_account WHERE username = 'test-viewer'", Long.class) == 0) {
            accounts.create("test-viewer", Roles.VIEWER, VIEWER_PASSWORD);
            accounts.create("test-auditor", Roles.AUDITOR, VIEWER_PASSWORD);
        }
        JsonNode found = json(send(get("/actuator/jolokia/search/org.apache.camel:type=routes,*"), admin()));
        for (JsonNode name : found.path("value")) {
            if (name.asText().contains("\"" + ROUTE + "\"")) {
                routeMBean = name.asText();
            }
        }
        assertThat(routeMBean).as("the route's MBean").isNotNull();
    }

    @Test
    void aGetCannotStopARouteInEitherForm() throws Exception {
        String escaped = routeMBean.replace("\"", "%22");
        HttpResponse<String> pathForm = send(get("/actuator/jolokia/exec/" + escaped + "/stop()"), admin());
        HttpResponse<String> queryForm = send(get("/actuator/jolokia/?p="
                + URLEncoder.encode("/exec/" + routeMBean + "/stop()", StandardCharsets.UTF_8)), admin());
        HttpResponse<String> throughHawtio = send(get("/actuator/hawtio/jolokia/exec/" + escaped + "/stop()"), admin());
        for (HttpResponse<String> refused : List.of(pathForm, queryForm, throughHawtio)) {
            JsonNode answer = json(refused);
            // Jolokia answers a GET with one object; an array would mean the request was taken as a POST
            assertThat(answer.isObject()).as(refused.request().uri() + " -> " + refused.body()).isTrue();
            assertThat(answer.path("status").asInt()).as(refused.request().uri() + " -> " + refused.body()).isEqualTo(403);
        }
        assertThat(routeState()).isEqualTo("Started");
    }

    @Test
    void aSessionPostNeedsTheCsrfTokenThatHawtioSendsBack() throws Exception {
        CookieManager cookies = new CookieManager();
        HttpClient browser = HttpClient.newBuilder().cookieHandler(cookies).followRedirects(HttpClient.Redirect.NEVER).build();
        browser.send(get("/login").build(), HttpResponse.BodyHandlers.ofString());
        String loginToken = cookie(cookies, "XSRF-TOKEN");
        HttpResponse<String> login = browser.send(HttpRequest.newBuilder(url("/login"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("username=admin&password=" + OPERATOR_PASSWORD
                        + "&_csrf=" + loginToken)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(login.statusCode()).isEqualTo(302);
        assertThat(login.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).doesNotContain("error"));
        // the session cookie cannot travel cross-site and scripts cannot read it
        List<String> setCookies = login.headers().allValues("Set-Cookie");
        assertThat(setCookies).anySatisfy(c -> assertThat(c).startsWith("JSESSIONID=").contains("HttpOnly")
                .containsIgnoringCase("SameSite=Strict"));

        String stop = exec(routeMBean, "stop()");
        // a forged cross-site POST carries the cookies but cannot read the token
        HttpResponse<String> forged = browser.send(post("/actuator/jolokia", stop).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(forged.statusCode()).isEqualTo(403);
        assertThat(routeState()).isEqualTo("Started");
        // Hawtio's own call: X-XSRF-TOKEN from the cookie (an allowed read-only exec, not to stop the shared hub)
        HttpResponse<String> hawtio = browser.send(post("/actuator/hawtio/jolokia",
                        exec(contextMBean(), "dumpRoutesAsXml()"))
                .header("X-XSRF-TOKEN", cookie(cookies, "XSRF-TOKEN")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(hawtio.statusCode()).isEqualTo(200);
        assertThat(json(hawtio).path("status").asInt()).as(hawtio.body()).isEqualTo(200);
    }

    @Test
    void theXsrfCookieIsSameSiteToo() throws Exception {
        HttpResponse<String> loginPage = http.send(get("/login").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(loginPage.headers().allValues("Set-Cookie"))
                .anySatisfy(c -> assertThat(c).startsWith("XSRF-TOKEN=").containsIgnoringCase("SameSite=Strict"));
    }

    @Test
    void programsPostWithBasicAndEachRoleMayDoItsShare() throws Exception {
        // admin: suspend and resume a route over POST with Basic
        HttpResponse<String> suspend = send(post("/actuator/jolokia", exec(routeMBean, "suspend()")), admin());
        assertThat(json(suspend).path("status").asInt()).as(suspend.body()).isEqualTo(200);
        HttpResponse<String> resume = send(post("/actuator/jolokia", exec(routeMBean, "resume()")), admin());
        assertThat(json(resume).path("status").asInt()).as(resume.body()).isEqualTo(200);
        assertThat(routeState()).isEqualTo("Started");

        // viewer: reads, may not stop
        String viewer = "test-viewer:" + VIEWER_PASSWORD;
        HttpResponse<String> read = send(get("/actuator/jolokia/read/" + routeMBean.replace("\"", "%22") + "/State"), viewer);
        assertThat(json(read).path("value").asText()).as(read.body()).isEqualTo("Started");
        HttpResponse<String> stop = send(post("/actuator/jolokia", exec(routeMBean, "stop()")), viewer);
        assertThat(json(stop).path("status").asInt()).as(stop.body()).isEqualTo(403);
        assertThat(routeState()).isEqualTo("Started");
    }

    @Test
    void auditorsReachNoConsole() throws Exception {
        String auditor = "test-auditor:" + VIEWER_PASSWORD;
        assertThat(send(get("/actuator/jolokia/version"), auditor).statusCode()).isEqualTo(403);
        assertThat(send(post("/actuator/hawtio/jolokia", "{\"type\":\"version\"}"), auditor).statusCode()).isEqualTo(403);
    }

    @Test
    void dumpsThatResolvePlaceholdersHeapDumpsAndWritesAreRefusedEvenToAdmin() throws Exception {
        for (String refused : new String[] {
            exec(contextMBean(), "dumpRoutesAsXml(boolean)", true),
            exec(contextMBean(), "dumpRoutesAsXml(boolean,boolean)", true, false),
            exec(contextMBean(), "dumpRoutesAsYaml(boolean,boolean)", true, false),
            exec(routeMBean, "dumpRouteAsXml(boolean)", true),
            exec("com.sun.management:type=HotSpotDiagnostic", "dumpHeap", "/tmp/heap.hprof", true),
            exec("com.sun.management:type=DiagnosticCommand", "gcRun()"),
            """
            {"type":"write","mbean":"java.lang:type=Memory","attribute":"Verbose","value":true}"""}) {
            HttpResponse<String> response = send(post("/actuator/jolokia", refused), admin());
            assertThat(json(response).path("status").asInt()).as(refused + " -> " + response.body()).isEqualTo(403);
        }
        HttpResponse<String> plain = send(post("/actuator/jolokia", exec(contextMBean(), "dumpRoutesAsXml()")), admin());
        assertThat(json(plain).path("status").asInt()).as(plain.body()).isEqualTo(200);
    }

    @Test
    void aForeignOriginIsNeitherEchoedNorServed() throws Exception {
        HttpResponse<String> foreign = send(get("/actuator/jolokia/version").header("Origin", "http://evil.example"), admin());
        assertThat(foreign.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
        assertThat(foreign.body()).doesNotContain("\"agent\"");
        HttpResponse<String> own = send(get("/actuator/jolokia/version").header("Origin", "http://localhost:" + port), admin());
        assertThat(json(own).path("status").asInt()).as(own.body()).isEqualTo(200);
    }

    private String contextMBean() {
        return routeMBean.replaceAll("type=routes,name=\"[^\"]*\"", "type=context,name=\"govhub\"");
    }

    private String routeState() throws Exception {
        return json(send(get("/actuator/jolokia/read/" + routeMBean.replace("\"", "%22") + "/State"), admin()))
                .path("value").asText();
    }

    private static String exec(String mbean, String operation, Object... arguments) throws Exception {
        var request = new java.util.LinkedHashMap<String, Object>();
        request.put("type", "exec");
        request.put("mbean", mbean);
        request.put("operation", operation);
        request.put("arguments", List.of(arguments));
        return new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(request);
    }

    private static String admin() {
        return "admin:" + OPERATOR_PASSWORD;
    }

    private static String cookie(CookieManager cookies, String name) {
        return cookies.getCookieStore().getCookies().stream().filter(c -> c.getName().equals(name))
                .map(java.net.HttpCookie::getValue).findFirst().orElseThrow();
    }

    private URI url(String path) {
        return URI.create("http://localhost:" + port + path);
    }

    private HttpRequest.Builder get(String path) {
        return HttpRequest.newBuilder(url(path)).GET();
    }

    private HttpRequest.Builder post(String path, String json) {
        return HttpRequest.newBuilder(url(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
    }

    private HttpResponse<String> send(HttpRequest.Builder request, String credentials) throws Exception {
        request.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response) {
        return CanonicalJson.read(response.body());
    }
}
