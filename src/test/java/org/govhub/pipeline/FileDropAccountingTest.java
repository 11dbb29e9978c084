package org.govhub.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.commons.net.ftp.FTPClient;
import org.govhub.SandboxHubTest;
import org.govhub.ingest.SourceActivity;
import org.govhub.normalise.CanonicalJson;
import org.govhub.normalise.RegionCodes;
import org.govhub.sandbox.HrssFtpSandbox;
import org.govhub.sandbox.SocialInsuranceGenerator;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Issue 11 on the sandbox's real FTP server: every file of a drop folder ends in done/ or error/ or
 * is listed as waiting with its reason, whatever its name (leading dots, spaces, Chinese); every row
 * is delivered once or quarantined with its reason (an unclosed quote, a UTF-8 row in a GBK file, a
 * control byte, a fixed-width line too long, an ambiguous amount), and the rows after a bad one are
 * read; a poll that cannot log in is reported once, not per poll, and without the password.
 */
class FileDropAccountingTest {

    static final String GBK_NAME = "GBK";
    static final String CITY = "social-insurance";
    static final String COUNTY = "social-insurance-county";

    /** A file this test drops: its rows, and per bad row (by its index) the text its quarantine reason must hold. */
    record Dropped(String directory, String name, byte[] content, List<SocialInsuranceGenerator.Row> rows,
            Map<Integer, String> bad, Map<Integer, Integer> lines) {
    }

