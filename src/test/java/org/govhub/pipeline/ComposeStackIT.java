package org.govhub.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarFile;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.govhub.RealDatabases;
import org.govhub.SandboxHubTest;
import org.govhub.operate.ComposeFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * `docker compose --profile sandbox up` without Docker, on the two jars the images hold (run by
 * failsafe after package): the prod jar carries no sandbox, and started with exactly the environment
 * docker/compose.yaml gives the govhub service (the .env made from docker/sandbox.env.example) it is
 * ready with every prod setting satisfied, and takes records from the sandbox service (the full jar
 * with exactly its compose environment) to the simulated national platform: database, FTP and REST
 * sources alike.
 *
 * <p>What a container network has and one machine has not is translated, nothing else: the service
 * names hub-db and sandbox-db are the machine's PostgreSQL (databases of this test), artemis is an
 * Artemis this test starts, and the fixed ports (8080, 8081, 2121) are free ones.
 */
class ComposeStackIT {

    static final Path FULL_JAR = Path.of(System.getProperty("govhub.jar", "target/govhub.jar"));
    static final Path PROD_JAR = Path.of(System.getProperty("govhub.prod-jar", "target/govhub-prod.jar"));
    private static final String HUB_DB = "govhub_compose_hub";
    private static final String DEPARTMENTS_DB = "govhub_compose_departments";
    /** What an operator fills in in docker/.env (copied from docker/sandbox.env.example). */
    static final Map<String, String> FILLED_IN = Map.of(
            "GOVHUB_DB_PASSWORD", "hub-db-secret-26",
            "ARTEMIS_PASSWORD", "artemis-secret-26",
            "GOVHUB_ADMIN_PASSWORD", HubJvm.OPERATOR_PASSWORD,
            "GRAFANA_ADMIN_PASSWORD", "grafana-secret-26",
            "SANDBOX_SECRET", "sandbox-secret-26");

