package org.govhub.operate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The password policy's rules, one by one. */
class PasswordPolicyTest {

    private final PasswordPolicy policy = new PasswordPolicy(12);

    @Test
    void aLongPasswordOfThreeClassesWithoutTheUserNameIsAccepted() {
        assertThat(policy.problems("alice", "Spring-Rain-2026")).isEmpty();
        assertThat(policy.problems("alice", "correct horse 7 battery")).isEmpty(); // lower, digit, spaces
    }

    @Test
    void eachRuleSaysWhyItRefuses() {
        assertThat(policy.problems("admin", "a")).anyMatch(p -> p.contains("shorter than 12"))
                .anyMatch(p -> p.contains("1 of the 4 character classes"));
        assertThat(policy.problems("admin", "")).containsExactly("a password is required");
        assertThat(policy.problems("alice", "alllowercaseletters")).singleElement().asString().contains("character classes");
        assertThat(policy.problems("alice", "Alice-the-operator-1")).containsExactly("contains the user name");
        assertThat(new PasswordPolicy(8).problems("bob", "P@ssw0rd")).containsExactly("is one of the most common passwords");
        assertThat(policy.problems("bob", "Aa1-" + "x".repeat(70))).anyMatch(p -> p.contains("72 bytes"));
        // 72 bytes is counted in UTF-8: 25 Chinese characters are 75 bytes
        assertThat(policy.problems("bob", "密码".repeat(12) + "A1b")).anyMatch(p -> p.contains("72 bytes"));
    }

    @Test
    void theMinimumLengthIsSetButNotBelowEight() {
        assertThat(new PasswordPolicy(20).problems("bob", "Spring-Rain-2026")).containsExactly("shorter than 20 characters");
        assertThatThrownBy(() -> new PasswordPolicy(4)).hasMessageContaining("GOVHUB_PASSWORD_MIN_LENGTH");
    }
}
