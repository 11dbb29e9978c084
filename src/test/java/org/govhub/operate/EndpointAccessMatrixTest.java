package org.govhub.operate;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.servlet.ServletContext;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.govhub.SandboxHubTest;
import org.govhub.share.DepartmentAccounts;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;
import org.springframework.web.servlet.handler.AbstractUrlHandlerMapping;
import org.springframework.web.servlet.mvc.method.RequestMappingInfoHandlerMapping;

/**
 * Walks every endpoint the hub serves (handler methods, actuator operations, Hawtio's and Jolokia's
 * servlets, resource handlers, the sandbox) with no credentials and with each role, and checks
 * each answer against one expected table. An endpoint the table does not name fails the test, and
 * so does a row naming an endpoint that is gone.
 */
class EndpointAccessMatrixTest extends SandboxHubTest {

    enum Who { ANONYMOUS, ADMIN, OPERATOR, INTEGRATOR, VIEWER, AUDITOR, DEPARTMENT }

    private static final Set<Who> V = EnumSet.of(Who.ADMIN, Who.OPERATOR, Who.VIEWER);
    private static final Set<Who> O = EnumSet.of(Who.ADMIN, Who.OPERATOR);
    private static final Set<Who> A = EnumSet.of(Who.ADMIN);
    /** What an integrator reads besides deploying: the sources, health, quarantine, a record's trail, the console. */
    private static final Set<Who> VI = EnumSet.of(Who.ADMIN, Who.OPERATOR, Who.VIEWER, Who.INTEGRATOR);
    private static final Set<Who> I = EnumSet.of(Who.ADMIN, Who.INTEGRATOR);
    private static final Set<Who> DEP = EnumSet.of(Who.DEPARTMENT);
    private static final Set<Who> AUD = EnumSet.of(Who.AUDITOR);
    private static final Set<Who> CATALOG = EnumSet.of(Who.ADMIN, Who.OPERATOR, Who.VIEWER, Who.DEPARTMENT);
    private static final Set<Who> EVERYONE = EnumSet.allOf(Who.class);
    private static final Set<Who> NO_ONE = EnumSet.noneOf(Who.class);
    /** The sandbox's machine APIs check their own credentials: every identity gets the same answer. */
    private static final Set<Who> OWN_CREDENTIAL = null;

    /** An expected row: who gets through, and the requests that probe it ("METHOD path"). */
    record Expect(Set<Who> allowed, List<String> probes) {
    }

    private static final Map<String, Expect> TABLE = new LinkedHashMap<>();

    private static void row(String endpoint, Set<Who> allowed, String... probes) {
        if (TABLE.put(endpoint, new Expect(allowed, List.of(probes))) != null) {
            throw new IllegalStateException("two rows for " + endpoint);
        }
    }

