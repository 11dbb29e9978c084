package org.govhub.operate;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContextImpl;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.web.context.HttpSessionSecurityContextRepository;
import org.springframework.session.FindByIndexNameSessionRepository;
import org.springframework.session.Session;
import org.springframework.session.jdbc.JdbcIndexedSessionRepository;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The session tables as Flyway makes them (V21) on H2 (SessionStoreOnPostgresTest: PostgreSQL), under
 * two nodes' session repositories, each with its own pool: a session one stores, the other finds by
 * id and by user name, and deleting it by user name on one (as OperatorAccounts does) ends it for both.
 */
class SessionStoreTest {

    HikariDataSource nodeA;
    HikariDataSource nodeB;

    @BeforeEach
    void migratedDatabase() {
        nodeA = new HikariDataSource();
        openDatabase(nodeA);
        Flyway.configure().dataSource(nodeA).load().migrate();
        nodeB = new HikariDataSource();
        nodeB.setJdbcUrl(nodeA.getJdbcUrl());
        nodeB.setUsername(nodeA.getUsername());
    }

    @AfterEach
    void closeDatabase() {
        nodeB.close();
        nodeA.close();
    }

    /** The hub's default database: H2. */
    void openDatabase(HikariDataSource db) {
        db.setJdbcUrl("jdbc:h2:mem:sessions-" + System.nanoTime() + ";DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1");
        db.setUsername("sa");
    }

    @Test
    void aSessionStoredByOneNodeIsFoundAndEndedByTheOther() {
        FindByIndexNameSessionRepository<? extends Session> a = sessions(nodeA);
        FindByIndexNameSessionRepository<? extends Session> b = sessions(nodeB);
        String id = store(a, "olga");
        Session onB = b.findById(id);
        assertThat(onB).isNotNull();
        assertThat(onB.<SecurityContextImpl>getAttribute(HttpSessionSecurityContextRepository.SPRING_SECURITY_CONTEXT_KEY)
                .getAuthentication().getName()).isEqualTo("olga");
        assertThat(b.findByPrincipalName("olga")).containsOnlyKeys(id);

        // as OperatorAccounts ends an account's sessions, on node b
        b.findByPrincipalName("olga").keySet().forEach(b::deleteById);
        assertThat(a.findById(id)).isNull();
        assertThat(a.findByPrincipalName("olga")).isEmpty();
    }

    private static FindByIndexNameSessionRepository<? extends Session> sessions(HikariDataSource db) {
        return new JdbcIndexedSessionRepository(new JdbcTemplate(db), new TransactionTemplate(new DataSourceTransactionManager(db)));
    }

    private static <S extends Session> String store(FindByIndexNameSessionRepository<S> sessions, String user) {
        var authorities = List.of(new SimpleGrantedAuthority("ROLE_" + Roles.OPERATOR));
        S session = sessions.createSession();
        session.setAttribute(HttpSessionSecurityContextRepository.SPRING_SECURITY_CONTEXT_KEY, new SecurityContextImpl(
                UsernamePasswordAuthenticationToken.authenticated(User.withUsername(user).password("-").authorities(authorities)
                        .build(), null, authorities)));
        sessions.save(session);
        return session.getId();
    }
}
