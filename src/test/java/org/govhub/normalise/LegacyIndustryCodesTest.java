package org.govhub.normalise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.govhub.enrich.PolicyEnricher;
import org.govhub.enrich.PolicyRules;
import org.govhub.prioritise.PriorityRules;
import org.govhub.sandbox.SocialInsuranceGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.core.io.ClassPathResource;

/**
 * GB/T 4754-2011 codes from a source whose mapping declares that edition: translated to 2017 by the
 * correspondence in reference/industry-codes, both kept; an ambiguous one quarantined with its candidates.
 */
class LegacyIndustryCodesTest {

    @TempDir
    Path dir;

    @ParameterizedTest(name = "2011 {0} → 2017 {1}")
    @CsvSource({
        "Q8311, Q8411",   // 综合医院: 2011 卫生 is division 83, 2017 84 (83 is 教育 there)
        "Q8316, Q8416",   // 疗养院
        "Q8323, Q8423",   // 乡镇卫生院
        "Q8370, Q8431",   // 疾病预防控制中心, renumbered class by class
        "Q8340, Q8436",   // 计划生育技术服务活动
        "Q8414, Q851",    // 社会工作: 2011 84 → 2017 85, the class to its group
        "P8210, P8310",   // 学前教育: 2011 教育 82 → 2017 83, digits kept
        "P8241, P8341",   // 普通高等教育
        "G5810, G5910",   // 装卸搬运 joins 仓储 in 2017
        "G5821, G5821",   // 货物运输代理
        "G5911, G5951",   // 谷物仓储
        "K7010, K7010",   // 房地产开发经营: the group the size standard needs
        "K7020, K7020",
        "C2710, C27",     // only the division is certain
        "F5211, F52",
        "S9100, S92",     // 国家机构
        "T9600, T9700",
        "O7910, O80",
        "Q, Q",
    })
    void aCodeIsTranslatedAsFarAsTheCorrespondenceKnows(String code2011, String code2017) {
        IndustryCodes.Translation t = IndustryCodes.from2011(code2011);
        assertThat(t.code()).isEqualTo(code2017);
        assertThat(t.problem()).isNull();
        assertThat(IndustryCodes.problem(code2017)).isNull();
    }

    @ParameterizedTest(name = "2011 {0}: one of {1}")
    @CsvSource({
        "Q8390, Q8434 Q8435 Q8491 Q8492 Q8499",
        "Q8330, Q8424 Q8425",
        "G5990, G592 G593 G594 G596 G599",
        "G58,   G58 G59",
    })
    void aCodeThe2017EditionSplitIsAmbiguous(String code2011, String candidates) {
        IndustryCodes.Translation t = IndustryCodes.from2011(code2011);
        assertThat(t.code()).isNull();
        assertThat(String.join(" ", t.candidates())).isEqualTo(candidates);
        assertThat(t.problem()).contains("ambiguous in GB/T 4754-2017");
    }

    @Test
    void aDivisionOutsideItsSectionIn2011IsNotACode() {
        assertThat(IndustryCodes.from2011("P8311").problem()).isEqualTo("division 83 is not in section P of GB/T 4754-2011");
        assertThat(IndustryCodes.from2011("Q8511").problem()).isEqualTo("division 85 is not in section Q of GB/T 4754-2011");
        assertThat(IndustryCodes.from2011("Q83111").problem()).contains("section letter A–T followed by up to 4 digits");
    }

    // ---------------------------------------------------------------- through a mapping

    private Path mappingOf2011() throws Exception {
        String text = Files.readString(Path.of("mappings/social-insurance.yaml"))
                .replace("mapping: social-insurance\n", "mapping: hrss-2011\n")
                .replace("schemaVersion: 1.0.0\n", "schemaVersion: 1.0.0\nindustryCodeEdition: GB/T 4754-2011\n");
        Files.writeString(dir.resolve("hrss-2011.yaml"), text);
        Files.copy(Path.of("mappings/social-insurance.yaml"), dir.resolve("social-insurance.yaml"));
        return dir;
    }

