package org.govhub.operate;

import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;

/**
 * The operator account. Its password comes from {@code govhub.security.admin-password}; when that
 * is not set, one is generated on the first start, printed once on the console and kept only as
 * a BCrypt hash in the hub database. There is no fixed default password.
 */
@Configuration(proxyBeanMethods = false)
public class OperatorAccounts {

    public static final String ADMIN = "admin";
    private static final String ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

    @Bean
    UserDetailsService operatorUsers(JdbcTemplate jdbc, PasswordEncoder encoder,
            @Value("${govhub.security.admin-password:}") String configuredPassword) {
        String hash;
        if (!configuredPassword.isBlank()) {
            hash = encoder.encode(configuredPassword);
        } else {
            List<String> stored = jdbc.queryForList(
                    "SELECT password_hash FROM operator_account WHERE username = ?", String.class, ADMIN);
            if (stored.isEmpty()) {
                String generated = generate();
                hash = encoder.encode(generated);
                jdbc.update("INSERT INTO operator_account (username, password_hash, roles, created_at) VALUES (?, ?, ?, ?)",
                        ADMIN, hash, SecurityConfiguration.OPERATOR_ROLE, Timestamp.from(Instant.now()));
                // Printed on the console, not logged: it appears once, on this first start only.
                System.out.println("""

                        ===================================================================
                         GovHub operator account created (shown only this once)
                           user:     %s
                           password: %s
                         Set govhub.security.admin-password to choose your own.
                        ===================================================================
                        """.formatted(ADMIN, generated));
            } else {
                hash = stored.get(0);
            }
        }
        return new InMemoryUserDetailsManager(
                User.withUsername(ADMIN).password(hash).roles(SecurityConfiguration.OPERATOR_ROLE).build());
    }

    static String generate() {
        SecureRandom random = new SecureRandom();
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            sb.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        }
        return sb.toString();
    }
}
