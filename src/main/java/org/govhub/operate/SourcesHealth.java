package org.govhub.operate;

import java.sql.Connection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.camel.CamelContext;
import org.apache.camel.ServiceStatus;
import org.apache.commons.net.ftp.FTPClient;
import org.apache.commons.net.ftp.FTPReply;
import org.govhub.cluster.Leadership;
import org.govhub.ingest.DropFolders;
import org.govhub.ingest.FtpConnection;
import org.govhub.ingest.SourceActivity;
import org.govhub.ingest.RestPages;
import org.govhub.ingest.SourceConnection;
import org.govhub.ingest.Sources;
import org.govhub.ingest.SourcePauses;
import org.springframework.boot.actuate.health.CompositeHealthContributor;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthContributor;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.Status;
import org.springframework.stereotype.Component;

/**
 * Health of every departmental source, one entry per source id under {@code sources}. A source is UP
 * only when it can be reached (a database answers a validity check, an FTP server accepts the
 * source's login, a REST source's pages do not fail), its route runs (one stopped in Hawtio takes
 * nothing), and its work goes on ({@link SourceActivity}: not failing, blocked or stuck); otherwise
 * DOWN with the reason. A source an operator paused is OUT_OF_SERVICE, state PAUSED, with who, when and why.
 * In a cluster, a node that stands by while another node polls the source is UP, state STANDBY ({@link Leadership}).
 */
@Component("sources")
public class SourcesHealth implements CompositeHealthContributor {

    private final Map<String, HealthContributor> contributors = new java.util.concurrent.ConcurrentSkipListMap<>();
    private final Sources sources;
    private final CamelContext camel;
    private final RestPages restPages;
    private final SourceActivity activity;
    private final DropFolders dropFolders;
    private final SourcePauses pauses;
    private final Leadership leadership;

    public SourcesHealth(Sources sources, CamelContext camel, RestPages restPages,
            SourceActivity activity, DropFolders dropFolders, SourcePauses pauses, Leadership leadership) {
        this.sources = sources;
        this.camel = camel;
        this.restPages = restPages;
        this.activity = activity;
        this.dropFolders = dropFolders;
        this.pauses = pauses;
        this.leadership = leadership;
        sources.ids().forEach(this::build);
        // a source deployed, changed or removed while the hub runs (SourceDeployments)
        sources.onChange(this::build);
    }

    private void build(String id) {
        SourceConnection connection = sources.get(id).map(Sources.Source::connection).orElse(null);
        if (connection == null) {
            contributors.remove(id);
            return;
        }
        List<String> routeIds = pauses.routes(id);
        HealthIndicator running = running(camel, routeIds);
        // in a cluster, a node that stands by for the source's leader does no work for it: its
        // work checks are the leader's; it is UP, state STANDBY, with the leader's node id
        HealthIndicator work = whereLeading(leadership, routeIds, () -> activity.health(id));
        // an operator's pause comes first: it is why the routes are stopped
        HealthIndicator paused = () -> pauses.pause(id).map(p -> Health.outOfService().withDetail("state", "PAUSED")
                .withDetail("reason", "paused by " + p.by() + " at " + p.at() + ": " + p.reason()).build())
                .orElseGet(() -> Health.up().build());
        if (connection.jdbc()) {
            // looked up when asked: a deployed source's pool is bound in Camel's registry, the route files' are Spring beans
            contributors.put(id, all(paused, indicator(() -> camel.getRegistry().lookupByNameAndType(id, DataSource.class)), running, work));
        } else if (connection.ftp() != null) {
            // an FTP drop: the login, the route, the work, and the files that wait in the folder (DropFolders)
            contributors.put(id, all(paused, indicator(connection.ftp()), running, work,
                    whereLeading(leadership, routeIds, () -> dropFolders.health(id))));
        } else {
            // a REST source switched off (enabled: false) is UNKNOWN before its stopped route is looked at
            contributors.put(id, all(() -> restPages.health(id), paused, running, work));
        }
    }

    /**
     * {@code check} where this node polls the source; where it stands by for another node, UP with
     * state STANDBY and the leader; DOWN while no node leads (then no node polls it).
     */
    private static HealthIndicator whereLeading(Leadership leadership, List<String> routeIds, HealthIndicator check) {
        return () -> leadership.standby(routeIds)
                .map(s -> s.leader().map(leader -> Health.up().withDetail("state", "STANDBY").withDetail("leader", leader)
                                .withDetail("reason", "another node polls this source (cluster namespace " + s.namespace() + ")").build())
                        .orElseGet(() -> Health.down().withDetail("state", "NO_LEADER")
                                .withDetail("reason", "no node leads cluster namespace " + s.namespace() + ": no node polls this source").build()))
                .orElseGet(check::health);
    }

