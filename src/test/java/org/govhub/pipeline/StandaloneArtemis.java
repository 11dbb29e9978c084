package org.govhub.pipeline;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.apache.activemq.artemis.core.config.Configuration;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.security.Role;
import org.apache.activemq.artemis.core.server.JournalType;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.activemq.artemis.spi.core.security.ActiveMQBasicSecurityManager;

/**
 * An Artemis broker outside the hub's JVM, as production has one: a persistent journal under a
 * folder (so it can be stopped and started again on it) and one acceptor for every protocol.
 */
final class StandaloneArtemis {

    private StandaloneArtemis() {
    }

    /** Security off: any client may do anything. */
    static EmbeddedActiveMQ open(Path dir, int port) throws Exception {
        EmbeddedActiveMQ broker = new EmbeddedActiveMQ().setConfiguration(configuration(dir, port).setSecurityEnabled(false));
        broker.start();
        return broker;
    }

    /** Security on, with the broker's own user store; {@code user} (role {@code role}) may do everything, as the image's admin. */
    static EmbeddedActiveMQ secured(Path dir, int port, String user, String password, String role) throws Exception {
        Configuration config = configuration(dir, port).setSecurityEnabled(true);
        config.putSecurityRoles("#", Set.of(new Role(role, true, true, true, true, true, true, true, true, true, true, true, true)));
        EmbeddedActiveMQ broker = new EmbeddedActiveMQ().setConfiguration(config);
        broker.setSecurityManager(new ActiveMQBasicSecurityManager().init(Map.of(
                ActiveMQBasicSecurityManager.BOOTSTRAP_USER, user,
                ActiveMQBasicSecurityManager.BOOTSTRAP_PASSWORD, password,
                ActiveMQBasicSecurityManager.BOOTSTRAP_ROLE, role)));
        broker.start();
        return broker;
    }

    private static Configuration configuration(Path dir, int port) throws Exception {
        Configuration config = new ConfigurationImpl()
                .setName("external-artemis")
                .setPersistenceEnabled(true)
                .setJMXManagementEnabled(false)
                .setJournalType(JournalType.NIO)
                .setJournalDirectory(dir.resolve("journal").toString())
                .setBindingsDirectory(dir.resolve("bindings").toString())
                .setLargeMessagesDirectory(dir.resolve("large-messages").toString())
                .setPagingDirectory(dir.resolve("paging").toString());
        config.addAcceptorConfiguration("all-protocols", "tcp://127.0.0.1:" + port);
        return config;
    }
}
