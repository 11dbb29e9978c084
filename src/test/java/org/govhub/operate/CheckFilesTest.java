package org.govhub.operate;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command that validates routes/ and mappings/ without starting the hub. */
class CheckFilesTest {

    @TempDir
    Path dir;

    @Test
    void theProjectsOwnRoutesAndMappingsAreValid() {
        assertThat(CheckFiles.check(Path.of("routes"), Path.of("mappings"))).isEmpty();
    }

    @Test
    void propertyFunctionsAndOptionalPlaceholdersAreNotMistakenForValues() throws Exception {
        Path routes = Files.createDirectories(dir.resolve("fn-routes"));
        Files.copy(Path.of("routes/sql-source.kamelet.yaml"), routes.resolve("sql-source.kamelet.yaml"));
        Files.writeString(routes.resolve("x-source.yaml"), Files.readString(Path.of("routes/tax-bureau-source.yaml"))
                .replace("\"{{govhub.ingest.poll-interval:250}}\"", "\"{{env:TAX_POLL_MS:5000}}\""));
        assertThat(Files.readString(routes.resolve("x-source.yaml"))).as("the route file under test").contains("{{env:TAX_POLL_MS:5000}}");
        assertThat(TemplateParameterTypes.check(List.of(routes.resolve("sql-source.kamelet.yaml"), routes.resolve("x-source.yaml")),
                key -> null)).isEmpty();
    }

    @Test
    void templateParametersAreCheckedAgainstTheKameletsSchema() throws Exception {
        Path routes = Files.createDirectories(dir.resolve("schema-routes"));
        Path kamelet = Files.copy(Path.of("routes/sql-source.kamelet.yaml"), routes.resolve("sql-source.kamelet.yaml"));
        Path source = Files.writeString(routes.resolve("x-source.yaml"), """
                - templatedRoute:
                    routeTemplateRef: sql-source
                    routeId: x-source
                    parameters:
                      - { name: sourceId, value: x }
                      - { name: mapping, value: tax-bureau }
                      - { name: keyColumn, value: id }
                      - { name: changedColumn, value: updated_at }
                      - { name: maxRows, value: "{{x.rows:many}}" }
                      - { name: urgentLookAhead, value: "{{x.look}}" }
                      - { name: pollInterval, value: "{{x.poll}}" }
                - routeTemplate:
                    id: untyped
                    parameters: [ { name: a } ]
                    from: { uri: "timer:{{a}}", steps: [ { log: x } ] }
                """);
        java.util.Map<String, String> properties = java.util.Map.of("x.look", "ten", "x.poll", " 250 ");
        assertThat(TemplateParameterTypes.check(List.of(kamelet, source), properties::get)).containsExactly(
                source + ": line 12: route template untyped declares its parameters without types: write it as a Kamelet,"
                        + " untyped.kamelet.yaml, whose spec.definition is their JSON Schema",
                source + ": line 1: parameter 'table' is required by template sql-source but not set",
                source + ": line 9: parameter 'maxRows' of template sql-source must be an integer, not 'many'",
                source + ": line 10: parameter 'urgentLookAhead' of template sql-source must be an integer, not 'ten'");
    }

    @Test
    void aSecretWrittenIntoTheRouteByAPlaceholderIsRefused() throws Exception {
        Path routes = Files.createDirectories(dir.resolve("secret-routes"));
        Path kamelet = Files.copy(Path.of("routes/rest-source.kamelet.yaml"), routes.resolve("rest-source.kamelet.yaml"));
        Path source = Files.writeString(routes.resolve("x-source.yaml"), Files.readString(Path.of("routes/provincial-filings-source.yaml"))
                .replace("${properties:govhub.sources.provincial-filings.token}", "{{govhub.sources.provincial-filings.token}}"));
        int line = Files.readAllLines(source).indexOf(Files.readAllLines(source).stream().filter(l -> l.contains("authValue")).findFirst().orElseThrow()) + 1;
        assertThat(TemplateParameterTypes.check(List.of(kamelet, source), key -> key.endsWith(".token") ? "s3cret" : null)).containsExactly(
                source + ": line " + line + ": parameter 'authValue' of template rest-source is a secret: name its property as"
                        + " ${properties:key}, read when used, not {{key}}, which writes it into the route");
        // as shipped: named by its property
        assertThat(TemplateParameterTypes.check(List.of(kamelet, Path.of("routes/provincial-filings-source.yaml")), key -> key.endsWith(".token") ? "s3cret" : null)).isEmpty();
    }

    @Test
    void aKameletWhoseParameterSchemaIsNotUsableIsReportedWithLineAndColumn() throws Exception {
        Path routes = Files.createDirectories(dir.resolve("bad-kamelet"));
        Path kamelet = Files.writeString(routes.resolve("sql-source.kamelet.yaml"), Files.readString(Path.of("routes/sql-source.kamelet.yaml"))
                .replaceFirst("type: integer", "type: int"));
        Path source = Files.copy(Path.of("routes/tax-bureau-source.yaml"), routes.resolve("tax-bureau-source.yaml"));
        assertThat(TemplateParameterTypes.check(List.of(kamelet, source), key -> null)).singleElement().asString()
                .startsWith(kamelet + ":")
                .matches(".*:\\d+:\\d+: \\$\\.spec\\.definition\\.properties\\.lateCommitWindow\\.type: a parameter's type is string, integer,"
                        + " number or boolean .*\\(found 'int'\\) \\(kamelet schema\\)");
    }

