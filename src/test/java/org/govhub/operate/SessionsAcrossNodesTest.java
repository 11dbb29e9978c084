package org.govhub.operate;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import javax.sql.DataSource;
import org.govhub.SandboxHubTest;
import org.govhub.share.DepartmentAccounts;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.context.SecurityContextImpl;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.web.context.HttpSessionSecurityContextRepository;
import org.springframework.session.FindByIndexNameSessionRepository;
import org.springframework.session.Session;
import org.springframework.session.jdbc.JdbcIndexedSessionRepository;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Sessions across nodes (Spring Session JDBC, V21). The running hub is node a; node b is what another
 * node holds of sessions and accounts, its own session repository and OperatorAccounts, on the same
 * hub database. A login on either is valid on the other, and disabling the account on either ends its
 * sessions on both. Programs (HTTP Basic, API keys) open no session.
 */
class SessionsAcrossNodesTest extends SandboxHubTest {

    private static final String USER = "nodes-olga";
    private static final String PASSWORD = "Olive-nodes-2026";

    @LocalServerPort
    int port;
    @Autowired
    DataSource hubDatabase;
    @Autowired
    JdbcTemplate jdbc;
    @Autowired
    PasswordEncoder encoder;
    @Autowired
    PasswordPolicy policy;
    @Autowired
    UserDetailsService users;
    @Autowired
    OperatorAccounts accounts;
    @Autowired
    DepartmentAccounts departments;

    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    private FindByIndexNameSessionRepository<? extends Session> nodeBSessions;
    private OperatorAccounts nodeBAccounts;

    @BeforeEach
    void nodeBAndAnOperator() {
        nodeBSessions = new JdbcIndexedSessionRepository(new JdbcTemplate(hubDatabase),
                new TransactionTemplate(new DataSourceTransactionManager(hubDatabase)));
        nodeBAccounts = new OperatorAccounts(jdbc, encoder, policy, nodeBSessions, "");
        accounts.create(USER, Roles.OPERATOR, PASSWORD);
        accounts.setEnabled(USER, true);
    }

    @Test
    void aLoginOnOneNodeHoldsOnTheOtherAndDisablingOnEitherEndsItOnBoth() throws Exception {
        // logged in on node a (the form), known to node b by id and by user name
        String fromA = formLogin();
        assertThat(nodeBSessions.findById(fromA)).as("node a's session on node b").isNotNull();
        assertThat(nodeBSessions.findByPrincipalName(USER)).containsKey(fromA);

        // logged in on node b, valid on node a
        String fromB = sessionOnNodeB();
        assertThat(status("/api/admin/batches", fromB)).as("node b's session on node a").isEqualTo(200);
        assertThat(status("/api/admin/batches", fromA)).isEqualTo(200);

        // disabled on node b: both sessions are gone from the database, so node a no longer knows them
        nodeBAccounts.setEnabled(USER, false);
        assertThat(nodeBSessions.findById(fromA)).isNull();
        assertThat(nodeBSessions.findById(fromB)).isNull();
        assertThat(status("/api/admin/batches", fromA)).isEqualTo(401);
        assertThat(status("/api/admin/batches", fromB)).isEqualTo(401);

        // disabled on node a (the admin API): node b's session ends there too
        accounts.setEnabled(USER, true);
        String again = sessionOnNodeB();
        assertThat(status("/api/admin/batches", again)).isEqualTo(200);
        assertThat(http.send(HttpRequest.newBuilder(url("/api/admin/accounts/" + USER + "/disable"))
                .header("Authorization", "Basic " + base64("admin:" + OPERATOR_PASSWORD))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString()).statusCode())
                .isEqualTo(204);
        assertThat(nodeBSessions.findById(again)).as("gone for node b").isNull();
        assertThat(status("/api/admin/batches", again)).isEqualTo(401);
    }