    static {
        row("ANY /error", V, "GET /error");
        row("GET /", VI);
        row("GET /login", EVERYONE); // served by Spring Security's filter, not a handler
        row("GET /actuator", V);
        row("GET /actuator/health", VI);
        row("GET /actuator/health/**", VI, "GET /actuator/health/db");
        row("GET /actuator/info", V);
        row("GET /actuator/jolokia", V);
        row("GET /actuator/hawtio", V);
        row("GET /actuator/hawtio/plugin", V);

        row("GET /api/admin/accepted-identifiers", V);
        row("POST /api/admin/accepted-identifiers", O);
        row("GET /api/admin/accounts", A);
        row("POST /api/admin/accounts", A);
        row("GET /api/admin/accounts/logins", A);
        row("POST /api/admin/accounts/{username}/disable", A);
        row("POST /api/admin/accounts/{username}/enable", A);
        row("PUT /api/admin/accounts/{username}/password", A);
        row("PUT /api/admin/accounts/{username}/role", A);
        row("GET /api/admin/batches", V);
        row("GET /api/admin/batches/{batchId}", V);
        row("GET /api/admin/me", VI);
        row("GET /console", VI);
        row("GET /console/", VI);
        // the operator console's static files (static/console/, served by the resource handler "/**")
        row("URL /console/fonts/** (resourceHandlerMapping)", VI, "GET /console/fonts/OFL.txt");
        row("GET /console/**", VI, "GET /console/index.html", "GET /console/console.js", "GET /console/console.css");
        row("GET /api/admin/records", VI, "GET /api/admin/records?source=tax-bureau&key=never-handed-over");
        row("POST /api/admin/batches/{batchId}/resend", O);
        row("GET /api/admin/departments", A);
        row("POST /api/admin/departments", A);
        row("GET /api/admin/departments/{departmentId}/keys", A);
        row("POST /api/admin/departments/{departmentId}/keys", A);
        row("POST /api/admin/departments/{departmentId}/keys/{keyId}/revoke", A);
        row("GET /api/admin/quarantine", VI);
        row("GET /api/admin/quarantine/{id}", VI);
        row("PUT /api/admin/quarantine/{id}/correction", O);
        row("POST /api/admin/quarantine/{id}/replay", O);
        // a filter nothing matches: the walk must not replay the shared hub's quarantine
        row("POST /api/admin/quarantine/replay", O, "POST /api/admin/quarantine/replay?source=no-such-source");
        row("GET /api/admin/share/grants", V);
        row("POST /api/admin/share/grants/{grantId}/revoke", A);
        row("GET /api/admin/share/requests", V);
        row("POST /api/admin/share/requests/{requestId}/approve", O);
        row("POST /api/admin/share/requests/{requestId}/refuse", O);
        row("GET /api/admin/share/subscriptions", V);
        row("GET /api/admin/share/subscriptions/{subscriptionId}/dead-letters", V);
        row("POST /api/admin/share/subscriptions/{subscriptionId}/dead-letters/{deadLetterId}/resend", O);
        row("GET /api/admin/cluster", V);
        row("GET /api/admin/sources", VI);
        row("GET /api/admin/sources/{sourceId}", VI);
        row("POST /api/admin/sources/{sourceId}/mark/rewind", O);
        // deploying sources (issue 19): probes that are refused before anything is kept or changed
        row("GET /api/admin/sources/{sourceId}/versions", VI);
        row("GET /api/admin/sources/{sourceId}/versions/{version}", VI, "GET /api/admin/sources/no-such-source/versions/1");
        row("POST /api/admin/sources/{sourceId}/versions", I, "POST /api/admin/sources/no-such-source/versions");
        row("POST /api/admin/sources/{sourceId}/versions/{version}/activate", I, "POST /api/admin/sources/no-such-source/versions/1/activate");
        row("POST /api/admin/sources/{sourceId}/versions/{version}/connection-test", I,
                "POST /api/admin/sources/no-such-source/versions/1/connection-test");
        row("POST /api/admin/sources/{sourceId}/versions/{version}/preview", I, "POST /api/admin/sources/no-such-source/versions/1/preview");
        row("POST /api/admin/sources/{sourceId}/rollback", I, "POST /api/admin/sources/no-such-source/rollback");
        row("POST /api/admin/sources/{sourceId}/remove", I, "POST /api/admin/sources/no-such-source/remove");
        row("POST /api/admin/sources/{sourceId}/mark/skip", O);
        row("POST /api/admin/sources/{sourceId}/pause", O);
        row("POST /api/admin/sources/{sourceId}/resume", O);

        row("GET /api/catalog", CATALOG);
        row("GET /api/catalog/{code}", CATALOG);
        row("GET /catalog", CATALOG);
        row("GET /api/policy/enterprises/{creditCode}", V);
        row("GET /api/reports", V);
        row("GET /api/reports/deliveries", V);
        row("GET /api/reports/weeks/{week}", V);
        row("POST /api/reports/weeks/{week}/generate", O);
        row("GET /api/reports/{reportId}", V);
        row("GET /api/reports/{reportId}/files/{name:.+}", V);
        row("POST /api/reports/{reportId}/deliveries/{target}/resend", O);

        row("GET /api/share/grants", DEP);
        row("GET /api/share/requests", DEP);
        row("POST /api/share/requests", DEP);
        row("GET /api/share/requests/{requestId}", DEP);
        row("GET /api/share/subscriptions", DEP);
        row("POST /api/share/subscriptions", DEP);
        row("GET /api/share/subscriptions/{subscriptionId}", DEP);
        row("GET /api/share/subscriptions/{subscriptionId}/records", DEP);
        row("POST /api/share/keys/rotate", DEP);
        // the exchange log: auditors only
        row("GET /api/audit/entries", AUD);
        row("GET /api/audit/export", AUD);
        row("GET /api/audit/public-key", AUD);

        row("POST /api/sandbox/credit-portal/faults", A);
        row("POST /api/sandbox/platform/faults", A);
        row("POST /api/sandbox/provincial-platform/faults", A);
        row("GET /sandbox/departments/{department}/received", V);
        row("GET /sandbox/platform/batches", V);
        row("GET /sandbox/platform/batches/{batchId}", V);
        row("GET /sandbox/platform/reports", V);
        row("GET /sandbox/credit-portal/api/credit-records", OWN_CREDENTIAL);
        row("GET /sandbox/provincial-platform/api/filings", OWN_CREDENTIAL);
        row("GET /sandbox/platform/api/v1/status", OWN_CREDENTIAL);
        row("GET /sandbox/platform/api/v1/batches/{batchId}", OWN_CREDENTIAL);
        row("POST /sandbox/platform/api/v1/batches", OWN_CREDENTIAL);
        row("POST /sandbox/platform/api/v1/reports", OWN_CREDENTIAL);
        row("POST /sandbox/departments/{department}/webhook", OWN_CREDENTIAL);

        // Hawtio's and Jolokia's servlets
        row("SERVLET / (dispatcherServlet)", null); // the handler rows above
        row("SERVLET /actuator/hawtio/auth/config/* (oidcServlet)", V, "GET /actuator/hawtio/auth/config/login");
        row("SERVLET /actuator/hawtio/auth/login (loginServlet)", V, "POST /actuator/hawtio/auth/login");
        row("SERVLET /actuator/hawtio/auth/logout (logoutServlet)", V, "GET /actuator/hawtio/auth/logout");
        row("SERVLET /actuator/hawtio/keycloak/* (keycloakServlet)", V, "GET /actuator/hawtio/keycloak/enabled");
        row("SERVLET /actuator/hawtio/user/* (userServlet)", V, "GET /actuator/hawtio/user");
        row("SERVLET /actuator/hawtio/proxy/* (jolokiaProxyServlet)", NO_ONE,
                "GET /actuator/hawtio/proxy/enabled", "POST /actuator/hawtio/proxy/localhost/8080/actuator/jolokia");
        row("SERVLET /actuator/jolokia/* (jolokia)", V,
                "GET /actuator/jolokia/version", "GET /actuator/jolokia/read/java.lang:type=Memory/HeapMemoryUsage",
                "GET /actuator/jolokia/search/org.apache.camel:type=routes,*", "GET /actuator/jolokia/list/java.lang");
        row("GET Jolokia exec and write", O,
                "GET /actuator/jolokia/exec/java.lang:type=Memory/gc",
                "GET /actuator/jolokia/write/java.lang:type=Memory/Verbose/false",
                "GET /actuator/hawtio/jolokia/exec/java.lang:type=Memory/gc",
                "GET /actuator/hawtio/jolokia/write/java.lang:type=Memory/Verbose/false");
        row("URL /actuator/hawtio/jolokia/** (hawtioUrlMapping)", V,
                "GET /actuator/hawtio/jolokia/version", "GET /actuator/hawtio/jolokia/read/java.lang:type=Memory/HeapMemoryUsage");
        row("URL /actuator/hawtio/ (hawtioWelcomeFiles)", V, "GET /actuator/hawtio/");
        row("URL /actuator/hawtio/** (resourceHandlerMapping)", V, "GET /actuator/hawtio/index.html");
        // outside the console, the hub has no static files: Spring's default resource handlers serve no one
        row("URL /** (resourceHandlerMapping)", NO_ONE, "GET /favicon.ico", "GET /x.css");
        row("URL /webjars/** (resourceHandlerMapping)", NO_ONE, "GET /webjars/x.js");
        // JOLOKIA-POST (current behaviour, to tighten): a POST body may read or exec; every Hawtio role may
        // POST and the Jolokia restrictor (issue 15 item 4) decides which operations each role may run.
        row("POST Jolokia", V, "POST /actuator/jolokia", "POST /actuator/hawtio/jolokia");
    }

