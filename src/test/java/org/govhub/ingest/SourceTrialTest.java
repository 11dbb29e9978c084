package org.govhub.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.flywaydb.core.Flyway;
import org.govhub.EmbeddedFtpServer;
import org.govhub.RealDatabases;
import org.govhub.normalise.MappingDefinition;
import org.govhub.normalise.MappingLoader;
import org.govhub.normalise.MappingRegistry;
import org.govhub.normalise.RecordNormaliser;
import org.govhub.normalise.RecordValidator;
import org.govhub.normalise.RegionCodes;
import org.govhub.normalise.SchemaRegistry;
import org.govhub.sandbox.FilingGenerator;
import org.govhub.sandbox.SandboxFeed;
import org.govhub.sandbox.SocialInsuranceGenerator;
import org.govhub.share.Catalog;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.io.ClassPathResource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * A candidate source tried out against real servers (the machine's PostgreSQL and MariaDB, an FTP
 * server and an HTTP API in the test): what its connection test reports, what its preview shows,
 * and that it takes nothing: the hub's quarantine, batches and marks are as they were.
 */
class SourceTrialTest {

    /** The departmental table of this run, in PostgreSQL's database test; dropped at the end. */
    private static final String TABLE = "trial_credit_" + UUID.randomUUID().toString().substring(0, 8);
    private static final String SOURCE = "trial-credit";
    private static boolean tableCreated;

    private static final SchemaRegistry SCHEMAS = new SchemaRegistry();
    private static final RecordNormaliser NORMALISER = new RecordNormaliser(new MappingRegistry(SCHEMAS, Path.of("mappings")), SCHEMAS,
            new RecordValidator(new RegionCodes(), (standard, code) -> false),
            new org.govhub.prioritise.PriorityRules(new ClassPathResource("rules/priority-classes.yaml")),
            new org.govhub.enrich.PolicyEnricher(org.govhub.enrich.PolicyRules.standard()));
    private static final Catalog CATALOG = new Catalog(new ClassPathResource(Catalog.DEFAULT_FILE), SCHEMAS);
    /** The hub's own database, as the hub migrates it. */
    private static final JdbcTemplate HUB = hub();

    @TempDir
    Path dir;

    // ------------------------------------------------------------------ database

    @Test
    void aGoodConfigurationPassesEveryStep() throws Exception {
        SourceTrial.ConnectionReport report = trial(Map.of()).testConnection(creditCandidate(TABLE, postgres(), creditMapping()));
        assertThat(report.steps()).extracting(SourceTrial.Step::name).containsExactly("connect", "table", "columns");
        assertThat(report.steps()).allSatisfy(s -> assertThat(s.ok()).as(s.detail()).isTrue());
        assertThat(report.ok()).isTrue();
        assertThat(report.steps().get(0).detail()).startsWith("PostgreSQL ").contains("as postgres");
        assertThat(report.steps().get(1).detail()).contains("12 columns").contains("zt_dm");
    }

    @Test
    void aWrongPasswordFailsConnectSayingWhyWithoutThePassword() throws Exception {
        // the machine's PostgreSQL trusts every local login, so a password is checked by its MariaDB
        RealDatabases.require("MariaDB", RealDatabases.MARIADB_URL, RealDatabases.MARIADB_USER, "SELECT 1");
        String password = "Wr0ng-Secret-" + UUID.randomUUID();
        SourceConnection wrong = new SourceConnection(RealDatabases.MARIADB_URL, RealDatabases.MARIADB_USER, password, null, null,
                null, null);
        SourceTrial.ConnectionReport report = trial(Map.of()).testConnection(creditCandidate("credit_event", wrong, creditMapping()));
        assertThat(report.ok()).isFalse();
        SourceTrial.Step connect = report.steps().get(0);
        assertThat(connect.name()).isEqualTo("connect");
        assertThat(connect.ok()).isFalse();
        assertThat(connect.detail()).contains("cannot connect to " + RealDatabases.MARIADB_URL + " as root").contains("Access denied");
        assertThat(report.steps().get(1)).isEqualTo(new SourceTrial.Step("table", false, "not checked: no connection"));
        assertThat(report.toString()).doesNotContain(password);

        // the same on PostgreSQL for a login it does not know, and a password written into the url is starred
        String inUrl = "Url-Secret-" + UUID.randomUUID();
        SourceConnection unknown = new SourceConnection(RealDatabases.POSTGRES_URL + "?password=" + inUrl, "no_such_role_trial", inUrl,
                null, null, null, null);
        SourceTrial.ConnectionReport noRole = trial(Map.of()).testConnection(creditCandidate(TABLE, unknown, creditMapping()));
        assertThat(noRole.steps().get(0).ok()).isFalse();
        assertThat(noRole.steps().get(0).detail()).contains("no_such_role_trial").contains("password=****");
        assertThat(noRole.toString()).doesNotContain(inUrl);
    }

