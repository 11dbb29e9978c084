package org.govhub.operate;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.stereotype.Component;

/**
 * What an operator account's password must be: at least {@code govhub.security.password.min-length}
 * characters (GOVHUB_PASSWORD_MIN_LENGTH, 12 unless set), three of the four classes (lower case,
 * upper case, digits, others), at most 72 bytes (BCrypt ignores the rest), not containing the user
 * name and not one of the passwords every guesser tries first. Hand-written: Spring Security has
 * no password-strength checker, and these few rules need no library.
 */
@Component
public class PasswordPolicy {

    static final int BCRYPT_MAX_BYTES = 72;
    private static final Set<String> COMMON = Set.of("password", "password1", "password123", "passw0rd", "p@ssw0rd",
            "p@ssword", "123456", "12345678", "123456789", "1234567890", "qwerty", "qwerty123", "qwertyuiop",
            "letmein", "welcome", "welcome1", "welcome123", "admin", "admin123", "administrator", "changeme",
            "iloveyou", "monkey", "dragon", "abc123", "111111", "000000", "sunshine", "trustno1", "superman",
            "football", "baseball", "master", "hello123", "password!", "password1!", "p@ssw0rd1", "p@ssw0rd123",
            "qwerty123!", "admin@123", "admin123!", "welcome@123", "changeme123", "letmein123", "passw0rd!",
            "1qaz2wsx", "1q2w3e4r", "1q2w3e4r5t", "zaq12wsx", "a1b2c3d4", "aa123456", "woaini1314", "qq123456");

    private final int minLength;

    public PasswordPolicy(@Value("${govhub.security.password.min-length:12}") int minLength) {
        if (minLength < 8 || minLength > BCRYPT_MAX_BYTES) {
            throw new IllegalArgumentException("govhub.security.password.min-length (GOVHUB_PASSWORD_MIN_LENGTH) must be 8 to 72, not " + minLength);
        }
        this.minLength = minLength;
    }

    /** Why this password is refused for this user; empty when it is accepted. */
    public List<String> problems(String username, String password) {
        List<String> problems = new ArrayList<>();
        if (password == null || password.isEmpty()) {
            return List.of("a password is required");
        }
        if (password.codePointCount(0, password.length()) < minLength) {
            problems.add("shorter than " + minLength + " characters");
        }
        if (password.getBytes(StandardCharsets.UTF_8).length > BCRYPT_MAX_BYTES) {
            problems.add("longer than " + BCRYPT_MAX_BYTES + " bytes (BCrypt would ignore the rest)");
        }
        int classes = (password.chars().anyMatch(Character::isLowerCase) ? 1 : 0)
                + (password.chars().anyMatch(Character::isUpperCase) ? 1 : 0)
                + (password.chars().anyMatch(Character::isDigit) ? 1 : 0)
                + (password.chars().anyMatch(c -> !Character.isLetterOrDigit(c)) ? 1 : 0);
        if (classes < 3) {
            problems.add("uses " + classes + " of the 4 character classes (lower case, upper case, digits, others); 3 are needed");
        }
        String lower = password.toLowerCase(Locale.ROOT);
        if (username != null && username.length() >= 3 && lower.contains(username.toLowerCase(Locale.ROOT))) {
            problems.add("contains the user name");
        }
        if (COMMON.contains(lower)) {
            problems.add("is one of the most common passwords");
        }
        return problems;
    }

    /** A configured password the policy refuses: the hub does not start with it. */
    public static class WeakPasswordException extends RuntimeException {
        private final String setting;
        private final List<String> problems;

        public WeakPasswordException(String setting, List<String> problems) {
            super(setting + " is refused by the password policy: " + String.join("; ", problems));
            this.setting = setting;
            this.problems = problems;
        }
    }

    /** Names the setting and its environment variable, and says every rule the password breaks. */
    public static class Analyzer extends AbstractFailureAnalyzer<WeakPasswordException> {
        @Override
        protected FailureAnalysis analyze(Throwable root, WeakPasswordException cause) {
            return new FailureAnalysis(
                    "The configured " + cause.setting + " is refused by the password policy: it "
                            + String.join("; it ", cause.problems) + ".",
                    "Set " + cause.setting + " (environment variable GOVHUB_ADMIN_PASSWORD) to a password of at least"
                            + " govhub.security.password.min-length (GOVHUB_PASSWORD_MIN_LENGTH) characters, using three of"
                            + " lower case, upper case, digits and other characters, at most 72 bytes, without the user"
                            + " name; or leave it unset and the hub generates one at first start.",
                    cause);
        }
    }
}
