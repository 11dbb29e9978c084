package org.govhub.sandbox;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Creates and fills a simulated departmental table once; later starts find it and leave it alone. */
final class SandboxDatabases {

    private SandboxDatabases() {
    }

    /** @return true when the table was created and filled now */
    static boolean seed(String url, String user, String password, String table, List<String> ddl,
            List<Map<String, Object>> rows) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, user, password)) {
            if (tableExists(c, table)) {
                return false;
            }
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                for (String statement : ddl) {
                    s.execute(statement);
                }
            }
            if (!rows.isEmpty()) {
                List<String> columns = List.copyOf(rows.get(0).keySet());
                String sql = "INSERT INTO " + table + " (" + String.join(", ", columns) + ") VALUES ("
                        + columns.stream().map(col -> "?").collect(Collectors.joining(", ")) + ")";
                try (PreparedStatement insert = c.prepareStatement(sql)) {
                    for (Map<String, Object> row : rows) {
                        for (int i = 0; i < columns.size(); i++) {
                            insert.setObject(i + 1, row.get(columns.get(i)));
                        }
                        insert.addBatch();
                    }
                    insert.executeBatch();
                }
            }
            c.commit();
            return true;
        }
    }

    static boolean exists(String url, String user, String password, String table) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, user, password)) {
            return tableExists(c, table);
        }
    }

    private static boolean tableExists(Connection c, String table) throws SQLException {
        String schema = c.getSchema();
        String catalog = c.getCatalog();
        for (String name : new String[] {table.toUpperCase(), table.toLowerCase()}) {
            // MariaDB reports databases as catalogs, PostgreSQL and H2 as schemas
            try (ResultSet rs = c.getMetaData().getTables(schema == null ? catalog : null, schema, name, new String[] {"TABLE"})) {
                if (rs.next()) {
                    return true;
                }
            }
        }
        return false;
    }
}
