package org.govhub.operate;

import static org.govhub.operate.Roles.ADMIN;
import static org.govhub.operate.Roles.AUDITOR;
import static org.govhub.operate.Roles.DEPARTMENT;
import static org.govhub.operate.Roles.INTEGRATOR;
import static org.govhub.operate.Roles.OPERATOR;
import static org.govhub.operate.Roles.VIEWER;

import java.util.List;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.annotation.web.configurers.AuthorizeHttpRequestsConfigurer;

/**
 * Who reaches which path: one ordered table, the first matching row decides, and a request no row
 * matches is refused. Roles nest admin ⊃ operator ⊃ viewer and admin ⊃ integrator ({@link Roles#HIERARCHY}), so a row naming
 * viewer lets operators and admins in too; auditor and department stand apart and reach only their
 * own rows. The sandbox's machine APIs are not here: they check their own credentials
 * (SandboxSecurityConfiguration).
 */
public final class AccessRules {

    /** One row: a method (null: any) and path patterns, and who may: the roles, everyone, or no one. */
    public record Rule(HttpMethod method, List<String> paths, List<String> roles, boolean noOne) {
        boolean open() {
            return roles.isEmpty() && !noOne;
        }
    }

    private static final HttpMethod GET = HttpMethod.GET;
    private static final HttpMethod POST = HttpMethod.POST;
    private static final HttpMethod PUT = HttpMethod.PUT;

    public static final List<Rule> RULES = List.of(
            // the probes (Kubernetes' kubelet sends no login): a status only, details stay behind the login
            anyone(GET, "/actuator/health/liveness"),
            anyone(GET, "/actuator/health/readiness"),

            // departments' programs, by API key: their sharing API and the catalog
            rule(null, List.of("/api/share/**"), DEPARTMENT),
            rule(GET, List.of("/api/catalog", "/api/catalog/**", "/catalog"), DEPARTMENT, VIEWER),

            // the exchange log is the auditors' alone (the endpoints come with the exchange log)
            rule(null, List.of("/api/audit/**"), AUDITOR),

            // accounts, grants and configuration: admin
            rule(null, List.of("/api/admin/accounts", "/api/admin/accounts/**"), ADMIN),
            rule(null, List.of("/api/admin/departments", "/api/admin/departments/**"), ADMIN),
            rule(POST, List.of("/api/admin/share/grants/*/revoke"), ADMIN),
            rule(POST, List.of("/api/sandbox/**"), ADMIN),

            // the daily work: operator
            rule(PUT, List.of("/api/admin/quarantine/*/correction"), OPERATOR),
            rule(POST, List.of("/api/admin/quarantine/*/replay", "/api/admin/quarantine/replay",
                    "/api/admin/accepted-identifiers", "/api/admin/batches/*/resend",
                    "/api/admin/sources/*/mark/rewind", "/api/admin/sources/*/mark/skip",
                    "/api/admin/sources/*/pause", "/api/admin/sources/*/resume",
                    "/api/admin/share/requests/*/approve", "/api/admin/share/requests/*/refuse",
                    "/api/admin/share/subscriptions/*/dead-letters/*/resend",
                    "/api/reports/weeks/*/generate", "/api/reports/*/deliveries/*/resend"), OPERATOR),

            // deploying sources: integrator (issue 19)
            rule(POST, List.of("/api/admin/sources/*/versions", "/api/admin/sources/*/versions/*/connection-test",
                    "/api/admin/sources/*/versions/*/preview", "/api/admin/sources/*/versions/*/activate",
                    "/api/admin/sources/*/rollback", "/api/admin/sources/*/remove"), INTEGRATOR),
            // what an integrator reads: the sources, their health, the rows they quarantined, a record's trail,
            // and the operator console (its deploy page) with the home page a login lands on
            rule(GET, List.of("/api/admin/sources", "/api/admin/sources/**", "/api/admin/quarantine", "/api/admin/quarantine/*",
                    "/api/admin/records", "/api/admin/me", "/actuator/health", "/actuator/health/**",
                    "/", "/console", "/console/**"), INTEGRATOR, VIEWER),

            // Jolokia over GET: reads for viewers; exec and write change state, so operator at least.
            // JOLOKIA-POST: a POST body may hold reads or exec/write alike, and Hawtio sends its reads by
            // POST, so every Hawtio role may POST here; which operations each role may run is the
            // Jolokia restrictor's to decide (issue 15 item 4), not a path rule's.
            rule(GET, List.of("/actuator/jolokia/exec/**", "/actuator/jolokia/write/**",
                    "/actuator/hawtio/jolokia/exec/**", "/actuator/hawtio/jolokia/write/**"), OPERATOR),
            rule(POST, List.of("/actuator/jolokia", "/actuator/jolokia/**",
                    "/actuator/hawtio/jolokia", "/actuator/hawtio/jolokia/**"), VIEWER),
            // Hawtio itself: every operator-side role (hawtio.roles), read-only for viewers
            rule(POST, List.of("/actuator/hawtio/auth/login", "/actuator/hawtio/auth/logout"), VIEWER),

            // Hawtio's proxy would let the console fetch other hosts' Jolokia: no one
            noOne("/actuator/hawtio/proxy/**"),

            // reading: viewer
            rule(GET, List.of("/", "/error", "/console", "/console/**", "/actuator", "/actuator/health", "/actuator/health/**", "/actuator/info", "/actuator/prometheus",
                    "/actuator/jolokia", "/actuator/jolokia/**", "/actuator/hawtio", "/actuator/hawtio/**",
                    "/api/admin/**", "/api/reports", "/api/reports/**", "/api/policy/**", "/sandbox/**"), VIEWER));

    private AccessRules() {
    }

    /** Applies the table in order, then refuses whatever it does not name. */
    public static void apply(AuthorizeHttpRequestsConfigurer<?>.AuthorizationManagerRequestMatcherRegistry auth) {
        for (Rule rule : RULES) {
            String[] paths = rule.paths().toArray(String[]::new);
            var matched = rule.method() == null ? auth.requestMatchers(paths) : auth.requestMatchers(rule.method(), paths);
            if (rule.noOne()) {
                matched.denyAll();
            } else if (rule.open()) {
                matched.permitAll();
            } else {
                matched.hasAnyRole(rule.roles().toArray(String[]::new));
            }
        }
        auth.anyRequest().denyAll();
    }

    private static Rule anyone(HttpMethod method, String path) {
        return new Rule(method, List.of(path), List.of(), false);
    }

    private static Rule noOne(String path) {
        return new Rule(null, List.of(path), List.of(), true);
    }

    private static Rule rule(HttpMethod method, List<String> paths, String... roles) {
        return new Rule(method, paths, List.of(roles), false);
    }
}
