package org.govhub.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.govhub.ProjectFiles;
import org.govhub.normalise.RegionCodes;
import org.govhub.sandbox.GeneratedRow;
import org.govhub.sandbox.NationalPlatformReceiver;
import org.govhub.sandbox.TaxBureauSandbox;
import org.govhub.sandbox.TaxDeclarationGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * "How to add a source" from docs/connect-a-database.md, done as a data-integration team would: a
 * connection property, a route file and a mapping file; no Java.
 */
class NewSourceByFilesTest {

    @TempDir
    Path dir;

    @Test
    void aSecondTaxOfficeIsConnectedWithOneRouteFileOneMappingFileAndItsConnection() throws Exception {
        // the new department's database: a city tax office with its own view and key column
        List<GeneratedRow> rows = cityTaxOffice(77, 60);

        Path routes = ProjectFiles.copy("routes", dir.resolve("routes"));
        Path mappings = ProjectFiles.copy("mappings", dir.resolve("mappings"));
        Files.writeString(routes.resolve("city-tax-source.yaml"), """
                - templatedRoute:
                    routeTemplateRef: sql-source
                    routeId: city-tax-source
                    parameters:
                      - { name: sourceId,   value: city-tax }
                      - { name: mapping,    value: city-tax }
                      - { name: table,      value: tax_declaration }
                      - { name: keyColumn,  value: decl_id }
                      - { name: changedColumn, value: updated_at }
                      - { name: pollInterval, value: "300" }
                """);
        Files.writeString(mappings.resolve("city-tax.yaml"), Files.readString(Path.of("mappings/tax-bureau.yaml"))
                .replace("mapping: tax-bureau", "mapping: city-tax"));
        // the connection as the team would give it (a configuration file or the environment), then the check
        org.springframework.core.env.StandardEnvironment environment = org.govhub.operate.CheckFiles.hubEnvironment();
        assertThat(org.govhub.operate.CheckFiles.check(routes, mappings, environment)).singleElement().asString()
                .contains("city-tax-source.yaml: line ", "no database connection: set govhub.sources.city-tax.url");
        environment.getPropertySources().addFirst(new org.springframework.core.env.MapPropertySource("city-tax",
                java.util.Map.of("govhub.sources.city-tax.url", cityTaxUrl(), "govhub.sources.city-tax.username", "sa")));
        assertThat(org.govhub.operate.CheckFiles.check(routes, mappings, environment)).isEmpty();

        try (ConfigurableApplicationContext hub = HubProcess.start(dir.resolve("data"),
                ProjectFiles.routesFrom(routes),
                "--govhub.mappings.dir=" + mappings,
                "--govhub.sources.city-tax.url=" + cityTaxUrl(),
                "--govhub.sources.city-tax.username=sa")) {
            assertEveryRowArrivesOnce(hub, rows);
        }
    }

    /**
     * A source id with a hyphen, its connection given by environment variables alone (no entry in
     * any configuration file): {@code GOVHUB_SOURCES_CITY_TAX_URL} and its siblings. The variables
     * reach the hub through the same property source Spring Boot makes of the real environment.
     */
    @Test
    void aHyphenatedSourceIsConnectedFromEnvironmentVariablesAlone() throws Exception {
        List<GeneratedRow> rows = cityTaxOffice(78, 30);
        Path routes = ProjectFiles.copy("routes", dir.resolve("routes"));
        ProjectFiles.source(routes, "sql-source", "city-tax", "tax-bureau", "table", "tax_declaration", "keyColumn", "decl_id",
                "changedColumn", "updated_at");
        org.springframework.core.env.StandardEnvironment environment = new org.springframework.core.env.StandardEnvironment();
        environment.getPropertySources().replace(org.springframework.core.env.StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                new org.springframework.core.env.SystemEnvironmentPropertySource(
                        org.springframework.core.env.StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, java.util.Map.of(
                                "GOVHUB_SOURCES_CITY_TAX_URL", cityTaxUrl(),
                                "GOVHUB_SOURCES_CITY_TAX_USERNAME", "sa",
                                "GOVHUB_SOURCES_CITY_TAX_PASSWORD", "")));
        List<String> args = HubProcess.withOverrides(HubProcess.defaults(dir.resolve("data")),
                ProjectFiles.routesFrom(routes));
        try (ConfigurableApplicationContext hub = new org.springframework.boot.builder.SpringApplicationBuilder(
                org.govhub.GovHubApplication.class).environment(environment).run(args.toArray(String[]::new))) {
            assertEveryRowArrivesOnce(hub, rows);
        }
    }

    /** The new department's database: a city tax office with its own declarations (H2, in the test's folder). */
    private List<GeneratedRow> cityTaxOffice(long seed, int declarations) throws Exception {
        List<GeneratedRow> rows = new TaxDeclarationGenerator(seed, new RegionCodes().countiesUnder("3604"), 0).generate(declarations);
        TaxBureauSandbox.seed(cityTaxUrl(), "sa", "", rows);
        return rows;
    }

    private String cityTaxUrl() {
        return "jdbc:h2:file:" + dir.resolve("city-tax-db") + ";DATABASE_TO_LOWER=TRUE;DB_CLOSE_ON_EXIT=FALSE";
    }

    /** Every generated declaration is at the platform, once. */
    private static void assertEveryRowArrivesOnce(ConfigurableApplicationContext hub, List<GeneratedRow> rows) {
        NationalPlatformReceiver platform = hub.getBean(NationalPlatformReceiver.class);
        Set<String> expected = rows.stream().map(GeneratedRow::key).collect(Collectors.toSet());
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300))
                .until(() -> platform.receivedRecords("city-tax").size() >= expected.size());
        assertThat(platform.receivedRecords("city-tax")).extracting(r -> (String) r.get("source_record_key"))
                .containsExactlyInAnyOrderElementsOf(expected);
    }
}
