package org.govhub.operate;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.govhub.PrivateFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Keeps a deployed source's settings sealed (AES-256-GCM) in the hub database when they hold a
 * literal secret, so that a dump or backup of the database does not carry a department's password.
 * The key is the file {@code govhub.security.settings-key-path} (base64 of 32 bytes; in production a
 * mounted secret that every node shares). On an embedded hub database (one node, its files under the
 * data directory) it is generated at first need as {@code <data-dir>/security/settings.key},
 * readable by the hub's user only. A hub on a shared database with no key refuses literal secrets:
 * they are given as {@code ${VARIABLE}} placeholders that its environment fills.
 */
@Component
public class SettingsSealing {

    private static final Logger log = LoggerFactory.getLogger(SettingsSealing.class);
    /** What a sealed value starts with; anything else is the settings' JSON as it was kept before sealing. */
    static final String SEALED = "sealed:aes-gcm:";
    private static final int IV_BYTES = 12;
    private static final int TAG_BITS = 128;

    /** Where the key is, or null: no key (a shared database and none configured). */
    private final Path keyPath;
    /** Whether the key is made at first need (the embedded database's own). */
    private final boolean generated;
    private final SecureRandom random = new SecureRandom();
    private volatile SecretKey key;

    public SettingsSealing(@Value("${govhub.data-dir}") String dataDir,
            @Value("${govhub.security.settings-key-path:}") String configuredKeyPath,
            @Value("${spring.datasource.url:}") String hubDatabaseUrl) {
        if (!configuredKeyPath.isBlank()) {
            keyPath = Path.of(configuredKeyPath);
            generated = false;
            key = read(keyPath); // a configured key that cannot be read stops the start, not the first upload
        } else if (hubDatabaseUrl.startsWith("jdbc:h2:")) {
            keyPath = Path.of(dataDir, "security", "settings.key");
            generated = true;
        } else {
            keyPath = null;
            generated = false;
        }
    }

    /**
     * The value as it may be shown: a {@code ${...}} placeholder as it is (it names a variable, not a
     * secret), a secret-looking key's value never, a URL without its password.
     */
    public static String hidden(String key, String value) {
        if (value == null || value.strip().matches("\\$\\{[^}]+}")) {
            return value;
        }
        if (key.toLowerCase(java.util.Locale.ROOT).matches(".*(password|secret|token|key|credential|auth).*")) {
            return "****";
        }
        return value.replaceAll("(?i)(password|pwd|secret|token)=[^&;]*", "$1=****").replaceAll("//([^/@:]+):[^/@]*@", "//$1:****@");
    }

    /** Whether any value is, or holds, a literal secret (what {@link #hidden} would not show; an empty value is none). */
    static boolean holdsSecret(Map<String, String> settings) {
        return settings != null && settings.entrySet().stream().anyMatch(e -> literalSecret(e.getKey(), e.getValue()));
    }

    private static boolean literalSecret(String key, String value) {
        return value != null && !value.isBlank() && !value.equals(hidden(key, value));
    }

    /** Every setting this hub cannot keep: a literal secret when it has no key to seal it with. */
    public List<String> problems(Map<String, String> settings) {
        List<String> problems = new ArrayList<>();
        if (keyPath != null || settings == null) {
            return problems;
        }
        settings.forEach((k, v) -> {
            if (literalSecret(k, v)) {
                problems.add("settings: '" + k + "' holds a literal secret, and this hub, on a shared database, has no settings key"
                        + " (govhub.security.settings-key-path) to seal it with: give it as a ${VARIABLE} placeholder that the hub's"
                        + " environment fills, or set the key");
            }
        });
        return problems;
    }

    /** The settings' JSON as kept: sealed when they hold a literal secret, as it is otherwise. */
    public String seal(String json, Map<String, String> settings) {
        if (!holdsSecret(settings)) {
            return json;
        }
        if (keyPath == null) {
            throw new IllegalStateException("settings with a literal secret and no settings key (checked before they are kept)");
        }
        try {
            byte[] iv = new byte[IV_BYTES];
            random.nextBytes(iv);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key(), new GCMParameterSpec(TAG_BITS, iv));
            byte[] sealed = cipher.doFinal(json.getBytes(StandardCharsets.UTF_8));
            return SEALED + Base64.getEncoder().encodeToString(ByteBuffer.allocate(iv.length + sealed.length).put(iv).put(sealed).array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot seal a source's settings", e);
        }
    }

    /** The settings' JSON from what was kept. */
    public String open(String kept) {
        if (kept == null || !kept.startsWith(SEALED)) {
            return kept;
        }
        if (keyPath == null) {
            throw new IllegalStateException("a source's settings are sealed and this hub has no settings key:"
                    + " set govhub.security.settings-key-path to the key they were sealed with");
        }
        try {
            byte[] all = Base64.getDecoder().decode(kept.substring(SEALED.length()));
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key(), new GCMParameterSpec(TAG_BITS, all, 0, IV_BYTES));
            return new String(cipher.doFinal(all, IV_BYTES, all.length - IV_BYTES), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalStateException("a source's settings were sealed with another key than " + keyPath.toAbsolutePath()
                    + " (govhub.security.settings-key-path), or were altered", e);
        }
    }

    private SecretKey key() {
        SecretKey k = key;
        if (k == null) {
            synchronized (this) {
                if (key == null) {
                    if (generated && !Files.exists(keyPath)) {
                        generate(keyPath);
                    }
                    key = read(keyPath);
                }
                k = key;
            }
        }
        return k;
    }

    private static SecretKey read(Path path) {
        try {
            byte[] bytes = Base64.getDecoder().decode(Files.readString(path, StandardCharsets.US_ASCII).strip());
            if (bytes.length != 32) {
                throw new IllegalStateException("the settings key " + path.toAbsolutePath() + " is not base64 of 32 bytes");
            }
            return new SecretKeySpec(bytes, "AES");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the settings key " + path.toAbsolutePath()
                    + " (govhub.security.settings-key-path)", e);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("the settings key " + path.toAbsolutePath() + " is not base64 of 32 bytes", e);
        }
    }

    private void generate(Path path) {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        try {
            PrivateFiles.create(path, (Base64.getEncoder().encodeToString(bytes) + "\n").getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the settings key " + path.toAbsolutePath(), e);
        }
        log.info("settings key generated: {} (seals the literal secrets of deployed sources' settings)", path.toAbsolutePath());
    }
}
