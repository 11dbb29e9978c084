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
        Files.copy(Path.of("routes/sql-source.yaml"), routes.resolve("sql-source.yaml"));
        Files.writeString(routes.resolve("x-source.yaml"), Files.readString(Path.of("routes/tax-bureau-source.yaml"))
                .replace("\"{{govhub.ingest.poll-interval:1000}}\"", "\"{{env:TAX_POLL_MS:5000}}\""));
        assertThat(Files.readString(routes.resolve("x-source.yaml"))).as("the route file under test").contains("{{env:TAX_POLL_MS:5000}}");
        assertThat(TemplateParameterTypes.check(List.of(routes.resolve("sql-source.yaml"), routes.resolve("x-source.yaml")),
                key -> null)).isEmpty();
    }

    @Test
    void brokenFilesAreReportedWithFileLineAndReason() throws Exception {
        Path routes = Files.createDirectories(dir.resolve("routes"));
        Path mappings = Files.createDirectories(dir.resolve("mappings"));
        for (Path f : List.of(Path.of("routes/sql-source.yaml"), Path.of("routes/tax-bureau-source.yaml"))) {
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
}