    @Test
    void everyFileEndsInDoneOrErrorOrIsListedAsWaitingAndEveryRowIsDeliveredOnceOrQuarantinedWithItsReason() throws Exception {
        Path dir = SandboxHubTest.newDataDir("govhub-files-accounting");
        try (ConfigurableApplicationContext hub = FtpSourceEndToEndTest.start(dir, "--govhub.ingest.waiting-alert-after=3s")) {
            HrssFtpSandbox ftp = hub.getBean(HrssFtpSandbox.class);
            RegionCodes regions = hub.getBean(RegionCodes.class);
            SocialInsuranceGenerator g = new SocialInsuranceGenerator(11, 0);
            List<Dropped> mine = new ArrayList<>();

            // names Camel's FTP consumer used to skip unseen (leading dots), and spaces and Chinese
            mine.add(csv("..name.csv", g.rows("萍乡", regions.countiesUnder("3603"), "202004", 3), Map.of(), row -> { }));
            mine.add(csv(".hidden.csv", g.rows("新余", regions.countiesUnder("3605"), "202004", 3), Map.of(), row -> { }));
            // amounts that could be read two ways are quarantined, never guessed
            mine.add(csv("名单 2020.csv", g.rows("鹰潭", regions.countiesUnder("3606"), "202004", 5),
                    Map.of(2, "'12,30' is not an amount in 元", 3, "'1.234,56' is not an amount in 元"), rows -> {
                        rows.get(2).columns().put(SocialInsuranceGenerator.BASE, "12,30");
                        rows.get(3).columns().put(SocialInsuranceGenerator.BASE, "1.234,56");
                        rows.get(4).columns().put(SocialInsuranceGenerator.BASE, "1,234,567.50"); // grouped right: taken
                    }));
            // one value with a control byte: that row only
            mine.add(csv("控制字符 0x01.csv", g.rows("宜春", regions.countiesUnder("3609"), "202004", 4),
                    Map.of(1, "'单位名称' holds U+0001 START OF HEADING"), rows -> {
                        Map<String, String> c = rows.get(1).columns();
                        c.put(SocialInsuranceGenerator.NAME, c.get(SocialInsuranceGenerator.NAME).substring(0, 2) + "\u0001"
                                + c.get(SocialInsuranceGenerator.NAME).substring(2));
                    }));
            mine.add(unclosedQuote(g.rows("上饶", regions.countiesUnder("3611"), "202004", 6)));
            mine.add(utf8Row(g.rows("吉安", regions.countiesUnder("3608"), "202004", 4)));
            mine.add(longFixedWidthLine(g.rows("石城", List.of("360735"), "202004", 5)));

            for (Dropped d : mine) {
                HrssFtpSandbox.upload(ftp.port(), ftp.username(), ftp.password(), d.directory(), d.name(), d.content(),
                        d.directory().equals("city"));
            }
            // files the hub does not take yet: no done marker, an upload in progress, a marker without its file
            Dropped unmarked = csv("待标记.csv", g.rows("抚州", regions.countiesUnder("3610"), "202004", 2), Map.of(), row -> { });
            FTPClient client = HrssFtpSandbox.connect(ftp.port(), ftp.username(), ftp.password());
            try {
                assertThat(client.storeFile("city/待标记.csv", new ByteArrayInputStream(unmarked.content()))).isTrue();
                assertThat(client.storeFile("city/半截 上传.csv.part", new ByteArrayInputStream(new byte[] {'x'}))).isTrue();
                assertThat(client.storeFile("city/.孤单.csv.done", new ByteArrayInputStream(new byte[0]))).isTrue();
            } finally {
                client.logout();
                client.disconnect();
            }

            List<HrssFtpSandbox.Drop> drops = new ArrayList<>(ftp.drops());
            mine.forEach(d -> drops.add(asDrop(d)));
            FtpSourceEndToEndTest.awaitAllTaken(hub, drops);
            FtpSourceEndToEndTest.assertExactlyOnce(hub, drops);
            assertQuarantinedWithReasons(hub, mine);

            // every taken file is in done/ as it came, nothing of mine in error/, and what is left is what waits
            for (Dropped d : mine) {
                assertThat(ftp.home().resolve(d.directory() + "/done/" + d.name())).as(d.name()).hasBinaryContent(d.content());
                assertThat(ftp.home().resolve(d.directory() + "/error/" + d.name())).doesNotExist();
            }
            assertThat(names(FtpSourceEndToEndTest.filesIn(ftp.home().resolve("city"))))
                    .containsExactlyInAnyOrder("待标记.csv", "半截 上传.csv.part", ".孤单.csv.done");
            assertThat(FtpSourceEndToEndTest.filesIn(ftp.home().resolve("county"))).isEmpty();

            // the waiting files are listed with why and since when; after the alert time the source is not UP
            String password = FtpSourceEndToEndTest.OPERATOR_PASSWORD;
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(300))
                    .until(() -> "DOWN".equals(source(hub, password, CITY).path("status").asText()));
            JsonNode city = source(hub, password, CITY);
            assertThat(city.path("details").path("state").asText()).isEqualTo("WAITING");
            assertThat(city.path("details").path("reason").asText()).contains("has waited in the drop folder since", "longer than PT3S");
            Map<String, String> waiting = new HashMap<>();
            city.path("details").path("waiting").forEach(w -> waiting.put(w.path("file").asText(), w.path("reason").asText()));
            assertThat(waiting).containsOnlyKeys("待标记.csv", "半截 上传.csv.part", ".孤单.csv.done");
            assertThat(waiting.get("待标记.csv")).contains("no done marker yet", "待标记.csv.done");
            assertThat(waiting.get("半截 上传.csv.part")).contains("upload in progress (.part)");
            assertThat(waiting.get(".孤单.csv.done")).contains("a done marker without its file");
            city.path("details").path("waiting").forEach(w -> assertThat(w.path("since").asText()).isNotEmpty());
            assertThat(source(hub, password, COUNTY).path("status").asText()).isEqualTo("UP");

            // the department completes the one and removes the others: the source is UP again, with nothing waiting
            client = HrssFtpSandbox.connect(ftp.port(), ftp.username(), ftp.password());
            try {
                assertThat(client.storeFile("city/待标记.csv.done", new ByteArrayInputStream(new byte[0]))).isTrue();
                assertThat(client.deleteFile("city/半截 上传.csv.part")).isTrue();
                assertThat(client.deleteFile("city/.孤单.csv.done")).isTrue();
            } finally {
                client.logout();
                client.disconnect();
            }
            drops.add(asDrop(unmarked));
            FtpSourceEndToEndTest.awaitAllTaken(hub, drops);
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(300))
                    .until(() -> "UP".equals(source(hub, password, CITY).path("status").asText()));
            assertThat(source(hub, password, CITY).path("details").path("waiting")).isEmpty();
            assertThat(FtpSourceEndToEndTest.filesIn(ftp.home().resolve("city"))).isEmpty();
            FtpSourceEndToEndTest.assertExactlyOnce(hub, drops);