    @Test
    void aMissingTableFailsTable() throws Exception {
        SourceTrial.ConnectionReport report = trial(Map.of()).testConnection(creditCandidate("trial_no_such_table", postgres(),
                creditMapping()));
        assertThat(report.steps().get(0).ok()).isTrue();
        assertThat(report.steps().get(1).name()).isEqualTo("table");
        assertThat(report.steps().get(1).ok()).isFalse();
        assertThat(report.steps().get(1).detail()).startsWith("trial_no_such_table cannot be read: ").contains("does not exist");
        assertThat(report.steps().get(2).ok()).isFalse();
        assertThat(report.ok()).isFalse();
    }

    @Test
    void aMappingThatReadsAMissingColumnFailsColumnsNamingIt() throws Exception {
        Path file = Files.writeString(dir.resolve("credit-reference.yaml"), Files.readString(Path.of("mappings/credit-reference.yaml"))
                .replace("source: zt_mc", "source: zt_mingcheng"));
        SourceTrial.ConnectionReport report = trial(Map.of()).testConnection(creditCandidate(TABLE, postgres(),
                new MappingLoader(SCHEMAS).load(file)));
        SourceTrial.Step columns = report.steps().get(2);
        assertThat(columns.name()).isEqualTo("columns");
        assertThat(columns.ok()).isFalse();
        assertThat(columns.detail()).isEqualTo("the table has no column zt_mingcheng (read by the mapping's field subjectName)");
        // upper case in the mapping is the same column: PostgreSQL folds unquoted names to lower case
        Path upper = Files.writeString(file, Files.readString(Path.of("mappings/credit-reference.yaml")).replace("source: zt_mc",
                "source: ZT_MC"));
        assertThat(trial(Map.of()).testConnection(creditCandidate(TABLE, postgres(), new MappingLoader(SCHEMAS).load(upper))).ok())
                .isTrue();
    }

    @Test
    void aPreviewShowsEachRowsOutcomeMasksPersonalDataAndChangesNothingInTheHub() throws Exception {
        SourceTrial.Candidate candidate = creditCandidate(TABLE, postgres(), creditMapping());
        Map<String, Long> before = hubCounts();

        SourceTrial.Preview preview = trial(Map.of()).preview(candidate, 20, "start", null);
        assertThat(preview.from()).isEqualTo("start");
        assertThat(preview.rows()).extracting(SourceTrial.PreviewRow::recordKey).containsExactly("900001", "900002", "900003", "900004");
        assertThat(preview.rows()).extracting(SourceTrial.PreviewRow::outcome)
                .containsExactly("VALID", "VALID", "QUARANTINED", "QUARANTINED");
        assertThat(preview.valid()).isEqualTo(2);
        assertThat(preview.quarantined()).isEqualTo(2);

        SourceTrial.PreviewRow penalty = preview.rows().get(0);
        assertThat(penalty.reasons()).isEmpty();
        assertThat(penalty.record()).containsEntry("subjectId", "91350100M000100Y43").containsKey("policy");
        assertThat(penalty.priorityClass()).isNotNull();
        // a hospitalised patient's overdue loan: class 1, and the person's number and name masked
        SourceTrial.PreviewRow patient = preview.rows().get(1);
        assertThat(patient.priorityClass()).isEqualTo(1);
        assertThat(patient.record()).containsEntry("subjectId", "110105**********2X").containsEntry("subjectName", "王*");
        assertThat(patient.record().get("priority")).isEqualTo(Map.of("class", 1, "rule", "epidemic-affected-person-credit"));
        assertThat(preview.toString()).doesNotContain("11010519491231002X").doesNotContain("王伟");

        assertThat(preview.rows().get(2).priorityClass()).isNull();
        assertThat(preview.rows().get(2).reasons()).anySatisfy(r -> assertThat(r).contains("check character"));
        assertThat(preview.rows().get(3).reasons()).anySatisfy(r -> assertThat(r).contains("recordType").contains("99"));
        // the person quarantined for the unknown code: its reasons and record masked too
        assertThat(preview.rows().get(3).record()).containsEntry("subjectId", "360102**********18");

        assertThat(trial(Map.of()).preview(candidate, 2, null, null).rows()).hasSize(2);
        assertThat(hubCounts()).isEqualTo(before);
    }

