package org.govhub.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
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
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.govhub.GovHubApplication;
import org.govhub.normalise.CanonicalJson;
import org.govhub.sandbox.SandboxPorts;

/**
 * A whole hub (sandbox included) in its own JVM, started as {@code java -cp <test class path>
 * org.govhub.GovHubApplication --name=value ...} from the project root (so {@code routes/} and
 * {@code mappings/} are found), so that a test can really crash it: {@link #kill()} is SIGKILL, no
 * shutdown hook, no flush, no goodbye. Its output goes to {@code target/hub-processes/<name>-<n>.log},
 * which the test reads as the hub writes it to see what the hub is doing at the moment.
 *
 * <p>The test class path carries {@code config/application.yaml} (test overrides: sandbox FTP server
 * on a free port, no file drops, REST sources off); the defaults below say the same explicitly.
 */
final class HubJvm implements AutoCloseable {

    static final String OPERATOR_PASSWORD = "Crash-test-operator-26";
    private static final Path LOGS = Path.of("target", "hub-processes").toAbsolutePath();
    private static final AtomicInteger STARTS = new AtomicInteger();

    final Path dataDir;
    final int port;
    final Path logFile;
    private final Process process;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final List<String> lines = new ArrayList<>();
    private final StringBuilder partialLine = new StringBuilder();
    private long logOffset;

    private HubJvm(Path dataDir, int port, Path logFile, Process process) {
        this.dataDir = dataDir;
        this.port = port;
        this.logFile = logFile;
        this.process = process;
    }

    /**
     * Starts a hub on {@code dataDir} and waits until it answers its liveness probe; {@code extra}
     * arguments ({@code --name=value}) add to or replace the defaults.
     */
    static HubJvm start(Path dataDir, String name, String... extra) {
        return start(dataDir, name, "512m", extra);
    }

    /** As {@link #start(Path, String, String...)}, with a heap of {@code heap} ({@code -Xmx}, e.g. {@code 1g}). */
    static HubJvm start(Path dataDir, String name, String heap, String... extra) {
        int port = freePort();
        List<String> args = HubProcess.withOverrides(List.of(
                "--server.port=" + port,
                "--govhub.data-dir=" + dataDir,
                "--govhub.security.admin-password=" + OPERATOR_PASSWORD,
                "--logging.config=classpath:hub-process-logback.xml",
                "--govhub.sandbox.hrss.port=0",
                "--govhub.sandbox.hrss.drop-files=false",
                "--govhub.sources.provincial-filings.enabled=false",
                "--govhub.sources.credit-portal.enabled=false",
                "--govhub.batch.max-records=20",
                "--govhub.batch.max-age=1s",
                "--govhub.ingest.poll-interval=300",
                "--govhub.delivery.poll-interval=200"), extra);
        String classPath = classPath(); // first: packing the classes starts a new archive
        boolean archiving = !Files.isRegularFile(CLASS_ARCHIVE) && ARCHIVER.compareAndSet(0, 1);
        List<String> command = new ArrayList<>(List.of(
                java(),
                // C1 only: on a busy machine the hub is live in half the time (C2 competes for the cores)
                "-Xmx" + heap, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Dfile.encoding=UTF-8",
                // the suite starts some 60 hubs: the first that stops in order leaves an archive of the classes a hub
                // loads (Java's dynamic class data sharing), and each later one maps it instead of loading them again
                archiving ? "-XX:ArchiveClassesAtExit=" + CLASS_ARCHIVE : "-XX:SharedArchiveFile=" + CLASS_ARCHIVE,
                // no JVM log lines in the hub's log (an archive of another build is simply not used)
                "-Xshare:auto", "-Xlog:disable",
                // logback configures itself before Spring does: keep it off the test JVM's log file
                "-Dlogback.configurationFile=" + testResource("hub-process-logback.xml"),
                "-cp", classPath, GovHubApplication.class.getName()));
        command.addAll(args);
        HubJvm hub;
        try {
            hub = launch(name, command, null, dataDir, port);
        } catch (RuntimeException | AssertionError e) {
            if (archiving) {
                ARCHIVER.set(0);
            }
            throw e;
        }
        hub.archiving = archiving;
        return hub;
    }

