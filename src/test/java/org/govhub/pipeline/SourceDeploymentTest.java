package org.govhub.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.govhub.RealDatabases;
import org.govhub.SandboxHubTest;
import org.govhub.normalise.CanonicalJson;
import org.govhub.normalise.RegionCodes;
import org.govhub.sandbox.GeneratedRow;
import org.govhub.sandbox.TaxBureauSandbox;
import org.govhub.sandbox.TaxDeclarationGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 19, as an integration team does it on a running hub whose tax source is in the middle of a
 * 20,000-row backlog: a city tax office's PostgreSQL table is deployed over the API as a new source
 * (an invalid upload first, refused with file and line and leaving everything as it was), activated
 * while the tax backlog flows and the office keeps inserting rows, changed to a new mapping version
 * mid-stream, carried through a SIGKILL and restart, rolled back, removed and activated again. At the
 * end every valid row of both sources is at the platform exactly once (by source and id), every broken
 * row in quarantine, and records carry the mapping version that made them.
 */
class SourceDeploymentTest {

    private static final int TAX_ROWS = 20_000;
    private static final int CITY_ROWS = 6_000;
    private static final int CITY_FIRST = 1_500;
    private static final int CITY_LAST = 200;
    private static final String DB = "govhub_deploy_city";
    private static final String CITY_URL = RealDatabases.POSTGRES_URL.replace("/test", "/" + DB);
    private static final String SOURCE = "/api/admin/sources/city-tax";

