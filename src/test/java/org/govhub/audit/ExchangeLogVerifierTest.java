package org.govhub.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.govhub.audit.ExchangeLogVerifier.Problem;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.core.io.ClassPathResource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.init.ScriptUtils;
import com.zaxxer.hikari.HikariDataSource;

/**
 * The exchange log on its own (its V19 table on an in-memory H2, the real key files): the offline
 * verifier passes an intact export and names the entry of one edited, deleted, inserted or reordered.
 */
class ExchangeLogVerifierTest {

    @TempDir
    Path dataDir;
    ExchangeLogKey key;
    ExchangeLogTable log;
    JdbcTemplate jdbc;
    HikariDataSource db;

    @BeforeEach
    void freshLog() throws Exception {
        db = new HikariDataSource();
        openDatabase(db);
        db.setMaximumPoolSize(8);
        try (var c = db.getConnection()) {
            ScriptUtils.executeSqlScript(c, new ClassPathResource("db/migration/V19__exchange_log.sql"));
        }
        jdbc = new JdbcTemplate(db);
        key = new ExchangeLogKey(dataDir.toString(), "");
        log = new ExchangeLogTable(jdbc, new DataSourceTransactionManager(db), key);
    }

    @org.junit.jupiter.api.AfterEach
    void closeDatabase() {
        db.close();
    }

    /** The hub's default database: H2 (ExchangeLogOnPostgresTest runs the same on PostgreSQL). */
    void openDatabase(HikariDataSource db) {
        db.setJdbcUrl("jdbc:h2:mem:exchange-log-" + System.nanoTime() + ";DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1");
    }

    private List<String> exportOf(int entries) {
        for (int i = 1; i <= entries; i++) {
            log.append(new ExchangeLog.Event(ExchangeLog.HUB, "platform send", "national-platform/batches", i % 2 == 0 ? "tax" : null,
                    "batch-" + i, ExchangeLog.sha256("payload " + i), "attempt"));
        }
        return new ArrayList<>(ExchangeLogTable.exportLines(jdbc));
    }

