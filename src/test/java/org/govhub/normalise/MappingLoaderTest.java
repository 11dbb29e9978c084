package org.govhub.normalise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MappingLoaderTest {

    private final MappingLoader loader = new MappingLoader(new SchemaRegistry());

    @TempDir
    Path dir;

    @Test
    void theTaxBureauMappingOfTheProjectLoads() {
        MappingDefinition m = loader.load(Path.of("mappings/tax-bureau.yaml"));
        assertThat(m.schema()).isEqualTo("TaxRecord");
        assertThat(m.recordKey()).containsExactly("decl_id");
        assertThat(m.fields()).extracting(MappingDefinition.FieldMapping::target)
                .contains("creditCode", "declaredAmountFen", "regionCode");
        assertThat(m.codeTables().get("tax-type")).containsEntry("10101", "VAT");
    }

    @Test
    void theSocialInsuranceMappingsOfTheProjectLoadWithTheirFileFormats() {
        MappingDefinition csv = loader.load(Path.of("mappings/social-insurance.yaml"));
        assertThat(csv.schema()).isEqualTo("SocialInsuranceRecord");
        assertThat(csv.recordKey()).containsExactly("单位统一社会信用代码", "费款所属期");
        assertThat(csv.format().fixedWidth()).isFalse();
        assertThat(csv.format().encoding().name()).isEqualTo("GBK");
        assertThat(csv.codeTables().get("unit-type")).containsEntry("10", "ENTERPRISE").containsEntry("50", "PUBLIC_INSTITUTION");

        MappingDefinition fixed = loader.load(Path.of("mappings/social-insurance-fixed.yaml"));
        assertThat(fixed.format().fixedWidth()).isTrue();
        assertThat(fixed.format().skipLines()).isEqualTo(1);
        assertThat(fixed.format().columns()).hasSize(16)
                .contains(new MappingDefinition.Column("dwmc", 19, 60), new MappingDefinition.Column("cbdxzqh", 144, 6),
                        new MappingDefinition.Column("hjys", 180, 2));
    }

    @Test
    void theRestSourceMappingsOfTheProjectLoad() {
        MappingDefinition filings = loader.load(Path.of("mappings/provincial-filings.yaml"));
        assertThat(filings.schema()).isEqualTo("EnterpriseFiling");
        assertThat(filings.recordKey()).containsExactly("filingId");
        MappingDefinition.FieldMapping size = filings.fields().stream().filter(f -> f.target().equals("sizeClass")).findFirst().orElseThrow();
        assertThat(size.source()).isEqualTo("enterprise.scale");
        assertThat(size.compute().function()).isEqualTo("enterprise-size");
        assertThat(filings.codeTables().get("filing-status")).containsEntry("30", "RESUMED").hasSize(5);

        MappingDefinition credit = loader.load(Path.of("mappings/credit-portal.yaml"));
        assertThat(credit.schema()).isEqualTo("CreditRecord");
        assertThat(credit.recordKey()).containsExactly("recordNo");
        assertThat(credit.codeTables().get("subject-type")).containsEntry("自然人", "PERSON");
    }

    @Test
    void yamlSyntaxErrorsNameFileAndLine() throws Exception {
        Path file = write("broken.yaml", """
                mapping: broken
                version: "1"
                fields:
                  - target: creditCode
                    source: [unclosed
                """);
        assertThatThrownBy(() -> loader.load(file))
                .isInstanceOf(MappingException.class)
                .hasMessageContaining(file.toString())
                .hasMessageMatching("(?s).*broken\\.yaml:[56]:\\d+: not valid YAML.*");
    }

    @Test
    void everyProblemOfAFileIsReportedWithItsLine() throws Exception {
        Path file = write("tax-office.yaml", """
                mapping: tax-office
                version: "1"
                schema: TaxRecord
                schemaVersion: 1.0.0
                recordKey: id
                colour: blue
                fields:
                  - target: creditCode
                    source: nsrsbh
                    convert: identifer
                  - target: taxType
                    source: zsxm
                    convert: code
                  - target: shoeSize
                    source: x
                    convert: text
                """);
        // the structure from the file schema (file-schemas/mapping.schema.json), the rest from the loader; each with line and column
        assertThatThrownBy(() -> loader.load(file))
                .isInstanceOf(MappingException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("tax-office.yaml:6:9: $: unknown key 'colour'")
                .hasMessageContaining("tax-office.yaml:8:5: field 'creditCode': unknown converter 'identifer'")
                .hasMessageContaining("tax-office.yaml:11:5: $.fields[1]: converter 'code' needs a codeTable")
                .hasMessageContaining("tax-office.yaml:14:5: field 'shoeSize': is not a field of schema TaxRecord/1.0.0")
                .hasMessageContaining("requires field 'declaredAt' but no field maps it");
    }

    @Test
    void unknownSchemaVersionAndMismatchedIdAreRefused() throws Exception {
        Path file = write("a.yaml", """
                mapping: b
                version: "1"
                schema: TaxRecord
                schemaVersion: 9.9.9
                recordKey: id
                fields: []
                """);
        assertThatThrownBy(() -> loader.load(file))
                .hasMessageContaining("mapping id 'b' must match the file name 'a'")
                .hasMessageContaining("no shared schema TaxRecord version 9.9.9");
    }

    @Test
    void aFileEncodingWhoseLineBreaksAreNotSingleAsciiBytesIsRefused() throws Exception {
        String mapping = Files.readString(Path.of("mappings/social-insurance.yaml")).replace("encoding: GBK", "encoding: UTF-16");
        Path file = write("social-insurance.yaml", mapping);
        assertThatThrownBy(() -> loader.load(file))
                .hasMessageContaining("encoding 'UTF-16' writes line breaks, quotes and digits in more than one byte");
        Path gb18030 = write("social-insurance.yaml", mapping.replace("encoding: UTF-16", "encoding: GB18030"));
        assertThat(loader.load(gb18030).format().encoding().name()).isEqualTo("GB18030");
    }

    @Test
    void aCodeWrittenTwiceAndADefaultYamlWouldReadAsANumberAreRefused() throws Exception {
        String tax = Files.readString(Path.of("mappings/tax-bureau.yaml"));
        // YAML keeps only the last of two equal keys; the loader refuses the file instead
        Path twice = write("tax-bureau.yaml", tax.replace("    \"08\": QUARTERLY", "    \"08\": QUARTERLY\n    \"06\": QUARTERLY"));
        assertThatThrownBy(() -> loader.load(twice)).hasMessageMatching("(?s).*tax-bureau\\.yaml:\\d+:\\d+: key '06' is written twice.*");
        // unquoted, 06 would be read as the number 6
        Path unquoted = write("tax-bureau.yaml", tax.replace("default: \"06\"", "default: 06"));
        assertThatThrownBy(() -> loader.load(unquoted))
                .hasMessageMatching("(?s).*tax-bureau\\.yaml:\\d+:\\d+: \\$\\.fields\\[\\d+\\]\\.default: default must be a single value in quotes.*");
    }

    @Test
    void theRegistryFailsOnOneBadFileAmongGoodOnes() throws Exception {
        Files.copy(Path.of("mappings/tax-bureau.yaml"), dir.resolve("tax-bureau.yaml"));
        write("zz-bad.yaml", "mapping: zz-bad\n");
        assertThatThrownBy(() -> new MappingRegistry(new SchemaRegistry(), dir))
                .isInstanceOf(MappingException.class)
                .hasMessageContaining("zz-bad.yaml")
                .hasMessageContaining("'schema' is missing");
    }

    @Test
    void checkingAFolderLogsNothingOnlyTheHubsOwnRegistrySaysWhatItLoaded() throws Exception {
        // CheckFiles checks a temporary folder on every upload: no "loaded" line of it in the hub's log
        Files.copy(Path.of("mappings/tax-bureau.yaml"), dir.resolve("tax-bureau.yaml"));
        var logged = new ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent>();
        var logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(MappingRegistry.class);
        logged.start();
        logger.addAppender(logged);
        try {
            assertThat(MappingRegistry.load(new SchemaRegistry(), dir)).containsOnlyKeys("tax-bureau");
            assertThat(logged.list).isEmpty();
            new MappingRegistry(new SchemaRegistry(), dir);
            assertThat(logged.list).singleElement().asString().contains("loaded 1 mapping(s)");
        } finally {
            logger.detachAppender(logged);
        }
    }

    private Path write(String name, String text) throws Exception {
        Path file = dir.resolve(name);
        Files.writeString(file, text);
        return file;
    }
}