    /** Rows probing what no enumeration lists: filter-served paths, Jolokia's operations, the coming audit API. */
    private static final Set<String> NOT_ENUMERATED = Set.of("GET /login", "GET /console/**", "GET /api/audit/**", "GET Jolokia exec and write",
            "POST Jolokia");

    @LocalServerPort
    int port;
    @Autowired
    ApplicationContext context;
    @Autowired
    ServletContext servletContext;
    @Autowired
    OperatorAccounts accounts;
    @Autowired
    DepartmentAccounts departments;

    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    private static final String PASSWORD = "Matrix-pass-2026!";

    /** What the hub serves: "METHOD pattern" of every handler method and actuator operation, servlet mappings, resource handlers. */
    Set<String> mappedEndpoints() {
        Set<String> endpoints = new TreeSet<>();
        context.getBeansOfType(RequestMappingInfoHandlerMapping.class).forEach((name, mapping) ->
                mapping.getHandlerMethods().keySet().forEach(info -> {
                    var methods = info.getMethodsCondition().getMethods();
                    for (String pattern : info.getPatternValues()) {
                        if (methods.isEmpty()) {
                            endpoints.add("ANY " + pattern);
                        }
                        methods.forEach(m -> endpoints.add(m.name() + " " + pattern));
                    }
                }));
        context.getBeansOfType(AbstractUrlHandlerMapping.class).forEach((name, mapping) ->
                mapping.getHandlerMap().keySet().forEach(pattern -> endpoints.add("URL " + pattern + " (" + name + ")")));
        servletContext.getServletRegistrations().forEach((name, registration) ->
                registration.getMappings().forEach(m -> endpoints.add("SERVLET " + m + " (" + name + ")")));
        return endpoints;
    }

