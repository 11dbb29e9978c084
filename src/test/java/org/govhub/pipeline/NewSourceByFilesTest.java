package org.govhub.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.govhub.normalise.RegionCodes;
import org.govhub.sandbox.GeneratedRow;
import org.govhub.sandbox.NationalPlatformReceiver;
import org.govhub.sandbox.TaxBureauSandbox;
import org.govhub.sandbox.TaxDeclarationGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * "How to add a source" from the README, done as a data-integration team would: a connection
 * property, a route file and a mapping file; no Java.
 */
class NewSourceByFilesTest {

    @TempDir
    Path dir;

    @Test
    void aSecondTaxOfficeIsConnectedWithOneRouteFileOneMappingFileAndItsConnection() throws Exception {
        // the new department's database: a city tax office with its own view and key column
        String cityTaxUrl = "jdbc:h2:file:" + dir.resolve("city-tax-db") + ";DATABASE_TO_LOWER=TRUE;DB_CLOSE_ON_EXIT=FALSE";
        List<GeneratedRow> rows = new TaxDeclarationGenerator(77, new RegionCodes().countiesUnder("3604"), 0).generate(60);
        TaxBureauSandbox.seed(cityTaxUrl, "sa", "", rows);

        Path routes = Files.createDirectories(dir.resolve("routes"));
        Path mappings = Files.createDirectories(dir.resolve("mappings"));
        try (Stream<Path> project = Files.list(Path.of("routes"))) {
            for (Path f : project.toList()) {
                Files.copy(f, routes.resolve(f.getFileName()));
            }
        }
        try (Stream<Path> project = Files.list(Path.of("mappings"))) {
            for (Path f : project.toList()) {
                Files.copy(f, mappings.resolve(f.getFileName()));
            }
        }
        Files.writeString(routes.resolve("city-tax-source.yaml"), """
                - templatedRoute:
                    routeTemplateRef: sql-source
                    routeId: city-tax-source
                    parameters:
                      - { name: sourceId,   value: city-tax }
                      - { name: mapping,    value: city-tax }
                      - { name: table,      value: tax_declaration }
                      - { name: keyColumn,  value: decl_id }
                      - { name: pollInterval, value: "300" }
                """);
        Files.writeString(mappings.resolve("city-tax.yaml"), Files.readString(Path.of("mappings/tax-bureau.yaml"))
                .replace("mapping: tax-bureau", "mapping: city-tax"));
        assertThat(org.govhub.operate.CheckFiles.check(routes, mappings)).isEmpty();

        try (ConfigurableApplicationContext hub = HubProcess.start(dir.resolve("data"),
                "--camel.main.routes-include-pattern=file:" + routes + "/*.yaml",
                "--govhub.mappings.dir=" + mappings,
                "--govhub.sources.city-tax.url=" + cityTaxUrl,
                "--govhub.sources.city-tax.username=sa")) {
            NationalPlatformReceiver platform = hub.getBean(NationalPlatformReceiver.class);
            Set<String> expected = rows.stream().map(GeneratedRow::key).collect(Collectors.toSet());
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300))
                    .until(() -> platform.receivedRecords("city-tax").size() >= expected.size());
            assertThat(platform.receivedRecords("city-tax")).extracting(r -> (String) r.get("source_record_key"))
                    .containsExactlyInAnyOrderElementsOf(expected);
        }
    }
}
