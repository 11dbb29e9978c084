package org.govhub.operate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.govhub.GovHubApplication;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.core.io.ClassPathResource;

/** The prod profile names every missing setting at once, by its environment variable, before anything starts. */
class RequiredSettingsTest {

    @Test
    void withNothingSetEveryRequiredVariableIsNamedInOneMessage() throws Exception {
        Set<String> required = requiredByTheProdFile();
        assertThat(required).contains("GOVHUB_PLATFORM_URL", "GOVHUB_PLATFORM_TOKEN", "GOVHUB_DB_URL", "GOVHUB_ARTEMIS_URL",
                "TAX_BUREAU_JDBC_URL", "SOCIAL_INSURANCE_FTP_PASSWORD", "DRC_MIIT_FTP_HOST", "GOVHUB_AMQP_URL");
        RequiredSettings.Missing missing = startProd();
        assertThat(new TreeSet<>(missing.variables().keySet())).isEqualTo(required);
        assertThat(missing.variables()).containsEntry("GOVHUB_PLATFORM_URL", "govhub.platform.url")
                .containsEntry("GOVHUB_DB_PASSWORD", "spring.datasource.password");

        FailureAnalysis analysis = new RequiredSettings.Analyzer().analyze(missing);
        assertThat(analysis.getDescription()).contains(required.size() + " environment variable(s)");
        required.forEach(variable -> assertThat(analysis.getDescription()).contains(variable));
        assertThat(analysis.getDescription()).doesNotContain("Exception", "\tat ");
        assertThat(analysis.getAction()).contains("Set every variable");
    }

    @Test
    void onlyWhatIsStillMissingIsNamedAndTheCommandLineCounts() throws Exception {
        List<String> args = new ArrayList<>();
        for (String variable : requiredByTheProdFile()) {
            if (!variable.equals("GOVHUB_DB_PASSWORD") && !variable.equals("CREDIT_PORTAL_API_KEY")) {
                args.add("--" + variable + "=set");
            }
        }
        // a setting given directly, not through its variable, needs no variable
        args.remove("--GOVHUB_PLATFORM_TOKEN=set");
        args.add("--govhub.platform.token=set-directly");
        RequiredSettings.Missing missing = startProd(args.toArray(String[]::new));
        assertThat(missing.variables().keySet()).containsExactlyInAnyOrder("GOVHUB_DB_PASSWORD", "CREDIT_PORTAL_API_KEY");
        assertThat(missing.getMessage()).contains("2 more setting(s)");
    }

    @Test
    void theDefaultProfileNeedsNone() {
        org.springframework.core.env.StandardEnvironment environment = new org.springframework.core.env.StandardEnvironment();
        new RequiredSettings().postProcessEnvironment(environment, null);
        assertThat(RequiredSettings.missing(environment)).isEmpty();
    }

    private static RequiredSettings.Missing startProd(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--server.port=0");
        Throwable[] failure = new Throwable[1];
        assertThatThrownBy(() -> new SpringApplicationBuilder(GovHubApplication.class).profiles("prod")
                .run(all.toArray(String[]::new)).close())
                .satisfies(t -> failure[0] = t)
                .isInstanceOf(RequiredSettings.Missing.class);
        return (RequiredSettings.Missing) failure[0];
    }

    /** Read from the file's text, not through Spring: every ${VARIABLE} without a default. */
    static Set<String> requiredByTheProdFile() throws IOException {
        String text = new String(new ClassPathResource("application-prod.yaml").getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        Set<String> required = new TreeSet<>();
        Matcher m = Pattern.compile("\\$\\{([A-Z0-9_]+)}").matcher(text.replaceAll("(?m)#.*$", ""));
        while (m.find()) {
            required.add(m.group(1));
        }
        return required;
    }
}
