package org.govhub.ingest;

import com.zaxxer.hikari.HikariDataSource;
import javax.sql.DataSource;
import org.springframework.jdbc.datasource.DelegatingDataSource;

/**
 * The connection pool of one departmental database, under the source's id ({@code dataSource: "#<id>"}
 * in the templates). Its pool can be replaced while the hub runs: a deployed version with other
 * connection settings (operate/SourceDeployments) gets a new pool under the same name, and the old
 * one is closed once the source's routes no longer use it.
 */
public class SourcePool extends DelegatingDataSource implements AutoCloseable {

    public SourcePool(HikariDataSource pool) {
        super(pool);
    }

    /** Uses {@code pool} from now on; the one it used before is closed (its route is stopped by then). */
    public synchronized void replace(HikariDataSource pool) {
        DataSource old = getTargetDataSource();
        setTargetDataSource(pool);
        if (old instanceof HikariDataSource h) {
            h.close();
        }
    }

    @Override
    public synchronized void close() {
        if (getTargetDataSource() instanceof HikariDataSource h) {
            h.close();
        }
    }
}