    @Test
    @Timeout(420)
    void theProdJarRunsTheComposeStackWithTheSandboxProfile() throws Exception {
        theProdJarHoldsNoSandbox();

        RealDatabases.require("PostgreSQL", RealDatabases.POSTGRES_URL, RealDatabases.POSTGRES_USER,
                "DROP DATABASE IF EXISTS " + HUB_DB + " WITH (FORCE)",
                "DROP DATABASE IF EXISTS " + DEPARTMENTS_DB + " WITH (FORCE)",
                // the logins compose gives the hub (literally) and the sandbox (from the .env); trust auth here
                role("govhub"), role("departments"),
                "CREATE DATABASE " + HUB_DB + " OWNER govhub",
                "CREATE DATABASE " + DEPARTMENTS_DB + " OWNER departments");

        Map<String, String> dotEnv = ComposeFile.envFile(Path.of("docker/sandbox.env.example"), FILLED_IN);
        ComposeFile compose = ComposeFile.read(ComposeFile.COMPOSE);
        Path dir = SandboxHubTest.newDataDir("govhub-compose-stack");
        int brokerPort = HubJvm.freePort();
        Map<String, String> ports = Map.of("8080", Integer.toString(HubJvm.freePort()), "8081",
                Integer.toString(HubJvm.freePort()), "2121", Integer.toString(HubJvm.freePort()));
        EmbeddedActiveMQ broker = StandaloneArtemis.secured(dir.resolve("artemis"), brokerPort, dotEnv.get("ARTEMIS_USER"),
                dotEnv.get("ARTEMIS_PASSWORD"), "amq");
        try {
            Map<String, String> sandboxEnv = onThisMachine(compose.environment("sandbox", dotEnv), HUB_DB, DEPARTMENTS_DB, brokerPort, ports);
            sandboxEnv.putAll(image(dir.resolve("sandbox-data"), null));
            Map<String, String> hubEnv = onThisMachine(compose.environment("govhub", dotEnv), HUB_DB, DEPARTMENTS_DB, brokerPort, ports);
            hubEnv.putAll(image(dir.resolve("govhub-data"), "prod"));
            hubEnv.put("SERVER_PORT", ports.get("8080"));

            try (HubJvm sandbox = HubJvm.launch("compose-sandbox", command(FULL_JAR), sandboxEnv, dir.resolve("sandbox-data"),
                    Integer.parseInt(ports.get("8081")));
                    HubJvm hub = HubJvm.launch("compose-govhub", command(PROD_JAR), hubEnv, dir.resolve("govhub-data"),
                            Integer.parseInt(ports.get("8080")))) {
                // the compose health check's request: ready, without a login
                HttpResponse<String> readiness = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + ports.get("8080") + "/actuator/health/readiness")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(readiness.statusCode()).as(readiness.body()).isEqualTo(200);
                // the hub database and the broker compose named (a component answers 200 only while UP)
                assertThat(hub.get("/actuator/health/db").path("details").path("database").asText()).isEqualTo("PostgreSQL");
                assertThat(hub.get("/actuator/health/jms").path("status").asText()).isEqualTo("UP");

                Set<String> expected = Set.of("TaxRecord", "CreditRecord", "SocialInsuranceRecord", "EnterpriseFiling");
                Set<String> delivered = new TreeSet<>();
                long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
                while (!delivered.containsAll(expected) && System.nanoTime() < deadline) {
                    HubJvm.sleep(2000);
                    sandbox.get("/sandbox/platform/batches").path("received")
                            .forEach(batch -> delivered.add(batch.path("schema_name").asText()));
                }
                assertThat(delivered).as("schemas of the batches at the sandbox's national platform; hub log " + hub.logFile)
                        .containsAll(expected);
                System.out.printf("[compose stack] prod jar with the compose environment delivered %s from the sandbox service%n", delivered);
            }
        } finally {
            broker.stop();
        }
    }

    private static void theProdJarHoldsNoSandbox() throws Exception {
        assertThat(PROD_JAR).as("the prod jar (./mvnw package makes it)").exists();
        List<String> entries = new ArrayList<>();
        try (JarFile jar = new JarFile(PROD_JAR.toFile())) {
            jar.stream().forEach(e -> entries.add(e.getName()));
            String factories = new String(jar.getInputStream(jar.getEntry("META-INF/spring.factories")).readAllBytes());
            assertThat(factories).contains("org.govhub.operate.RequiredSettings").doesNotContain("org.govhub.sandbox");
        }
        assertThat(entries).contains("BOOT-INF/classes/org/govhub/GovHubApplication.class", "BOOT-INF/layers.idx");
        assertThat(entries).noneMatch(e -> e.contains("org/govhub/sandbox/"));
        assertThat(entries).noneMatch(e -> e.matches("BOOT-INF/lib/(ftpserver-core|ftplet-api|mina-core)-.*"));
        // the full jar does carry them: the checks above look in the right places
        try (JarFile full = new JarFile(FULL_JAR.toFile())) {
            assertThat(full.getEntry("BOOT-INF/classes/org/govhub/sandbox/NationalPlatformReceiver.class")).isNotNull();
            assertThat(full.stream().anyMatch(e -> e.getName().startsWith("BOOT-INF/lib/ftpserver-core-"))).isTrue();
        }
    }

    static String role(String name) {
        return "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '" + name + "') THEN CREATE ROLE " + name
                + " LOGIN; END IF; END $$";
    }

    /** A compose network's addresses as they are on this machine; every other value as compose gave it. */
    static Map<String, String> onThisMachine(Map<String, String> environment, String hubDb, String departmentsDb, int brokerPort,
            Map<String, String> ports) {
        Map<String, String> local = new LinkedHashMap<>();
        environment.forEach((name, value) -> {
            String v = value.replace("hub-db:5432/govhub", "127.0.0.1:5432/" + hubDb)
                    .replace("sandbox-db:5432/departments", "127.0.0.1:5432/" + departmentsDb)
                    .replace("tcp://artemis:61616", "tcp://127.0.0.1:" + brokerPort);
            for (var port : ports.entrySet()) {
                v = v.equals(port.getKey()) ? port.getValue() : v.replace("127.0.0.1:" + port.getKey() + "/", "127.0.0.1:" + port.getValue() + "/");
            }
            local.put(name, v);
        });
        return local;
    }

    /** What the image sets (docker/Dockerfile's ENV; its UTF-8 locale), the data volume here a folder of this test. */
    static Map<String, String> image(Path dataDir, String profile) throws Exception {
        Files.createDirectories(dataDir);
        Map<String, String> env = new LinkedHashMap<>();
        env.put("GOVHUB_DATA_DIR", dataDir.toString());
        env.put("LC_ALL", "C.UTF-8");
        // a container's interfaces are its own; here the hub listens on the loopback interface only
        env.put("GOVHUB_SERVER_ADDRESS", "127.0.0.1");
        if (profile != null) {
            env.put("SPRING_PROFILES_ACTIVE", profile);
        }
        return env;
    }

    static List<String> command(Path jar) {
        return List.of(HubJvm.java(), "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-jar", jar.toAbsolutePath().toString());
    }
}
