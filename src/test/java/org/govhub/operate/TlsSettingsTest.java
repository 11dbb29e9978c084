package org.govhub.operate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

/** TLS settings turn into SSL bundles only when a store is set, and a half-set store is named clearly. */
class TlsSettingsTest {

    @TempDir
    Path dir;

    @Test
    void nothingSetAddsNothingSoTheDefaultsStayPlainHttp() {
        StandardEnvironment environment = environment(Map.of("govhub.tls.server.keystore", "", "govhub.tls.platform.truststore", " "));
        new TlsSettings().postProcessEnvironment(environment, null);
        assertThat(environment.getPropertySources().contains(TlsSettings.SOURCE_NAME)).isFalse();
        assertThat(environment.getProperty("server.ssl.bundle")).isNull();
        assertThat(environment.getProperty("govhub.platform.ssl-bundle")).isNull();
        assertThat(environment.getProperty("govhub.platform.ssl-context-parameters")).isNull();
    }

    @Test
    void aKeystoreBecomesTheServerBundleWithItsPasswordByReference() throws Exception {
        Path store = Files.createFile(dir.resolve("hub.p12"));
        StandardEnvironment environment = environment(Map.of("govhub.tls.server.keystore", store.toString(),
                "govhub.tls.server.keystore-password", "not-copied-anywhere",
                "govhub.tls.platform.truststore", "file:" + store, "govhub.tls.platform.truststore-password", "t"));
        new TlsSettings().postProcessEnvironment(environment, null);
        assertThat(environment.getProperty("server.ssl.bundle")).isEqualTo("govhub-server");
        assertThat(environment.getProperty("server.servlet.session.cookie.secure")).isEqualTo("true");
        assertThat(environment.getProperty("spring.ssl.bundle.jks.govhub-server.keystore.location")).isEqualTo("file:" + store);
        assertThat(environment.getProperty("spring.ssl.bundle.jks.govhub-server.keystore.password")).isEqualTo("not-copied-anywhere");
        var derived = (MapPropertySource) environment.getPropertySources().get(TlsSettings.SOURCE_NAME);
        assertThat(derived.getSource().values()).noneMatch(v -> String.valueOf(v).contains("not-copied-anywhere"));
        // a truststore alone is a platform bundle too (server authenticated, no client certificate)
        assertThat(environment.getProperty("govhub.platform.ssl-bundle")).isEqualTo("govhub-platform");
        assertThat(environment.getProperty("govhub.platform.ssl-context-parameters")).isEqualTo("#platformTls");
        assertThat(environment.getProperty("spring.ssl.bundle.jks.govhub-platform.keystore.location")).isNull();
    }

    @Test
    void aStoreWithoutItsPasswordOrFileIsReportedByVariableInOneMessage() throws Exception {
        Path store = Files.createFile(dir.resolve("client.p12"));
        StandardEnvironment environment = environment(Map.of("govhub.tls.server.keystore", dir.resolve("missing.p12").toString(),
                "govhub.tls.server.keystore-password", "server-secret",
                "govhub.tls.platform.keystore", store.toString()));
        assertThatThrownBy(() -> new TlsSettings().postProcessEnvironment(environment, null))
                .isInstanceOfSatisfying(TlsSettings.Incomplete.class, incomplete -> {
                    assertThat(incomplete.problems()).containsExactly(
                            "GOVHUB_TLS_KEYSTORE (govhub.tls.server.keystore) names " + dir.resolve("missing.p12")
                                    + ", which is not a readable file",
                            "GOVHUB_PLATFORM_KEYSTORE (govhub.tls.platform.keystore) is set, but not"
                                    + " GOVHUB_PLATFORM_KEYSTORE_PASSWORD (govhub.tls.platform.keystore-password)");
                    FailureAnalysis analysis = new TlsSettings.Analyzer().analyze(incomplete);
                    assertThat(analysis.getDescription()).contains("GOVHUB_PLATFORM_KEYSTORE_PASSWORD", "missing.p12")
                            .doesNotContain("server-secret", "\tat ");
                });
    }

    private static StandardEnvironment environment(Map<String, Object> settings) {
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().addFirst(new MapPropertySource("test", settings));
        return environment;
    }
}