            // each file's rows are accounted for in the source's activity: new + quarantined, nothing else
            for (String source : List.of(CITY, COUNTY)) {
                long valid = drops.stream().filter(d -> d.sourceId().equals(source)).flatMap(d -> d.rows().stream())
                        .filter(r -> r.defect() == null).count();
                long invalid = drops.stream().filter(d -> d.sourceId().equals(source)).flatMap(d -> d.rows().stream())
                        .filter(r -> r.defect() != null).count();
                Map<String, Object> activity = hub.getBean(SourceActivity.class).details(source);
                assertThat(((Number) activity.get("published")).longValue()).as(source).isEqualTo(valid);
                assertThat(((Number) activity.get("quarantined")).longValue()).as(source).isEqualTo(invalid);
                assertThat(((Number) activity.get("repeats")).longValue()).as(source).isZero();
            }
        }
    }

    @Test
    void aPollThatCannotLogInIsReportedOnceWithoutThePasswordAndItsEndIsSeen() throws Exception {
        Path dir = SandboxHubTest.newDataDir("govhub-files-poll-failure");
        String secret = "county-office-secret-7731";
        int port;
        try (ConfigurableApplicationContext hub = FtpSourceEndToEndTest.start(dir,
                "--govhub.sources.social-insurance-county.ftp.username=county-office",
                "--govhub.sources.social-insurance-county.ftp.password=" + secret)) {
            port = hub.getBean(HrssFtpSandbox.class).port();
            SourceActivity activity = hub.getBean(SourceActivity.class);
            await().atMost(Duration.ofSeconds(30)).until(() -> activity.condition(COUNTY) == SourceActivity.Condition.FAILING);
            // many more polls at 300 ms, every one refused: counted, not logged again
            await().atMost(Duration.ofSeconds(30)).until(() -> failures(activity, COUNTY) >= 8);
            assertThat((String) activity.details(COUNTY).get("reason")).contains("the drop folder could not be polled", "530 Authentication failed");
            assertThat(source(hub, FtpSourceEndToEndTest.OPERATOR_PASSWORD, COUNTY).path("status").asText()).isEqualTo("DOWN");
            assertThat(activity.condition(CITY)).isEqualTo(SourceActivity.Condition.OK);

            // the office's account is set up: the next poll works, and the failure's end is logged
            hub.getBean(HrssFtpSandbox.class).hrssLogin("county-office", secret);
            await().atMost(Duration.ofSeconds(30)).until(() -> activity.condition(COUNTY) == SourceActivity.Condition.OK);
            await().atMost(Duration.ofSeconds(30)).until(() -> "UP".equals(source(hub, FtpSourceEndToEndTest.OPERATOR_PASSWORD, COUNTY).path("status").asText()));
            // the county's files waited on the server all along: taken now
            await().atMost(Duration.ofSeconds(60)).until(() -> hub.getBean(JdbcTemplate.class)
                    .queryForObject("SELECT COUNT(*) FROM source_file WHERE source_id = ?", Integer.class, COUNTY) == 2);
        }
        // the county consumer's thread names its folder and the server's port, which is this hub's alone
        List<String> lines = Files.readAllLines(Path.of("target/govhub-tests.log"), StandardCharsets.UTF_8);
        String thread = "127.0.0.1:" + port + "/county]";
        List<String> warnings = lines.stream().filter(l -> l.contains(thread) && (l.contains(" WARN ") || l.contains(" ERROR ")))
                .filter(l -> !l.contains("Quarantine - quarantined ")).toList();
        assertThat(warnings).as(String.join("\n", warnings)).singleElement().asString()
                .contains(SourceActivity.class.getName(), "source social-insurance-county: poll failed", "could not be polled");
        assertThat(lines).anySatisfy(l -> assertThat(l).contains(thread, "source social-insurance-county: working again after"));
        assertThat(lines).noneSatisfy(l -> assertThat(l).contains(secret));
    }

    @Test
    void aFileThatFailsHalfWayStaysInTheFolderItsFailureIsLoggedOnceAndItIsTakenOnceAfterwards() throws Exception {
        Path dir = SandboxHubTest.newDataDir("govhub-files-failing");
        int port;
        String name = "中途失败 2020.csv";
        try (ConfigurableApplicationContext hub = FtpSourceEndToEndTest.start(dir)) {
            HrssFtpSandbox ftp = hub.getBean(HrssFtpSandbox.class);
            port = ftp.port();
            JdbcTemplate db = hub.getBean(JdbcTemplate.class);
            SourceActivity activity = hub.getBean(SourceActivity.class);
            List<HrssFtpSandbox.Drop> drops = new ArrayList<>(ftp.drops());
            FtpSourceEndToEndTest.awaitAllTaken(hub, drops);

            // the hub database loses its quarantine table: the file's bad row cannot be kept, so the file fails
            db.execute("ALTER TABLE quarantine RENAME TO quarantine_away");
            Dropped file = csv(name, new SocialInsuranceGenerator(12, 0).rows("赣州", hub.getBean(RegionCodes.class)
                    .countiesUnder("3607"), "202004", 4), Map.of(1, "'12,30' is not an amount in 元"),
                    rows -> rows.get(1).columns().put(SocialInsuranceGenerator.BASE, "12,30"));
            HrssFtpSandbox.upload(ftp.port(), ftp.username(), ftp.password(), "city", name, file.content(), true);
            await().atMost(Duration.ofSeconds(30)).until(() -> activity.condition(CITY) == SourceActivity.Condition.FAILING);
            await().atMost(Duration.ofSeconds(30)).until(() -> failures(activity, CITY) >= 4);
            assertThat(ftp.home().resolve("city/" + name)).as("still in the drop folder").hasBinaryContent(file.content());
            assertThat(ftp.home().resolve("city/done/" + name)).doesNotExist();
            assertThat(source(hub, FtpSourceEndToEndTest.OPERATOR_PASSWORD, CITY).path("details").path("state").asText()).isEqualTo("FAILING");

            db.execute("ALTER TABLE quarantine_away RENAME TO quarantine");
            drops.add(asDrop(file));
            FtpSourceEndToEndTest.awaitAllTaken(hub, drops);
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(ftp.home().resolve("city/done/" + name)));
            await().atMost(Duration.ofSeconds(30)).until(() -> activity.condition(CITY) == SourceActivity.Condition.OK);
            FtpSourceEndToEndTest.assertExactlyOnce(hub, drops);
            assertQuarantinedWithReasons(hub, List.of(file));
        }
        List<String> lines = Files.readAllLines(Path.of("target/govhub-tests.log"), StandardCharsets.UTF_8);
        String thread = "127.0.0.1:" + port + "/city]";
        // neither Camel's error handlers nor the file consumer log the failure on every poll: SourceActivity
        // logs it once (then with a count)
        List<String> warnings = lines.stream().filter(l -> l.contains(thread) && (l.contains(" WARN ") || l.contains(" ERROR ")))
                .filter(l -> !l.contains("Quarantine - quarantined ")).toList();
        assertThat(warnings).as(String.join("\n", warnings)).singleElement().asString()
                .contains(SourceActivity.class.getName(), "source social-insurance: file " + name + " failed",
                        "Table \"quarantine\" not found");
        assertThat(lines).anySatisfy(l -> assertThat(l).contains(thread, "source social-insurance: working again after"));
    }

    /** Names an FTP drop may hold (the sandbox server stores each; it refuses a backslash and the name of a folder). */
    static final List<String> ODD_NAMES = List.of("...csv", ".csv", "...", " leading space.csv", "trailing space .csv",
            "two  spaces.csv", "a;b.csv", "a'b.csv", "a\"b.csv", "a#b.csv", "a%20b.csv", "a%b.csv", "a+b.csv", "a&b=c.csv",
            "a?b.csv", "a[1](2){3}.csv", "a$b.csv", "a~b.csv", "a,b.csv", "a@b!.csv", "中文（全角）、名单.csv", "emoji😀.csv",
            "x.CSV", "no-extension", "-dash.csv", "a*b.csv", "über.csv", "a\tb.csv", "error.csv", "x.csv.done.csv",
            "x.reason.txt", ".camel", "a:b.csv", "ctrl\u0001\u001b.csv");
    /** With done markers Camel reads these as expressions: they wait, with that reason, instead of failing every poll. */
    static final List<String> EXPRESSION_NAMES = List.of("${file:name}.csv", "${date:now:yyyy}.csv");

    @Test
    void oddFileNamesAreTakenLikeAnyOtherAndNamesCamelCannotMarkWaitWithTheReason() throws Exception {
        Path dir = SandboxHubTest.newDataDir("govhub-files-odd-names");
        try (ConfigurableApplicationContext hub = FtpSourceEndToEndTest.start(dir)) {
            HrssFtpSandbox ftp = hub.getBean(HrssFtpSandbox.class);
            RegionCodes regions = hub.getBean(RegionCodes.class);
            List<HrssFtpSandbox.Drop> drops = new ArrayList<>(ftp.drops());
            List<SocialInsuranceGenerator.Row> rows = new SocialInsuranceGenerator(13, 0)
                    .rows("南康", regions.countiesUnder("3607"), "202004", ODD_NAMES.size() + EXPRESSION_NAMES.size());
            List<Dropped> mine = new ArrayList<>();
            for (int i = 0; i < ODD_NAMES.size(); i++) {
                mine.add(csv(ODD_NAMES.get(i), new ArrayList<>(List.of(rows.get(i))), Map.of(), r -> { }));
            }
            // the rename contract has no marker to check: there such a name is taken too
            List<SocialInsuranceGenerator.Row> countyRows = new SocialInsuranceGenerator(13, 0).rows("石城", List.of("360735"), "202005", 2);
            mine.add(new Dropped("county", "${date:now:yyyy} 石城.txt", SocialInsuranceGenerator.fixedWidth("石城县 202005", countyRows),
                    countyRows, Map.of(), Map.of()));
            for (Dropped d : mine) {
                HrssFtpSandbox.upload(ftp.port(), ftp.username(), ftp.password(), d.directory(), d.name(), d.content(),
                        d.directory().equals("city"));
                drops.add(asDrop(d));
            }
            for (int i = 0; i < EXPRESSION_NAMES.size(); i++) {
                Dropped d = csv(EXPRESSION_NAMES.get(i), new ArrayList<>(List.of(rows.get(ODD_NAMES.size() + i))), Map.of(), r -> { });
                HrssFtpSandbox.upload(ftp.port(), ftp.username(), ftp.password(), "city", d.name(), d.content(), true);
            }

            FtpSourceEndToEndTest.awaitAllTaken(hub, drops);
            FtpSourceEndToEndTest.assertExactlyOnce(hub, drops);
            for (Dropped d : mine) {
                assertThat(ftp.home().resolve(d.directory() + "/done/" + d.name())).as(d.name()).hasBinaryContent(d.content());
            }
            List<String> left = new ArrayList<>();
            for (String name : EXPRESSION_NAMES) {
                left.add(name);
                left.add(name + ".done");
            }
            assertThat(names(FtpSourceEndToEndTest.filesIn(ftp.home().resolve("city")))).containsExactlyInAnyOrderElementsOf(left);
            await().atMost(Duration.ofSeconds(10)).until(() -> source(hub, FtpSourceEndToEndTest.OPERATOR_PASSWORD, CITY).path("details").path("waiting").size() == 4);
            JsonNode city = source(hub, FtpSourceEndToEndTest.OPERATOR_PASSWORD, CITY);
            city.path("details").path("waiting").forEach(w -> {
                assertThat(left).contains(w.path("file").asText());
                assertThat(w.path("reason").asText()).contains("holds '${'", "rename it");
            });
            // waiting is not failing: the source polls on, UP until the alert time (1 h by default)
            assertThat(city.path("status").asText()).isEqualTo("UP");
            assertThat(hub.getBean(SourceActivity.class).condition(CITY)).isEqualTo(SourceActivity.Condition.OK);
        }
    }

    /** The failures SourceActivity counted, from its reason ("failing since ... (12 failure(s)): ..."). */
    static int failures(SourceActivity activity, String sourceId) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\((\\d+) failure").matcher(
                String.valueOf(activity.details(sourceId).get("reason")));
        return m.find() ? Integer.parseInt(m.group(1)) : 0;
    }

    // ---------------------------------------------------------------- files

    interface Change {
        void apply(List<SocialInsuranceGenerator.Row> rows);
    }

    /** A city CSV file; {@code bad}: row index → what its reason says. Lines: header is line 1, row i is line i + 2. */
    static Dropped csv(String name, List<SocialInsuranceGenerator.Row> rows, Map<Integer, String> bad, Change change) {
        change.apply(rows);
        Map<Integer, Integer> lines = new LinkedHashMap<>();
        for (int i = 0; i < rows.size(); i++) {
            lines.put(i, i + 2);
        }
        return new Dropped("city", name, SocialInsuranceGenerator.csv(rows), rows, bad, lines);
    }

    /** A quote left open in row 2's name: that line is set aside, every row after it is read; row 4 has a true two-line name. */
    static Dropped unclosedQuote(List<SocialInsuranceGenerator.Row> rows) {
        Map<String, String> twoLines = rows.get(4).columns();
        twoLines.put(SocialInsuranceGenerator.NAME, twoLines.get(SocialInsuranceGenerator.NAME) + ",南昌\r\n分公司");
        String text = new String(SocialInsuranceGenerator.csv(rows), java.nio.charset.Charset.forName(GBK_NAME));
        String name = rows.get(2).columns().get(SocialInsuranceGenerator.NAME);
        text = text.replace("," + name + ",", ",\"" + name + ",");
        Map<Integer, Integer> lines = Map.of(0, 2, 1, 3, 2, 4, 3, 5, 4, 6, 5, 8);
        return new Dropped("city", "引号未闭合.csv", text.getBytes(java.nio.charset.Charset.forName(GBK_NAME)), rows,
                Map.of(2, "the quote that opens field 2 is not closed on its line"), lines);
    }

    /** A GBK file whose row 1 was written in UTF-8: it is quarantined as such, not delivered as mojibake. */
    static Dropped utf8Row(List<SocialInsuranceGenerator.Row> rows) {
        String[] lines = new String(SocialInsuranceGenerator.csv(rows), java.nio.charset.Charset.forName(GBK_NAME)).split("\r\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < lines.length; i++) {
            out.writeBytes((lines[i] + "\r\n").getBytes(i == 2 ? StandardCharsets.UTF_8 : java.nio.charset.Charset.forName(GBK_NAME)));
        }
        Map<Integer, Integer> numbers = new LinkedHashMap<>();
        for (int i = 0; i < rows.size(); i++) {
            numbers.put(i, i + 2);
        }
        return new Dropped("city", "混合编码.csv", out.toByteArray(), rows, Map.of(1, "line 3 is not GBK text: it is UTF-8"), numbers);
    }

    /** A county fixed-width file, a name with dots and spaces, whose row 3 runs one byte past the layout. */
    static Dropped longFixedWidthLine(List<SocialInsuranceGenerator.Row> rows) {
        byte[] file = SocialInsuranceGenerator.fixedWidth("石城县社会保险事业管理局 单位缴费明细 202004", rows);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int line = 0;
        for (int i = 0; i < file.length; i++) {
            if (file[i] == '\r' && line == 4) { // line 1 is the title: row 3 is line 5
                out.write('9');
            }
            if (file[i] == '\n') {
                line++;
            }
            out.write(file[i]);
        }
        Map<Integer, Integer> numbers = new LinkedHashMap<>();
        for (int i = 0; i < rows.size(); i++) {
            numbers.put(i, i + 2);
        }
        return new Dropped("county", "..SB DWJF 石城 202004.txt", out.toByteArray(), rows,
                Map.of(3, "line 5 is 182 bytes long, the layout has 181 (a long line"), numbers);
    }

    static HrssFtpSandbox.Drop asDrop(Dropped d) {
        List<SocialInsuranceGenerator.Row> rows = new ArrayList<>();
        for (int i = 0; i < d.rows().size(); i++) {
            rows.add(new SocialInsuranceGenerator.Row(d.rows().get(i).columns(), d.bad().get(i)));
        }
        return new HrssFtpSandbox.Drop(d.directory().equals("city") ? CITY : COUNTY, d.directory(), d.name(), d.content(), rows,
                d.directory().equals("city"));
    }

    /** Each bad row of each file is in quarantine once, with its file, its line and its reason; nothing else of these files is. */
    static void assertQuarantinedWithReasons(ConfigurableApplicationContext hub, List<Dropped> files) {
        Map<String, Dropped> byName = files.stream().collect(Collectors.toMap(Dropped::name, d -> d));
        Map<String, String> found = new HashMap<>();
        for (Map<String, Object> q : hub.getBean(JdbcTemplate.class)
                .queryForList("SELECT * FROM quarantine WHERE source_id LIKE 'social-insurance%'")) {
            JsonNode raw = CanonicalJson.read((String) q.get("raw_payload"));
            if (byName.containsKey(raw.path("_file").asText())) {
                String at = raw.path("_file").asText() + ":" + raw.path("_line").asInt();
                List<String> reasons = new ArrayList<>();
                CanonicalJson.read((String) q.get("reasons")).forEach(r -> reasons.add(r.asText()));
                assertThat(found.put(at, String.join("\n", reasons))).as("once: " + at).isNull();
            }
        }
        Map<String, String> expected = new HashMap<>();
        for (Dropped d : files) {
            d.bad().forEach((row, reason) -> expected.put(d.name() + ":" + d.lines().get(row), reason));
        }
        assertThat(found.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
        expected.forEach((at, reason) -> assertThat(found.get(at)).as(at).contains(reason));
    }

    static List<String> names(List<Path> files) {
        return files.stream().map(p -> p.getFileName().toString()).toList();
    }

    /** GET /api/admin/sources/{id} as the operator. */
    static JsonNode source(ConfigurableApplicationContext hub, String password, String sourceId) throws Exception {
        String port = hub.getEnvironment().getProperty("local.server.port");
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/admin/sources/" + sourceId))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(("admin:" + password).getBytes(StandardCharsets.UTF_8)))
                .GET().build();
        HttpResponse<String> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return CanonicalJson.read(response.body());
    }
}