    @Test
    void everyEndpointAnswersEachIdentityAsTheTableSays() throws Exception {
        Set<String> mapped = mappedEndpoints();
        Set<String> withoutRow = new TreeSet<>(mapped);
        withoutRow.removeAll(TABLE.keySet());
        assertThat(withoutRow).as("endpoints without a row in the access table").isEmpty();
        Set<String> stale = new TreeSet<>(TABLE.keySet());
        stale.removeAll(mapped);
        stale.removeAll(NOT_ENUMERATED);
        assertThat(stale).as("rows for endpoints the hub no longer serves").isEmpty();

        Map<Who, String[]> headers = identities();
        String csrf = csrfToken();
        List<String> wrong = new ArrayList<>();
        int endpoints = 0;
        int checks = 0;
        for (var entry : TABLE.entrySet()) {
            Expect expect = entry.getValue();
            if (expect.allowed() == null && expect.probes().isEmpty() && entry.getKey().startsWith("SERVLET")) {
                continue; // the dispatcher servlet: its handlers have rows of their own
            }
            endpoints++;
            List<String> probes = expect.probes().isEmpty() ? List.of(probeOf(entry.getKey())) : expect.probes();
            for (String probe : probes) {
                Map<Who, Integer> answers = new LinkedHashMap<>();
                for (Who who : Who.values()) {
                    if (expect.allowed() == null) {
                        Thread.sleep(300); // the simulated systems limit requests per second (429) like the real ones
                    }
                    String[] credential = who == Who.DEPARTMENT && probe.equals("POST /api/share/keys/rotate")
                            ? new String[] {"X-Api-Key", departments.issueKey("matrix-dept").key()} // rotating revokes the key used
                            : headers.get(who);
                    HttpResponse<String> response = send(probe, credential, csrf);
                    answers.put(who, response.statusCode());
                    checks++;
                    if (expect.allowed() == null) {
                        continue;
                    }
                    boolean through = !refused(response);
                    if (through != expect.allowed().contains(who)) {
                        wrong.add(probe + " as " + who + ": " + response.statusCode() + " (expected "
                                + (expect.allowed().contains(who) ? "through" : "refused") + ")");
                    } else if (!through && response.statusCode() != (who == Who.ANONYMOUS ? 401 : 403)
                            && !(who == Who.ANONYMOUS && response.statusCode() == 302)) {
                        wrong.add(probe + " as " + who + ": refused with " + response.statusCode());
                    }
                }
                if (expect.allowed() == null && answers.values().stream().distinct().count() != 1) {
                    wrong.add(probe + ": the sandbox API's own check answers every identity alike, but got " + answers);
                }
            }
        }
        System.out.printf("endpoint access matrix: %d endpoints (%d enumerated), %d identities, %d requests checked%n",
                endpoints, mapped.size() - 1, Who.values().length, checks);
        assertThat(wrong).as("answers that differ from the access table").isEmpty();
    }

