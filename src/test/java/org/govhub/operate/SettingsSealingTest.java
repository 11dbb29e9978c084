package org.govhub.operate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A deployed source's literal secrets are kept sealed; without a key on a shared database they are refused. */
class SettingsSealingTest {

    private static final String H2 = "jdbc:h2:file:./data/hub";
    private static final String POSTGRES = "jdbc:postgresql://db:5432/govhub";
    private static final Map<String, String> SECRET = Map.of("url", "jdbc:postgresql://tax:5432/tax", "username", "reader",
            "password", "hunter2-secret");
    private static final String SECRET_JSON = "{\"password\":\"hunter2-secret\",\"url\":\"jdbc:postgresql://tax:5432/tax\",\"username\":\"reader\"}";

    @TempDir
    Path dir;

    @Test
    void anEmbeddedHubSealsALiteralSecretWithAKeyItMakesForItselfAndOpensItAgain() throws Exception {
        SettingsSealing sealing = new SettingsSealing(dir.toString(), "", H2);
        assertThat(sealing.problems(SECRET)).isEmpty();

        String kept = sealing.seal(SECRET_JSON, SECRET);
        assertThat(kept).startsWith(SettingsSealing.SEALED).doesNotContain("hunter2").doesNotContain("reader");
        assertThat(sealing.seal(SECRET_JSON, SECRET)).as("a fresh IV each time").isNotEqualTo(kept);
        Path key = dir.resolve("security/settings.key");
        assertThat(Files.getPosixFilePermissions(key)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        // another start on the same data directory reads what the first kept
        assertThat(new SettingsSealing(dir.toString(), "", H2).open(kept)).isEqualTo(SECRET_JSON);
    }

    @Test
    void settingsWithoutASecretAreKeptAsTheyAreAndNoKeyIsMade() {
        SettingsSealing sealing = new SettingsSealing(dir.toString(), "", H2);
        Map<String, String> plain = Map.of("url", "jdbc:postgresql://tax:5432/tax", "password", "${TAX_PASSWORD}");
        String json = "{\"password\":\"${TAX_PASSWORD}\",\"url\":\"jdbc:postgresql://tax:5432/tax\"}";
        assertThat(sealing.seal(json, plain)).isEqualTo(json);
        assertThat(sealing.open(json)).as("what was kept before sealing reads as it is").isEqualTo(json);
        assertThat(dir.resolve("security/settings.key")).doesNotExist();
    }

    @Test
    void aSharedDatabaseWithoutAKeyRefusesLiteralSecretsAndTakesPlaceholders() {
        SettingsSealing sealing = new SettingsSealing(dir.toString(), "", POSTGRES);
        assertThat(sealing.problems(SECRET)).singleElement().asString()
                .contains("'password' holds a literal secret", "govhub.security.settings-key-path", "${VARIABLE}")
                .doesNotContain("hunter2");
        assertThat(sealing.problems(Map.of("url", "jdbc:postgresql://tax:5432/tax?user=r&password=hunter2"))).hasSize(1);
        assertThat(sealing.problems(Map.of("url", "jdbc:postgresql://tax:5432/tax", "password", "${TAX_PASSWORD}"))).isEmpty();
        assertThat(sealing.problems(Map.of("url", "jdbc:postgresql://tax:5432/tax", "password", "")))
                .as("an empty password (a trust login) is no secret").isEmpty();
    }

    @Test
    void aConfiguredKeyIsSharedAndAnotherKeyCannotOpen() throws Exception {
        Path shared = dir.resolve("shared.key");
        Files.writeString(shared, Base64.getEncoder().encodeToString(new byte[32]));
        String kept = new SettingsSealing(dir.resolve("node-a").toString(), shared.toString(), POSTGRES).seal(SECRET_JSON, SECRET);
        assertThat(new SettingsSealing(dir.resolve("node-b").toString(), shared.toString(), POSTGRES).open(kept)).isEqualTo(SECRET_JSON);

        Path other = dir.resolve("other.key");
        byte[] otherBytes = new byte[32];
        otherBytes[0] = 1;
        Files.writeString(other, Base64.getEncoder().encodeToString(otherBytes));
        assertThatThrownBy(() -> new SettingsSealing(dir.toString(), other.toString(), POSTGRES).open(kept))
                .hasMessageContaining("sealed with another key").hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> new SettingsSealing(dir.toString(), "", POSTGRES).open(kept))
                .hasMessageContaining("no settings key");
    }

    @Test
    void aConfiguredKeyThatCannotBeReadStopsTheStart() throws Exception {
        assertThatThrownBy(() -> new SettingsSealing(dir.toString(), dir.resolve("missing.key").toString(), POSTGRES))
                .hasMessageContaining("cannot read the settings key");
        Path shortKey = dir.resolve("short.key");
        Files.writeString(shortKey, Base64.getEncoder().encodeToString(new byte[16]));
        assertThatThrownBy(() -> new SettingsSealing(dir.toString(), shortKey.toString(), POSTGRES))
                .hasMessageContaining("not base64 of 32 bytes");
    }
}
