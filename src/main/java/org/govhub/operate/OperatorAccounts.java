package org.govhub.operate;

import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.session.FindByIndexNameSessionRepository;
import org.springframework.session.Session;
import org.springframework.stereotype.Component;

/**
 * Operator accounts (admin, operator, viewer, auditor) in the hub database, one role each; Spring
 * Security reads them with JdbcDaoImpl (SecurityConfiguration). The first admin's password comes
 * from {@code govhub.security.admin-password}; when that is not set, one is generated on the first
 * start, printed once on the console and kept only as a BCrypt hash. There is no fixed default.
 */
@Component
public class OperatorAccounts {

    public static final String ADMIN = "admin";
    /** A user name: lower-case letters, digits, dots, dashes and underscores, starting with a letter. */
    public static final Pattern USERNAME = Pattern.compile("[a-z][a-z0-9._-]{1,62}");
    private static final String ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    private static final Logger log = LoggerFactory.getLogger(OperatorAccounts.class);

    /** A change the accounts refuse, with every reason; the API answers it with 400. */
    public static class Refused extends RuntimeException {
        public final List<String> reasons;

        Refused(List<String> reasons) {
            super(String.join("; ", reasons));
            this.reasons = reasons;
        }

        Refused(String reason) {
            this(List.of(reason));
        }
    }

    /** A change that would leave the hub without an enabled admin; the API answers it with 409. */
    public static class LastAdmin extends RuntimeException {
        LastAdmin() {
            super("this is the last enabled admin account: enable or create another admin first");
        }
    }

    private final JdbcTemplate jdbc;
    private final PasswordEncoder encoder;
    private final PasswordPolicy policy;
    private final FindByIndexNameSessionRepository<? extends Session> sessions;
    /** The last-admin check and the change it allows, in one transaction holding the admin rows (several nodes change accounts). */
    private final TransactionTemplate inTransaction;

    public OperatorAccounts(JdbcTemplate jdbc, PasswordEncoder encoder, PasswordPolicy policy,
            FindByIndexNameSessionRepository<? extends Session> sessions,
            @Value("${govhub.security.admin-password:}") String configuredPassword) {
        this.jdbc = jdbc;
        this.encoder = encoder;
        this.policy = policy;
        this.sessions = sessions;
        this.inTransaction = new TransactionTemplate(new DataSourceTransactionManager(jdbc.getDataSource()));
        bootstrapAdmin(configuredPassword);
    }

    /** The configured admin password, checked against the policy, or a generated one on first start. */
    private void bootstrapAdmin(String configuredPassword) {
        boolean exists = exists(ADMIN);
        if (!configuredPassword.isBlank()) {
            List<String> problems = policy.problems(ADMIN, configuredPassword);
            if (!problems.isEmpty()) {
                throw new PasswordPolicy.WeakPasswordException("govhub.security.admin-password", problems);
            }
            if (!exists) {
                insert(ADMIN, encoder.encode(configuredPassword), Roles.ADMIN);
            } else if (!encoder.matches(configuredPassword, storedHash(ADMIN))) {
                jdbc.update("UPDATE operator_account SET password_hash = ?, changed_at = ? WHERE username = ?",
                        encoder.encode(configuredPassword), now(), ADMIN);
            }
        } else if (!exists) {
            String generated = generate();
            insert(ADMIN, encoder.encode(generated), Roles.ADMIN);
            // Printed on the console, not logged: it appears once, on this first start only.
            System.out.println("""

                    ===================================================================
                     GovHub operator account created (shown only this once)
                       user:     %s
                       password: %s
                     Set govhub.security.admin-password to choose your own.
                    ===================================================================
                    """.formatted(ADMIN, generated));
        }
    }

    public List<Map<String, Object>> list() {
        return jdbc.queryForList("SELECT username AS \"username\", roles AS \"role\", enabled AS \"enabled\","
                + " created_at AS \"createdAt\", changed_at AS \"changedAt\" FROM operator_account ORDER BY username");
    }

    /** Creates an account; false when one with this name exists. */
    public synchronized boolean create(String username, String role, String password) {
        if (username == null || !USERNAME.matcher(username).matches()) {
            throw new Refused("user name must be 2-63 lower-case letters, digits, dots, dashes or underscores, starting with a letter");
        }
        checkRole(role);
        checkPassword(username, password);
        if (exists(username)) {
            return false;
        }
        insert(username, encoder.encode(password), role);
        log.info("operator account {} created with role {}", username, role);
        return true;
    }

