package org.govhub.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.govhub.RealDatabases;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every query of the SQL source template (routes/sql-source.kamelet.yaml) starts at the source's mark: a
 * database reads about one page of rows per poll, however many rows lie before the mark. A query the
 * database can only answer by scanning from the first row makes each poll cost more than the last
 * (a million-row backlog read 2,000 times over), while health says UP and rows still flow.
 *
 * <p>Checked on the databases departments run: H2 (the sandbox), and the machine's PostgreSQL and
 * MariaDB (skipped without them, failing with CI=true), each with the index the template asks for.
 */
class SqlSourceQueryPlanTest {

    private static final int ROWS = 20_000;
    private static final int PAGE = 500;
    /** The mark: the middle of the table. Ten rows share each change time, so the key decides within one. */
    private static final int MARK = ROWS / 2 + 4;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"H2", "PostgreSQL", "MariaDB"})
    void everyQueryReadsFromTheMarkNotFromTheFirstRow(String database) throws Exception {
        List<String> queries = templateQueries();
        assertThat(queries).as("the head, the urgent lane and the late-commit check").hasSize(3);
        try (Connection c = connect(database)) {
            fill(c);
            for (String query : queries) {
                Statement sql = bind(query);
                long examined = rowsExamined(c, database, sql);
                assertThat(examined).as("rows %s examined for one page of %s rows from the middle of %s:%n%s", database, PAGE,
                        ROWS, sql.text).isLessThanOrEqualTo(3L * PAGE);
                assertThat(pageAt(c, sql)).as("the first row after the mark").isEqualTo(query.contains("DESC") ? ROWS - 1 : MARK + 1);
            }
        }
    }

    /** The template's SQL, in the order of the file, as camel-sql gets it: placeholders filled in. */
    static List<String> templateQueries() throws Exception {
        JsonNode file = new YAMLMapper().readTree(Path.of("routes/sql-source.kamelet.yaml").toFile());
        List<String> found = new ArrayList<>();
        collect(file, found);
        Map<String, String> parameters = Map.of("table", "polled", "changedColumn", "updated_at", "keyColumn", "row_id",
                "maxRows", String.valueOf(PAGE), "urgentLookAhead", String.valueOf(PAGE));
        List<String> queries = new ArrayList<>();
        for (String uri : found) {
            String query = uri.substring("sql:".length());
            for (Map.Entry<String, String> p : parameters.entrySet()) {
                query = query.replace("{{" + p.getKey() + "}}", p.getValue());
            }
            assertThat(query).as("every template placeholder filled").doesNotContain("{{");
            queries.add(query);
        }
        return queries;
    }

    private static void collect(JsonNode node, List<String> found) {
        if (node.isTextual() && node.asText().startsWith("sql:")) {
            found.add(node.asText());
        }
        node.forEach(child -> collect(child, found));
    }

    private record Statement(String text, List<Object> values) {
    }

    /** camel-sql's named parameters (:#name) as JDBC ones, bound to the mark (and the late-commit bound after it). */
    private static Statement bind(String query) {
        Map<String, Object> values = Map.of(ChangePolling.AT, changedAt(MARK), ChangePolling.KEY, (long) MARK,
                ChangePolling.UNTIL, changedAt(ROWS));
        Matcher m = Pattern.compile(":#(\\w+)").matcher(query);
        List<Object> bound = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        while (m.find()) {
            assertThat(values).as("a value for :#%s", m.group(1)).containsKey(m.group(1));
            bound.add(values.get(m.group(1)));
            m.appendReplacement(text, "?");
        }
        m.appendTail(text);
        return new Statement(text.toString(), bound);
    }

    private static Timestamp changedAt(int row) {
        return Timestamp.valueOf(java.time.LocalDateTime.of(2020, 3, 1, 0, 0).plusSeconds(row / 10));
    }

    private static Connection connect(String database) throws Exception {
        return switch (database) {
            case "H2" -> DriverManager.getConnection("jdbc:h2:mem:plan;DB_CLOSE_DELAY=0", "sa", "");
            case "PostgreSQL" -> {
                RealDatabases.require(database, RealDatabases.POSTGRES_URL, RealDatabases.POSTGRES_USER,
                        "CREATE SCHEMA IF NOT EXISTS plan_check");
                yield DriverManager.getConnection(RealDatabases.POSTGRES_URL + "?currentSchema=plan_check", RealDatabases.POSTGRES_USER, "");
            }
            case "MariaDB" -> {
                RealDatabases.require(database, RealDatabases.MARIADB_URL, RealDatabases.MARIADB_USER, "SELECT 1");
                yield DriverManager.getConnection(RealDatabases.MARIADB_URL, RealDatabases.MARIADB_USER, "");
            }
            default -> throw new IllegalArgumentException(database);
        };
    }

    /** A polled table of ROWS rows with the (change time, key) index, ten rows to a change time. */
    private static void fill(Connection c) throws Exception {
        try (java.sql.Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS polled");
            s.execute("CREATE TABLE polled (row_id BIGINT NOT NULL PRIMARY KEY, payload VARCHAR(200), updated_at TIMESTAMP(6) NOT NULL)");
            s.execute("CREATE INDEX ix_polled_changed ON polled (updated_at, row_id)");
        }
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO polled VALUES (?, ?, ?)")) {
            for (int row = 0; row < ROWS; row++) {
                insert.setLong(1, row);
                insert.setString(2, "declaration " + row);
                insert.setTimestamp(3, changedAt(row));
                insert.addBatch();
                if (row % 1000 == 999) {
                    insert.executeBatch();
                }
            }
            insert.executeBatch();
        }
        c.commit();
        c.setAutoCommit(autoCommit);
        try (java.sql.Statement s = c.createStatement()) {
            // planners choose by statistics, as a department's database would have them
            s.execute(c.getMetaData().getDatabaseProductName().equals("MariaDB") ? "ANALYZE TABLE polled" : "ANALYZE");
        }
    }

    /** The rows the database looked at to answer the query, by its own count. */
    private static long rowsExamined(Connection c, String database, Statement sql) throws Exception {
        return switch (database) {
            case "H2" -> {
                String plan = single(c, "EXPLAIN ANALYZE " + sql.text, sql.values);
                Matcher m = Pattern.compile("scanCount: (\\d+)").matcher(plan);
                assertThat(m.find()).as("H2's plan counts its scan:%n%s", plan).isTrue();
                yield Long.parseLong(m.group(1));
            }
            case "PostgreSQL" -> {
                // rows each plan node produced, plus those its filters dropped
                String plan = single(c, "EXPLAIN (ANALYZE, FORMAT JSON) " + sql.text, sql.values);
                long examined = 0;
                for (String field : List.of("Actual Rows", "Rows Removed by Filter")) {
                    Matcher m = Pattern.compile("\"" + field + "\": (\\d+)").matcher(plan);
                    while (m.find()) {
                        examined += Long.parseLong(m.group(1));
                    }
                }
                yield examined;
            }
            case "MariaDB" -> {
                try (java.sql.Statement s = c.createStatement()) {
                    s.execute("FLUSH STATUS");
                }
                pageAt(c, sql);
                long examined = 0;
                try (java.sql.Statement s = c.createStatement();
                        ResultSet rs = s.executeQuery("SHOW SESSION STATUS LIKE 'Handler_read%'")) {
                    while (rs.next()) {
                        examined += rs.getLong(2);
                    }
                }
                yield examined;
            }
            default -> throw new IllegalArgumentException(database);
        };
    }

    private static String single(Connection c, String text, List<Object> values) throws Exception {
        try (PreparedStatement ps = c.prepareStatement(text)) {
            for (int i = 0; i < values.size(); i++) {
                ps.setObject(i + 1, values.get(i));
            }
            StringBuilder out = new StringBuilder();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.append(rs.getString(1)).append('\n');
                }
            }
            return out.toString();
        }
    }

    /** The key of the first row the query returns. */
    private static long pageAt(Connection c, Statement sql) throws Exception {
        try (PreparedStatement ps = c.prepareStatement(sql.text)) {
            for (int i = 0; i < sql.values.size(); i++) {
                ps.setObject(i + 1, sql.values.get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
                long first = -1;
                int rows = 0;
                while (rs.next()) {
                    if (rows++ == 0) {
                        first = rs.getLong("row_id");
                    }
                }
                assertThat(rows).as("a full page").isEqualTo(PAGE);
                return first;
            }
        }
    }
}