    /** Refused by the hub's security: 401, 403, or a browser sent to the login form. */
    private static boolean refused(HttpResponse<String> response) {
        int status = response.statusCode();
        return status == 401 || status == 403
                || (status == 302 && response.headers().firstValue("Location").orElse("").endsWith("/login"));
    }

    private Map<Who, String[]> identities() {
        for (var account : List.of(List.of("matrix-operator", Roles.OPERATOR), List.of("matrix-viewer", Roles.VIEWER),
                List.of("matrix-integrator", Roles.INTEGRATOR),
                List.of("matrix-auditor", Roles.AUDITOR))) {
            accounts.create(account.get(0), account.get(1), PASSWORD);
        }
        departments.create("matrix-dept", "Matrix test department");
        Map<Who, String[]> headers = new LinkedHashMap<>();
        headers.put(Who.ANONYMOUS, null);
        headers.put(Who.ADMIN, basic("admin", OPERATOR_PASSWORD));
        headers.put(Who.OPERATOR, basic("matrix-operator", PASSWORD));
        headers.put(Who.VIEWER, basic("matrix-viewer", PASSWORD));
        headers.put(Who.INTEGRATOR, basic("matrix-integrator", PASSWORD));
        headers.put(Who.AUDITOR, basic("matrix-auditor", PASSWORD));
        headers.put(Who.DEPARTMENT, new String[] {"X-Api-Key", departments.issueKey("matrix-dept").key()});
        return headers;
    }

    private static String[] basic(String user, String password) {
        return new String[] {"Authorization",
            "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8))};
    }

    /** "METHOD /path/{var}" to a request: every variable 0, so that no write finds anything to change. */
    private static String probeOf(String endpoint) {
        String probe = endpoint.replaceAll("\\{name:\\.\\+}", "x").replaceAll("\\{[^}]+}", "0").replace("/**", "/x");
        return probe.startsWith("ANY ") ? "GET " + probe.substring(4) : probe;
    }

    /** A CSRF token pair, so that writes meet the access rules and not the CSRF check. */
    private String csrfToken() throws Exception {
        HttpResponse<String> response = send("GET /actuator/health/liveness", null, null);
        return response.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith("XSRF-TOKEN="))
                .map(c -> c.substring("XSRF-TOKEN=".length(), c.indexOf(';'))).findFirst().orElseThrow();
    }

    private HttpResponse<String> send(String probe, String[] credential, String csrf) throws Exception {
        String method = probe.substring(0, probe.indexOf(' '));
        String path = probe.substring(probe.indexOf(' ') + 1);
        // a body no handler accepts ("{"): whoever gets through meets 400, not a change to the shared hub
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .method(method, method.equals("GET") ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString("{"))
                .header("Content-Type", "application/json");
        if (credential != null) {
            request.header(credential[0], credential[1]);
        }
        if (csrf != null && !method.equals("GET")) {
            request.header("Cookie", "XSRF-TOKEN=" + csrf).header("X-XSRF-TOKEN", csrf);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
