package org.govhub.operate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.govhub.GovHubApplication;
import org.govhub.ProjectFiles;
import org.govhub.normalise.MappingException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;

/** A hub with a bad mapping or route file does not start, and says which file and why. */
class StartupValidationTest {

    @TempDir
    Path dir;

    @Test
    void aMalformedMappingFileStopsStartUpNamingFileAndLine() throws Exception {
        Path mappings = Files.createDirectories(dir.resolve("mappings"));
        String good = Files.readString(Path.of("mappings/tax-bureau.yaml"));
        Files.writeString(mappings.resolve("tax-bureau.yaml"), good.replace("convert: yuan-to-fen", "convert: yuan2fen"));
        assertThatThrownBy(() -> start("--govhub.mappings.dir=" + mappings))
                .hasRootCauseInstanceOf(MappingException.class)
                .rootCause()
                .hasMessageContaining(mappings.resolve("tax-bureau.yaml").toString())
                .hasMessageContaining("unknown converter 'yuan2fen'")
                .hasMessageMatching("(?s).*tax-bureau\\.yaml:\\d+:\\d+: field 'declaredAmountFen'.*");
    }

    @Test
    void aMalformedRouteFileStopsStartUpNamingTheFile() throws Exception {
        Path routes = ProjectFiles.copy("routes", dir.resolve("routes"), "sql-source.kamelet.yaml", "record-publishing.yaml", "tax-bureau-source.yaml", "batching.yaml", "schema-batching.kamelet.yaml", "platform-delivery.yaml");
        Files.writeString(routes.resolve("broken-route.yaml"), """
                - route:
                    id: broken-route
                    from:
                      uri: "timer:broken"
                      steps:
                        - sendTo:
                            uri: "log:nowhere"
                """);
        Throwable failure = null;
        try {
            start(ProjectFiles.routesFrom(routes));
        } catch (Throwable t) {
            failure = t;
        }
        assertThat(failure).as("start-up must fail").isNotNull();
        StringBuilder messages = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            messages.append(t.getMessage()).append('\n');
        }
        assertThat(messages.toString()).contains("broken-route.yaml", "line 6", "Unknown node id: sendTo");
    }

    @Test
    void aRouteWithoutAnIdStopsStartUpNamingTheFile() throws Exception {
        Path routes = Files.createDirectories(dir.resolve("routes"));
        Files.writeString(routes.resolve("anonymous.yaml"), """
                - route:
                    from:
                      uri: "timer:anonymous"
                      steps:
                        - log: "tick"
                """);
        assertThatThrownBy(() -> start(ProjectFiles.routesFrom(routes)))
                .rootCause()
                .hasMessageContaining("anonymous.yaml")
                .hasMessageContaining("has no id");
    }

    @Test
    void aTemplateParameterOfTheWrongTypeOrUnknownNameStopsStartUp() throws Exception {
        Path routes = ProjectFiles.copy("routes", dir.resolve("routes"), "sql-source.kamelet.yaml", "record-publishing.yaml", "batching.yaml", "schema-batching.kamelet.yaml", "platform-delivery.yaml", "credit-reference-source.yaml");
        Files.writeString(routes.resolve("tax-bureau-source.yaml"), Files.readString(Path.of("routes/tax-bureau-source.yaml"))
                .replace("value: \"{{govhub.ingest.poll-interval:250}}\"", "value: 5s")
                .replace("name: table", "name: tabel"));
        assertThatThrownBy(() -> start(ProjectFiles.routesFrom(routes)))
                .rootCause()
                .hasMessageContaining("tax-bureau-source.yaml: line ")
                .hasMessageContaining("parameter 'pollInterval' of template sql-source must be an integer, not '5s'")
                .hasMessageContaining("parameter 'tabel' is not declared by template sql-source");
    }

    @Test
    void aSourceWithoutItsMappingOrItsConnectionStopsStartUpSayingWhatToSet() throws Exception {
        Path routes = ProjectFiles.copy("routes", dir.resolve("routes"), "sql-source.kamelet.yaml", "cdc-source.kamelet.yaml", "record-publishing.yaml", "batching.yaml", "schema-batching.kamelet.yaml", "platform-delivery.yaml");
        Files.writeString(routes.resolve("city-tax-source.yaml"), """
                - templatedRoute:
                    routeTemplateRef: sql-source
                    routeId: city-tax-source
                    parameters:
                      - { name: sourceId, value: city-tax }
                      - { name: mapping, value: city-taxes }
                      - { name: table, value: tax_declaration }
                      - { name: keyColumn, value: decl_id }
                      - { name: changedColumn, value: updated_at }
                - templatedRoute:
                    routeTemplateRef: cdc-source
                    routeId: tax-bureau-cdc-source
                    parameters:
                      - { name: sourceId, value: tax-bureau }
                      - { name: mapping, value: tax-bureau }
                      - { name: table, value: public.tax_declaration }
                """);
        assertThatThrownBy(() -> start(ProjectFiles.routesFrom(routes)))
                .rootCause()
                .hasMessageContaining("city-tax-source.yaml: line 6: source 'city-tax': mapping 'city-taxes' does not exist")
                .hasMessageContaining("city-tax-source.yaml: line 5: source 'city-tax' (sql-source): no database connection: set"
                        + " govhub.sources.city-tax.url to its JDBC url (environment variable GOVHUB_SOURCES_CITY_TAX_URL)")
                // the sandbox tax bureau is H2: no change capture there
                .hasMessageContaining("city-tax-source.yaml: line 14: source 'tax-bureau' (cdc-source): change capture needs a"
                        + " PostgreSQL (jdbc:postgresql:) or MariaDB (jdbc:mariadb:) database, not jdbc:h2;");
    }

    @Test
    void aRouteParameterNamingAPropertyThatIsNotSetStopsStartUp() throws Exception {
        Path routes = ProjectFiles.copy("routes", dir.resolve("routes"), "rest-source.kamelet.yaml", "record-publishing.yaml", "batching.yaml", "schema-batching.kamelet.yaml", "platform-delivery.yaml");
        Files.writeString(routes.resolve("city-portal-source.yaml"), Files.readString(Path.of("routes/credit-portal-source.yaml"))
                .replace("credit-portal", "city-portal"));
        assertThatThrownBy(() -> start(ProjectFiles.routesFrom(routes)))
                .rootCause()
                .hasMessageContaining("city-portal-source.yaml: line ")
                .hasMessageContaining("needs property 'govhub.sources.city-portal.base-url', which is not set"
                        + " (environment variable GOVHUB_SOURCES_CITY_PORTAL_BASE_URL)");
    }

    @Test
    void anInvalidPolicyRulesFileStopsStartUpNamingTheFileAndTheProblem() throws Exception {
        Path rules = dir.resolve("relief.yaml");
        String text = new String(new org.springframework.core.io.ClassPathResource("rules/relief-policies.yaml").getInputStream()
                .readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).replace("maxMonths: 6", "maxMonths: six");
        Files.writeString(rules, text);
        assertThatThrownBy(() -> start("--govhub.policy.rules=file:" + rules))
                .rootCause()
                .hasMessageContaining("policy rules")
                .hasMessageContaining("relief.yaml")
                .hasMessageContaining("$.socialInsurance.deferral.maxMonths: must be a whole number of at least 1 (found 'six')");
    }

    @Test
    void aWeakConfiguredAdminPasswordStopsStartUpNamingTheVariable() {
        Throwable failure = null;
        try {
            new SpringApplicationBuilder(GovHubApplication.class).run("--server.port=0", "--govhub.data-dir=" + dir.resolve("data"),
                    "--govhub.security.admin-password=a").close();
        } catch (Throwable t) {
            failure = t;
        }
        assertThat(failure).as("start-up must fail").isNotNull();
        // the analyzer Spring Boot loads from spring.factories turns it into a message naming the variable
        @SuppressWarnings("deprecation")
        var analyzers = org.springframework.core.io.support.SpringFactoriesLoader.loadFactoryNames(
                org.springframework.boot.diagnostics.FailureAnalyzer.class, getClass().getClassLoader());
        assertThat(analyzers).contains(PasswordPolicy.Analyzer.class.getName());
        var analysis = new PasswordPolicy.Analyzer().analyze(failure);
        assertThat(analysis).isNotNull();
        assertThat(analysis.getDescription()).contains("govhub.security.admin-password", "shorter than 12 characters",
                "character classes");
        assertThat(analysis.getAction()).contains("GOVHUB_ADMIN_PASSWORD", "GOVHUB_PASSWORD_MIN_LENGTH");
    }

    private void start(String... extra) {
        String[] args = new String[extra.length + 3];
        args[0] = "--server.port=0";
        args[1] = "--govhub.data-dir=" + dir.resolve("data");
        args[2] = "--govhub.security.admin-password=Startup-test-26";
        System.arraycopy(extra, 0, args, 3, extra.length);
        new SpringApplicationBuilder(GovHubApplication.class).run(args).close();
    }
}