    /** Camel's YAML DSL makes a Kamelet file a route template: required parameters enforced, defaults filled in. */
    @Test
    void camelLoadsAKameletAsTheRouteTemplateItsTemplatedRoutesFillIn() throws Exception {
        Path routes = Files.createDirectories(dir.resolve("camel-routes"));
        Path kamelet = Files.copy(Path.of("routes/sql-source.kamelet.yaml"), routes.resolve("sql-source.kamelet.yaml"));
        Path source = Files.copy(Path.of("routes/tax-bureau-source.yaml"), routes.resolve("tax-bureau-source.yaml"));
        Path missing = Files.writeString(routes.resolve("y-source.yaml"), Files.readString(source)
                .replace("tax-bureau-source", "y-source").replace("name: table", "name: tabel"));
        try (org.apache.camel.impl.DefaultCamelContext camel = new org.apache.camel.impl.DefaultCamelContext()) {
            for (Path f : List.of(kamelet, source)) {
                org.apache.camel.support.PluginHelper.getRoutesLoader(camel)
                        .loadRoutes(org.apache.camel.support.ResourceHelper.resolveResource(camel, "file:" + f));
            }
            assertThat(camel.getRouteTemplateDefinition("sql-source").getTemplateParameters())
                    .anySatisfy(p -> assertThat(p.getName()).isEqualTo("table"));
            org.apache.camel.model.RouteDefinition route = camel.getRouteDefinition("tax-bureau-source");
            assertThat(route.getTemplateParameters()).containsEntry("table", "tax_declaration")
                    .containsEntry("lateCommitWindow", "600000").containsEntry("maxRows", "500");
            assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> org.apache.camel.support.PluginHelper.getRoutesLoader(camel)
                    .loadRoutes(org.apache.camel.support.ResourceHelper.resolveResource(camel, "file:" + missing))))
                    .hasStackTraceContaining("the following mandatory parameters must be provided: table");
        }
    }

    @Test
    void brokenFilesAreReportedWithFileLineAndReason() throws Exception {
        Path routes = Files.createDirectories(dir.resolve("routes"));
        Path mappings = Files.createDirectories(dir.resolve("mappings"));
        for (Path f : List.of(Path.of("routes/sql-source.kamelet.yaml"), Path.of("routes/tax-bureau-source.yaml"))) {
            Files.copy(f, routes.resolve(f.getFileName()));
        }
        Files.writeString(routes.resolve("a-typo.yaml"), """
                - route:
                    id: typo
                    from:
                      uri: "timer:x"
                      steps:
                        - sendTo: "log:x"
                """);
        Files.writeString(routes.resolve("b-no-id.yaml"), """
                - route:
                    from:
                      uri: "timer:y"
                      steps:
                        - log: "y"
                """);
        Files.writeString(mappings.resolve("tax-bureau.yaml"),
                Files.readString(Path.of("mappings/tax-bureau.yaml")).replace("convert: period", "convert: month"));

        List<String> problems = CheckFiles.check(routes, mappings);
        assertThat(problems).hasSize(3);
        assertThat(problems).anySatisfy(p -> assertThat(p).matches(".*tax-bureau\\.yaml:\\d+:\\d+: .*unknown converter 'month'.*"));
        assertThat(problems).anySatisfy(p -> assertThat(p).contains("a-typo.yaml", "line 6", "sendTo"));
        assertThat(problems).anySatisfy(p -> assertThat(p).contains("b-no-id.yaml", "has no id"));
    }

    @Test
    void anIndustryCodeEditionThatIsNotOneOfTheTwoIsReportedWithItsLine() throws Exception {
        Path routes = Files.createDirectories(dir.resolve("routes"));
        Path mappings = Files.createDirectories(dir.resolve("mappings"));
        for (Path f : List.of(Path.of("routes/sql-source.kamelet.yaml"), Path.of("routes/tax-bureau-source.yaml"))) {
            Files.copy(f, routes.resolve(f.getFileName()));
        }
        Files.writeString(mappings.resolve("tax-bureau.yaml"), Files.readString(Path.of("mappings/tax-bureau.yaml"))
                .replace("schemaVersion: 1.0.0\n", "schemaVersion: 1.0.0\nindustryCodeEdition: \"2011\"\n"));

        assertThat(CheckFiles.check(routes, mappings)).singleElement().satisfies(p -> assertThat(p)
                .contains("tax-bureau.yaml:8:", "industryCodeEdition must be \"GB/T 4754-2017\" or \"GB/T 4754-2011\""));
    }
}