    @Test
    @Timeout(900)
    void aSourceIsDeployedChangedRolledBackAndRemovedWhileTheTaxBacklogFlowsEveryRecordExactlyOnce() throws Exception {
        RealDatabases.require("PostgreSQL", RealDatabases.POSTGRES_URL, RealDatabases.POSTGRES_USER,
                "DROP DATABASE IF EXISTS " + DB + " WITH (FORCE)", "CREATE DATABASE " + DB);
        List<GeneratedRow> city = new TaxDeclarationGenerator(77, new RegionCodes().countiesUnder("36"), 25).generate(CITY_ROWS);
        try (Connection c = city()) {
            c.createStatement().execute(TaxBureauSandbox.DDL);
            c.createStatement().execute(TaxBureauSandbox.CHANGE_INDEX);
            DepartmentRows.insert(c, "tax_declaration", city.subList(0, CITY_FIRST));
        }
        // the county office reads the same table through a unit in the deployments folder (a ConfigMap on Kubernetes)
        ExactlyOnce expected = new ExactlyOnce(Map.of("tax-bureau", ExactlyOnce.taxBureau().generate(TAX_ROWS), "city-tax", city,
                "county-tax", city));
        Path dir = SandboxHubTest.newDataDir("govhub-deploy");
        Path units = Files.createDirectories(dir.resolve("units"));
        String[] args = java.util.stream.Stream.concat(java.util.Arrays.stream(ExactlyOnce.sandbox(TAX_ROWS, 0)),
                java.util.stream.Stream.of("--govhub.deployments.dir=" + units, "--govhub.deployments.follow-interval=1s")).toArray(String[]::new);
        String routeFile = Files.readString(Path.of("src/test/resources/deploy/city-tax-source.yaml"));
        String mappingV1 = Files.readString(Path.of("mappings/tax-bureau.yaml")).replace("mapping: tax-bureau", "mapping: city-tax")
                .replace("description: Tax declarations of the provincial tax bureau", "description: Tax declarations of the city tax office");
        String broken = mappingV1.replace("convert: yuan-to-fen", "convert: yuan-to-cents");
        String mappingV2 = mappingV1.replace("version: \"1\"", "version: \"2\"");
        assertThat(mappingV2).isNotEqualTo(mappingV1);
        // the office's system inserts all but the last rows while the steps below go on; the last ones after the
        // final activation, so that they are certainly read by it
        DepartmentRows.Feeder feeder = new DepartmentRows.Feeder("city-feeder", SourceDeploymentTest::city, "tax_declaration",
                city.subList(0, CITY_ROWS - CITY_LAST), CITY_FIRST, 20);
        try (HubJvm hub = HubJvm.start(dir, "deploy", args)) {
            awaitTaken(hub, "/api/admin/sources/tax-bureau", 1);

            // 1. an invalid upload: every problem with file and line, nothing kept, nothing changed
            JsonNode refused = hub.postAnswering(422, SOURCE + "/versions", upload(routeFile.replace("keyColumn", "keyColum"), broken, "first try"));
            String problems = refused.path("problems").toString();
            assertThat(problems).contains("mappings/city-tax.yaml:37:5: field 'declaredAmountFen': unknown converter 'yuan-to-cents'", "routes/city-tax-source.yaml: line 9: parameter 'keyColum' is not declared");
            assertThat(hub.get(SOURCE + "/versions").path("versions")).as("versions after a refused upload").isEmpty();
            assertThat(hub.getStatus(SOURCE)).as("the source after a refused upload").isEqualTo(404);
            assertThat(hub.get("/api/admin/sources/tax-bureau").path("status").asText()).isEqualTo("UP");

            // 2. version 1, kept; activated while the tax backlog flows and the office inserts rows
            JsonNode v1 = hub.post(SOURCE + "/versions", upload(routeFile, mappingV1, "city tax office joins"));
            assertThat(v1.path("version").asInt()).isEqualTo(1);
            assertThat(v1.path("settings").path("url").asText()).isEqualTo(CITY_URL);
            // tried before it runs: the connection step by step, and the first rows as they would be shared or quarantined
            JsonNode connection = hub.post(SOURCE + "/versions/1/connection-test", "");
            assertThat(connection.path("ok").asBoolean()).as("connection test: %s", connection).isTrue();
            assertThat(connection.path("steps").findValuesAsText("name")).containsExactly("connect", "table", "columns");
            JsonNode preview = hub.post(SOURCE + "/versions/1/preview?rows=30", "");
            assertThat(preview.path("rows")).hasSize(30);
            JsonNode quarantined = null;
            for (JsonNode row : preview.path("rows")) {
                if ("QUARANTINED".equals(row.path("outcome").asText())) {
                    quarantined = row;
                }
            }
            assertThat(quarantined).as("a quarantined row in the preview: %s", preview).isNotNull();
            assertThat(quarantined.path("reasons").get(0).asText()).isNotBlank();
            assertThat(preview.path("quarantined").asInt()).isEqualTo(city.subList(0, 30).stream().filter(r -> !r.valid()).count());
            assertThat(hub.getStatus("/api/admin/records?source=city-tax&key=" + city.get(0).key())).as("a previewed row batched").isEqualTo(404);
            long taxBefore = taken(hub.get("/api/admin/sources/tax-bureau"));
            long t = System.nanoTime();
            hub.post(SOURCE + "/versions/1/activate", "{\"reason\": \"approved by the bureau\"}");
            figure("activating version 1 (a new source) answered in %d ms", t);
            feeder.start();
            awaitTaken(hub, SOURCE, 500);
            long taxAfter = taken(hub.get("/api/admin/sources/tax-bureau"));
            assertThat(taxAfter).as("tax rows taken across the deployment").isGreaterThan(taxBefore).isLessThan(TAX_ROWS);
            System.out.printf("[deploy] tax rows taken when version 1 was activated: %,d; when city-tax had taken 500: %,d of %,d%n",
                    taxBefore, taxAfter, TAX_ROWS);
            assertThat(hub.get(SOURCE).path("status").asText()).isEqualTo("UP");

            // an invalid change of the running source is refused too, and version 1 runs on untouched
            JsonNode refusedChange = hub.postAnswering(422, SOURCE + "/versions", upload(routeFile, broken, "a typo"));
            assertThat(refusedChange.path("problems").toString()).contains("unknown converter 'yuan-to-cents'");
            JsonNode stillOne = hub.get(SOURCE + "/versions");
            assertThat(stillOne.path("versions")).as("versions after a refused change").hasSize(1);
            assertThat(stillOne.path("runningHere").asInt()).isEqualTo(1);
            assertThat(hub.get(SOURCE).path("status").asText()).as("the running source after a refused change").isEqualTo("UP");

            // 3. a changed mapping, activated mid-stream
            JsonNode v2 = hub.post(SOURCE + "/versions", upload(routeFile, mappingV2, "mapping version 2"));
            assertThat(v2.path("version").asInt()).isEqualTo(2);
            t = System.nanoTime();
            hub.post(SOURCE + "/versions/2/activate", "{\"reason\": \"new mapping\"}");
            figure("activating version 2 mid-stream (the page under way finished first) answered in %d ms", t);
            assertThat(hub.get(SOURCE + "/versions").path("runningHere").asInt()).isEqualTo(2);
            HubJvm.sleep(2000);
            hub.kill();
        }
        try (HubJvm hub = HubJvm.start(dir, "deploy", args)) {
            // 4. after a SIGKILL the deployed version runs again from the hub database, from its mark
            hub.awaitLogged("source city-tax: version 2 runs on this node", 1, Duration.ofSeconds(60));
            JsonNode versions = hub.get(SOURCE + "/versions");
            assertThat(versions.path("active").asInt()).isEqualTo(2);
            assertThat(versions.path("runningHere").asInt()).isEqualTo(2);
            HubJvm.sleep(2000);

            // 5. roll back to the version before, one call
            long t = System.nanoTime();
            JsonNode back = hub.post(SOURCE + "/rollback", "{\"reason\": \"version 2 to be checked again\"}");
            figure("rolling back to version 1 answered in %d ms", t);
            assertThat(back.path("version").asInt()).isEqualTo(1);
            assertThat(hub.get(SOURCE + "/versions").path("history").get(0).toString()).contains("ROLLBACK", "admin");
            HubJvm.sleep(2000);

            // 6. removed: its routes go, its mark and quarantine stay; activated again it goes on from its mark
            hub.post(SOURCE + "/remove", "{\"reason\": \"the office moves its server\"}");
            assertThat(hub.getStatus(SOURCE)).as("a removed source").isEqualTo(404);
            HubJvm.sleep(2000);
            hub.post(SOURCE + "/versions/2/activate", "{\"reason\": \"the server moved\"}");
            feeder.awaitAll();
            try (Connection c = city()) {
                DepartmentRows.insert(c, "tax_declaration", city.subList(CITY_ROWS - CITY_LAST, CITY_ROWS));
            }

            // 7. a unit from the deployments folder: a broken one is refused and logged, a good one runs, by "configmap"
            Files.writeString(units.resolve("broken-tax.route.yaml"), routeFile.replace("city-tax", "broken-tax"));
            Files.writeString(units.resolve("broken-tax.mapping.yaml"), broken.replace("mapping: city-tax", "mapping: broken-tax"));
            Files.writeString(units.resolve("broken-tax.settings.yaml"), "url: " + CITY_URL + "\nusername: postgres\n");
            Files.writeString(units.resolve("county-tax.route.yaml"), routeFile.replace("city-tax", "county-tax"));
            Files.writeString(units.resolve("county-tax.mapping.yaml"), mappingV1.replace("mapping: city-tax", "mapping: county-tax"));
            Files.writeString(units.resolve("county-tax.settings.yaml"), "url: " + CITY_URL + "\nusername: postgres\n");
            t = System.nanoTime();
            hub.awaitLogged("source county-tax: version 1 runs on this node", 1, Duration.ofSeconds(30));
            figure("a unit written to the deployments folder ran %d ms later (follow interval 1 s)", t);
            hub.awaitLogged("source broken-tax: the unit in .* is refused, nothing changed", 1, Duration.ofSeconds(30));
            assertThat(hub.get("/api/admin/sources/county-tax/versions").path("history").get(0).toString()).contains("configmap");
            assertThat(hub.getStatus("/api/admin/sources/broken-tax")).isEqualTo(404);
            HubJvm.sleep(3000);
            assertThat(hub.logged("source broken-tax: the unit in .* is refused")).as("a refused unit is said once").hasSize(1);
            expected.awaitDelivered(hub, Duration.ofMinutes(6));
            assertThat(hub.get(SOURCE).path("status").asText()).isEqualTo("UP");

            // provenance: the first rows made by version 1, the last by version 2
            String first = firstValid(city, 0);
            List<GeneratedRow> newestFirst = new java.util.ArrayList<>(city);
            java.util.Collections.reverse(newestFirst);
            String last = firstValid(newestFirst, 0);
            assertThat(CanonicalJson.write(hub.get("/api/admin/records?source=city-tax&key=" + first))).contains("\"mappingVersion\":\"1+deploy.1\"");
            assertThat(CanonicalJson.write(hub.get("/api/admin/records?source=city-tax&key=" + last))).contains("\"mappingVersion\":\"2+deploy.2\"");
            JsonNode history = hub.get(SOURCE + "/versions").path("history");
            assertThat(history.findValuesAsText("action").isEmpty() ? history.findValuesAsText("ACTION") : history.findValuesAsText("action"))
                    .containsExactly("ACTIVATE", "REMOVE", "ROLLBACK", "ACTIVATE", "ACTIVATE");
            hub.stop();
        }
        System.out.println("[deploy] " + expected.check(dir));
        // every step in the exchange log, with its author
        var hubDb = ExactlyOnce.h2(dir.resolve("hub/govhub"));
        try {
            assertThat(hubDb.queryForList("SELECT action || ' ' || resource || ' ' || actor FROM exchange_log WHERE action LIKE 'source %'"
                    + " ORDER BY seq", String.class)).contains("source upload source/city-tax admin", "source upload source/city-tax/v1 admin",
                    "source activate source/city-tax/v1 admin", "source upload source/city-tax/v2 admin", "source activate source/city-tax/v2 admin",
                    "source rollback source/city-tax/v1 admin", "source remove source/city-tax admin", "source activate source/county-tax/v1 configmap");
        } finally {
            ExactlyOnce.close(hubDb);
        }
    }

