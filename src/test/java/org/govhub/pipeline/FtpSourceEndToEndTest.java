package org.govhub.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.commons.net.ftp.FTPClient;
import org.govhub.GovHubApplication;
import org.govhub.SandboxHubTest;
import org.govhub.ingest.SourceFiles;
import org.govhub.normalise.CanonicalJson;
import org.govhub.sandbox.HrssFtpSandbox;
import org.govhub.sandbox.NationalPlatformReceiver;
import org.govhub.sandbox.SocialInsuranceGenerator;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The social-insurance file drops end to end, on the sandbox's real FTP server with real FTP
 * clients: city bureaus' GBK CSV (done markers) and a county office's fixed-width files (.part
 * renamed) → broker → batches → national platform; bad rows to quarantine, bad files to the error
 * folder; slow uploads, re-uploads under another name and a restart half-way.
 */
class FtpSourceEndToEndTest {

    /** The operator password of the hubs these tests start. */
    static final String OPERATOR_PASSWORD = "Ftp-test-2026";

    static final Set<String> SOURCES = Set.of("social-insurance", "social-insurance-county");

    static ConfigurableApplicationContext start(Path dataDir, String... extra) {
        List<String> args = new ArrayList<>(List.of(
                "--server.port=0",
                "--govhub.data-dir=" + dataDir,
                "--govhub.security.admin-password=" + OPERATOR_PASSWORD,
                "--govhub.batch.max-records=50",
                "--govhub.batch.max-age=1s",
                "--govhub.sandbox.tax-bureau.rows=50",
                "--govhub.sandbox.hrss.drop-files=true"));
        args.addAll(List.of(extra));
        if (Arrays.stream(extra).noneMatch(a -> a.startsWith("--govhub.ingest.poll-interval="))) {
            args.add("--govhub.ingest.poll-interval=300");
        }
        return new SpringApplicationBuilder(GovHubApplication.class).run(args.toArray(String[]::new));
    }

