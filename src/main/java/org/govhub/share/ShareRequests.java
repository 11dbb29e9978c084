package org.govhub.share;

import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import org.govhub.share.Catalog.DataResource;
import org.govhub.share.Catalog.ShareType;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * A department's request for a catalog resource, decided by the share type: an unconditional
 * resource is granted at once (masked; asking for personal data in clear makes it conditional), a
 * conditional one waits for an operator's approval or reasoned refusal, due within 10 working days,
 * and a resource that is not shared is refused.
 */
@Component
public class ShareRequests {

    /** Dates of requests are Beijing dates: that is the calendar the 10 working days count in. */
    public static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");
    static final int ANSWER_WITHIN_WORKING_DAYS = 10;

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final Catalog catalog;
    private final Grants grants;
    private final WorkingDays workingDays;

    public ShareRequests(JdbcTemplate jdbc, TransactionTemplate tx, Catalog catalog, Grants grants, WorkingDays workingDays) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.catalog = catalog;
        this.grants = grants;
        this.workingDays = workingDays;
    }

    /** Files a request and decides it at once where the catalog decides it; returns it as shown. */
    public Map<String, Object> request(String departmentId, String resourceCode, String purpose, GrantTerms terms) {
        DataResource resource = catalog.find(resourceCode)
                .orElseThrow(() -> new IllegalArgumentException("no resource '" + resourceCode + "' in the catalog"));
        if (purpose == null || purpose.strip().length() < 4) {
            throw new IllegalArgumentException("a request states its purpose: the duty the data is used for (谁使用、谁负责)");
        }
        List<String> problems = terms.problems(resource);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        Instant now = Instant.now();
        return tx.execute(s -> {
            long id = insert(departmentId, resource, purpose.strip(), terms, now);
            if (resource.shareType() == ShareType.NOT_SHARED) {
                decide(id, "REFUSED", "catalog", "不予共享: the catalog does not share " + resource.code()
                        + "; sharing it needs a basis in law or policy", null);
            } else if (resource.shareType() == ShareType.UNCONDITIONAL && terms.inClear().isEmpty()) {
                long grant = grants.create(departmentId, resource, terms, "catalog");
                decide(id, "GRANTED", "catalog", "无条件共享: granted on request", grant);
            } else {
                WorkingDays.Due due = workingDays.after(LocalDate.ofInstant(now, ZONE), ANSWER_WITHIN_WORKING_DAYS);
                jdbc.update("UPDATE share_request SET due_on = ?, due_basis = ? WHERE request_id = ?",
                        Date.valueOf(due.date()), resource.shareType() == ShareType.UNCONDITIONAL
                                ? due.basis() + "; personal data in clear needs approval" : due.basis(), id);
            }
            return get(id, departmentId);
        });
    }

    /** An operator grants a pending request with the terms {@code narrowing} makes of those asked for. */
    public Map<String, Object> approve(long requestId, String operator, java.util.function.UnaryOperator<GrantTerms> narrowing) {
        return tx.execute(s -> {
            Map<String, Object> request = pending(requestId);
            DataResource resource = catalog.get((String) request.get("resource_code"));
            GrantTerms asked = GrantTerms.parse((String) request.get("terms"));
            GrantTerms terms = narrowing.apply(asked);
            List<String> problems = terms.problems(resource);
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException(String.join("; ", problems));
            }
            if (!asked.covers(terms)) {
                throw new IllegalArgumentException("an approval may narrow what was asked, not widen it: asked " + asked.json());
            }
            long grant = grants.create((String) request.get("department_id"), resource, terms, operator);
            decide(requestId, "GRANTED", operator, "approved", grant);
            return get(requestId, null);
        });
    }

    /** An operator refuses a pending request; the reason is required and shown to the department. */
    public Map<String, Object> refuse(long requestId, String operator, String reason) {
        if (reason == null || reason.isBlank()) {
            throw new IllegalArgumentException("a refusal states its reason");
        }
        return tx.execute(s -> {
            pending(requestId);
            decide(requestId, "REFUSED", operator, reason.strip(), null);
            return get(requestId, null);
        });
    }

    /** Requests as shown, newest first: a department's own, or all (optionally by status); pending ones past their due date are overdue. */
    public List<Map<String, Object>> list(String departmentId, String status) {
        StringBuilder sql = new StringBuilder(SELECT + " WHERE 1 = 1");
        List<Object> args = new java.util.ArrayList<>();
        if (departmentId != null) {
            sql.append(" AND department_id = ?");
            args.add(departmentId);
        }
        if (status != null) {
            sql.append(" AND status = ?");
            args.add(status);
        }
        sql.append(" ORDER BY request_id DESC");
        return jdbc.queryForList(sql.toString(), args.toArray()).stream().map(ShareRequests::shown).toList();
    }

    /** One request as shown, if it exists (and belongs to the department, when one is given). */
    public Map<String, Object> get(long requestId, String departmentId) {
        List<Map<String, Object>> rows = jdbc.queryForList(SELECT + " WHERE request_id = ?"
                + (departmentId == null ? "" : " AND department_id = ?"),
                departmentId == null ? new Object[] {requestId} : new Object[] {requestId, departmentId});
        return rows.isEmpty() ? null : shown(rows.get(0));
    }

    private static final String SELECT = "SELECT request_id, department_id, resource_code, purpose, terms, status, requested_at,"
            + " due_on, due_basis, decided_at, decided_by, reason, grant_id FROM share_request";

    private static Map<String, Object> shown(Map<String, Object> row) {
        Map<String, Object> shown = new java.util.LinkedHashMap<>();
        shown.put("request", row.get("request_id"));
        shown.put("department", row.get("department_id"));
        shown.put("resource", row.get("resource_code"));
        shown.put("purpose", row.get("purpose"));
        shown.put("terms", org.govhub.normalise.CanonicalJson.read((String) row.get("terms")));
        shown.put("status", row.get("status"));
        shown.put("requestedAt", row.get("requested_at"));
        Date due = (Date) row.get("due_on");
        shown.put("dueOn", due == null ? null : due.toLocalDate().toString());
        shown.put("dueBasis", row.get("due_basis"));
        shown.put("overdue", due != null && "PENDING".equals(row.get("status")) && LocalDate.now(ZONE).isAfter(due.toLocalDate()));
        shown.put("decidedAt", row.get("decided_at"));
        shown.put("decidedBy", row.get("decided_by"));
        shown.put("reason", row.get("reason"));
        shown.put("grant", row.get("grant_id"));
        return shown;
    }

    private Map<String, Object> pending(long requestId) {
        List<Map<String, Object>> rows = jdbc.queryForList(SELECT + " WHERE request_id = ? FOR UPDATE", requestId);
        if (rows.isEmpty()) {
            throw new java.util.NoSuchElementException("no request " + requestId);
        }
        if (!"PENDING".equals(rows.get(0).get("status"))) {
            throw new IllegalStateException("request " + requestId + " is " + rows.get(0).get("status") + ", not PENDING");
        }
        return rows.get(0);
    }

    private long insert(String departmentId, DataResource resource, String purpose, GrantTerms terms, Instant now) {
        var keys = new GeneratedKeyHolder();
        jdbc.update(c -> {
            var ps = c.prepareStatement("INSERT INTO share_request (department_id, resource_code, purpose, terms, status, requested_at)"
                    + " VALUES (?, ?, ?, ?, 'PENDING', ?)", new String[] {"request_id"});
            ps.setString(1, departmentId);
            ps.setString(2, resource.code());
            ps.setString(3, purpose);
            ps.setString(4, terms.json());
            ps.setTimestamp(5, Timestamp.from(now));
            return ps;
        }, keys);
        return keys.getKey().longValue();
    }

    private void decide(long requestId, String status, String by, String reason, Long grantId) {
        jdbc.update("UPDATE share_request SET status = ?, decided_at = ?, decided_by = ?, reason = ?, grant_id = ? WHERE request_id = ?",
                status, Timestamp.from(Instant.now()), by, reason, grantId, requestId);
    }
}