    /** Programs (HTTP Basic, a department's API key) log in for one request: no session row, no cookie. */
    @Test
    void programsLeaveNoSession() throws Exception {
        departments.create("sessions-dept", "Sessions test department");
        String key = departments.issueKey("sessions-dept").key();
        int before = jdbc.queryForObject("SELECT COUNT(*) FROM spring_session", Integer.class);
        for (String[] credential : List.of(new String[] {"X-Api-Key", key},
                new String[] {"Authorization", "Basic " + base64("admin:" + OPERATOR_PASSWORD)})) {
            HttpResponse<String> answer = http.send(HttpRequest.newBuilder(url(credential[0].equals("X-Api-Key")
                            ? "/api/share/requests" : "/api/admin/batches")).header(credential[0], credential[1]).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(answer.statusCode()).as(credential[0]).isEqualTo(200);
            assertThat(answer.headers().allValues("Set-Cookie")).as(credential[0]).noneMatch(c -> c.startsWith("JSESSIONID="));
        }
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM spring_session", Integer.class)).isEqualTo(before);
    }

    /** A session node b stores for USER as a form login would: the security context under Spring Security's key. */
    private String sessionOnNodeB() {
        UserDetails user = users.loadUserByUsername(USER);
        return store(nodeBSessions, new SecurityContextImpl(UsernamePasswordAuthenticationToken.authenticated(user, null,
                user.getAuthorities())));
    }

    private static <S extends Session> String store(FindByIndexNameSessionRepository<S> sessions, Object securityContext) {
        S session = sessions.createSession();
        session.setAttribute(HttpSessionSecurityContextRepository.SPRING_SECURITY_CONTEXT_KEY, securityContext);
        sessions.save(session);
        return session.getId();
    }

    /** Logs in with the form on node a; the session's id (Spring Session's cookie holds it in Base64). */
    private String formLogin() throws Exception {
        HttpResponse<String> page = http.send(HttpRequest.newBuilder(url("/actuator/health/liveness")).build(),
                HttpResponse.BodyHandlers.ofString());
        String csrf = cookieValue(page, "XSRF-TOKEN");
        HttpResponse<String> login = http.send(HttpRequest.newBuilder(url("/login"))
                .header("Content-Type", "application/x-www-form-urlencoded").header("Cookie", "XSRF-TOKEN=" + csrf)
                .POST(HttpRequest.BodyPublishers.ofString("username=" + USER + "&password="
                        + URLEncoder.encode(PASSWORD, StandardCharsets.UTF_8) + "&_csrf=" + csrf))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(login.statusCode()).isEqualTo(302);
        assertThat(login.headers().firstValue("Location").orElse("")).doesNotContain("error");
        return new String(Base64.getDecoder().decode(cookieValue(login, "JSESSIONID")), StandardCharsets.UTF_8);
    }

    private int status(String path, String sessionId) throws Exception {
        return http.send(HttpRequest.newBuilder(url(path)).header("Cookie", "JSESSIONID=" + base64(sessionId)).GET().build(),
                HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    private static String cookieValue(HttpResponse<String> response, String name) {
        return response.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith(name + "="))
                .map(c -> c.substring(name.length() + 1, c.indexOf(';'))).findFirst().orElseThrow();
    }

    private static String base64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private URI url(String path) {
        return URI.create("http://localhost:" + port + path);
    }

    /**
     * Node a is in the middle of disabling every admin but one (its transaction holds the admin rows);
     * node b, disabling that last one at the same moment, waits for a and then refuses: the last-admin
     * check runs in the change's transaction with the admin rows locked, not under one JVM's lock.
     */
    @Test
    void twoNodesCannotTogetherDisableEveryAdmin() throws Exception {
        String last = "nodes-root";
        accounts.create(last, Roles.ADMIN, "Root-of-nodes-2026");
        accounts.setEnabled(last, true);
        List<String> admins = new java.util.ArrayList<>();
        try (java.sql.Connection nodeA = hubDatabase.getConnection()) {
            nodeA.setAutoCommit(false);
            try (var lock = nodeA.prepareStatement("SELECT username FROM operator_account WHERE roles = ? AND enabled = TRUE FOR UPDATE")) {
                lock.setString(1, Roles.ADMIN);
                try (var rs = lock.executeQuery()) {
                    while (rs.next()) {
                        admins.add(rs.getString(1));
                    }
                }
            }
            assertThat(admins).contains(last, "admin");
            try (var disable = nodeA.prepareStatement("UPDATE operator_account SET enabled = FALSE WHERE roles = ? AND username <> ?")) {
                disable.setString(1, Roles.ADMIN);
                disable.setString(2, last);
                disable.executeUpdate();
            }
            var nodeB = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    nodeBAccounts.setEnabled(last, false);
                    return "disabled";
                } catch (OperatorAccounts.LastAdmin refused) {
                    return "refused: " + refused.getMessage();
                }
            });
            Thread.sleep(300);
            assertThat(nodeB).as("node b waits while node a's change holds the admin rows").isNotDone();
            nodeA.commit();
            assertThat(nodeB.get(30, java.util.concurrent.TimeUnit.SECONDS)).as("node b, after node a disabled the others")
                    .startsWith("refused: this is the last enabled admin account");
        } finally {
            for (String admin : admins) { // as they were
                jdbc.update("UPDATE operator_account SET enabled = TRUE WHERE username = ?", admin);
            }
            jdbc.update("UPDATE operator_account SET enabled = FALSE WHERE username = ?", last);
        }
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM operator_account WHERE username = ? AND enabled = TRUE", Integer.class, last))
                .isZero();
    }
}