    private static void figure(String format, long since) {
        System.out.printf("[deploy] " + format + "%n", (System.nanoTime() - since) / 1_000_000);
    }

    private static String firstValid(List<GeneratedRow> rows, int skip) {
        return rows.stream().filter(GeneratedRow::valid).skip(skip).findFirst().orElseThrow().key();
    }

    private static String upload(String route, String mapping, String reason) {
        return CanonicalJson.write(CanonicalJson.MAPPER.valueToTree(Map.of("routeFile", "city-tax-source.yaml", "route", route,
                "mapping", mapping, "settings", Map.of("url", CITY_URL, "username", RealDatabases.POSTGRES_USER), "reason", reason)));
    }

    private static long taken(JsonNode source) {
        JsonNode d = source.path("details");
        return d.path("published").asLong() + d.path("quarantined").asLong() + d.path("repeats").asLong();
    }

    private static void awaitTaken(HubJvm hub, String source, long atLeast) {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (hub.getStatus(source) != 200 || taken(hub.get(source)) < atLeast) {
            assertThat(System.nanoTime()).as("%s took fewer than %d rows within 2 minutes", source, atLeast).isLessThan(deadline);
            HubJvm.sleep(100);
        }
    }

    private static Connection city() throws SQLException {
        return DriverManager.getConnection(CITY_URL, RealDatabases.POSTGRES_USER, "");
    }
}