    public boolean changePassword(String username, String password) {
        checkPassword(username, password);
        boolean changed = jdbc.update("UPDATE operator_account SET password_hash = ?, changed_at = ? WHERE username = ?",
                encoder.encode(password), now(), username) == 1;
        if (changed) {
            endSessions(username);
        }
        return changed;
    }

    /** Enables or disables; disabling ends the account's sessions at once. */
    public synchronized boolean setEnabled(String username, boolean enabled) {
        if (!exists(username)) {
            return false;
        }
        inTransaction.executeWithoutResult(status -> {
            if (!enabled) {
                refuseIfLastAdmin(username);
            }
            jdbc.update("UPDATE operator_account SET enabled = ?, changed_at = ? WHERE username = ?", enabled, now(), username);
        });
        if (!enabled) {
            endSessions(username);
        }
        log.info("operator account {} {}", username, enabled ? "enabled" : "disabled");
        return true;
    }

    public synchronized boolean changeRole(String username, String role) {
        checkRole(role);
        if (!exists(username)) {
            return false;
        }
        inTransaction.executeWithoutResult(status -> {
            if (!Roles.ADMIN.equals(role)) {
                refuseIfLastAdmin(username);
            }
            jdbc.update("UPDATE operator_account SET roles = ?, changed_at = ? WHERE username = ?", role, now(), username);
        });
        // a session keeps the authorities of its login: end it so the new role applies at once
        endSessions(username);
        log.info("operator account {} now has role {}", username, role);
        return true;
    }

    // Inside the change's transaction, with every enabled admin row locked first: a concurrent change on
    // another node (or thread) waits, then reads what the first one left, so two changes cannot both
    // remove "the other" admin.
    private void refuseIfLastAdmin(String username) {
        jdbc.queryForList("SELECT username FROM operator_account WHERE roles = ? AND enabled = TRUE FOR UPDATE", String.class, Roles.ADMIN);
        Integer otherAdmins = jdbc.queryForObject("SELECT COUNT(*) FROM operator_account WHERE roles = ? AND enabled = TRUE"
                + " AND username <> ?", Integer.class, Roles.ADMIN, username);
        Integer self = jdbc.queryForObject("SELECT COUNT(*) FROM operator_account WHERE roles = ? AND enabled = TRUE"
                + " AND username = ?", Integer.class, Roles.ADMIN, username);
        if (self > 0 && otherAdmins == 0) {
            throw new LastAdmin();
        }
    }

    /** Deletes the account's sessions from the hub database, where every node looks them up (Spring Session JDBC). */
    private void endSessions(String username) {
        sessions.findByPrincipalName(username).keySet().forEach(sessions::deleteById);
    }

    private void checkRole(String role) {
        if (role == null || !Roles.OF_ACCOUNTS.contains(role)) {
            throw new Refused("role must be one of " + Roles.OF_ACCOUNTS);
        }
    }

    private void checkPassword(String username, String password) {
        List<String> problems = policy.problems(username, password);
        if (!problems.isEmpty()) {
            throw new Refused(problems.stream().map(p -> "password " + p).toList());
        }
    }

    private boolean exists(String username) {
        return jdbc.queryForObject("SELECT COUNT(*) FROM operator_account WHERE username = ?", Integer.class, username) > 0;
    }

    private String storedHash(String username) {
        return jdbc.queryForObject("SELECT password_hash FROM operator_account WHERE username = ?", String.class, username);
    }

    private void insert(String username, String hash, String role) {
        jdbc.update("INSERT INTO operator_account (username, password_hash, roles, enabled, created_at) VALUES (?, ?, ?, TRUE, ?)",
                username, hash, role, now());
    }

    private static Timestamp now() {
        return Timestamp.from(Instant.now());
    }

    static String generate() {
        SecureRandom random = new SecureRandom();
        StringBuilder sb = new StringBuilder();
        // generated passwords must pass the policy too: 20 of these characters, one of each class forced
        sb.append(ALPHABET.charAt(random.nextInt(24))).append(ALPHABET.charAt(24 + random.nextInt(25)))
                .append(ALPHABET.charAt(49 + random.nextInt(8)));
        for (int i = 3; i < 20; i++) {
            sb.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        }
        return sb.toString();
    }
}
