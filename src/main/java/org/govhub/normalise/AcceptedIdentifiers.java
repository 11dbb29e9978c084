package org.govhub.normalise;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Identifiers an operator has accepted although they fail their standard's check: some early
 * pilot regions issued credit codes whose check character is wrong, and those codes are real.
 * Kept in the hub database; read once and then kept in memory.
 */
@Component
public class AcceptedIdentifiers implements RecordValidator.Acceptance {

    private final JdbcTemplate jdbc;
    private final Set<String> accepted = ConcurrentHashMap.newKeySet();

    public AcceptedIdentifiers(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
        jdbc.query("SELECT standard, code FROM accepted_identifier", (rs, i) -> key(rs.getString(1), rs.getString(2)))
                .forEach(accepted::add);
    }

    @Override
    public boolean isAccepted(String standard, String code) {
        return accepted.contains(key(standard, code));
    }

    public void accept(String standard, String code, String reason, String by) {
        if (!isAccepted(standard, code)) {
            jdbc.update("INSERT INTO accepted_identifier (standard, code, reason, accepted_by, accepted_at) VALUES (?, ?, ?, ?, ?)",
                    standard, code, reason, by, Timestamp.from(Instant.now()));
            accepted.add(key(standard, code));
        }
    }

    public List<Map<String, Object>> list() {
        return jdbc.queryForList("SELECT standard, code, reason, accepted_by, accepted_at FROM accepted_identifier ORDER BY accepted_at");
    }

    private static String key(String standard, String code) {
        return standard + "|" + code;
    }
}