    private static Map<String, Object> unitRow(String industry) {
        Map<String, Object> row = new java.util.HashMap<>();
        row.put(SocialInsuranceGenerator.CODE, "91350100M000100Y43");
        row.put(SocialInsuranceGenerator.NAME, "南昌市第九医院");
        row.put(SocialInsuranceGenerator.TYPE, "10");
        row.put(SocialInsuranceGenerator.PERIOD, "202003");
        row.put(SocialInsuranceGenerator.EMPLOYEES, "120");
        row.put(SocialInsuranceGenerator.BASE, "600000.00");
        row.put(SocialInsuranceGenerator.PENSION, "96000.00");
        row.put(SocialInsuranceGenerator.UNEMPLOYMENT, "3000.00");
        row.put(SocialInsuranceGenerator.WORK_INJURY, "2400.00");
        row.put(SocialInsuranceGenerator.DEFERRAL, "N");
        row.put(SocialInsuranceGenerator.REGION, "360102");
        row.put(SocialInsuranceGenerator.INDUSTRY, industry);
        row.put(SocialInsuranceGenerator.REVENUE, "1,800.00");
        row.put(SocialInsuranceGenerator.ASSETS, "");
        row.put(SocialInsuranceGenerator.SIZE, "");
        row.put(SocialInsuranceGenerator.DEFERRAL_MONTHS, "");
        return row;
    }

    @Test
    void aSourceDeclaring2011GetsA2017CodeASizeAndReliefAndKeepsItsOwnCode() throws Exception {
        SchemaRegistry schemas = new SchemaRegistry();
        RecordValidator validator = new RecordValidator(new RegionCodes(), (standard, code) -> false);
        RecordNormaliser normaliser = new RecordNormaliser(new MappingRegistry(schemas, mappingOf2011()), schemas, validator,
                new PriorityRules(new ClassPathResource("rules/priority-classes.yaml")), new PolicyEnricher(PolicyRules.standard()));

        NormalisedRecord hospital = normaliser.normalise("hrss", "hrss-2011", unitRow("Q8311"), Instant.now());
        assertThat(hospital.reasons()).isEmpty();
        JsonNode json = CanonicalJson.read(hospital.canonicalJson());
        assertThat(json.path("industryCode").asText()).isEqualTo("Q8411");
        assertThat(json.path("industryCode2011").asText()).isEqualTo("Q8311");
        assertThat(validator.validate(schemas.get(hospital.schema(), hospital.schemaVersion()), json)).isEmpty();
        // 其他未列明行业 (第四条（十六）): 120 insured ≥ 100 → medium, exempt in March 2020
        assertThat(json.path("policy").path("enterpriseSize").path("sizeClass").asText()).isEqualTo("MEDIUM");
        assertThat(json.path("policy").path("socialInsuranceRelief").path("relief").asText()).isEqualTo("EXEMPT");

        // the same code from a source of the 2017 edition is not a 2017 code
        NormalisedRecord as2017 = normaliser.normalise("hrss", "social-insurance", unitRow("Q8311"), Instant.now());
        assertThat(String.join("\n", as2017.reasons())).contains("industryCode 'Q8311'", "division 83 is not in section Q");

        // ambiguous: quarantined with the candidates, the source's code kept
        NormalisedRecord other = normaliser.normalise("hrss", "hrss-2011", unitRow("Q8390"), Instant.now());
        assertThat(other.valid()).isFalse();
        assertThat(String.join("\n", other.reasons()))
                .contains("industryCode (from", "GB/T 4754-2011 code 'Q8390' is ambiguous in GB/T 4754-2017: one of Q8434, Q8435, Q8491, Q8492, Q8499");
        assertThat(CanonicalJson.read(other.canonicalJson()).path("industryCode2011").asText()).isEqualTo("Q8390");
    }

    @Test
    void aBadEditionAndAnEditionForASchemaWithoutIndustryCodesAreRefused() throws Exception {
        MappingLoader loader = new MappingLoader(new SchemaRegistry());
        Path bad = dir.resolve("social-insurance.yaml");
        Files.writeString(bad, Files.readString(Path.of("mappings/social-insurance.yaml"))
                .replace("schemaVersion: 1.0.0\n", "schemaVersion: 1.0.0\nindustryCodeEdition: GB/T 4754-2012\n"));
        assertThatThrownBy(() -> loader.load(bad))
                .hasMessageContaining("social-insurance.yaml:9:")
                .hasMessageContaining("industryCodeEdition must be \"GB/T 4754-2017\" or \"GB/T 4754-2011\"");
        Path tax = dir.resolve("tax-bureau.yaml");
        Files.writeString(tax, Files.readString(Path.of("mappings/tax-bureau.yaml"))
                .replace("schemaVersion: 1.0.0\n", "schemaVersion: 1.0.0\nindustryCodeEdition: GB/T 4754-2011\n"));
        assertThatThrownBy(() -> loader.load(tax))
                .hasMessageContaining("industryCodeEdition is declared but schema TaxRecord/1.0.0 has no industry code field");
        assertThat(loader.load(Path.of("mappings/social-insurance.yaml")).industryCodeEdition()).isEqualTo("GB/T 4754-2017");
    }
}
