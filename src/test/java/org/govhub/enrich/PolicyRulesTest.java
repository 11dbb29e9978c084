package org.govhub.enrich;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.FileSystemResource;

/** The rules file is checked whole when it is read: every problem is named with where it is. */
class PolicyRulesTest {

    @TempDir
    Path dir;

    private static String shipped() throws Exception {
        return new String(new ClassPathResource(PolicyRules.DEFAULT_FILE).getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    private PolicyRules load(String text) throws Exception {
        Path file = dir.resolve("relief.yaml");
        Files.writeString(file, text);
        return new PolicyRules(new FileSystemResource(file));
    }

    @Test
    void theShippedRulesLoad() {
        PolicyRules rules = PolicyRules.standard();
        assertThat(rules.industries()).hasSize(16);
        assertThat(rules.socialInsurance().regimes()).extracting(PolicyRules.Regime::id).containsExactly(
                "government-and-public-institutions", "hubei-all-units-exempt", "sme-exempt", "large-enterprise-halved",
                "other-units-halved");
        assertThat(rules.notice("hrss-2020-11").docNo()).isEqualTo("人社部发〔2020〕11号");
    }

    @Test
    void aBrokenFileIsRefusedWithTheFileAndEveryProblem() throws Exception {
        String broken = shipped()
                .replace("      large:  { employees: 1000, revenue: 40000 }\n      medium: { employees: 300, revenue: 2000 }",
                        "      large:  { employees: 100, revenue: 40000 }\n      medium: { employees: 300, revenu: 2000 }")
                .replace("codes: [F52]", "codes: [F51]")
                .replace("      relief: HALVED\n      from: 2020-02\n      months: 3\n    - id: other-units-halved",
                        "      relief: HALVED\n      from: 2020-13\n      months: 0\n    - id: other-units-halved")
                .replace("regions: [\"42\"]", "regions: [\"4\"]")
                .replace("notice: hrss-2020-11", "notice: hrss-2020-12")
                .replace("deadline: 2020-02-24", "deadline: 2020-02-30")
                .replace("workingWeekends: [2020-01-19,", "workingWeekends: [2020-01-20,")
                .replace("protectedSituations: [PATIENT,", "protectedSituations: [PATIENTS,")
                .replace("until: 2020-06-30", "until: 2020-06-31")
                .replace("individualBusinessCodes: [\"92\"]", "individualBusinessCodes: [\"9\"]");
        // the structure from the file schema (file-schemas/relief-rules.schema.json), the rest from PolicyRules; each with line and column
        assertThatThrownBy(() -> load(broken)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("policy rules file [" + dir.resolve("relief.yaml") + "] are invalid")
                .hasMessageContaining("relief.yaml]:77:41: $.enterpriseSize.industries[1].medium: unknown measure 'revenu'")
                .hasMessageContaining("enterpriseSize.industries[1] 'industry': large, medium and small must use the same measures")
                .hasMessageContaining("enterpriseSize.industries[4] 'retail': code 'F51' is already claimed by industry 'wholesale'")
                .hasMessageContaining("relief.yaml]:222:13: $.socialInsurance.regimes[3].from: is not a month YYYY-MM (found '2020-13')")
                .hasMessageContaining("$.socialInsurance.regimes[3].months: must be a whole number of at least 1 (found '0')")
                .hasMessageContaining("$.socialInsurance.regimes[1].regions[0]: is not a GB/T 2260 prefix of 2, 4 or 6 digits (found '4')")
                .hasMessageContaining("socialInsurance: names notice 'hrss-2020-12', which is not under notices")
                .hasMessageContaining("tax.extensions[0] 'jiangxi-february-2020'.deadline: '2020-02-30' is not a date")
                .hasMessageContaining("tax.calendar.workingWeekends: 2020-01-20 is a MONDAY, not a weekend day")
                .hasMessageContaining("$.credit.reporting.protectedSituations[0]: must be one of PATIENT, ISOLATED, UNDER_OBSERVATION,")
                .hasMessageContaining("(found 'PATIENTS')")
                .hasMessageContaining("credit.loanDeferral.until: '2020-06-31' is not a date")
                .hasMessageContaining("$.credit.loanDeferral.individualBusinessCodes[0]: is not the first two characters of a unified social credit code");
        assertThat(PolicyRules.problems(new FileSystemResource(dir.resolve("relief.yaml")))).hasSize(12);
        assertThat(PolicyRules.problems(new ClassPathResource(PolicyRules.DEFAULT_FILE))).isEmpty();
    }

    @Test
    void thresholdsMustNotGrowDownwardsAndOneIndustryIsTheDefault() throws Exception {
        String broken = shipped()
                .replace("      medium: { employees: 20, revenue: 5000 }", "      medium: { employees: 20, revenue: 50000 }")
                .replace("      default: true\n", "");
        assertThatThrownBy(() -> load(broken))
                .hasMessageContaining("'wholesale': revenue bounds must not grow from large to medium to small (40000, 50000, 1000)")
                .hasMessageContaining("exactly one industry must be 'default: true'")
                .hasMessageContaining("$.enterpriseSize.industries[15]: needs 'codes'");
        assertThatThrownBy(() -> load("just text")).hasMessageContaining("is not a YAML mapping");
        assertThatThrownBy(() -> new PolicyRules(new FileSystemResource(dir.resolve("missing.yaml"))))
                .hasMessageContaining("cannot be read");
    }
}
