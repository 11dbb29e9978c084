package org.govhub.operate;

import java.sql.Connection;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.commons.net.ftp.FTPClient;
import org.apache.commons.net.ftp.FTPReply;
import org.govhub.ingest.FtpConnection;
import org.govhub.ingest.SourceActivity;
import org.govhub.ingest.RestPages;
import org.govhub.ingest.SourceDataSourceRegistrar;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.boot.actuate.health.CompositeHealthContributor;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthContributor;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.Status;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * Health of every departmental source, one entry per source id under {@code sources}. A source is UP
 * only when it can be reached (a database answers a validity check, an FTP server accepts the
 * source's login, a REST source's pages do not fail) and its work goes on ({@link SourceActivity}:
 * not failing, blocked or stuck); otherwise DOWN with the reason.
 */
@Component("sources")
public class SourcesHealth implements CompositeHealthContributor {

    private final Map<String, HealthContributor> contributors = new LinkedHashMap<>();

    public SourcesHealth(Environment environment, BeanFactory beans, RestPages restPages, SourceActivity activity) {
        SourceDataSourceRegistrar.jdbcSources(environment).keySet()
                .forEach(id -> contributors.put(id, both(indicator(beans.getBean(id, DataSource.class)), id, activity)));
        SourceDataSourceRegistrar.ftpSources(environment)
                .forEach((id, ftp) -> contributors.put(id, both(indicator(ftp), id, activity)));
        SourceDataSourceRegistrar.restSources(environment)
                .forEach(id -> contributors.put(id, both(() -> restPages.health(id), id, activity)));
    }

    /** Reachable and working: the connection's check, and the source's recent work (details of both). */
    private static HealthIndicator both(HealthIndicator reach, String sourceId, SourceActivity activity) {
        return () -> {
            Health connection = reach.getHealth(true);
            Health work = activity.health(sourceId);
            if (Status.UNKNOWN.equals(connection.getStatus())) {
                return connection; // switched off
            }
            Map<String, Object> details = new LinkedHashMap<>(connection.getDetails());
            details.putAll(work.getDetails());
            Status status = Status.UP.equals(connection.getStatus()) ? work.getStatus() : connection.getStatus();
            if (!Status.UP.equals(connection.getStatus()) && connection.getDetails().get("error") != null) {
                details.put("reason", connection.getDetails().get("error"));
            }
            return Health.status(status).withDetails(details).build();
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

    private static HealthIndicator indicator(DataSource dataSource) {
        return () -> {
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
