package org.govhub.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.SQLTimeoutException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPClient;
import org.apache.commons.net.ftp.FTPFile;
import org.apache.commons.net.ftp.FTPReply;
import org.govhub.normalise.CanonicalJson;
import org.govhub.normalise.IdentityNumbers;
import org.govhub.normalise.MappingDefinition;
import org.govhub.normalise.NormalisedRecord;
import org.govhub.normalise.RecordNormaliser;
import org.govhub.share.Catalog;
import org.govhub.share.GrantTerms;
import org.govhub.share.GrantedView;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;
import org.springframework.stereotype.Component;

/**
 * Tries out a source that does not run yet (a route file on one of the source templates, its mapping,
 * its connection) before an integration team deploys it: whether the hub reaches it with that
 * configuration, step by step, and what its first rows would become. It only reads: no row is taken,
 * no mark moves, nothing is published or quarantined, nothing is written to the hub's database or the
 * source's. Secrets (passwords, tokens, API keys) never appear in a report, an exception message or a log line.
 */
@Component
public class SourceTrial {

    /** A source that is not running yet: its templated route (RouteFileModel.Use, read from the uploaded route file), its mapping, its connection. */
    public record Candidate(String sourceId, RouteFileModel.Use route, MappingDefinition mapping, SourceConnection connection,
            org.springframework.core.env.PropertyResolver properties) {

        /** A candidate whose route placeholders and secrets the hub's own environment fills. */
        public Candidate(String sourceId, RouteFileModel.Use route, MappingDefinition mapping, SourceConnection connection) {
            this(sourceId, route, mapping, connection, null);
        }
    }

    public record Step(String name, boolean ok, String detail) {
    }

    public record ConnectionReport(boolean ok, List<Step> steps) {
    }

    /**
     * One row of a preview: its record key and outcome (VALID or QUARANTINED), the canonical record as
     * it would be shared (personal data masked as a grant without clear fields shows it; for a
     * quarantined row what its mapping made of it, masked alike), its priority class and the reasons.
     */
    public record PreviewRow(int row, String recordKey, String outcome, Integer priorityClass, Map<String, Object> record,
            List<String> reasons) {
    }

    /** @param from where the rows were read: {@code start}, {@code mark (<time>, <key>)}, {@code file <name>} or {@code first page} */
    public record Preview(String from, List<PreviewRow> rows, int valid, int quarantined) {
    }

    public static final String SQL = "sql-source";
    public static final String CDC = "cdc-source";
    public static final String FTP_SOURCE = "ftp-source";
    public static final String REST = "rest-source";
    public static final int MAX_PREVIEW_ROWS = 200;

