package org.govhub;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SpecVersion;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.govhub.normalise.CanonicalJson;
import org.junit.jupiter.api.Test;

/**
 * The file schemas themselves: each is a valid JSON Schema 2020-12, each file people write names
 * its schema for editors (a path that exists), and a problem names the file, line and column.
 */
class FileSchemaTest {

    private static final Path SCHEMAS = Path.of("src/main/resources/file-schemas");
    /** Each shipped file that a schema checks, and its schema: every file in mappings/ too. */
    private static final Map<String, String> FILES = files();

    private static Map<String, String> files() {
        Map<String, String> files = new TreeMap<>(Map.of(
                "src/main/resources/catalog/resources.yaml", "catalog",
                "src/main/resources/rules/priority-classes.yaml", "priority-rules",
                "src/main/resources/rules/relief-policies.yaml", "relief-rules"));
        try (var mappings = Files.list(Path.of("mappings"))) {
            mappings.filter(f -> f.toString().endsWith(".yaml")).forEach(f -> files.put(f.toString(), "mapping"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return files;
    }

    @Test
    void everySchemaIsAValidJsonSchema202012() throws Exception {
        var meta = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
                .getSchema(SchemaLocation.of("https://json-schema.org/draft/2020-12/schema"));
        List<Path> schemas;
        try (var files = Files.list(SCHEMAS)) {
            schemas = files.filter(f -> f.toString().endsWith(".schema.json")).sorted().toList();
        }
        assertThat(schemas).hasSizeGreaterThanOrEqualTo(Set.copyOf(FILES.values()).size());
        for (Path schema : schemas) {
            JsonNode document = CanonicalJson.read(Files.readString(schema));
            assertThat(meta.validate(document)).as(schema.toString()).isEmpty();
            assertThat(document.path("$id").asText()).endsWith("/file-schemas/" + schema.getFileName());
        }
    }

    @Test
    void everyFileNamesItsSchemaForEditorsAndKeepsToIt() throws Exception {
        for (Map.Entry<String, String> file : FILES.entrySet()) {
            namesItsSchemaAndKeepsToIt(Path.of(file.getKey()), file.getValue());
        }
    }

    /** The route templates (routes/*.kamelet.yaml): each names the kamelet schema, whose rules the hub also checks. */
    @Test
    void everyKameletNamesItsSchemaForEditorsAndKeepsToIt() throws Exception {
        List<Path> kamelets;
        try (var files = Files.list(Path.of("routes"))) {
            kamelets = files.filter(f -> f.toString().endsWith(".kamelet.yaml")).sorted().toList();
        }
        assertThat(kamelets).isNotEmpty();
        for (Path kamelet : kamelets) {
            namesItsSchemaAndKeepsToIt(kamelet, "kamelet");
        }
    }

    private static void namesItsSchemaAndKeepsToIt(Path path, String kind) throws Exception {
        String first = Files.readAllLines(path, StandardCharsets.UTF_8).get(0);
        assertThat(first).as(path.toString()).startsWith("# yaml-language-server: $schema=");
        Path named = path.getParent().resolve(first.substring(first.indexOf('=') + 1)).normalize();
        assertThat(named).as(path.toString()).isEqualTo(SCHEMAS.resolve(kind + ".schema.json").normalize());
        assertThat(FileSchema.of(kind).read(Files.newInputStream(path), path.toString()).problems()).as(path.toString()).isEmpty();
    }

    @Test
    void aProblemNamesTheFileLineColumnAndWhatWasFound() {
        String yaml = """
                rules:
                  - id: only
                    class: five
                """;
        FileSchema.Checked checked = FileSchema.of("priority-rules")
                .read(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "rules.yaml");
        assertThat(checked.valid()).isFalse();
        assertThat(checked.problems()).containsExactly(
                "rules.yaml:3:12: $.rules[0].class: class must be 1, 2, 3 or 4 (found 'five') (priority-rules schema)");
        assertThat(FileSchema.of("catalog").read(new ByteArrayInputStream("resources: [\n".getBytes(StandardCharsets.UTF_8)),
                "broken.yaml").problems()).singleElement().asString().startsWith("broken.yaml:2:1: not valid YAML: ");
    }
}