    @Test
    void nodesSharingTheKeyWriteOneVerifiableChainAndANodeWithAnotherKeyIsRefused() throws Exception {
        // a second node on the same database with the same key (a mounted secret): appends interleave into one chain
        ExchangeLogTable second = new ExchangeLogTable(jdbc, new DataSourceTransactionManager(db),
                new ExchangeLogKey(dataDir.resolve("elsewhere").toString(), dataDir.resolve("audit/" + ExchangeLogKey.PRIVATE_FILE).toString()));
        for (int i = 1; i <= 4; i++) {
            (i % 2 == 0 ? second : log).append(new ExchangeLog.Event(ExchangeLog.HUB, "platform send", "national-platform/batches", null,
                    "batch-" + i, ExchangeLog.sha256("payload " + i), "attempt"));
        }
        second.afterSingletonsInstantiated();
        assertThat(ExchangeLogVerifier.verify(ExchangeLogTable.exportLines(jdbc), key.publicKey())).isEmpty();

        // a node that generated its own key: it neither starts nor appends, and the chain stays verifiable
        ExchangeLogTable stranger = new ExchangeLogTable(jdbc, new DataSourceTransactionManager(db),
                new ExchangeLogKey(dataDir.resolve("stranger").toString(), ""));
        org.assertj.core.api.Assertions.assertThatThrownBy(stranger::afterSingletonsInstantiated)
                .hasMessageContaining("exchange log entry 4 is not signed with this node's key");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> stranger.append(new ExchangeLog.Event(ExchangeLog.HUB, "platform send",
                "national-platform/batches", null, "batch-5", ExchangeLog.sha256("payload 5"), "attempt")))
                .isInstanceOf(ExchangeLog.Unavailable.class).hasMessageContaining("not signed with this node's key");
        assertThat(ExchangeLogTable.exportLines(jdbc)).hasSize(4);
        assertThat(ExchangeLogVerifier.verify(ExchangeLogTable.exportLines(jdbc), key.publicKey())).isEmpty();
    }

    @Test
    void anEntryAppendedWithItsChangeCommitsWithItOrNotAtAll() {
        jdbc.execute("CREATE TABLE moved (id INT PRIMARY KEY)");
        ExchangeLog.Event attempt = new ExchangeLog.Event(ExchangeLog.HUB, "platform send", "national-platform/batches", null,
                "batch-1", ExchangeLog.sha256("payload 1"), "attempt");
        assertThat(log.appendWith(attempt, () -> jdbc.update("INSERT INTO moved VALUES (1)") == 1)).isTrue();
        // the change answers false (the batch was not where it was expected): neither the entry nor the change stays
        assertThat(log.appendWith(attempt, () -> jdbc.update("INSERT INTO moved VALUES (2)") == 0)).isFalse();
        // the change fails: its own error, and neither stays
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> log.appendWith(attempt, () -> {
            jdbc.update("INSERT INTO moved VALUES (3)");
            throw new IllegalStateException("the batch moved meanwhile");
        })).isInstanceOf(IllegalStateException.class).hasMessage("the batch moved meanwhile");
        // the log cannot be written: the change is not made
        jdbc.execute("ALTER TABLE exchange_log RENAME TO exchange_log_away");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> log.appendWith(attempt, () -> jdbc.update("INSERT INTO moved VALUES (4)") == 1))
                .isInstanceOf(ExchangeLog.Unavailable.class);
        jdbc.execute("ALTER TABLE exchange_log_away RENAME TO exchange_log");

        assertThat(jdbc.queryForList("SELECT id FROM moved", Integer.class)).containsExactly(1);
        log.append(attempt);
        List<String> export = ExchangeLogTable.exportLines(jdbc);
        assertThat(export).hasSize(2);
        assertThat(ExchangeLogVerifier.verify(export, key.publicKey())).isEmpty();
    }

    @Test
    void theSignaturesAreTheJdksEd25519Signatures() throws Exception {
        java.security.PrivateKey jdkKey = Pem.privateKey(Files.readString(dataDir.resolve("audit").resolve(ExchangeLogKey.PRIVATE_FILE)));
        for (String text : List.of("", "govhub", "{\"seq\":1,\"outcome\":\"attempt\"}", "x".repeat(5000))) {
            byte[] bytes = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            java.security.Signature jdk = java.security.Signature.getInstance("Ed25519");
            jdk.initSign(jdkKey);
            jdk.update(bytes);
            assertThat(key.sign(bytes)).isEqualTo(java.util.Base64.getEncoder().encodeToString(jdk.sign()));
            assertThat(ExchangeLogKey.verify(key.publicKey(), bytes, key.sign(bytes))).isTrue();
        }
    }

    @Test
    void anIntactExportPasses() {
        List<String> export = exportOf(6);
        assertThat(export).hasSize(6);
        assertThat(ExchangeLogVerifier.verify(export, key.publicKey())).isEmpty();
    }

    @Test
    void anEditedEntryIsNamed() {
        List<String> export = exportOf(6);
        export.set(2, export.get(2).replace("\"outcome\":\"attempt\"", "\"outcome\":\"never happened\""));
        assertThat(ExchangeLogVerifier.verify(export, key.publicKey())).extracting(Problem::toString)
                .containsExactly("line 3, seq 3: edited: its content does not match its hash");
    }

    @Test
    void anEditedAndRehashedEntryIsNamedByItsSignature() {
        List<String> export = exportOf(6);
        Entry e = Entry.fromJsonLine(export.get(2));
        Entry edited = new Entry(e.seq(), e.timeMillis(), e.actor(), e.action(), e.resource(), e.department(), e.batch(),
                e.payloadSha256(), "never happened", e.prevHash(), null, e.signature());
        String rehashed = ExchangeLog.sha256(edited.signedBytes());
        export.set(2, new Entry(e.seq(), e.timeMillis(), e.actor(), e.action(), e.resource(), e.department(), e.batch(),
                e.payloadSha256(), "never happened", e.prevHash(), rehashed, e.signature()).toJsonLine());
        List<Problem> problems = ExchangeLogVerifier.verify(export, key.publicKey());
        assertThat(problems.get(0).seq()).isEqualTo(3);
        assertThat(problems.get(0).what()).startsWith("not signed by the hub's key");
    }

    @Test
    void aDeletedEntryIsNamed() {
        List<String> export = exportOf(6);
        export.remove(3);
        assertThat(ExchangeLogVerifier.verify(export, key.publicKey())).extracting(Problem::toString)
                .containsExactly("line 4, seq 5: deleted: seq 4 is missing");
    }

    @Test
    void anInsertedEntryIsNamed() throws Exception {
        List<String> export = exportOf(6);
        // a forger with a key of their own, chaining the made-up entry to entry 3
        Entry third = Entry.fromJsonLine(export.get(2));
        ExchangeLogKey forger = new ExchangeLogKey(Files.createTempDirectory(dataDir, "forger").toString(), "");
        Entry unsigned = new Entry(4, third.timeMillis() + 1, "admin", "api POST", "/api/admin/batches/x/resend", null, "x", null,
                "answered 200", third.entryHash(), null, null);
        Entry forged = new Entry(4, unsigned.timeMillis(), "admin", "api POST", "/api/admin/batches/x/resend", null, "x", null,
                "answered 200", third.entryHash(), ExchangeLog.sha256(unsigned.signedBytes()), forger.sign(unsigned.signedBytes()));
        export.add(3, forged.toJsonLine());
        List<Problem> problems = ExchangeLogVerifier.verify(export, key.publicKey());
        assertThat(problems.get(0)).hasToString("line 4, seq 4: not signed by the hub's key: inserted or edited and re-hashed");
        assertThat(problems).extracting(Problem::toString).contains("line 5, seq 4: inserted: sequence number already used at line 4");
    }

    @Test
    void anInsertedCopyOfAGenuineEntryIsNamed() {
        List<String> export = exportOf(6);
        export.add(5, export.get(1)); // entry 2 again, between 5 and 6: every signature is genuine
        assertThat(ExchangeLogVerifier.verify(export, key.publicKey())).extracting(Problem::toString)
                .containsExactly("line 6, seq 2: inserted: sequence number already used at line 2");
    }

    @Test
    void reorderedEntriesAreNamed() {
        List<String> export = exportOf(6);
        String fourth = export.remove(3);
        export.add(2, fourth); // 1 2 4 3 5 6
        assertThat(ExchangeLogVerifier.verify(export, key.publicKey())).extracting(Problem::toString)
                .containsExactly("line 4, seq 3: reordered: comes after seq 4");
    }

    @Test
    void theCommandLineSaysWhatItFound() throws Exception {
        List<String> export = exportOf(3);
        Path file = dataDir.resolve("export.jsonl");
        Files.write(file, export);
        Path pem = dataDir.resolve("audit").resolve(ExchangeLogKey.PUBLIC_FILE);
        assertThat(run(file, pem)).isZero();
        export.remove(1);
        Files.write(file, export);
        assertThat(run(file, pem)).isEqualTo(1);
    }

    private static int run(Path export, Path pem) throws Exception {
        // its own JVM: main ends with System.exit
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), ExchangeLogVerifier.class.getName(), export.toString(), pem.toString())
                .inheritIO().start();
        return p.waitFor();
    }

    @Test
    void concurrentWritersNeverForkTheChain() throws Exception {
        ExecutorService writers = Executors.newFixedThreadPool(6);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < 6; t++) {
            int writer = t;
            done.add(writers.submit(() -> {
                for (int i = 0; i < 40; i++) {
                    log.append(new ExchangeLog.Event("writer-" + writer, "api POST", "/api/x", null, null, null, "attempt " + i));
                }
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        writers.shutdown();
        List<String> export = ExchangeLogTable.exportLines(jdbc);
        assertThat(export).hasSize(240);
        assertThat(ExchangeLogVerifier.verify(export, key.publicKey())).isEmpty();
    }

    @Test
    void theKeyIsGeneratedOnceOwnerOnlyAndItsPublicHalfExported() throws Exception {
        Path privateKey = dataDir.resolve("audit").resolve(ExchangeLogKey.PRIVATE_FILE);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(privateKey))).isEqualTo("rw-------");
        assertThat(Files.readString(dataDir.resolve("audit").resolve(ExchangeLogKey.PUBLIC_FILE))).startsWith("-----BEGIN PUBLIC KEY-----");
        ExchangeLogKey again = new ExchangeLogKey(dataDir.toString(), "");
        assertThat(again.publicKey()).isEqualTo(key.publicKey());
        // a configured key path (prod) is used as it is
        ExchangeLogKey configured = new ExchangeLogKey("/nonexistent", privateKey.toString());
        assertThat(configured.publicKey()).isEqualTo(key.publicKey());
    }
}
