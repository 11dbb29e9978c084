package org.govhub.operate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The alert rules in docker/prometheus are valid and fire as their recorded series say, checked by
 * Prometheus's own promtool (Debian's prometheus package; .ci/run installs it). Without promtool
 * this test is skipped on a workstation and fails in CI.
 */
class AlertRulesTest {

    static final Path RULES = Path.of("docker/prometheus");

    @Test
    void rulesAndConfigurationAreValidAndTheRulesFireOnTheRecordedSeries() throws Exception {
        String promtool = promtool();
        assertThat(run(promtool, "check", "rules", "govhub-alerts.yml")).contains("SUCCESS: 10 rules found");
        assertThat(run(promtool, "test", "rules", "govhub-alerts.test.yml")).contains("SUCCESS").doesNotContain("FAILED");
        // the compose stack's Prometheus configuration, which loads these rules
        assertThat(run(promtool, "check", "config", "prometheus.yml")).contains("valid prometheus config file syntax");
    }

    static String promtool() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
            if (new File(dir, "promtool").canExecute()) {
                return new File(dir, "promtool").getPath();
            }
        }
        if (System.getenv("CI") != null) {
            throw new IllegalStateException("promtool is not installed (Debian package prometheus); .ci/run installs it");
        }
        assumeTrue(false, "promtool not installed (apt-get install prometheus): alert rules not tested here");
        return null;
    }

    private static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(List.of(command)).directory(RULES.toFile()).redirectErrorStream(true).start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }
}