    /** The hubs' class archive (see {@link #start(Path, String, String, String...)}); 1 while a hub is writing it. */
    private static final Path CLASS_ARCHIVE = LOGS.resolve("hub-classes.jsa");
    private static final AtomicInteger ARCHIVER = new AtomicInteger();
    private boolean archiving;

    /**
     * Starts {@code command} (a hub's java command line) from the project root and waits until it
     * answers its liveness probe on {@code port}; {@code environment}, when given, is the whole
     * environment of the process (nothing of the test JVM's).
     */
    static HubJvm launch(String name, List<String> command, java.util.Map<String, String> environment, Path dataDir, int port) {
        try {
            Files.createDirectories(LOGS);
            Path log = LOGS.resolve(String.format("%s-%02d.log", name, STARTS.incrementAndGet()));
            ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(new File(System.getProperty("user.dir")))
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            if (environment != null) {
                builder.environment().clear();
                builder.environment().putAll(environment);
            }
            HubJvm hub = new HubJvm(dataDir, port, log, builder.start());
            hub.awaitLive(Duration.ofSeconds(120));
            return hub;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The java launcher of the test JVM's runtime. */
    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process.isAlive();
    }

    /** SIGKILL ({@link Process#destroyForcibly()} on Linux): the hub dies wherever it is. */
    void kill() {
        process.destroyForcibly();
        if (archiving) {
            ARCHIVER.set(0); // a killed hub writes no archive: the next one to start tries
        }
        int exit = waitFor(Duration.ofSeconds(20));
        assertThat(exit).as("exit code of the killed hub (128 + SIGKILL)").isEqualTo(137);
    }

    /** SIGTERM: the hub shuts down in order (Spring closes the broker and the databases). */
    void stop() {
        process.destroy();
        waitFor(Duration.ofSeconds(60));
        archived();
    }

    private int waitFor(Duration limit) {
        try {
            if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("hub process " + process.pid() + " did not end within " + limit);
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            waitFor(Duration.ofSeconds(20));
        }
        archived();
    }

    /** The archiving hub has ended: the archive is there, or the next hub to start writes it. */
    private void archived() {
        if (archiving && !Files.isRegularFile(CLASS_ARCHIVE)) {
            ARCHIVER.set(0);
        }
        archiving = false;
    }

    private void awaitLive(Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        HttpRequest probe = HttpRequest.newBuilder(uri("/actuator/health/liveness")).timeout(Duration.ofSeconds(2)).build();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("hub process ended with " + process.exitValue() + " before it was live; log "
                        + logFile + ":\n" + tail(40));
            }
            try {
                if (http.send(probe, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            sleep(200);
        }
        close();
        throw new AssertionError("hub not live within " + limit + "; log " + logFile + ":\n" + tail(40));
    }

    // ---- the hub's log, read as it is written ----

    /** Every complete line the hub has logged so far. */
    synchronized List<String> log() {
        try (RandomAccessFile file = new RandomAccessFile(logFile.toFile(), "r")) {
            long length = file.length();
            if (length > logOffset) {
                byte[] bytes = new byte[(int) (length - logOffset)];
                file.seek(logOffset);
                file.readFully(bytes);
                // a cut through a multi-byte character only spoils a log line we never match on
                partialLine.append(new String(bytes, StandardCharsets.UTF_8));
                logOffset = length;
                int end;
                while ((end = partialLine.indexOf("\n")) >= 0) {
                    lines.add(partialLine.substring(0, end));
                    partialLine.delete(0, end + 1);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return List.copyOf(lines);
    }

    /** Lines logged so far that contain {@code pattern} (a regular expression). */
    List<String> logged(String pattern) {
        Predicate<String> matches = Pattern.compile(pattern).asPredicate();
        return log().stream().filter(matches).toList();
    }

    /** Waits until {@code count} lines matching {@code pattern} were logged; returns the last of them. */
    String awaitLogged(String pattern, int count, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        Predicate<String> matches = Pattern.compile(pattern).asPredicate();
        while (true) {
            List<String> found = log().stream().filter(matches).toList();
            if (found.size() >= count) {
                return found.get(count - 1);
            }
            if (!process.isAlive()) {
                throw new AssertionError("hub ended before it logged " + count + " x '" + pattern + "'; log " + logFile
                        + ":\n" + tail(40));
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("hub did not log " + count + " x '" + pattern + "' within " + limit + " (saw "
                        + found.size() + "); log " + logFile);
            }
            sleep(10);
        }
    }

    /** The first group of {@code pattern} in {@code line}. */
    static String group(String pattern, String line) {
        Matcher m = Pattern.compile(pattern).matcher(line);
        assertThat(m.find()).as("'%s' in %s", pattern, line).isTrue();
        return m.group(1);
    }

    String tail(int n) {
        List<String> all = log();
        return String.join("\n", all.subList(Math.max(0, all.size() - n), all.size()));
    }

    // ---- HTTP, as an operator (Basic) ----

    JsonNode get(String path) {
        return CanonicalJson.read(send(HttpRequest.newBuilder(uri(path)).GET()));
    }

    JsonNode post(String path, String json) {
        return CanonicalJson.read(send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json))));
    }

    /**
     * Runs a JMX operation through Jolokia as the admin: a POST (the hub refuses exec over GET), and
     * Jolokia's own status must be 200 (it answers a refused or failed operation with HTTP 200 too).
     */
    JsonNode jolokiaExec(String mbean, String operation) {
        String request = CanonicalJson.write(CanonicalJson.MAPPER.valueToTree(java.util.Map.of("type", "exec", "mbean", mbean, "operation", operation)));
        JsonNode answer = post("/actuator/jolokia", request);
        assertThat(answer.path("status").asInt()).as("Jolokia %s on %s: %s", operation, mbean, answer).isEqualTo(200);
        return answer;
    }

    /** A full collection in the hub's JVM ({@code jcmd GC.run}: the hub's Jolokia refuses such operations to everyone). */
    void collectGarbage() {
        try {
            Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    Long.toString(pid()), "GC.run").redirectErrorStream(true).start();
            String out = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(jcmd.waitFor(60, TimeUnit.SECONDS)).as("jcmd GC.run ended").isTrue();
            assertThat(jcmd.exitValue()).as("jcmd GC.run: %s", out).isZero();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A health component as the operator sees it, UP (200) or not (503); its status, or the failure of the call itself. */
    String healthStatus(String component) {
        String basic = Base64.getEncoder().encodeToString(("admin:" + OPERATOR_PASSWORD).getBytes(StandardCharsets.UTF_8));
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri("/actuator/health/" + component))
                    .header("Authorization", "Basic " + basic).timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
            return response.statusCode() / 100 == 2 || response.statusCode() == 503
                    ? CanonicalJson.read(response.body()).path("status").asText() : "HTTP " + response.statusCode();
        } catch (IOException e) {
            return e.getClass().getSimpleName();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** POSTs as the operator and answers the HTTP status, whatever it is (for calls that must be refused). */
    int postStatus(String path, String json) {
        String basic = Base64.getEncoder().encodeToString(("admin:" + OPERATOR_PASSWORD).getBytes(StandardCharsets.UTF_8));
        try {
            return http.send(HttpRequest.newBuilder(uri(path)).header("Authorization", "Basic " + basic)
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json))
                    .timeout(Duration.ofSeconds(90)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A POST whose answer is expected to be {@code status} (a refusal, say): its body. */
    JsonNode postAnswering(int status, String path, String json) {
        String basic = Base64.getEncoder().encodeToString(("admin:" + OPERATOR_PASSWORD).getBytes(StandardCharsets.UTF_8));
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri(path)).header("Authorization", "Basic " + basic)
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json))
                    .timeout(Duration.ofSeconds(90)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as("%s: %s", path, response.body()).isEqualTo(status);
            return CanonicalJson.read(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A GET's status alone (404 for a source that is not there, say). */
    int getStatus(String path) {
        String basic = Base64.getEncoder().encodeToString(("admin:" + OPERATOR_PASSWORD).getBytes(StandardCharsets.UTF_8));
        try {
            return http.send(HttpRequest.newBuilder(uri(path)).header("Authorization", "Basic " + basic).GET()
                    .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    // ---- HTTP, as a department (its API key) ----

    /** Calls the sharing API with a department's key ({@code body} null: none); the answer must be 200 or 201. */
    JsonNode asDepartment(String key, String method, String path, String body) {
        return CanonicalJson.read(exchange(HttpRequest.newBuilder(uri(path)).header("X-Api-Key", key).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))));
    }

    private String send(HttpRequest.Builder request) {
        String basic = Base64.getEncoder().encodeToString(("admin:" + OPERATOR_PASSWORD).getBytes(StandardCharsets.UTF_8));
        return exchange(request.header("Authorization", "Basic " + basic));
    }

    private String exchange(HttpRequest.Builder request) {
        try {
            HttpResponse<String> response = http.send(request
                    .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as("%s: %s", response.uri(), response.body()).isBetween(200, 201);
            return response.body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    // ---- helpers ----

    /** A free port for a server started a moment later (below the ephemeral range, as the sandbox's). */
    static int freePort() {
        return SandboxPorts.freePort();
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String testResource(String name) {
        try {
            return Path.of(HubJvm.class.getClassLoader().getResource(name).toURI()).toString();
        } catch (Exception e) {
            throw new IllegalStateException("test resource " + name + " not found", e);
        }
    }

    /** The test JVM's class path (test classes, with config/application.yaml, first). */
    private static String classPath() {
        return CLASS_PATH.get();
    }

    /**
     * The test JVM's class path with its class folders packed into jars (once per test run): Java's
     * class data sharing archives classes from jars only, and the hubs' archive saves each of the
     * suite's hub starts about a third of its time.
     */
    private static final java.util.function.Supplier<String> CLASS_PATH = new java.util.function.Supplier<>() {
        private String packed;

        @Override
        public synchronized String get() {
            if (packed == null) {
                packed = pack();
            }
            return packed;
        }
    };

    private static String pack() {
        String path = System.getProperty("java.class.path");
        // surefire may run the tests from a manifest-only jar; it names the real class path separately
        String surefire = System.getProperty("surefire.test.class.path");
        if (surefire != null && !surefire.isBlank() && !path.contains(File.pathSeparator)) {
            path = surefire;
        }
        try {
            Files.createDirectories(LOGS);
            Files.deleteIfExists(CLASS_ARCHIVE); // made of the last run's jars: the first hub that stops in order writes it anew
            List<String> entries = new ArrayList<>();
            int n = 0;
            for (String entry : path.split(File.pathSeparator)) {
                Path folder = Path.of(entry);
                if (!Files.isDirectory(folder)) {
                    entries.add(entry);
                    continue;
                }
                Path jar = LOGS.resolve("class-path-" + (n++) + ".jar");
                Process packing = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jar").toString(), "cf", jar.toString(),
                        "-C", folder.toString(), ".").redirectErrorStream(true).start();
                String output = new String(packing.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (packing.waitFor() != 0) {
                    throw new IllegalStateException("packing " + folder + " failed: " + output);
                }
                entries.add(jar.toString());
            }
            return String.join(File.pathSeparator, entries);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
