package org.govhub.operate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.govhub.SandboxHubTest;
import org.govhub.normalise.CanonicalJson;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * What an uploaded source may be, on the shared sandbox hub (uploads only: nothing here is activated,
 * so the shared hub's sources stay as they are): each refusal names the file and line or the rule, a
 * refused upload keeps nothing, a kept one answers its settings' secrets hidden and keeps them sealed, and both are in the
 * exchange log first. An integrator account does it; an operator may not.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SourceUploadRulesTest extends SandboxHubTest {

    private static final String INTEGRATOR = "rules-integrator";
    private static final String PASSWORD = "Deploy-units-26!x";

    @LocalServerPort
    int port;
    @Autowired
    JdbcTemplate hub;
    @Autowired
    OperatorAccounts accounts;
    @Autowired
    SourceDeployments deployments;

    private final HttpClient http = HttpClient.newHttpClient();
    private String route;
    private String mapping;

    @BeforeAll
    void integrator() throws Exception {
        accounts.create(INTEGRATOR, Roles.INTEGRATOR, PASSWORD);
        accounts.create("rules-operator", Roles.OPERATOR, PASSWORD);
        route = Files.readString(Path.of("src/test/resources/deploy/city-tax-source.yaml"))
                .replace("city-tax", "rules-tax");
        mapping = Files.readString(Path.of("mappings/tax-bureau.yaml")).replace("mapping: tax-bureau", "mapping: rules-tax");
    }

    @Test
    void aKeptVersionAnswersItsSecretsHiddenAndIsInTheExchangeLog() throws Exception {
        HttpResponse<String> kept = upload("rules-tax", "rules-tax-source.yaml", route, mapping,
                Map.of("url", "jdbc:postgresql://127.0.0.1:5432/test?user=x&password=hunter2-secret", "username", "reader",
                        "password", "hunter2-secret", "token", "${RULES_TAX_TOKEN}"));
        assertThat(kept.statusCode()).as(kept.body()).isEqualTo(201);
        assertThat(kept.body()).doesNotContain("hunter2-secret");
        JsonNode version = CanonicalJson.read(kept.body());
        assertThat(version.path("by").asText()).isEqualTo(INTEGRATOR);
        assertThat(version.path("settings").path("password").asText()).isEqualTo("****");
        assertThat(version.path("settings").path("url").asText()).isEqualTo("jdbc:postgresql://127.0.0.1:5432/test?user=x&password=****");
        assertThat(version.path("settings").path("token").asText()).as("a placeholder names a variable, not a secret")
                .isEqualTo("${RULES_TAX_TOKEN}");
        int n = version.path("version").asInt();
        HttpResponse<String> again = call("GET", "/api/admin/sources/rules-tax/versions/" + n, null);
        assertThat(again.body()).contains("\"route\"", "rules-tax-source").doesNotContain("hunter2-secret");
        assertThat(hub.queryForObject("SELECT COUNT(*) FROM exchange_log WHERE action = 'source upload' AND resource = ? AND actor = ?"
                + " AND outcome = 'kept'", Integer.class, "source/rules-tax/v" + n, INTEGRATOR)).isEqualTo(1);
        assertThat(hub.queryForObject("SELECT COUNT(*) FROM exchange_log WHERE outcome LIKE '%hunter2%' OR resource LIKE '%hunter2%'",
                Integer.class)).isZero();
        // kept sealed (SettingsSealing): a dump of the hub database does not carry the department's password
        String stored = hub.queryForObject("SELECT settings FROM source_version WHERE source_id = 'rules-tax' AND version = ?", String.class, n);
        assertThat(stored).startsWith("sealed:aes-gcm:").doesNotContain("hunter2").doesNotContain("reader");
        assertThat(hub.queryForObject("SELECT COUNT(*) FROM source_version WHERE CAST(settings AS VARCHAR) LIKE '%hunter2%'", Integer.class))
                .isZero();
        // uploaded is not running: the source is not there until a version is activated
        assertThat(call("GET", "/api/admin/sources/rules-tax", null).statusCode()).isEqualTo(404);
        assertThat(call("GET", "/api/admin/sources/rules-tax/versions", null).body()).contains("\"active\":null");
    }

    @Test
    void aVersionKeptInClearBeforeSealingIsSealedAtStartAndReadsTheSame() {
        hub.update("INSERT INTO source_version (source_id, version, route_file, route_yaml, mapping_id, mapping_yaml, settings,"
                + " files_sha256, reason, created_by, created_at) VALUES ('legacy-sealing', 1, 'legacy-sealing-source.yaml', ?, 'legacy-sealing',"
                + " ?, ?, 'x', 'kept before sealing', 'test', CURRENT_TIMESTAMP)", route, mapping,
                "{\"password\":\"legacy-hunter3\",\"url\":\"jdbc:postgresql://127.0.0.1:5432/test\",\"username\":\"reader\"}");
        hub.update("INSERT INTO source_version (source_id, version, route_file, route_yaml, mapping_id, mapping_yaml, settings,"
                + " files_sha256, reason, created_by, created_at) VALUES ('legacy-sealing', 2, 'legacy-sealing-source.yaml', ?, 'legacy-sealing',"
                + " ?, ?, 'x', 'no secret', 'test', CURRENT_TIMESTAMP)", route, mapping, "{\"password\":\"${LEGACY_PASSWORD}\"}");

        deployments.sealKeptSecrets();

        assertThat(hub.queryForObject("SELECT settings FROM source_version WHERE source_id = 'legacy-sealing' AND version = 1", String.class))
                .startsWith("sealed:aes-gcm:").doesNotContain("legacy-hunter3");
        assertThat(deployments.version("legacy-sealing", 1).orElseThrow().settings()).containsEntry("password", "legacy-hunter3")
                .containsEntry("username", "reader");
        assertThat(hub.queryForObject("SELECT settings FROM source_version WHERE source_id = 'legacy-sealing' AND version = 2", String.class))
                .as("a placeholder is no secret: kept as it was").isEqualTo("{\"password\":\"${LEGACY_PASSWORD}\"}");
    }

    @Test
    void everyRuleOfADeployedUnitRefusesWithItsReasonAndKeepsNothing() throws Exception {
        assertRefused("rules-cdc", "rules-cdc-source.yaml", route.replace("rules-tax", "rules-cdc").replace("sql-source", "cdc-source"),
                mapping.replace("rules-tax", "rules-cdc"), "template 'cdc-source' cannot be deployed without a restart");
        assertRefused("rules-own", "rules-own-source.yaml", "- route:\n    id: rules-own\n    from:\n      uri: timer:x\n      steps:\n        - log: x\n",
                mapping.replace("rules-tax", "rules-own"), "only templatedRoute entries may be deployed");
        assertRefused("rules-other", "rules-other-source.yaml", route, mapping, "sourceId must be 'rules-other'");
        assertRefused("rules-same", "rules-same-source.yaml", route.replace("sourceId, value: rules-tax", "sourceId, value: rules-same")
                        .replace("mapping, value: rules-tax", "mapping, value: tax-bureau"),
                Files.readString(Path.of("mappings/tax-bureau.yaml")), "mapping 'tax-bureau' is used by source tax-bureau too");
        assertRefused("rules-name", "tax-bureau-source.yaml", route.replace("rules-tax", "rules-name"), mapping.replace("rules-tax", "rules-name"),
                "a route file of that name is the hub's already");
        assertRefused("rules-noconn", "rules-noconn-source.yaml", route.replace("rules-tax", "rules-noconn"),
                mapping.replace("rules-tax", "rules-noconn"), Map.of(),
                "source 'rules-noconn' (sql-source): no database connection: set govhub.sources.rules-noconn.url");
        assertRefused("rules-peek", "rules-peek-source.yaml", route.replace("rules-tax", "rules-peek")
                        .replace("value: tax_declaration", "value: \"{{govhub.security.admin-password}}\""), mapping.replace("rules-tax", "rules-peek"),
                "parameter 'table' reads 'govhub.security.admin-password': a deployed source reads only govhub.sources.rules-peek.* and govhub.ingest.*");
        assertRefused("Bad_Id", "x.yaml", route, mapping, "source id 'Bad_Id'");
        assertThat(hub.queryForObject("SELECT COUNT(*) FROM source_version WHERE source_id LIKE 'rules-%' AND source_id <> 'rules-tax'",
                Integer.class)).as("versions kept of refused uploads").isZero();
        assertThat(hub.queryForObject("SELECT COUNT(*) FROM exchange_log WHERE action = 'source upload' AND outcome LIKE 'refused: %'"
                + " AND actor = ?", Integer.class, INTEGRATOR)).isGreaterThanOrEqualTo(6);
    }

    @Test
    void onlyIntegratorsAndAdminsDeployAndASourceThatIsNotThereCannotBeActivated() throws Exception {
        assertThat(call("POST", "/api/admin/sources/rules-op/versions", "{\"reason\": \"x\"}", "rules-operator", PASSWORD).statusCode())
                .as("an operator uploading").isEqualTo(403);
        assertThat(call("POST", "/api/admin/sources/tax-bureau/remove", "{\"reason\": \"x\"}", "rules-operator", PASSWORD).statusCode())
                .as("an operator removing a source").isEqualTo(403);
        HttpResponse<String> byAdmin = call("POST", "/api/admin/sources/rules-tax/versions/99/activate", "{\"reason\": \"x\"}",
                "admin", SandboxHubTest.OPERATOR_PASSWORD);
        assertThat(byAdmin.statusCode()).as("the admin may: an unknown version is a conflict, not a refusal").isEqualTo(409);
        assertThat(byAdmin.body()).contains("has no version 99");
        assertThat(call("POST", "/api/admin/sources/no-such/rollback", "{\"reason\": \"x\"}").statusCode()).isEqualTo(409);
        assertThat(call("POST", "/api/admin/sources/no-such/remove", "{\"reason\": \"x\"}").statusCode()).isEqualTo(409);
        assertThat(call("POST", "/api/admin/sources/tax-bureau/remove", "{}").statusCode()).as("no reason").isEqualTo(400);
    }

    private void assertRefused(String sourceId, String routeFile, String route, String mapping, String expected) throws Exception {
        assertRefused(sourceId, routeFile, route, mapping, Map.of("url", "jdbc:postgresql://127.0.0.1:5432/test", "username", "x"), expected);
    }

    private void assertRefused(String sourceId, String routeFile, String route, String mapping, Map<String, String> settings,
            String expected) throws Exception {
        HttpResponse<String> refused = upload(sourceId, routeFile, route, mapping, settings);
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(422);
        assertThat(refused.body()).contains(expected).contains("nothing was kept");
    }

    private HttpResponse<String> upload(String sourceId, String routeFile, String route, String mapping, Map<String, String> settings)
            throws Exception {
        return call("POST", "/api/admin/sources/" + sourceId + "/versions", CanonicalJson.write(CanonicalJson.MAPPER.valueToTree(
                Map.of("routeFile", routeFile, "route", route, "mapping", mapping, "settings", settings, "reason", "rules test"))));
    }

    private HttpResponse<String> call(String method, String path, String body) throws Exception {
        return call(method, path, body, INTEGRATOR, PASSWORD);
    }

    private HttpResponse<String> call(String method, String path, String body, String user, String password) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
