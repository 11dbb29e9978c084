package org.govhub.share;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.govhub.normalise.CanonicalJson;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Department accounts and their API keys, for machine access to the sharing API. A key reads
 * {@code ghk_<keyId>.<secret>}; the hub keeps only the SHA-256 of the secret, shows a key once when
 * it is issued, and a department can hold several keys while it rotates them.
 */
@Component
public class DepartmentAccounts {

    /** A department id: lower-case letters, digits and dashes, as in URLs and broker user names. */
    public static final Pattern ID = Pattern.compile("[a-z][a-z0-9-]{1,62}");
    private static final Pattern KEY = Pattern.compile("ghk_([A-Za-z0-9]{16})\\.([A-Za-z0-9_-]{43})");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Logger log = LoggerFactory.getLogger(DepartmentAccounts.class);

    /** A key as issued: the only time its secret is known outside the department. */
    public record IssuedKey(String keyId, String key) {
    }

    private final JdbcTemplate jdbc;
    private final ObjectProvider<SubscriptionBroker> broker;

    public DepartmentAccounts(JdbcTemplate jdbc, ObjectProvider<SubscriptionBroker> broker) {
        this.jdbc = jdbc;
        this.broker = broker;
    }

    /** Creates a department account; false when one with this id exists. */
    public boolean create(String departmentId, String name) {
        if (!ID.matcher(departmentId).matches()) {
            throw new IllegalArgumentException("department id '" + departmentId + "' must be 2-63 lower-case letters, digits or dashes, starting with a letter");
        }
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a department needs a name");
        }
        if (exists(departmentId)) {
            return false;
        }
        jdbc.update("INSERT INTO department (department_id, name, created_at) VALUES (?, ?, ?)",
                departmentId, name.strip(), Timestamp.from(Instant.now()));
        return true;
    }

    public boolean exists(String departmentId) {
        return jdbc.queryForObject("SELECT COUNT(*) FROM department WHERE department_id = ?", Integer.class, departmentId) > 0;
    }

    public List<Map<String, Object>> list() {
        return jdbc.queryForList("SELECT d.department_id AS \"department\", d.name AS \"name\", d.created_at AS \"createdAt\","
                + " (SELECT COUNT(*) FROM department_key k WHERE k.department_id = d.department_id AND k.revoked_at IS NULL)"
                + " AS \"activeKeys\" FROM department d ORDER BY d.department_id");
    }

    public List<Map<String, Object>> keys(String departmentId) {
        return jdbc.queryForList("SELECT key_id AS \"keyId\", created_at AS \"createdAt\", revoked_at AS \"revokedAt\""
                + " FROM department_key WHERE department_id = ? ORDER BY created_at", departmentId);
    }

    /** Issues a new key; the department's other keys stay valid until revoked (rotation without a gap). */
    public IssuedKey issueKey(String departmentId) {
        if (!exists(departmentId)) {
            throw new IllegalArgumentException("no department " + departmentId);
        }
        String keyId = random(12).replace("-", "x").replace("_", "y").substring(0, 16);
        String secret = random(32);
        IssuedKey issued = new IssuedKey(keyId, "ghk_" + keyId + "." + secret);
        // the broker first: a key the broker refused is not issued at all
        broker.ifAvailable(b -> b.addLogin(departmentId, issued));
        jdbc.update("INSERT INTO department_key (key_id, department_id, secret_sha256, created_at) VALUES (?, ?, ?, ?)",
                keyId, departmentId, CanonicalJson.sha256(secret), Timestamp.from(Instant.now()));
        return issued;
    }

    /** Revokes one key of the department at once; false when it has no such active key. */
    public boolean revokeKey(String departmentId, String keyId) {
        boolean revoked = jdbc.update("UPDATE department_key SET revoked_at = ? WHERE key_id = ? AND department_id = ? AND revoked_at IS NULL",
                Timestamp.from(Instant.now()), keyId, departmentId) == 1;
        if (revoked) {
            try {
                broker.ifAvailable(b -> b.removeLogin(keyId));
            } catch (RuntimeException e) {
                // revoked here all the same; the broker's login goes at its next reconciliation
                log.warn("key {} of {} is revoked, but the broker could not drop its login yet: {}", keyId, departmentId, e.getMessage());
            }
        }
        return revoked;
    }

    /** The department a presented key belongs to, if it is well formed, known and not revoked. */
    public Optional<Caller> authenticate(String presented) {
        var m = presented == null ? null : KEY.matcher(presented.strip());
        if (m == null || !m.matches()) {
            return Optional.empty();
        }
        List<Map<String, Object>> rows = jdbc.queryForList(
                "SELECT department_id, secret_sha256 FROM department_key WHERE key_id = ? AND revoked_at IS NULL", m.group(1));
        if (rows.isEmpty()) {
            return Optional.empty();
        }
        byte[] expected = ((String) rows.get(0).get("secret_sha256")).getBytes(StandardCharsets.US_ASCII);
        byte[] given = CanonicalJson.sha256(m.group(2)).getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(expected, given)
                ? Optional.of(new Caller((String) rows.get(0).get("department_id"), m.group(1)))
                : Optional.empty();
    }

    /** A department authenticated by one of its keys. */
    public record Caller(String departmentId, String keyId) {
    }

    static String random(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

}
