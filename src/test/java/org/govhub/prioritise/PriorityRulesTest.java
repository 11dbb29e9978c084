package org.govhub.prioritise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.govhub.normalise.CanonicalJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.FileSystemResource;

/** The project's priority rules, as the policy texts rank the data. */
class PriorityRulesTest {

    private final PriorityRules rules = new PriorityRules(new ClassPathResource("rules/priority-classes.yaml"));

    private static JsonNode record(String json) {
        return CanonicalJson.read(json);
    }

    @Test
    void epidemicEssentialsAndTheKeyGuaranteeListComeFirst() {
        assertThat(rules.classify("EnterpriseFiling", record("{\"industryCode\":\"M73\",\"keyGuaranteeList\":true}")))
                .isEqualTo(new Priority(1, "key-guarantee-list"));
        assertThat(rules.classify("EnterpriseFiling", record("{\"industryCode\":\"C2710\",\"keyGuaranteeList\":false}")))
                .isEqualTo(new Priority(1, "epidemic-medical-and-supplies"));
        assertThat(rules.classify("CreditRecord", record("{\"epidemicSituation\":\"ISOLATED\"}")))
                .isEqualTo(new Priority(1, "epidemic-affected-person-credit"));
    }

    @Test
    void livelihoodAndMajorProjectsSecondTheRestThirdClosedVenuesLast() {
        assertThat(rules.classify("EnterpriseFiling", record("{\"industryCode\":\"D4411\",\"majorProject\":false}")).priorityClass())
                .isEqualTo(2);
        assertThat(rules.classify("EnterpriseFiling", record("{\"industryCode\":\"M73\",\"majorProject\":true}")))
                .isEqualTo(new Priority(2, "major-project"));
        assertThat(rules.classify("TaxRecord", record("{\"creditCode\":\"91350100M000100Y43\"}")))
                .isEqualTo(new Priority(3, "everything-else"));
        assertThat(rules.classify("EnterpriseFiling", record("{\"industryCode\":\"R8650\",\"majorProject\":true}")))
                .as("a cinema stays last even as a major project").isEqualTo(new Priority(4, "closed-venues"));
        assertThat(rules.classify("CreditRecord", record("{\"epidemicSituation\":\"LOST_INCOME\"}")).priorityClass()).isEqualTo(3);
    }

    @Test
    void theJmsPriorityFollowsTheClass() {
        assertThat(new Priority(1, "x").jmsPriority()).isGreaterThan(new Priority(2, "x").jmsPriority());
        assertThat(new Priority(2, "x").jmsPriority()).isGreaterThan(new Priority(3, "x").jmsPriority());
        assertThat(new Priority(3, "x").jmsPriority()).isGreaterThan(new Priority(4, "x").jmsPriority());
    }

    @TempDir
    Path dir;

    @Test
    void aRuleFileWithoutACatchAllOrWithABadClassIsRefused() throws Exception {
        Path file = dir.resolve("rules.yaml");
        Files.writeString(file, """
                rules:
                  - id: a
                    class: 7
                    when:
                      - { field: industryCode, startsWith: [Q], equals: x }
                """);
        // each structural problem with its line and column, from the file schema (file-schemas/priority-rules.schema.json)
        assertThatThrownBy(() -> new PriorityRules(new FileSystemResource(file)))
                .hasMessageContaining("rules.yaml]:3:")
                .hasMessageContaining("$.rules[0].class: class must be 1, 2, 3 or 4 (found '7')")
                .hasMessageContaining("rules.yaml]:5:")
                .hasMessageContaining("$.rules[0].when[0]: each condition needs a field and exactly one of equals, in, startsWith")
                .hasMessageContaining("the last rule must have no conditions");
        assertThat(PriorityRules.problems(new FileSystemResource(file))).hasSize(3);
        assertThat(PriorityRules.problems(new org.springframework.core.io.ClassPathResource("rules/priority-classes.yaml"))).isEmpty();
    }
}