    /** Whether the source's routes are started: a stopped one (an operator in Hawtio, a failed start) takes nothing. */
    private static HealthIndicator running(CamelContext camel, List<String> routeIds) {
        return () -> {
            for (String routeId : routeIds) {
                ServiceStatus status = camel.getRouteController().getRouteStatus(routeId);
                if (status != ServiceStatus.Started) {
                    return Health.down().withDetail("state", "STOPPED")
                            .withDetail("reason", "its route " + routeId + " is " + (status == null ? "not there" : status)).build();
                }
            }
            return Health.up().build();
        };
    }

    /**
     * Reachable and working, as one: the checks in order (the connection first, then the source's
     * recent work, ...), UP when all are, else the first that is not decides the status, the state
     * and the reason; the details of all. A check that is UNKNOWN (the source is switched off) is the answer.
     */
    private static HealthIndicator all(HealthIndicator... checks) {
        return () -> {
            Map<String, Object> details = new LinkedHashMap<>();
            Health first = null;
            for (HealthIndicator check : checks) {
                Health h = check.getHealth(true);
                if (Status.UNKNOWN.equals(h.getStatus())) {
                    return h; // switched off
                }
                details.putAll(h.getDetails());
                if (first == null && !Status.UP.equals(h.getStatus())) {
                    first = h;
                }
            }
            if (first == null) {
                return Health.up().withDetails(details).build();
            }
            details.put("state", first.getDetails().getOrDefault("state", "DOWN"));
            Object reason = first.getDetails().getOrDefault("reason", first.getDetails().get("error"));
            if (reason != null) {
                details.put("reason", reason);
            }
            return Health.status(first.getStatus()).withDetails(details).build();
        };
    }

    private static HealthIndicator indicator(FtpConnection ftp) {
        return () -> {
            FTPClient client = new FTPClient();
            client.setControlEncoding("UTF-8");
            client.setConnectTimeout(3000);
            client.setDefaultTimeout(3000);
            String server = ftp.host() + ":" + ftp.portOrDefault();
            try {
                client.connect(ftp.host(), ftp.portOrDefault());
                client.setSoTimeout(3000);
                if (!FTPReply.isPositiveCompletion(client.getReplyCode())) {
                    return Health.down().withDetail("ftp", server).withDetail("error", client.getReplyString().strip()).build();
                }
                if (!client.login(ftp.username(), ftp.password())) {
                    return Health.down().withDetail("ftp", server).withDetail("error", "login refused").build();
                }
                client.logout();
                return Health.up().withDetail("ftp", server).withDetail("directory", ftp.directory()).build();
            } catch (Exception e) {
                return Health.down().withDetail("ftp", server)
                        .withDetail("error", e.getClass().getSimpleName() + ": " + e.getMessage()).build();
            } finally {
                try {
                    if (client.isConnected()) {
                        client.disconnect();
                    }
                } catch (java.io.IOException ignored) {
                    // closing anyway
                }
            }
        };
    }

    private static HealthIndicator indicator(java.util.function.Supplier<DataSource> pool) {
        return () -> {
            DataSource dataSource = pool.get();
            if (dataSource == null) {
                return Health.down().withDetail("error", "no connection pool for this source").build();
            }
            try (Connection c = dataSource.getConnection()) {
                return c.isValid(3)
                        ? Health.up().withDetail("database", c.getMetaData().getDatabaseProductName()).build()
                        : Health.down().withDetail("error", "connection not valid").build();
            } catch (Exception e) {
                return Health.down().withDetail("error", e.getClass().getSimpleName() + ": " + e.getMessage()).build();
            }
        };
    }

    @Override
    public HealthContributor getContributor(String name) {
        return contributors.get(name);
    }

    @Override
    public java.util.Iterator<org.springframework.boot.actuate.health.NamedContributor<HealthContributor>> iterator() {
        return contributors.entrySet().stream()
                .map(e -> org.springframework.boot.actuate.health.NamedContributor.of(e.getKey(), e.getValue()))
                .iterator();
    }
}