    @Test
    void everyValidRowOfEveryFileArrivesOnceBadRowsAreQuarantinedBadFilesGoToErrorAndNoFileIsReadEarlyOrTwice()
            throws Exception {
        Path dir = SandboxHubTest.newDataDir("govhub-ftp");
        try (ConfigurableApplicationContext hub = start(dir)) {
            HrssFtpSandbox ftp = hub.getBean(HrssFtpSandbox.class);
            JdbcTemplate db = hub.getBean(JdbcTemplate.class);
            List<HrssFtpSandbox.Drop> drops = new ArrayList<>(ftp.drops());

            // 1. A file still being written is not read: slow uploads, a pause after each chunk.
            SocialInsuranceGenerator more = new SocialInsuranceGenerator(7, 0);
            List<SocialInsuranceGenerator.Row> aprilRows = more.rows("南昌", List.of("360102", "360111"), "202004", 25);
            byte[] april = SocialInsuranceGenerator.csv(aprilRows);
            String aprilName = "社保缴费_2020年04月_南昌.csv";
            List<SocialInsuranceGenerator.Row> countyRows = more.rows("瑞金", List.of("360781"), "202004", 20);
            byte[] county = SocialInsuranceGenerator.fixedWidth("瑞金市 单位缴费明细 202004", countyRows);
            String countyName = "SB_DWJF_360781_202004.txt";
            FTPClient client = HrssFtpSandbox.connect(ftp.port(), ftp.username(), ftp.password());
            try {
                slowUpload(client, "city/" + aprilName, april, () -> assertNotTaken(db, ftp, "city", aprilName));
                slowUpload(client, "county/" + countyName + ".part", county,
                        () -> assertNotTaken(db, ftp, "county", countyName + ".part"));
                Thread.sleep(1500); // complete but without its .done marker: still not taken
                assertNotTaken(db, ftp, "city", aprilName);
                assertNotTaken(db, ftp, "county", countyName + ".part");
                assertThat(client.storeFile("city/" + aprilName + ".done", new java.io.ByteArrayInputStream(new byte[0]))).isTrue();
                assertThat(client.rename("county/" + countyName + ".part", "county/" + countyName)).isTrue();
            } finally {
                client.logout();
                client.disconnect();
            }
            drops.add(new HrssFtpSandbox.Drop("social-insurance", "city", aprilName, april, aprilRows, true));
            drops.add(new HrssFtpSandbox.Drop("social-insurance-county", "county", countyName, county, countyRows, false));

            // 2. Files that cannot be read at all go to the error folder with a reason beside them.
            byte[] png = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'};
            HrssFtpSandbox.upload(ftp.port(), ftp.username(), ftp.password(), "city", "社保缴费_2020年02月_赣州.csv", png, true);
            byte[] utf8 = new String(SocialInsuranceGenerator.csv(aprilRows.subList(0, 3)), SocialInsuranceGenerator.GBK)
                    .getBytes(StandardCharsets.UTF_8);
            HrssFtpSandbox.upload(ftp.port(), ftp.username(), ftp.password(), "city", "社保缴费_UTF8.csv", utf8, true);

            awaitAllTaken(hub, drops);

            // 3. A file taken before, uploaded again under another name, is recognised and not read again.
            HrssFtpSandbox.Drop first = drops.get(0);
            String again = first.name().replace(".csv", "(重传).csv");
            int receivedBefore = receiver(hub).receivedRecords().size();
            HrssFtpSandbox.upload(ftp.port(), ftp.username(), ftp.password(), "city", again, first.content(), true);
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(ftp.home().resolve("city/done/" + again)));
            Thread.sleep(3000); // batches age out in 1 s: anything read again would have arrived
            assertThat(receiver(hub).receivedRecords()).hasSize(receivedBefore);
            assertThat(db.queryForObject("SELECT COUNT(*) FROM source_file WHERE file_name = ?", Integer.class, again)).isZero();

            assertExactlyOnce(hub, drops);
            assertQuarantined(hub, drops);

            // every file left the drop folders: data files in done, markers gone
            for (HrssFtpSandbox.Drop d : drops) {
                assertThat(ftp.home().resolve(d.directory() + "/done/" + d.name())).exists().hasBinaryContent(d.content());
            }
            assertThat(filesIn(ftp.home().resolve("city"))).isEmpty();
            assertThat(filesIn(ftp.home().resolve("county"))).isEmpty();
            List<Map<String, Object>> files = db.queryForList(
                    "SELECT * FROM source_file WHERE status = 'DONE' ORDER BY file_name");
            assertThat(files).extracting(f -> (String) f.get("file_name"))
                    .containsExactlyInAnyOrderElementsOf(drops.stream().map(HrssFtpSandbox.Drop::name).toList());

            // 4. A corrected file uploaded under the name of one already taken: read, and kept in done/
            //    beside the first under a name with its SHA-256, not over it
            List<SocialInsuranceGenerator.Row> mayRows = more.rows("南昌", List.of("360102"), "202005", 6);
            byte[] may = SocialInsuranceGenerator.csv(mayRows);
            int beforeCorrection = receiver(hub).receivedRecords().size();
            HrssFtpSandbox.upload(ftp.port(), ftp.username(), ftp.password(), "city", first.name(), may, true);
            String keptAs = SourceFiles.distinctName(first.name(), HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(may)));
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(ftp.home().resolve("city/done/" + keptAs)));
            await().atMost(Duration.ofSeconds(30)).until(() -> receiver(hub).receivedRecords().size() == beforeCorrection + mayRows.size());
            assertThat(ftp.home().resolve("city/done/" + keptAs)).hasBinaryContent(may);
            assertThat(ftp.home().resolve("city/done/" + first.name())).hasBinaryContent(first.content());

            // the unreadable ones: in error, each with a UTF-8 reason file
            Path error = ftp.home().resolve("city/error");
            assertThat(error.resolve("社保缴费_2020年02月_赣州.csv")).hasBinaryContent(png);
            assertThat(Files.readString(error.resolve("社保缴费_2020年02月_赣州.csv.reason.txt"), StandardCharsets.UTF_8))
                    .contains("社保缴费_2020年02月_赣州.csv", "binary content", "nothing of it was taken");
            assertThat(Files.readString(error.resolve("社保缴费_UTF8.csv.reason.txt"), StandardCharsets.UTF_8))
                    .containsAnyOf("not GBK text", "unknown layout");
            assertThat(db.queryForList("SELECT file_name FROM source_file WHERE status = 'ERROR'", String.class))
                    .containsExactlyInAnyOrder("社保缴费_2020年02月_赣州.csv", "社保缴费_UTF8.csv");
        }
    }

    @Test
    void aHubStoppedHalfWayThroughTheDropsTakesTheRestAfterRestartWithoutGapsOrRepeats() {
        Path dir = SandboxHubTest.newDataDir("govhub-ftp-restart");
        List<HrssFtpSandbox.Drop> drops;
        int takenAtStop;
        // one file per poll, a poll every 2 s: the stop comes with files still waiting
        try (ConfigurableApplicationContext first = start(dir, "--govhub.ingest.poll-interval=2000",
                "--govhub.ingest.max-files-per-poll=1")) {
            drops = first.getBean(HrssFtpSandbox.class).drops();
            JdbcTemplate db = first.getBean(JdbcTemplate.class);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                    .until(() -> db.queryForObject("SELECT COUNT(*) FROM source_file", Integer.class) >= 1);
            takenAtStop = db.queryForObject("SELECT COUNT(*) FROM source_file", Integer.class);
        }
        assertThat(takenAtStop).as("the first run was stopped before it had taken every file").isLessThan(drops.size());
        try (ConfigurableApplicationContext second = start(dir)) {
            awaitAllTaken(second, drops);
            assertExactlyOnce(second, drops);
            assertQuarantined(second, drops);
            JdbcTemplate db = second.getBean(JdbcTemplate.class);
            assertThat(db.queryForObject("SELECT COUNT(*) FROM source_file WHERE status = 'DONE'", Integer.class))
                    .isEqualTo(drops.size());
            assertThat(receiver(second).receivedBatches()).allMatch(b -> ((Number) b.get("submissions")).intValue() == 1);
        }
    }

    interface Check {
        void run() throws Exception;
    }

    /** Writes a file in four chunks with a pause after each; the check runs during every pause. */
    static void slowUpload(FTPClient client, String path, byte[] content, Check whileWriting) throws Exception {
        try (OutputStream out = client.storeFileStream(path)) {
            assertThat(out).as("STOR " + path + ": " + client.getReplyString()).isNotNull();
            int chunk = content.length / 4 + 1;
            for (int from = 0; from < content.length; from += chunk) {
                out.write(content, from, Math.min(chunk, content.length - from));
                out.flush();
                Thread.sleep(800);
                whileWriting.run();
            }
        }
        assertThat(client.completePendingCommand()).isTrue();
    }

    static void assertNotTaken(JdbcTemplate db, HrssFtpSandbox ftp, String directory, String name) {
        assertThat(ftp.home().resolve(directory).resolve(name)).as("still in the drop folder").exists();
        assertThat(db.queryForObject("SELECT COUNT(*) FROM source_file WHERE file_name LIKE ?", Integer.class,
                name.replace(".part", "") + "%")).isZero();
    }

    static void awaitAllTaken(ConfigurableApplicationContext hub, List<HrssFtpSandbox.Drop> drops) {
        long valid = drops.stream().flatMap(d -> d.rows().stream()).filter(r -> r.defect() == null).count();
        long invalid = drops.stream().flatMap(d -> d.rows().stream()).filter(r -> r.defect() != null).count();
        NationalPlatformReceiver platform = receiver(hub);
        JdbcTemplate db = hub.getBean(JdbcTemplate.class);
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250))
                .until(() -> platform.receivedRecords().stream().filter(r -> SOURCES.contains(r.get("source_id"))).count() >= valid
                        && db.queryForObject("SELECT COUNT(*) FROM quarantine WHERE source_id LIKE 'social-insurance%'",
                                Long.class) >= invalid
                        && db.queryForObject("SELECT COUNT(*) FROM batch WHERE status <> 'ACKNOWLEDGED'", Long.class) == 0);
    }

    /** Every valid row of every file arrived, once, under its own source. */
    static void assertExactlyOnce(ConfigurableApplicationContext hub, List<HrssFtpSandbox.Drop> drops) {
        List<Map<String, Object>> received = receiver(hub).receivedRecords().stream()
                .filter(r -> SOURCES.contains(r.get("source_id"))).toList();
        for (String source : SOURCES) {
            Set<String> expected = drops.stream().filter(d -> d.sourceId().equals(source)).flatMap(d -> d.rows().stream())
                    .filter(r -> r.defect() == null).map(SocialInsuranceGenerator.Row::key).collect(Collectors.toSet());
            Map<String, Long> times = received.stream().filter(r -> source.equals(r.get("source_id")))
                    .collect(Collectors.groupingBy(r -> (String) r.get("source_record_key"), Collectors.counting()));
            assertThat(expected).as(source).isNotEmpty();
            assertThat(times.keySet()).as(source).isEqualTo(expected);
            assertThat(times.values()).as(source).allMatch(n -> n == 1);
        }
    }

    /** Every invalid row is in quarantine once, with the reason its defect calls for. */
    static void assertQuarantined(ConfigurableApplicationContext hub, List<HrssFtpSandbox.Drop> drops) {
        Map<String, String> defectByKey = new HashMap<>();
        drops.forEach(d -> d.rows().stream().filter(r -> r.defect() != null)
                .forEach(r -> defectByKey.put(d.sourceId() + " " + r.key(), r.defect())));
        assertThat(new java.util.HashSet<>(defectByKey.values())).as("every kind of defect appears").hasSize(7);
        List<Map<String, Object>> quarantined = hub.getBean(JdbcTemplate.class)
                .queryForList("SELECT * FROM quarantine WHERE source_id LIKE 'social-insurance%'");
        assertThat(quarantined).extracting(q -> q.get("source_id") + " " + q.get("source_record_key"))
                .containsExactlyInAnyOrderElementsOf(defectByKey.keySet());
        for (Map<String, Object> q : quarantined) {
            String all = CanonicalJson.read((String) q.get("reasons")).toString();
            JsonNode raw = CanonicalJson.read((String) q.get("raw_payload"));
            assertThat(raw.path("_file").asText()).isNotEmpty();
            assertThat(raw.path("_line").asInt()).isGreaterThan(1);
            String defect = defectByKey.get(q.get("source_id") + " " + q.get("source_record_key"));
            switch (defect) {
                case "credit code with a wrong check character" -> assertThat(all).contains("creditCode", "GB32100 check character");
                case "unknown unit type code" -> assertThat(all).contains("unitType (from ", "99");
                case "period that is not a month" -> assertThat(all).contains("period (from ", "13");
                case "head count that is not a number" -> assertThat(all).contains("insuredEmployees (from ", "十二");
                case "contribution with fractions of a fen" -> assertThat(all).contains("1234.567", "whole number of fen");
                case "region code missing from GB/T 2260" -> assertThat(all).contains("regionCode", "369999");
                case "short line" -> assertThat(all).contains("short line", raw.path("_file").asText());
                default -> throw new AssertionError("unexpected defect " + defect);
            }
        }
    }

    static List<Path> filesIn(Path folder) throws Exception {
        try (Stream<Path> s = Files.list(folder)) {
            return s.filter(Files::isRegularFile).toList();
        }
    }

    static NationalPlatformReceiver receiver(ConfigurableApplicationContext hub) {
        return hub.getBean(NationalPlatformReceiver.class);
    }
}
