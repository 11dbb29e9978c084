package org.govhub.share;

import com.fasterxml.jackson.core.type.TypeReference;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.govhub.normalise.CanonicalJson;
import org.govhub.share.Catalog.DataResource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.stereotype.Component;

/** Grants: which department may receive which fields and rows of a resource, and how masked. Revoking one stops delivery at once. */
@Component
public class Grants {

    /** An active or revoked grant as every channel applies it. */
    public record Grant(long id, String departmentId, String resourceCode, String schema, String version, GrantTerms terms,
            boolean active) {
    }

    private final JdbcTemplate jdbc;

    public Grants(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    long create(String departmentId, DataResource resource, GrantTerms terms, String grantedBy) {
        var keys = new GeneratedKeyHolder();
        jdbc.update(c -> {
            var ps = c.prepareStatement("INSERT INTO share_grant (department_id, resource_code, schema_name, schema_version, fields,"
                    + " region_prefixes, priority_classes, in_clear, status, granted_at, granted_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'ACTIVE', ?, ?)",
                    new String[] {"grant_id"});
            ps.setString(1, departmentId);
            ps.setString(2, resource.code());
            ps.setString(3, resource.schema());
            ps.setString(4, resource.version());
            ps.setString(5, json(terms.fields()));
            ps.setString(6, json(terms.regionPrefixes()));
            ps.setString(7, json(terms.priorityClasses()));
            ps.setString(8, json(terms.inClear()));
            ps.setTimestamp(9, Timestamp.from(Instant.now()));
            ps.setString(10, grantedBy);
            return ps;
        }, keys);
        return keys.getKey().longValue();
    }

    public Optional<Grant> find(long grantId) {
        return jdbc.query("SELECT * FROM share_grant WHERE grant_id = ?", (rs, i) -> new Grant(rs.getLong("grant_id"),
                rs.getString("department_id"), rs.getString("resource_code"), rs.getString("schema_name"), rs.getString("schema_version"),
                new GrantTerms(list(rs.getString("fields"), new TypeReference<>() { }), list(rs.getString("region_prefixes"), new TypeReference<>() { }),
                        list(rs.getString("priority_classes"), new TypeReference<>() { }), list(rs.getString("in_clear"), new TypeReference<>() { })),
                "ACTIVE".equals(rs.getString("status"))), grantId).stream().findFirst();
    }

    /** Grants as shown: a department's own (departmentId set) or all. */
    public List<Map<String, Object>> list(String departmentId) {
        String sql = "SELECT grant_id AS \"grant\", department_id AS \"department\", resource_code AS \"resource\","
                + " schema_name AS \"schema\", schema_version AS \"schemaVersion\", fields AS \"fields\", region_prefixes AS \"regionPrefixes\","
                + " priority_classes AS \"priorityClasses\", in_clear AS \"inClear\", status AS \"status\", granted_at AS \"grantedAt\","
                + " granted_by AS \"grantedBy\", revoked_at AS \"revokedAt\", revoked_by AS \"revokedBy\", revoke_reason AS \"revokeReason\""
                + " FROM share_grant" + (departmentId == null ? "" : " WHERE department_id = ?") + " ORDER BY grant_id";
        List<Map<String, Object>> rows = departmentId == null ? jdbc.queryForList(sql) : jdbc.queryForList(sql, departmentId);
        for (Map<String, Object> row : rows) {
            for (String list : List.of("fields", "regionPrefixes", "priorityClasses", "inClear")) {
                row.put(list, CanonicalJson.read((String) row.get(list)));
            }
        }
        return rows;
    }

    /** Revokes an active grant; every channel stops delivering it from the next record on. */
    public boolean revoke(long grantId, String by, String reason) {
        if (reason == null || reason.isBlank()) {
            throw new IllegalArgumentException("revoking a grant needs a reason");
        }
        return jdbc.update("UPDATE share_grant SET status = 'REVOKED', revoked_at = ?, revoked_by = ?, revoke_reason = ?"
                + " WHERE grant_id = ? AND status = 'ACTIVE'", Timestamp.from(Instant.now()), by, reason.strip(), grantId) == 1;
    }

    private static <T> List<T> list(String json, TypeReference<List<T>> type) {
        try {
            return CanonicalJson.MAPPER.readValue(json, type);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("a stored grant list cannot be read: " + e.getOriginalMessage(), e);
        }
    }

    private static String json(List<?> list) {
        return CanonicalJson.write(CanonicalJson.MAPPER.valueToTree(list));
    }
}
