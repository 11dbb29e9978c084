package org.govhub.share;

import java.util.Set;
import java.util.function.Supplier;
import javax.security.auth.Subject;
import org.apache.activemq.artemis.core.remoting.impl.invm.InVMConnection;
import org.apache.activemq.artemis.core.security.CheckType;
import org.apache.activemq.artemis.core.security.Role;
import org.apache.activemq.artemis.spi.core.protocol.RemotingConnection;
import org.apache.activemq.artemis.spi.core.security.ActiveMQSecurityManager5;
import org.apache.activemq.artemis.spi.core.security.jaas.RolePrincipal;
import org.apache.activemq.artemis.spi.core.security.jaas.UserPrincipal;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Who may do what on the embedded broker once departments connect to it. The hub's own in-VM
 * connections may do everything. Over the network a department logs in with its department id as
 * user and one of its API keys as password (the same credential as for the sharing API, rotated and
 * revoked with it), and may only consume or browse the queues of its own AMQP subscriptions whose
 * grant is active: never send, create, delete or manage anything, never another department's queue.
 * Hand-written because Artemis's JAAS modules read users from files, and these users live in the hub
 * database.
 */
final class BrokerAccess implements ActiveMQSecurityManager5 {

    static final String HUB = "govhub-hub";
    private static final String HUB_ROLE = "hub";
    private static final String DEPARTMENT_ROLE = "department";

    private final Supplier<DepartmentAccounts> accounts;
    private final Supplier<JdbcTemplate> jdbc;

    BrokerAccess(Supplier<DepartmentAccounts> accounts, Supplier<JdbcTemplate> jdbc) {
        this.accounts = accounts;
        this.jdbc = jdbc;
    }

    @Override
    public Subject authenticate(String user, String password, RemotingConnection connection, String securityDomain) {
        if (connection != null && connection.getTransportConnection() instanceof InVMConnection) {
            return subject(HUB, HUB_ROLE);
        }
        if (user == null || password == null || !DepartmentAccounts.ID.matcher(user).matches()) {
            return null;
        }
        return accounts.get().authenticate(password).filter(caller -> caller.departmentId().equals(user))
                .map(caller -> subject(user, DEPARTMENT_ROLE)).orElse(null);
    }

    @Override
    public boolean authorize(Subject subject, Set<Role> roles, CheckType checkType, String address) {
        if (subject == null) {
            return false;
        }
        if (!subject.getPrincipals(RolePrincipal.class).stream().filter(r -> r.getName().equals(HUB_ROLE)).toList().isEmpty()) {
            return true;
        }
        if (checkType != CheckType.CONSUME && checkType != CheckType.BROWSE) {
            return false;
        }
        String department = getUserFromSubject(subject);
        String queue = address.contains("::") ? address.substring(address.indexOf("::") + 2) : address;
        String prefix = AmqpChannel.queuePrefix(department);
        if (department == null || !queue.startsWith(prefix)) {
            return false;
        }
        return jdbc.get().queryForObject("SELECT COUNT(*) FROM subscription s JOIN share_grant g ON g.grant_id = s.grant_id"
                + " WHERE s.subscription_id = ? AND s.department_id = ? AND s.channel = 'AMQP' AND g.status = 'ACTIVE'",
                Integer.class, queue.substring(prefix.length()), department) == 1;
    }

    @Override
    public String getUserFromSubject(Subject subject) {
        return subject.getPrincipals(UserPrincipal.class).stream().map(UserPrincipal::getName).findFirst().orElse(null);
    }

    @Override
    public boolean validateUser(String user, String password) {
        return false; // the broker asks authenticate(), never this older form, once it has a security manager 5
    }

    @Override
    public boolean validateUserAndRole(String user, String password, Set<Role> roles, CheckType checkType) {
        return false;
    }

    private static Subject subject(String user, String role) {
        return new Subject(true, Set.of(new UserPrincipal(user), new RolePrincipal(role)), Set.of(), Set.of());
    }
}