    @Test
    void aPreviewFromTheMarkStartsAfterItAndLeavesItWhereItWas() throws Exception {
        SourceTrial.Candidate candidate = creditCandidate(TABLE, postgres(), creditMapping());
        HUB.update("DELETE FROM sql_change_mark WHERE source_id = ?", SOURCE);
        assertThat(trial(Map.of()).preview(candidate, 20, "mark", null).from()).isEqualTo("start (the source has no mark yet)");

        // the head has taken the rows up to 900002 (stored as ChangePolling stores a place)
        HUB.update("INSERT INTO sql_change_mark (source_id, head_at, head_key, tail_at, tail_key, head_moved_at, tail_moved_at)"
                + " VALUES (?, '2020-03-01 10:00:02.0', 'L:900002', '2020-03-01 09:00:00.0', NULL, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
                SOURCE);
        List<Map<String, Object>> mark = HUB.queryForList("SELECT * FROM sql_change_mark WHERE source_id = ?", SOURCE);
        Map<String, Long> before = hubCounts();
        SourceTrial.Preview preview = trial(Map.of()).preview(candidate, 20, "mark", null);
        assertThat(preview.from()).isEqualTo("mark (2020-03-01 10:00:02.0, 900002)");
        assertThat(preview.rows()).extracting(SourceTrial.PreviewRow::recordKey).containsExactly("900003", "900004");
        assertThat(preview.rows()).extracting(SourceTrial.PreviewRow::row).containsExactly(1, 2);
        assertThat(HUB.queryForList("SELECT * FROM sql_change_mark WHERE source_id = ?", SOURCE)).isEqualTo(mark);
        assertThat(hubCounts()).isEqualTo(before);
        HUB.update("DELETE FROM sql_change_mark WHERE source_id = ?", SOURCE);
    }

