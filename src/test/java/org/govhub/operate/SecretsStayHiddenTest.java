package org.govhub.operate;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.apache.camel.CamelContext;
import org.awaitility.Awaitility;
import org.apache.camel.test.spring.junit5.DisableJmx;
import org.govhub.HubTest;
import org.govhub.SandboxHubTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The configured secrets (every credential the sandbox generated, the operator's password) appear
 * nowhere an operator, a log reader or a caller can look: endpoint URIs, route dumps, JMX
 * attributes, Hawtio's Jolokia, the log file, health details, the admin API and error answers.
 * The hub meets failures on the way (the platform failing, the provincial feed failing, wrong
 * logins), so the error paths are written before they are read.
 */
@DisableJmx(false)
@HubTest({
            "govhub.sandbox.tax-bureau.rows=200",
            "govhub.batch.max-records=40",
            "govhub.batch.max-age=1s",
            "govhub.ingest.poll-interval=300",
            "govhub.security.admin-password=" + SandboxHubTest.OPERATOR_PASSWORD,
            "govhub.sandbox.provincial-platform.faults=SERVER_ERROR,SERVER_ERROR",
            "govhub.sandbox.provincial-platform.fail-after=0",
        })
class SecretsStayHiddenTest {

    private static final Path LOG = Path.of("target/govhub-tests.log"); // every test hub's log (logback-test.xml)
    private static final String ADMIN = "admin:" + SandboxHubTest.OPERATOR_PASSWORD;

    @LocalServerPort
    int port;
    @Autowired
    Environment environment;
    @Autowired
    CamelContext camel;
    @Autowired
    JdbcTemplate jdbc;

    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    @Test
    void noConfiguredSecretIsShownAnywhere() throws Exception {
        List<String> secrets = new ArrayList<>();
        for (String key : List.of("govhub.sandbox.hrss.password", "govhub.sandbox.drc-miit.password", "govhub.sandbox.platform.token",
                "govhub.sandbox.provincial-platform.token", "govhub.sandbox.credit-portal.api-key")) {
            String secret = environment.getProperty(key);
            assertThat(secret).as(key + ": generated at first start").matches("[0-9a-f]{36}");
            secrets.add(secret);
        }
        secrets.add(SandboxHubTest.OPERATOR_PASSWORD);

        // failures on the way: the platform fails three submissions, the provincial feed twice, two wrong logins
        assertThat(post("/api/sandbox/platform/faults", "{\"fault\": \"ERROR\", \"count\": 3}", ADMIN).statusCode()).isEqualTo(200);
        assertThat(get("/api/admin/batches", "admin:" + secrets.get(2)).statusCode()).isEqualTo(401);
        assertThat(get("/api/admin/batches", "nobody:" + secrets.get(3)).statusCode()).isEqualTo(401);
        Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).until(() ->
                jdbc.queryForObject("SELECT COUNT(*) FROM batch WHERE status = 'ACKNOWLEDGED'", Integer.class) > 0
                        && Files.exists(LOG) && Files.readString(LOG).contains("provincial"));

        StringBuilder seen = new StringBuilder();
        seen.append(Files.readString(LOG, StandardCharsets.UTF_8));
        seen.append(get("/actuator/health", ADMIN).body());
        for (String path : List.of("/api/admin/batches", "/api/admin/sources", "/api/admin/quarantine", "/api/reports",
                "/api/admin/sources/provincial-filings", "/api/admin/sources/social-insurance", "/api/admin/no-such-thing")) {
            seen.append(get(path, ADMIN).body());
        }
        // error answers: a malformed body, an unknown fault
        seen.append(post("/api/admin/quarantine/replay", "{not json", ADMIN).body());
        seen.append(post("/api/sandbox/platform/faults", "{\"fault\": \"NO_SUCH_FAULT\"}", ADMIN).body());
        seen.append(jmxAndDumps());
        camel.getEndpoints().forEach(e -> seen.append(e.getEndpointUri()).append(' ').append(e.getEndpointBaseUri()).append('\n'));
        seen.append(get("/actuator/hawtio/jolokia/read/org.apache.camel:type=endpoints,*", ADMIN).body());

        assertThat(seen).as("what was looked at").contains("ftp-drop://", "/api/v1/batches", "platform-delivery", "ACKNOWLEDGED");
        List<String> shown = new ArrayList<>();
        for (String secret : secrets) {
            for (int at = seen.indexOf(secret); at >= 0; at = seen.indexOf(secret, at + 1)) {
                shown.add("a secret in: " + seen.substring(Math.max(0, at - 200), at) + "<secret>");
            }
        }
        assertThat(shown).isEmpty();
    }

    /** Every Camel MBean's every attribute, as Hawtio reads them, and the routes as Hawtio shows their source. */
    private String jmxAndDumps() throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        StringBuilder seen = new StringBuilder();
        Set<ObjectName> names = server.queryNames(new ObjectName("org.apache.camel:*"), null);
        assertThat(names).as("Camel's MBeans").hasSizeGreaterThan(50);
        for (ObjectName name : names) {
            seen.append(name).append('\n');
            for (MBeanAttributeInfo attribute : server.getMBeanInfo(name).getAttributes()) {
                try {
                    seen.append(name).append(' ').append(attribute.getName()).append('=')
                            .append(server.getAttribute(name, attribute.getName())).append('\n');
                } catch (Exception | Error unreadable) {
                    // an attribute that cannot be read shows nothing either
                }
            }
        }
        ObjectName context = server.queryNames(new ObjectName("org.apache.camel:type=context,*"), null).iterator().next();
        for (boolean resolved : new boolean[] {false, true}) {
            seen.append(server.invoke(context, "dumpRoutesAsXml", new Object[] {resolved}, new String[] {"boolean"}));
        }
        return seen.toString();
    }

    private HttpResponse<String> post(String path, String json, String credentials) throws Exception {
        return http.send(request(path, credentials).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path, String credentials) throws Exception {
        return http.send(request(path, credentials).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest.Builder request(String path, String credentials) {
        return HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).header("Authorization",
                "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
    }
}