    private static final Logger log = LoggerFactory.getLogger(SourceTrial.class);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);
    /** A table or column name as the templates put it into their SQL: letters, digits, _ and $, schema-qualified or quoted. */
    private static final Pattern IDENTIFIER = Pattern.compile("\"?[\\p{L}\\p{N}_$]+\"?(\\.\"?[\\p{L}\\p{N}_$]+\"?)*");
    /** Camel's property placeholder: {{key}}, {{key:default}}, {{?key}}. */
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{(\\??)([^{}:]+)(?::([^{}]*))?}}");
    /** The Simple expression a rest-source's authValue names its secret with: ${properties:key} or ${properties:key:default}. */
    private static final Pattern PROPERTY_EXPRESSION = Pattern.compile("\\$\\{properties:([^{}:]+)(?::([^{}]*))?}");
    /** A password in a JDBC url's options. */
    private static final Pattern URL_PASSWORD = Pattern.compile("(?i)(password|pwd)=[^&;]*");

    private final Environment environment;
    private final RecordNormaliser normaliser;
    private final Catalog catalog;
    private final ChangePolling changePolling;
    private final Map<String, RouteFileModel.Template> templates;
    /** Opens database connections, so that a server that never answers costs the caller CONNECT_TIMEOUT, not the driver's. */
    private final ExecutorService connecting = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "source-trial-connect");
        t.setDaemon(true);
        return t;
    });
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).build();

    public SourceTrial(Environment environment, RecordNormaliser normaliser, Catalog catalog, ChangePolling changePolling) {
        this.environment = environment;
        this.normaliser = normaliser;
        this.catalog = catalog;
        this.changePolling = changePolling;
        this.templates = RouteFileModel.read(RouteFileModel.files(environment)).templates();
    }

    // ------------------------------------------------------------------ testing the connection

    /** Reaches the source with the candidate's configuration; every step says what worked and what did not. */
    public ConnectionReport testConnection(Candidate candidate) {
        Trial trial = new Trial(candidate);
        List<Step> steps;
        try {
            steps = switch (trial.kind()) {
                case SQL, CDC -> databaseSteps(trial);
                case FTP_SOURCE -> ftpSteps(trial);
                default -> restSteps(trial);
            };
        } catch (IllegalArgumentException e) {
            steps = List.of(new Step("configuration", false, e.getMessage())); // nothing to reach the source with
        }
        steps = steps.stream().map(s -> new Step(s.name(), s.ok(), trial.redact(s.detail()))).toList();
        boolean ok = steps.stream().allMatch(Step::ok);
        log.info("source {} on trial ({}): connection {}: {}", candidate.sourceId(), trial.kind(), ok ? "works" : "fails",
                steps.stream().map(s -> s.name() + (s.ok() ? " ok" : " FAILED")).collect(Collectors.joining(", ")));
        return new ConnectionReport(ok, steps);
    }

    private List<Step> databaseSteps(Trial trial) {
        List<Step> steps = new ArrayList<>();
        SourceConnection c = trial.candidate().connection();
        try (Connection connection = open(c)) {
            DatabaseMetaData md = connection.getMetaData();
            steps.add(new Step("connect", true, md.getDatabaseProductName() + " " + md.getDatabaseProductVersion() + " at "
                    + shownUrl(c.url()) + " as " + c.username() + ", read-only"));
            List<String> columns;
            try {
                columns = columns(connection, trial.identifier("table"));
            } catch (SQLException | IllegalArgumentException e) {
                steps.add(new Step("table", false, (e instanceof SQLException ? trial.parameter("table") + " cannot be read: " : "")
                        + message(e)));
                steps.add(new Step("columns", false, "not checked: no table to read"));
                return steps;
            }
            steps.add(new Step("table", true, trial.parameter("table") + " can be read; its " + columns.size() + " columns: "
                    + String.join(", ", columns)));
            steps.add(columnsStep(trial, columns));
        } catch (SQLException e) {
            steps.add(new Step("connect", false, "cannot connect to " + shownUrl(c.url()) + " as " + c.username() + ": " + message(e)));
            steps.add(new Step("table", false, "not checked: no connection"));
            steps.add(new Step("columns", false, "not checked: no connection"));
        }
        return steps;
    }

    /** Every column the source reads, found in the table (names compared without case: PostgreSQL lower-cases, H2 upper-cases). */
    private Step columnsStep(Trial trial, List<String> tableColumns) {
        Map<String, String> needed = new LinkedHashMap<>(); // column → who reads it
        if (trial.kind().equals(SQL)) {
            try {
                needed.put(trial.identifier("keyColumn"), "keyColumn");
                needed.putIfAbsent(trial.identifier("changedColumn"), "changedColumn");
            } catch (IllegalArgumentException e) {
                return new Step("columns", false, e.getMessage());
            }
        }
        MappingDefinition mapping = trial.candidate().mapping();
        mapping.recordKey().forEach(k -> needed.putIfAbsent(k, "the mapping's recordKey"));
        mapping.fields().stream().filter(f -> f.source() != null)
                .forEach(f -> needed.putIfAbsent(f.source(), "the mapping's field " + f.target()));
        List<String> missing = needed.entrySet().stream()
                .filter(e -> tableColumns.stream().noneMatch(t -> unquoted(t).equalsIgnoreCase(unquoted(e.getKey()))))
                .map(e -> e.getKey() + " (read by " + e.getValue() + ")").toList();
        return missing.isEmpty()
                ? new Step("columns", true, "the table has every column the source reads: " + String.join(", ", needed.keySet()))
                : new Step("columns", false, "the table has no column " + String.join(", no column ", missing));
    }

    private List<Step> ftpSteps(Trial trial) {
        List<Step> steps = new ArrayList<>();
        FTPClient client = ftpSession(trial, steps);
        if (client == null) {
            return steps;
        }
        try {
            List<String> names = listing(client);
            Pattern fileNames = trial.fileNames();
            String pattern = fileNames == null ? " (no fileNames pattern: any name is taken)"
                    : ", " + names.stream().filter(n -> fileNames.matcher(n).matches()).count() + " of them match fileNames "
                            + fileNames.pattern();
            steps.add(new Step("list", true, names.size() + " file(s) in " + trial.ftp().directory() + pattern));
        } catch (IOException e) {
            steps.add(new Step("list", false, "the folder cannot be listed: " + message(e)));
        } finally {
            close(client);
        }
        return steps;
    }

    private List<Step> restSteps(Trial trial) {
        List<Step> steps = new ArrayList<>();
        String url = trial.pageUrl();
        String header = trial.required("authHeader");
        String credential;
        try {
            credential = trial.authValue();
        } catch (IllegalArgumentException e) {
            steps.add(new Step("authentication", false, e.getMessage()));
            return steps;
        }
        HttpResponse<byte[]> response;
        try {
            response = get(url, header, credential);
        } catch (IOException e) {
            steps.add(new Step("connect", false, "GET " + url + " failed: " + message(e)));
            return steps;
        }
        int status = response.statusCode();
        steps.add(new Step("connect", true, "GET " + url + " answered HTTP " + status));
        boolean refused = status == 401 || status == 403;
        steps.add(new Step("authentication", !refused, refused
                ? "the API refused the credential in header " + header + " (HTTP " + status + ")" + body(response)
                : status / 100 == 2 ? "the API accepted the credential in header " + header
                        : "the API did not refuse the credential in header " + header + " (its answer is HTTP " + status + ")"));
        if (status / 100 != 2) {
            steps.add(new Step("page", false, "no page: HTTP " + status + body(response)));
            return steps;
        }
        try {
            RestPages.FirstPage page = RestPages.firstPage(response.body(), trial.pageLayout(), Instant.now());
            long refusedItems = page.items().stream().filter(i -> !i.refusals().isEmpty()).count();
            steps.add(new Step("page", true, "the first page holds " + page.items().size() + " item(s)"
                    + (refusedItems == 0 ? "" : ", " + refusedItems + " without a place in the order (no id or no valid updatedAt)")
                    + (page.nextCursor() == null ? "; it is the last" : "; more pages follow")));
        } catch (RuntimeException e) {
            steps.add(new Step("page", false, "the answer is not a page: " + message(e)));
        }
        return steps;
    }

    // ------------------------------------------------------------------ preview

    /**
     * The candidate's mapping and validation on the first {@code n} rows of the live source: a
     * database's from the start of the table in the template's order, or (sql-source, {@code from=mark})
     * from the source's stored mark; an FTP file (by name, or the first the source could take); a
     * REST source's first page. Nothing is published, no mark moves, nothing is written.
     *
     * @param n    rows, 1 to {@value #MAX_PREVIEW_ROWS}
     * @param from {@code start} (or null) or {@code mark}, for databases
     * @param file an FTP file's name, or null for the first
     * @throws IllegalArgumentException for arguments that do not fit the candidate (no such file, a mark of an FTP source)
     * @throws IllegalStateException when the source cannot be read (the message says why, without secrets)
     */
    public Preview preview(Candidate candidate, int n, String from, String file) {
        if (n < 1 || n > MAX_PREVIEW_ROWS) {
            throw new IllegalArgumentException("a preview shows 1 to " + MAX_PREVIEW_ROWS + " rows, not " + n);
        }
        boolean fromMark = "mark".equals(from);
        if (from != null && !fromMark && !"start".equals(from)) {
            throw new IllegalArgumentException("from is 'start' or 'mark', not '" + from + "'");
        }
        Trial trial = new Trial(candidate);
        if (fromMark && !trial.kind().equals(SQL)) {
            throw new IllegalArgumentException("from=mark is for a polled database source (sql-source); a " + trial.kind()
                    + " preview starts at the start");
        }
        if (file != null && !trial.kind().equals(FTP_SOURCE)) {
            throw new IllegalArgumentException("a file is chosen only for an FTP source, not a " + trial.kind());
        }
        Instant now = Instant.now();
        List<PreviewRow> rows = new ArrayList<>();
        String read;
        try {
            read = switch (trial.kind()) {
                case SQL, CDC -> databaseRows(trial, n, fromMark, now, rows);
                case FTP_SOURCE -> fileRows(trial, n, file, now, rows);
                default -> pageRows(trial, n, now, rows);
            };
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(trial.redact(e.getMessage()));
        } catch (RuntimeException e) {
            throw new IllegalStateException(trial.redact("source " + candidate.sourceId() + " cannot be read: " + message(e)));
        }
        int valid = (int) rows.stream().filter(r -> r.outcome().equals("VALID")).count();
        log.info("source {} on trial ({}): preview of {} row(s) from {}: {} valid, {} quarantined; nothing published", candidate.sourceId(),
                trial.kind(), rows.size(), trial.redact(read), valid, rows.size() - valid);
        return new Preview(read, rows, valid, rows.size() - valid);
    }

    /** The template's head query from the start (or the stored mark): {@code ORDER BY changedColumn, keyColumn}. */
    private String databaseRows(Trial trial, int n, boolean fromMark, Instant now, List<PreviewRow> rows) {
        String table = trial.identifier("table");
        String sql;
        Object[] args;
        String read;
        if (trial.kind().equals(SQL)) {
            String key = trial.identifier("keyColumn");
            String changed = trial.identifier("changedColumn");
            Optional<ChangePolling.Position> mark = fromMark ? changePolling.head(trial.candidate().sourceId()) : Optional.empty();
            ChangePolling.Position at = mark.orElse(ChangePolling.Position.START);
            read = mark.map(m -> "mark " + m).orElse(fromMark ? "start (the source has no mark yet)" : "start");
            // the template's own query (routes/sql-source.kamelet.yaml), bound to the start or the mark
            sql = "SELECT * FROM " + table + " WHERE " + changed + " >= ? AND (" + changed + " > ? OR " + key + " > ?) ORDER BY "
                    + changed + ", " + key + " LIMIT " + n;
            args = new Object[] {at.at(), at.at(), at.key()};
        } else {
            // change capture's first start reads the table as it is; here in the order of the record key
            for (String k : trial.candidate().mapping().recordKey()) {
                requireIdentifier("the mapping's recordKey", k);
            }
            sql = "SELECT * FROM " + table + " ORDER BY " + String.join(", ", trial.candidate().mapping().recordKey()) + " LIMIT " + n;
            args = new Object[0];
            read = "start";
        }
        List<Map<String, Object>> found;
        try (Connection connection = open(trial.candidate().connection())) {
            JdbcTemplate jdbc = new JdbcTemplate(new SingleConnectionDataSource(connection, true));
            jdbc.setQueryTimeout((int) READ_TIMEOUT.toSeconds());
            found = jdbc.queryForList(sql, args);
        } catch (SQLException e) {
            throw new IllegalStateException(message(e), e);
        }
        for (Map<String, Object> row : found) {
            rows.add(previewRow(rows.size() + 1, normaliser.normalise(trial.candidate().sourceId(), trial.candidate().mapping(), row, now)));
        }
        return read;
    }

    /** A file parsed as the source parses it (its mapping's format), the first n rows. */
    private String fileRows(Trial trial, int n, String file, Instant now, List<PreviewRow> rows) {
        List<Step> steps = new ArrayList<>();
        FTPClient client = ftpSession(trial, steps);
        if (client == null) {
            throw new IllegalStateException(steps.get(steps.size() - 1).detail());
        }
        String name;
        byte[] bytes;
        try {
            List<String> names = listing(client);
            if (file != null && !names.contains(file)) {
                throw new IllegalArgumentException("there is no file " + file + " in " + trial.ftp().directory());
            }
            // the first the source could take by its names (done markers aside: a file waiting for one is shown too)
            Map<String, DropFolderRules.Verdict> verdicts = new DropFolderRules(null, x -> false, trial.fileNames()).judge(names);
            name = file != null ? file : names.stream().filter(x -> verdicts.get(x).take()).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no file in " + trial.ftp().directory() + " that the source would take ("
                            + names.size() + " file(s) there)"));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            if (!client.retrieveFile(name, out)) {
                throw new IllegalStateException("the server did not send " + name + ": " + client.getReplyString().strip());
            }
            bytes = out.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException(message(e), e);
        } finally {
            close(client);
        }
        FileRows.Parsed parsed = SourceFiles.read(bytes, trial.candidate().mapping());
        for (FileRows.Row row : parsed.rows().subList(0, Math.min(n, parsed.rows().size()))) {
            rows.add(previewRow(rows.size() + 1, normaliser.normalise(trial.candidate().sourceId(), trial.candidate().mapping(),
                    SourceFiles.columns(row, name), now)));
        }
        return "file " + name;
    }

    /** The first page, each item as record-publishing gets it (one without a place in the order is set aside for that). */
    private String pageRows(Trial trial, int n, Instant now, List<PreviewRow> rows) {
        String url = trial.pageUrl();
        HttpResponse<byte[]> response;
        try {
            response = get(url, trial.required("authHeader"), trial.authValue());
        } catch (IOException e) {
            throw new IllegalStateException("GET " + url + " failed: " + message(e), e);
        }
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException("GET " + url + " answered HTTP " + response.statusCode() + body(response));
        }
        RestPages.FirstPage page = RestPages.firstPage(response.body(), trial.pageLayout(), now);
        for (RestPages.Item item : page.items().subList(0, Math.min(n, page.items().size()))) {
            NormalisedRecord r = normaliser.normalise(trial.candidate().sourceId(), trial.candidate().mapping(), item.row(), now);
            rows.add(previewRow(rows.size() + 1, RestPages.record(item, r, item.refusals())));
        }
        return "first page";
    }

    private PreviewRow previewRow(int number, NormalisedRecord r) {
        return new PreviewRow(number, IdentityNumbers.maskAll(r.recordKey()), r.valid() ? "VALID" : "QUARANTINED",
                r.priority() == null ? null : r.priority().priorityClass(), r.canonicalJson() == null ? null : masked(r), r.reasons());
    }

    /**
     * The record as a department with a grant of every field sees it, personal data masked (the
     * catalog's personal fields, {@link GrantedView}), and anything else that looks like an identity
     * number masked as the quarantine's view masks it.
     */
    @SuppressWarnings("unchecked")
    private Map<String, Object> masked(NormalisedRecord r) {
        JsonNode record = CanonicalJson.read(r.canonicalJson());
        Optional<Catalog.DataResource> resource = catalog.resources().stream()
                .filter(d -> d.schema().equals(r.schema()) && d.version().equals(r.schemaVersion())).findFirst();
        JsonNode shown = resource.<JsonNode>map(d -> new GrantedView(d, GrantTerms.all())
                .apply(record, r.priority() == null ? 0 : r.priority().priorityClass())).orElse(record);
        return CanonicalJson.MAPPER.convertValue(CanonicalJson.read(IdentityNumbers.maskAll(CanonicalJson.write(shown))), Map.class);
    }

    // ------------------------------------------------------------------ reaching the source

    /** One connection, not a pool: at most CONNECT_TIMEOUT to open, read-only, in a transaction that is never committed. */
    private Connection open(SourceConnection c) throws SQLException {
        if (!c.jdbc()) {
            throw new SQLException("the connection has no JDBC url");
        }
        if (c.driverClassName() != null && !c.driverClassName().isBlank()) {
            try {
                Class.forName(c.driverClassName().strip());
            } catch (ClassNotFoundException e) {
                throw new SQLException("the driver " + c.driverClassName() + " is not on the hub's class path");
            }
        }
        Driver driver = DriverManager.getDriver(c.url().strip());
        Properties properties = new Properties();
        if (c.username() != null) {
            properties.setProperty("user", c.username());
        }
        if (c.password() != null) {
            properties.setProperty("password", c.password());
        }
        CompletableFuture<Connection> opening = CompletableFuture.supplyAsync(() -> {
            try {
                return driver.connect(c.url().strip(), properties);
            } catch (SQLException e) {
                throw new CompletionException(e);
            }
        }, connecting);
        Connection connection;
        try {
            connection = opening.get(CONNECT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            opening.thenAccept(SourceTrial::closeQuietly); // one that opens after all is closed at once
            throw new SQLTimeoutException("no answer within " + CONNECT_TIMEOUT.toSeconds() + " s");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof SQLException s ? s : new SQLException(message(e.getCause()), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while connecting");
        }
        try {
            // PostgreSQL's driver makes a connection read-only only inside a transaction (never committed: closing ends it)
            connection.setAutoCommit(false);
            connection.setReadOnly(true);
            return connection;
        } catch (SQLException e) {
            closeQuietly(connection);
            throw e;
        }
    }

    /** The names of a table's columns, from a query that reads no row. */
    private static List<String> columns(Connection connection, String table) throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.setQueryTimeout((int) READ_TIMEOUT.toSeconds());
            try (ResultSet rs = s.executeQuery("SELECT * FROM " + table + " WHERE 1=0")) {
                ResultSetMetaData md = rs.getMetaData();
                List<String> columns = new ArrayList<>();
                for (int i = 1; i <= md.getColumnCount(); i++) {
                    columns.add(md.getColumnLabel(i));
                }
                return columns;
            }
        }
    }

    /** Connected, logged in and in the drop folder, each a step; null (the failed step last) when one fails. */
    private static FTPClient ftpSession(Trial trial, List<Step> steps) {
        FtpConnection ftp = trial.ftp();
        String server = ftp.host() + ":" + ftp.portOrDefault();
        FTPClient client = new FTPClient();
        client.setControlEncoding("UTF-8"); // as the route: Chinese file names
        client.setConnectTimeout((int) CONNECT_TIMEOUT.toMillis());
        client.setDefaultTimeout((int) READ_TIMEOUT.toMillis());
        client.setDataTimeout(READ_TIMEOUT);
        client.setListHiddenFiles(!"false".equalsIgnoreCase(trial.parameter("listHiddenFiles")));
        String stage = "connect";
        try {
            client.connect(ftp.host(), ftp.portOrDefault());
            if (!FTPReply.isPositiveCompletion(client.getReplyCode())) {
                steps.add(new Step("connect", false, server + " refused the connection: " + client.getReplyString().strip()));
                close(client);
                return null;
            }
            steps.add(new Step("connect", true, "the FTP server " + server + " answers: " + firstLine(client.getReplyString())));
            stage = "login";
            if (!client.login(ftp.username(), ftp.password())) {
                steps.add(new Step("login", false, "login refused for " + ftp.username() + ": " + client.getReplyString().strip()));
                close(client);
                return null;
            }
            steps.add(new Step("login", true, "logged in as " + ftp.username()));
            client.enterLocalPassiveMode();
            client.setFileType(FTP.BINARY_FILE_TYPE);
            stage = "directory";
            if (!client.changeWorkingDirectory(ftp.directory())) {
                steps.add(new Step("directory", false, "no folder " + ftp.directory() + ": " + client.getReplyString().strip()));
                close(client);
                return null;
            }
            steps.add(new Step("directory", true, "the drop folder " + ftp.directory() + " is there"));
            return client;
        } catch (IOException e) {
            steps.add(new Step(stage, false, server + ": " + message(e)));
            close(client);
            return null;
        }
    }

    /** The names of the files in the working directory (not folders), by name, as the route sorts them. */
    private static List<String> listing(FTPClient client) throws IOException {
        FTPFile[] files = client.listFiles();
        if (files == null || !FTPReply.isPositiveCompletion(client.getReplyCode())) {
            throw new IOException("the server refused the listing: " + client.getReplyString().strip());
        }
        return Arrays.stream(files).filter(f -> f != null && f.isFile()).map(FTPFile::getName)
                .sorted(Comparator.naturalOrder()).toList();
    }

    /** The GET of a first page, as the route sends it: the query of a source without a mark, the credential header, JSON asked for. */
    private HttpResponse<byte[]> get(String url, String authHeader, String credential) throws IOException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(READ_TIMEOUT).GET()
                .header("Accept", "application/json").header(authHeader, credential).build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    // ------------------------------------------------------------------ the candidate's settings

    /** A candidate with its route's parameters read as the running route would get them, and its secrets known for redaction. */
    private final class Trial {
        private final Candidate candidate;
        private final List<String> secrets = new ArrayList<>();

        Trial(Candidate candidate) {
            this.candidate = Objects.requireNonNull(candidate, "candidate");
            String kind = kind();
            if (!List.of(SQL, CDC, FTP_SOURCE, REST).contains(kind)) {
                throw new IllegalArgumentException("route " + candidate.route().routeId() + " is on template " + kind
                        + "; a source on trial is on sql-source, cdc-source, ftp-source or rest-source");
            }
            SourceConnection c = candidate.connection();
            if (c != null) {
                secrets.add(c.password());
                secrets.add(c.ftp() == null ? null : c.ftp().password());
            }
            secrets.removeIf(s -> s == null || s.isBlank());
        }

        Candidate candidate() {
            return candidate;
        }

        /** Where placeholders and secrets are read: a candidate version's own settings where it brings them, else the hub's. */
        org.springframework.core.env.PropertyResolver properties() {
            return candidate.properties() != null ? candidate.properties() : environment;
        }

        String kind() {
            return candidate.route().template();
        }

        /**
         * A parameter as the running route gets it: placeholders filled from the environment (or
         * their own default); a parameter the route does not set, or cannot fill, has the template's default.
         */
        String parameter(String name) {
            String value = candidate.route().parameter(name);
            if (value != null) {
                value = placeholders(value);
            }
            if (value == null) {
                RouteFileModel.Template template = templates.get(kind());
                JsonNode d = template == null || template.definition() == null ? null
                        : template.definition().path("properties").path(name).get("default");
                value = d == null || d.isNull() ? null : d.asText();
            }
            return value;
        }

        String required(String name) {
            String value = parameter(name);
            if (value == null || value.isBlank()) {
                throw new IllegalArgumentException("the route sets no " + name + " (or its placeholder has no value here)");
            }
            return value.strip();
        }

        /** A table or column name from the route, checked before it goes into SQL. */
        String identifier(String name) {
            return requireIdentifier(name, required(name));
        }

        FtpConnection ftp() {
            FtpConnection ftp = candidate.connection() == null ? null : candidate.connection().ftp();
            if (ftp == null || ftp.host() == null || ftp.host().isBlank()) {
                throw new IllegalArgumentException("the connection has no ftp block with a host");
            }
            return ftp;
        }

        /** The route's fileNames, as Camel's include option reads it (ignoring case), or null for any name. */
        Pattern fileNames() {
            String names = parameter("fileNames");
            return names == null || names.isBlank() ? null : Pattern.compile(names, Pattern.CASE_INSENSITIVE);
        }

        String pageUrl() {
            SourceConnection c = candidate.connection();
            String base = c != null && c.rest() ? c.baseUrl().strip() : required("baseUrl");
            var api = new RestCursor.Api(required("sinceParam"), required("cursorParam"), required("limitParam"));
            return base + required("path") + "?" + RestCursor.START.queryString(api, Integer.parseInt(required("pageSize")));
        }

        RestPages.PageLayout pageLayout() {
            String skew = required("maxFutureSkew");
            return new RestPages.PageLayout(required("itemsField"), required("nextCursorField"), required("idField"),
                    required("updatedAtField"), new UpdatedAtRule(required("updatedAtFormat"),
                            skew.chars().allMatch(Character::isDigit) ? Duration.ofMillis(Long.parseLong(skew)) : Duration.parse(skew)));
        }

        /** The credential as the route sends it: authValue with its ${properties:...} secret read from the environment. */
        String authValue() {
            String value = required("authValue");
            Matcher m = PROPERTY_EXPRESSION.matcher(value);
            StringBuilder resolved = new StringBuilder();
            while (m.find()) {
                String secret = properties().getProperty(m.group(1), m.group(2) == null ? "" : m.group(2));
                if (secret.isEmpty()) {
                    throw new IllegalArgumentException("the credential's property " + m.group(1) + " is not set");
                }
                secrets.add(secret);
                m.appendReplacement(resolved, Matcher.quoteReplacement(secret));
            }
            m.appendTail(resolved);
            secrets.add(resolved.toString());
            if (resolved.indexOf("${") >= 0) {
                throw new IllegalArgumentException("authValue holds an expression other than ${properties:...}, which a trial cannot read");
            }
            return resolved.toString();
        }

        /** {{key}}, {{key:default}} and {{?key}} filled from the environment; null when one has neither a value nor a default. */
        private String placeholders(String value) {
            Matcher m = PLACEHOLDER.matcher(value);
            StringBuilder filled = new StringBuilder();
            while (m.find()) {
                String v = properties().getProperty(m.group(2).strip(), m.group(3) != null ? m.group(3) : m.group(1).isEmpty() ? null : "");
                if (v == null) {
                    return null;
                }
                m.appendReplacement(filled, Matcher.quoteReplacement(v));
            }
            m.appendTail(filled);
            return filled.toString();
        }

        /** The text without any of the candidate's secrets, however an error message came to quote them. */
        String redact(String text) {
            if (text == null) {
                return null;
            }
            String redacted = text;
            for (String secret : secrets.stream().sorted(Comparator.comparingInt(String::length).reversed()).toList()) {
                redacted = redacted.replace(secret, "****");
            }
            return redacted;
        }
    }

    // ------------------------------------------------------------------ small things

    private static String requireIdentifier(String what, String name) {
        if (!IDENTIFIER.matcher(name).matches()) {
            throw new IllegalArgumentException(what + " '" + name + "' is not a table or column name");
        }
        return name;
    }

    private static String unquoted(String name) {
        return name.replace("\"", "");
    }

    /** A JDBC url as shown in a report: a password among its options starred. */
    private static String shownUrl(String url) {
        return url == null ? null : URL_PASSWORD.matcher(url.strip()).replaceAll("$1=****");
    }

    private static String message(Throwable e) {
        String m = e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName() : firstLine(e.getMessage());
        return IdentityNumbers.maskAll(m);
    }

    private static String body(HttpResponse<byte[]> response) {
        String text = new String(response.body(), StandardCharsets.UTF_8).replaceAll("\\s+", " ").strip();
        // what the source said, shortened and masked as RestPages reports a failed page
        text = IdentityNumbers.maskAll(text.length() > 200 ? text.substring(0, 200) + "…" : text);
        return text.isEmpty() ? "" : ": " + text;
    }

    private static String firstLine(String text) {
        String t = text.strip();
        int nl = t.indexOf('\n');
        return nl < 0 ? t : t.substring(0, nl).strip();
    }

    private static void close(FTPClient client) {
        try {
            if (client.isConnected()) {
                client.logout();
                client.disconnect();
            }
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    private static void closeQuietly(Connection connection) {
        try {
            connection.close();
        } catch (SQLException ignored) {
            // closing anyway
        }
    }
}