    @Test
    void aPreviewTakesOneToTwoHundredRowsFromTheStartOrTheMark() throws Exception {
        SourceTrial trial = trial(Map.of());
        SourceTrial.Candidate candidate = creditCandidate(TABLE, postgres(), creditMapping());
        assertThatThrownBy(() -> trial.preview(candidate, 0, null, null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> trial.preview(candidate, 201, null, null)).hasMessageContaining("1 to 200");
        assertThatThrownBy(() -> trial.preview(candidate, 5, "yesterday", null)).hasMessageContaining("'start' or 'mark'");
    }

    @Test
    void aChangeCaptureCandidateIsCheckedAndPreviewedInItsRecordKeysOrder() throws Exception {
        SourceTrial trial = trial(Map.of());
        SourceTrial.Candidate candidate = new SourceTrial.Candidate(SOURCE, route("""
                - templatedRoute:
                    routeTemplateRef: cdc-source
                    routeId: trial-credit-source
                    parameters:
                      - { name: sourceId, value: trial-credit }
                      - { name: mapping, value: credit-reference }
                      - { name: table, value: public.%s }
                """.formatted(TABLE)), creditMapping(), postgres());
        SourceTrial.ConnectionReport report = trial.testConnection(candidate);
        assertThat(report.ok()).as(report.toString()).isTrue();
        assertThat(report.steps().get(2).detail()).startsWith("the table has every column the source reads: event_id, zt_lx");
        assertThat(trial.preview(candidate, 20, "start", null).rows()).extracting(SourceTrial.PreviewRow::recordKey)
                .containsExactly("900001", "900002", "900003", "900004");
        assertThatThrownBy(() -> trial.preview(candidate, 20, "mark", null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sql-source");
    }

    // ------------------------------------------------------------------ FTP

    @Test
    void anFtpDropIsListedAndItsFirstFileParsedAsTheSourceWouldWithoutMovingIt() throws Exception {
        Path home = Files.createDirectories(dir.resolve("ftp/city"));
        List<SocialInsuranceGenerator.Row> generated = new SocialInsuranceGenerator(7, 3).rows("南昌", List.of("360102", "360111"),
                "202002", 7);
        String name = "社保缴费_2020年02月_南昌.csv";
        Files.write(home.resolve(name), SocialInsuranceGenerator.csv(generated));
        Files.writeString(home.resolve(name + ".done"), "");
        Files.writeString(home.resolve("说明.txt"), "not an export");
        String password = "ftp-Secret-" + UUID.randomUUID();
        EmbeddedFtpServer server = EmbeddedFtpServer.start(dir.resolve("ftp"), "hrss", password, false);
        try {
            SourceTrial trial = trial(Map.of());
            SourceTrial.ConnectionReport report = trial.testConnection(ftpCandidate(server, password));
            assertThat(report.steps()).extracting(SourceTrial.Step::name).containsExactly("connect", "login", "directory", "list");
            assertThat(report.ok()).as(report.toString()).isTrue();
            assertThat(report.steps().get(3).detail()).isEqualTo("3 file(s) in city, 1 of them match fileNames .*\\.csv");

            SourceTrial.ConnectionReport refused = trial.testConnection(ftpCandidate(server, password + "x"));
            assertThat(refused.steps()).extracting(SourceTrial.Step::name).containsExactly("connect", "login");
            assertThat(refused.steps().get(1).ok()).isFalse();
            assertThat(refused.steps().get(1).detail()).startsWith("login refused for hrss: 530");
            assertThat(refused.toString()).doesNotContain(password);

            SourceTrial.Preview preview = trial.preview(ftpCandidate(server, password), 20, null, null);
            assertThat(preview.from()).isEqualTo("file " + name);
            assertThat(preview.rows()).hasSize(generated.size());
            for (int i = 0; i < generated.size(); i++) {
                assertThat(preview.rows().get(i).outcome()).as("row %s (%s)", i + 1, generated.get(i).defect())
                        .isEqualTo(generated.get(i).defect() == null ? "VALID" : "QUARANTINED");
            }
            assertThat(preview.quarantined()).isPositive();
            assertThat(preview.rows().get(0).recordKey()).isEqualTo(generated.get(0).columns().get(SocialInsuranceGenerator.CODE) + "|202002");
            assertThat(trial.preview(ftpCandidate(server, password), 2, null, name).rows()).hasSize(2);
            assertThatThrownBy(() -> trial.preview(ftpCandidate(server, password), 2, null, "missing.csv"))
                    .hasMessageContaining("no file missing.csv");
            // read, not taken: the file and its marker are where they were
            assertThat(home.resolve(name)).exists();
            assertThat(home.resolve(name + ".done")).exists();
        } finally {
            server.stop();
        }
    }

    // ------------------------------------------------------------------ REST

    @Test
    void aRestSourcesFirstPageIsAskedForWithItsCredentialAndPreviewed() throws Exception {
        String token = "rest-Secret-" + UUID.randomUUID();
        List<SandboxFeed.Version> versions = new FilingGenerator(11, List.of("360102", "360111"), 3).generate(6).stream()
                .filter(v -> v.stage() == 0).toList();
        List<Map<String, Object>> items = new ArrayList<>(versions.stream().map(SandboxFeed.Version::item).toList());
        Map<String, Object> undated = new LinkedHashMap<>(items.get(0));
        undated.put("filingId", "GFT-UNDATED");
        undated.remove("updatedAt");
        items.add(undated);
        byte[] page = JsonMapper.builder().build().writeValueAsBytes(Map.of("items", items, "nextCursor", "c2"));
        List<String> queries = new CopyOnWriteArrayList<>();
        HttpServer api = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        api.createContext("/api/filings", exchange -> {
            queries.add(exchange.getRequestURI().getQuery());
            boolean authorised = ("Bearer " + token).equals(exchange.getRequestHeaders().getFirst("Authorization"));
            byte[] answer = authorised ? page : "{\"error\":\"invalid token\"}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(authorised ? 200 : 401, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        api.start();
        try {
            SourceConnection connection = new SourceConnection(null, null, null, null, null, null,
                    "http://127.0.0.1:" + api.getAddress().getPort());
            SourceTrial.Candidate candidate = restCandidate(connection);
            SourceTrial.ConnectionReport report = trial(Map.of("govhub.sources.trial-filings.token", token)).testConnection(candidate);
            assertThat(report.steps()).extracting(SourceTrial.Step::name).containsExactly("connect", "authentication", "page");
            assertThat(report.ok()).as(report.toString()).isTrue();
            assertThat(report.steps().get(0).detail()).endsWith("answered HTTP 200");
            assertThat(report.steps().get(2).detail()).startsWith("the first page holds 7 item(s), 1 without a place in the order")
                    .endsWith("more pages follow");
            assertThat(queries).containsExactly("limit=25"); // the route's pageSize, from its placeholder's default
            assertThat(report.toString()).doesNotContain(token);

            SourceTrial.ConnectionReport refused = trial(Map.of("govhub.sources.trial-filings.token", "stale-token-123"))
                    .testConnection(candidate);
            assertThat(refused.ok()).isFalse();
            assertThat(refused.steps().get(1)).isEqualTo(new SourceTrial.Step("authentication", false,
                    "the API refused the credential in header Authorization (HTTP 401): {\"error\":\"invalid token\"}"));
            assertThat(refused.toString()).doesNotContain("stale-token-123");
            assertThat(trial(Map.of()).testConnection(candidate).steps()).containsExactly(new SourceTrial.Step("authentication", false,
                    "the credential's property govhub.sources.trial-filings.token is not set"));

            SourceTrial.Preview preview = trial(Map.of("govhub.sources.trial-filings.token", token)).preview(candidate, 20, null, null);
            assertThat(preview.from()).isEqualTo("first page");
            assertThat(preview.rows()).hasSize(7);
            for (int i = 0; i < versions.size(); i++) {
                assertThat(preview.rows().get(i).recordKey()).isEqualTo(versions.get(i).id());
                assertThat(preview.rows().get(i).outcome()).as("%s (%s)", versions.get(i).id(), versions.get(i).defect())
                        .isEqualTo(versions.get(i).defect() == null ? "VALID" : "QUARANTINED");
            }
            SourceTrial.PreviewRow last = preview.rows().get(6);
            assertThat(last.outcome()).isEqualTo("QUARANTINED");
            assertThat(last.reasons()).anySatisfy(r -> assertThat(r).contains("updatedAt"));
        } finally {
            api.stop(0);
        }
    }

    // ------------------------------------------------------------------ fixtures

    private static SourceTrial trial(Map<String, Object> properties) {
        StandardEnvironment environment = new StandardEnvironment();
        Map<String, Object> all = new HashMap<>(properties);
        all.put("camel.main.routes-include-pattern", "file:routes/*.yaml");
        environment.getPropertySources().addFirst(new MapPropertySource("test", all));
        ChangePolling changePolling = new ChangePolling(HUB, new org.apache.camel.impl.DefaultCamelContext(),
                new SourceActivity(Duration.ofMinutes(2), 3, Duration.ofMinutes(5)));
        return new SourceTrial(environment, NORMALISER, CATALOG, changePolling);
    }

    private SourceTrial.Candidate creditCandidate(String table, SourceConnection connection, MappingDefinition mapping) throws Exception {
        return new SourceTrial.Candidate(SOURCE, route("""
                - templatedRoute:
                    routeTemplateRef: sql-source
                    routeId: trial-credit-source
                    parameters:
                      - { name: sourceId, value: trial-credit }
                      - { name: mapping, value: credit-reference }
                      - { name: table, value: %s }
                      - { name: keyColumn, value: event_id }
                      - { name: changedColumn, value: updated_at }
                      - { name: pollInterval, value: "{{govhub.ingest.poll-interval:1000}}" }
                """.formatted(table)), mapping, connection);
    }

    private SourceTrial.Candidate ftpCandidate(EmbeddedFtpServer server, String password) throws Exception {
        return new SourceTrial.Candidate("trial-hrss", route("""
                - templatedRoute:
                    routeTemplateRef: ftp-source
                    routeId: trial-hrss-source
                    parameters:
                      - { name: sourceId, value: trial-hrss }
                      - { name: mapping, value: social-insurance }
                      - { name: host, value: "{{govhub.sources.trial-hrss.ftp.host}}" }
                      - { name: username, value: "{{govhub.sources.trial-hrss.ftp.username}}" }
                      - { name: directory, value: city }
                      - { name: doneFileName, value: "${file:name}.done" }
                      - { name: fileNames, value: ".*\\\\.csv" }
                """), new MappingLoader(SCHEMAS).load(Path.of("mappings/social-insurance.yaml")),
                new SourceConnection(null, null, null, null, null,
                        new FtpConnection("127.0.0.1", server.port(), "hrss", password, "city"), null));
    }

    private SourceTrial.Candidate restCandidate(SourceConnection connection) throws Exception {
        return new SourceTrial.Candidate("trial-filings", route("""
                - templatedRoute:
                    routeTemplateRef: rest-source
                    routeId: trial-filings-source
                    parameters:
                      - { name: sourceId,       value: trial-filings }
                      - { name: mapping,        value: provincial-filings }
                      - { name: baseUrl,        value: "{{govhub.sources.trial-filings.base-url}}" }
                      - { name: path,           value: /api/filings }
                      - { name: authHeader,     value: Authorization }
                      - { name: authValue,      value: "Bearer ${properties:govhub.sources.trial-filings.token}" }
                      - { name: idField,        value: filingId }
                      - { name: pageSize,       value: "{{govhub.sources.trial-filings.page-size:25}}" }
                """), new MappingLoader(SCHEMAS).load(Path.of("mappings/provincial-filings.yaml")), connection);
    }

    /** The templated route of an uploaded route file, read as the hub reads route files. */
    private RouteFileModel.Use route(String yaml) throws Exception {
        Path file = Files.writeString(dir.resolve("candidate-" + UUID.randomUUID() + ".yaml"), yaml);
        return RouteFileModel.read(List.of(file)).uses().get(0);
    }

    private static MappingDefinition creditMapping() {
        return new MappingLoader(SCHEMAS).load(Path.of("mappings/credit-reference.yaml"));
    }

    /** The department's table in PostgreSQL, made once per run: two rows to share, two to quarantine, in change-time order. */
    private static SourceConnection postgres() throws Exception {
        if (!tableCreated) {
            RealDatabases.require("PostgreSQL", RealDatabases.POSTGRES_URL, RealDatabases.POSTGRES_USER,
                    org.govhub.sandbox.CreditReferenceSandbox.DDL.replace("credit_event", TABLE));
            tableCreated = true;
            try (Connection c = DriverManager.getConnection(RealDatabases.POSTGRES_URL, RealDatabases.POSTGRES_USER, "");
                    Statement s = c.createStatement()) {
                String insert = "INSERT INTO " + TABLE + " (event_id, zt_lx, zt_dm, zt_mc, jl_lx, je, fs_rq, yq_yx, yq_qk, hk_cn, xzqh,"
                        + " updated_at) VALUES ";
                // inserted out of order: the preview reads in the template's (updated_at, event_id) order
                s.execute(insert + "(900004, '2', '360102199001010018', '李四', '99', 3000.00, DATE '2020-03-05', 1, '2', 'N', '360102',"
                        + " TIMESTAMP '2020-03-01 10:00:03')");
                s.execute(insert + "(900001, '1', '91350100M000100Y43', '南昌恒盛医疗器械有限公司', '03', 2000.00, DATE '2020-03-20', 1,"
                        + " '0', 'Y', '360102', TIMESTAMP '2020-03-01 10:00:01')");
                s.execute(insert + "(900003, '1', '91350100M000100Y40', '南昌错码企业', '01', 500.00, DATE '2020-03-12', 0, '0', 'N',"
                        + " '360102', TIMESTAMP '2020-03-01 10:00:02')");
                s.execute(insert + "(900002, '2', '11010519491231002X', '王伟', '01', 1200.00, DATE '2020-02-10', 1, '1', 'N', '360102',"
                        + " TIMESTAMP '2020-03-01 10:00:02')");
            }
        }
        return new SourceConnection(RealDatabases.POSTGRES_URL, RealDatabases.POSTGRES_USER, "", null, null, null, null);
    }

    @AfterAll
    static void dropTable() {
        if (tableCreated) {
            RealDatabases.require("PostgreSQL", RealDatabases.POSTGRES_URL, RealDatabases.POSTGRES_USER, "DROP TABLE " + TABLE);
        }
    }

    private static JdbcTemplate hub() {
        var ds = new DriverManagerDataSource("jdbc:h2:mem:source-trial;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1", "sa", "");
        Flyway.configure().dataSource(ds).load().migrate();
        return new JdbcTemplate(ds);
    }

    private static Map<String, Long> hubCounts() {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (String table : List.of("quarantine", "batch_record", "sql_change_mark", "rest_cursor", "source_file")) {
            counts.put(table, HUB.queryForObject("SELECT COUNT(*) FROM " + table, Long.class));
        }
        return counts;
    }
}
