package org.govhub.operate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;
import org.govhub.GovHubApplication;
import org.govhub.normalise.CanonicalJson;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * HTTPS with certificates made here by the JDK's keytool (docs/tls.md). The hub serves TLS with its
 * keystore, refuses plain HTTP and marks its cookies Secure. The national platform (a JDK HTTPS
 * server that needs a client certificate) refuses the handshake of a hub that has none: no batch and
 * no weekly report is acknowledged, all wait for their next attempt. The same hub restarted with its
 * client certificate delivers each of them once. No store password reaches the logs or JMX.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HttpsEndToEndTest {

    static final String ADMIN_PASSWORD = "Https-test-owner-26";
    static final String SERVER_STORE_PASSWORD = "server-store-secret-4711";
    static final String CLIENT_STORE_PASSWORD = "client-store-secret-0815";
    static final String TRUST_STORE_PASSWORD = "trust-store-secret-2342";
    static final String PLATFORM_STORE_PASSWORD = "platform-store-secret-9";

    @TempDir
    static Path dir;
    static Path dataDir;
    static HttpsServer platform;
    static final List<String> batchesReceived = new CopyOnWriteArrayList<>();
    static final List<String> reportsReceived = new CopyOnWriteArrayList<>();
    static final Set<String> clientsSeen = Collections.synchronizedSet(new HashSet<>());
    static ConfigurableApplicationContext hub;
    static ListAppender<ILoggingEvent> logs;

    @BeforeAll
    static void certificatesAndPlatform() throws Exception {
        // three keys, each self-signed: the hub's server key, the hub's client key, the platform's server key
        keyPair("server.p12", SERVER_STORE_PASSWORD, "CN=localhost", "SAN=dns:localhost,ip:127.0.0.1");
        keyPair("client.p12", CLIENT_STORE_PASSWORD, "CN=govhub-client,O=GovHub", null);
        keyPair("platform.p12", PLATFORM_STORE_PASSWORD, "CN=localhost", "SAN=dns:localhost,ip:127.0.0.1");
        exportCertificate("server.p12", SERVER_STORE_PASSWORD, "server.pem");
        exportCertificate("client.p12", CLIENT_STORE_PASSWORD, "client.pem");
        exportCertificate("platform.p12", PLATFORM_STORE_PASSWORD, "platform.pem");
        // the hub trusts the platform's certificate (its truststore); the platform trusts the hub's client certificate
        keytool("-importcert", "-noprompt", "-alias", "platform", "-file", dir.resolve("platform.pem").toString(),
                "-storetype", "PKCS12", "-keystore", dir.resolve("platform-trust.p12").toString(), "-storepass", TRUST_STORE_PASSWORD);

        SSLContext platformTls = SSLContext.getInstance("TLS");
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(load(dir.resolve("platform.p12"), PLATFORM_STORE_PASSWORD), PLATFORM_STORE_PASSWORD.toCharArray());
        platformTls.init(keys.getKeyManagers(), trusting("client.pem").getTrustManagers(), null);
        platform = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        platform.setHttpsConfigurator(new HttpsConfigurator(platformTls) {
            @Override
            public void configure(HttpsParameters params) {
                SSLParameters ssl = getSSLContext().getDefaultSSLParameters();
                ssl.setNeedClientAuth(true); // mutual TLS: no client certificate, no handshake
                params.setSSLParameters(ssl);
            }
        });
        platform.createContext("/api/v1/batches", exchange -> receive(exchange, batchesReceived, "manifest", "batchId"));
        platform.createContext("/api/v1/reports", exchange -> receive(exchange, reportsReceived, "manifest", "reportId"));
        platform.createContext("/api/v1/status", exchange -> answer(exchange, 200, "{\"status\":\"UP\"}"));
        platform.start();

        dataDir = Files.createDirectories(dir.resolve("data"));
        // first without the client certificate: the hub trusts the platform, the platform does not know the hub
        hub = startHub();
    }

    @AfterAll
    static void stop() {
        if (hub != null) {
            hub.close();
        }
        if (platform != null) {
            platform.stop(0);
        }
    }

    @Test
    @Order(1)
    void theHubServesHttpsWithItsKeystoreRefusesPlainHttpAndItsCookiesAreSecure() throws Exception {
        HttpClient trustingTheHub = HttpClient.newBuilder().sslContext(clientTrusting("server.pem")).build();
        assertThat(trustingTheHub.send(HttpRequest.newBuilder(hubUri("/actuator/health/liveness")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);

        Throwable plain = catchThrowable(() -> {
            HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://localhost:" + port() + "/actuator/health/liveness")).build(), HttpResponse.BodyHandlers.ofString());
            // Tomcat answers a plain request on its TLS port with 400 "requires TLS", or the connection breaks
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(400);
            throw new IOException("answered " + answer.statusCode());
        });
        assertThat(plain).as("plain HTTP to the hub").isInstanceOf(IOException.class);
        assertThat(catchThrowable(() -> HttpClient.newHttpClient().send(HttpRequest.newBuilder(hubUri("/actuator/health/liveness"))
                .build(), HttpResponse.BodyHandlers.ofString()))).as("the hub's own certificate, not one the JDK trusts")
                .isInstanceOf(javax.net.ssl.SSLHandshakeException.class);

        // an operator logs in with the form: the CSRF cookie and the session cookie come back Secure
        HttpResponse<String> form = trustingTheHub.send(HttpRequest.newBuilder(hubUri("/login")).build(), HttpResponse.BodyHandlers.ofString());
        List<String> cookies = new ArrayList<>(form.headers().allValues("Set-Cookie"));
        String csrf = cookie(cookies, "XSRF-TOKEN");
        HttpResponse<String> login = trustingTheHub.send(HttpRequest.newBuilder(hubUri("/login"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Cookie", "XSRF-TOKEN=" + csrf)
                .POST(HttpRequest.BodyPublishers.ofString("username=admin&password=" + URLEncoder.encode(ADMIN_PASSWORD, StandardCharsets.UTF_8)
                        + "&_csrf=" + URLEncoder.encode(csrf, StandardCharsets.UTF_8)))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(login.statusCode()).isEqualTo(302);
        assertThat(login.headers().firstValue("Location").orElse("")).doesNotContain("error");
        cookies.addAll(login.headers().allValues("Set-Cookie"));
        assertThat(cookie(cookies, "JSESSIONID")).isNotBlank();
        assertThat(cookies).isNotEmpty().allSatisfy(c -> assertThat(c).containsIgnoringCase("; Secure"));
    }

    @Test
    @Order(2)
    void withoutItsClientCertificateNothingIsAcknowledgedAndEverythingWaitsForTheNextAttempt() throws Exception {
        JdbcTemplate db = hub.getBean(JdbcTemplate.class);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300)).until(() -> db.queryForObject(
                "SELECT COUNT(*) FROM batch WHERE attempts >= 2", Integer.class) > 0);
        assertThat(generateReport().statusCode()).isEqualTo(201);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300)).until(() -> db.queryForObject(
                "SELECT COUNT(*) FROM report_delivery WHERE target = 'national-platform' AND status = 'RETRYING'", Integer.class) == 1);

        assertThat(batchesReceived).isEmpty();
        assertThat(reportsReceived).isEmpty();
        assertThat(db.queryForObject("SELECT COUNT(*) FROM batch WHERE status IN ('ACKNOWLEDGED', 'DEAD')", Integer.class)).isZero();
        // under TLS 1.3 the platform's refusal reaches the hub as a broken connection rather than a handshake alert
        String refused = "(?is).*(ssl|socket|handshake|connection|broken pipe|NoHttpResponse).*";
        assertThat(db.queryForList("SELECT last_error FROM batch WHERE attempts > 0", String.class))
                .isNotEmpty().allSatisfy(error -> assertThat(error).matches(refused));
        assertThat(db.queryForObject("SELECT last_error FROM report_delivery WHERE target = 'national-platform'", String.class))
                .matches(refused);
        JsonNode health = CanonicalJson.read(adminGet("/actuator/health").body());
        assertThat(health.path("components").path("platform").path("status").asText()).isEqualTo("DOWN");
        secretsAreNowhere();
    }

    @Test
    @Order(3)
    void restartedWithItsClientCertificateTheHubDeliversEveryWaitingBatchAndTheReportOnce() throws Exception {
        hub.close();
        hub = startHub("--GOVHUB_PLATFORM_KEYSTORE=" + dir.resolve("client.p12"),
                "--GOVHUB_PLATFORM_KEYSTORE_PASSWORD=" + CLIENT_STORE_PASSWORD);
        JdbcTemplate db = hub.getBean(JdbcTemplate.class);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300)).until(() ->
                db.queryForObject("SELECT COUNT(*) FROM batch WHERE status <> 'ACKNOWLEDGED'", Integer.class) == 0
                        && db.queryForObject("SELECT COUNT(*) FROM report_delivery WHERE status = 'DELIVERED'", Integer.class) == 1);

        List<String> acknowledged = db.queryForList("SELECT batch_id FROM batch", String.class);
        assertThat(acknowledged).isNotEmpty();
        assertThat(batchesReceived).containsExactlyInAnyOrderElementsOf(acknowledged);
        assertThat(reportsReceived).hasSize(1);
        assertThat(clientsSeen).containsExactly("CN=govhub-client,O=GovHub");
        JsonNode health = CanonicalJson.read(adminGet("/actuator/health").body());
        assertThat(health.path("components").path("platform").path("status").asText()).isEqualTo("UP");
        secretsAreNowhere();
    }

    // ------------------------------------------------------------------ the hub

    static ConfigurableApplicationContext startHub(String... extra) {
        List<String> args = new ArrayList<>(List.of(
                "--server.port=0",
                "--govhub.data-dir=" + dataDir,
                "--govhub.security.admin-password=" + ADMIN_PASSWORD,
                "--govhub.sandbox.tax-bureau.rows=30",
                "--govhub.sandbox.credit-reference.rows=0",
                "--govhub.batch.max-records=20",
                "--govhub.batch.max-age=1s",
                "--govhub.ingest.poll-interval=300",
                "--govhub.delivery.poll-interval=200",
                "--govhub.platform.url=https://localhost:" + platform.getAddress().getPort(),
                "--govhub.platform.max-backoff=1s",
                "--govhub.platform.max-attempts=1000",
                "--govhub.platform.open-for=1s",
                "--govhub.report.delivery.targets=national-platform",
                "--govhub.report.delivery.first-backoff=200ms",
                "--govhub.report.delivery.max-backoff=1s",
                "--govhub.report.delivery.max-attempts=1000",
                "--GOVHUB_TLS_KEYSTORE=" + dir.resolve("server.p12"),
                "--GOVHUB_TLS_KEYSTORE_PASSWORD=" + SERVER_STORE_PASSWORD,
                "--GOVHUB_PLATFORM_TRUSTSTORE=" + dir.resolve("platform-trust.p12"),
                "--GOVHUB_PLATFORM_TRUSTSTORE_PASSWORD=" + TRUST_STORE_PASSWORD));
        args.addAll(List.of(extra));
        ConfigurableApplicationContext started = new SpringApplicationBuilder(GovHubApplication.class).run(args.toArray(String[]::new));
        // Spring Boot resets logging while it starts: listen from here on (the delivery failures are what could leak)
        logs = new ListAppender<>();
        logs.start();
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(logs);
        return started;
    }

    static int port() {
        return ((WebServerApplicationContext) hub).getWebServer().getPort();
    }

    static URI hubUri(String path) {
        return URI.create("https://localhost:" + port() + path);
    }

    static HttpResponse<String> generateReport() throws Exception {
        return adminClient().send(admin(hubUri("/api/reports/weeks/2020-W09/generate"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> adminGet(String path) throws Exception {
        return adminClient().send(admin(hubUri(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpClient adminClient() throws Exception {
        return HttpClient.newBuilder().sslContext(clientTrusting("server.pem")).build();
    }

    static HttpRequest.Builder admin(URI uri) {
        return HttpRequest.newBuilder(uri).header("Authorization", "Basic "
                + Base64.getEncoder().encodeToString(("admin:" + ADMIN_PASSWORD).getBytes(StandardCharsets.UTF_8)));
    }

    static String cookie(List<String> setCookies, String name) {
        return setCookies.stream().filter(c -> c.startsWith(name + "=")).map(c -> c.substring(name.length() + 1).split(";", 2)[0])
                .findFirst().orElse(null);
    }

    /** No store password in what the hub logged since it started, in Camel's MBeans, or in its endpoint URIs. */
    static void secretsAreNowhere() throws Exception {
        StringBuilder seen = new StringBuilder();
        for (ILoggingEvent event : new ArrayList<>(logs.list)) {
            seen.append(event.getFormattedMessage()).append('\n');
            if (event.getThrowableProxy() != null) {
                seen.append(event.getThrowableProxy().getMessage()).append('\n');
            }
        }
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        for (ObjectName name : server.queryNames(new ObjectName("org.apache.camel:*"), null)) {
            for (MBeanAttributeInfo attribute : server.getMBeanInfo(name).getAttributes()) {
                try {
                    seen.append(server.getAttribute(name, attribute.getName())).append('\n');
                } catch (Exception | LinkageError unreadable) {
                    // an attribute that cannot be read shows nothing either
                }
            }
        }
        hub.getBean(org.apache.camel.CamelContext.class).getEndpoints().forEach(e -> seen.append(e.getEndpointUri()).append('\n'));
        assertThat(seen.toString()).contains("platformTls")
                .doesNotContain(SERVER_STORE_PASSWORD, CLIENT_STORE_PASSWORD, TRUST_STORE_PASSWORD);
    }

    // ------------------------------------------------------------------ the national platform

    static void receive(HttpExchange exchange, List<String> received, String part, String idField) throws IOException {
        clientsSeen.add(((HttpsExchange) exchange).getSSLSession().getPeerPrincipal().getName());
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readAllBytes();
        }
        String id = CanonicalJson.read(new String(body, StandardCharsets.UTF_8)).path(part).path(idField).asText();
        boolean duplicate = received.contains(id);
        if (!duplicate) {
            received.add(id);
        }
        answer(exchange, 200, "{\"receiptId\":\"NP-TLS-" + Math.abs(id.hashCode()) + "\",\"duplicate\":" + duplicate + "}");
    }

    static void answer(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (var out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    // ------------------------------------------------------------------ certificates

    static void keyPair(String store, String password, String dname, String san) throws Exception {
        List<String> args = new ArrayList<>(List.of("-genkeypair", "-alias", "key", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", dname, "-validity", "2", "-storetype", "PKCS12", "-keystore", dir.resolve(store).toString(),
                "-storepass", password, "-keypass", password));
        if (san != null) {
            args.addAll(List.of("-ext", san));
        }
        keytool(args.toArray(String[]::new));
    }

    static void exportCertificate(String store, String password, String pem) throws Exception {
        keytool("-exportcert", "-rfc", "-alias", "key", "-keystore", dir.resolve(store).toString(), "-storepass", password,
                "-file", dir.resolve(pem).toString());
    }

    /** The JDK's own keytool, as an operator would run it. */
    static void keytool(String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("keytool %s: %s", args[0], output).isZero();
    }

    static KeyStore load(Path store, String password) throws Exception {
        KeyStore keyStore = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            keyStore.load(in, password.toCharArray());
        }
        return keyStore;
    }

    static TrustManagerFactory trusting(String pem) throws Exception {
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        try (InputStream in = Files.newInputStream(dir.resolve(pem))) {
            trusted.setCertificateEntry("trusted", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        return trust;
    }

    static SSLContext clientTrusting(String pem) throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trusting(pem).getTrustManagers(), null);
        return context;
    }
}
