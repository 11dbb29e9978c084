package org.govhub.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A replicated Artemis primary/backup pair as production runs one (docs/cluster.md, "Broker pair"):
 * two brokers of the real distribution ({@code target/apache-artemis-<version>}, unpacked by the pom
 * before the ITs), each made by its own CLI ({@code artemis create --replicated [--backup]}) and run
 * by {@code bin/artemis run} as a child process on 127.0.0.1, with the hub's record-queue settings
 * ({@code broker/broker.properties}) as docker/compose.yaml gives them. The backup takes the
 * primary's journal over the network and becomes active when the primary dies.
 *
 * <pre>
 * try (ArtemisPair pair = ArtemisPair.start(dir, user, password)) {
 *     hubEnvironment.put("GOVHUB_ARTEMIS_URL", pair.url());
 *     ...
 *     pair.killPrimary();
 *     pair.awaitBackupActive(Duration.ofSeconds(30));
 * }
 * </pre>
 *
 * The login {@code user} has the role {@code amq}, which may do everything (the hub's default
 * {@code GOVHUB_ARTEMIS_ROLE}). Users live in the journal ({@code --security-manager basic}), so
 * the department logins the hub adds through management reach the backup with everything else.
 */
final class ArtemisPair implements AutoCloseable {

    /** The unpacked distribution; failsafe names it (pom.xml), an IDE run finds it under target/. */
    static final Path HOME = Path.of(System.getProperty("govhub.artemis-home", "target/apache-artemis-2.40.0"));
    /** The broker's log line once it accepts clients (a primary at start, a backup when it takes over). */
    private static final String ACTIVE = "AMQ221007: Server is now active";
    /** The backup's log lines once it holds the primary's journal and is known to the primary's clients. */
    private static final String SYNCHRONIZED = "AMQ221024:";
    private static final String ANNOUNCED = "AMQ221031: backup announced";

    final Broker primary;
    final Broker backup;

    private ArtemisPair(Broker primary, Broker backup) {
        this.primary = primary;
        this.backup = backup;
    }

    /**
     * Creates the two brokers under {@code dir} (primary/, backup/, each with its log), starts them
     * and returns once the primary is active and the backup is synchronized and announced.
     */
    static ArtemisPair start(Path dir, String user, String password) {
        assertThat(HOME.resolve("bin/artemis")).as("the Artemis distribution (./mvnw verify unpacks it before the ITs)").exists();
        int primaryPort = HubJvm.freePort();
        int backupPort = HubJvm.freePort();
        Broker primary = new Broker("primary", dir.resolve("primary"), primaryPort);
        Broker backup = new Broker("backup", dir.resolve("backup"), backupPort);
        // the two creates are independent JVMs of a few seconds each
        Process createPrimary = primary.create(backupPort, user, password, false);
        Process createBackup = backup.create(primaryPort, user, password, true);
        primary.awaitCreated(createPrimary);
        backup.awaitCreated(createBackup);
        ArtemisPair pair = new ArtemisPair(primary, backup);
        try {
            // started together: the backup waits for the primary on its own
            primary.run();
            backup.run();
            primary.awaitLogged(ACTIVE, Duration.ofSeconds(60));
            backup.awaitLogged(SYNCHRONIZED, Duration.ofSeconds(60));
            backup.awaitLogged(ANNOUNCED, Duration.ofSeconds(30));
            return pair;
        } catch (RuntimeException | Error e) {
            pair.close();
            throw e;
        }
    }

    /**
     * The URL a client gives the hub ({@code GOVHUB_ARTEMIS_URL}): both brokers, so the hub reaches
     * whichever is active at its start; {@code ha=true} so it follows the pair's topology and fails
     * over to the backup; reconnect attempts without end, one a second (docs/cluster.md).
     */
    String url() {
        return "(tcp://127.0.0.1:" + primary.port + ",tcp://127.0.0.1:" + backup.port + ")?ha=true&reconnectAttempts=-1&retryInterval=1000";
    }

    /** SIGKILL to the primary's JVM: no goodbye to the backup or the clients. */
    void killPrimary() {
        primary.kill();
    }

    /** Waits until the backup has taken over and accepts clients. */
    void awaitBackupActive(Duration limit) {
        backup.awaitLogged(ACTIVE, limit);
    }

    /** Stops whatever still runs (SIGTERM, then SIGKILL after 30 s). */
    @Override
    public void close() {
        backup.stop();
        primary.stop();
    }

    /** One broker instance: its folder, its acceptor's port and its {@code artemis run} process. */
    static final class Broker {
        final String name;
        final Path instance;
        final int port;
        final Path log;
        private Process process;

        private Broker(String name, Path instance, int port) {
            this.name = name;
            this.instance = instance.toAbsolutePath();
            this.port = port;
            this.log = this.instance.resolveSibling(name + ".log");
        }

        /** {@code artemis create} of this instance, replicating with the broker at {@code otherPort}; runs in the background. */
        private Process create(int otherPort, String user, String password, boolean isBackup) {
            List<String> command = new ArrayList<>(List.of("sh", HOME.resolve("bin/artemis").toAbsolutePath().toString(), "create",
                    instance.toString(), "--silent", "--force", "--name", name,
                    "--replicated", "--host", "127.0.0.1", "--default-port", Integer.toString(port),
                    // a fixed peer, no UDP discovery: the pair's cluster connection finds the other broker here
                    "--static-cluster", "tcp://127.0.0.1:" + otherPort,
                    "--require-login", "--user", user, "--password", password, "--role", "amq",
                    "--cluster-user", "govhub-cluster", "--cluster-password", password + "-cluster",
                    // users in the journal, which the backup replicates (the default JAAS files would stay on one broker)
                    "--security-manager", "basic",
                    // one acceptor for every protocol, no web console; plain NIO journal, no disk benchmark at create
                    "--no-amqp-acceptor", "--no-stomp-acceptor", "--no-hornetq-acceptor", "--no-mqtt-acceptor", "--no-web",
                    "--nio", "--no-autotune", "--java-memory", "512M"));
            if (isBackup) {
                command.add("--backup");
            }
            try {
                Files.createDirectories(instance.getParent());
                ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                        .redirectOutput(instance.resolveSibling(name + "-create.log").toFile());
                environment(builder);
                return builder.start();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private void awaitCreated(Process create) {
            try {
                assertThat(create.waitFor(120, TimeUnit.SECONDS)).as("artemis create of %s ended", name).isTrue();
                assertThat(create.exitValue()).as("artemis create of %s: %s", name,
                        Files.readString(instance.resolveSibling(name + "-create.log"))).isZero();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        /** {@code bin/artemis run}: the script execs java, so the child process is the broker's JVM itself. */
        private void run() {
            try {
                ProcessBuilder builder = new ProcessBuilder("sh", instance.resolve("bin/artemis").toString(), "run")
                        .directory(instance.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
                environment(builder);
                // the hub's record-queue settings, named to the broker as docker/compose.yaml does
                builder.environment().put("JAVA_ARGS_APPEND", "-Dbroker.properties="
                        + Path.of("src/main/resources/broker/broker.properties").toAbsolutePath());
                process = builder.start();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** The distribution's scripts run on the test JVM's runtime. */
        private static void environment(ProcessBuilder builder) {
            Map<String, String> env = builder.environment();
            env.put("JAVA_HOME", System.getProperty("java.home"));
            env.remove("JAVA_ARGS");
            env.remove("JAVA_ARGS_APPEND");
        }

        long pid() {
            return process.pid();
        }

        boolean alive() {
            return process != null && process.isAlive();
        }

        /** Waits until the broker's log holds {@code text}; fails at once if the broker ended. */
        void awaitLogged(String text, Duration limit) {
            long deadline = System.nanoTime() + limit.toNanos();
            while (!logText().contains(text)) {
                if (!process.isAlive()) {
                    throw new AssertionError(name + " broker ended (" + process.exitValue() + ") before it logged '" + text + "'; log "
                            + log + ":\n" + tail());
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError(name + " broker did not log '" + text + "' within " + limit + "; log " + log + ":\n" + tail());
                }
                HubJvm.sleep(20);
            }
        }

        String logText() {
            try {
                return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private String tail() {
            String[] lines = logText().split("\n");
            return String.join("\n", java.util.Arrays.asList(lines).subList(Math.max(0, lines.length - 30), lines.length));
        }

        void kill() {
            assertThat(ProcessHandle.of(process.pid()).flatMap(h -> h.info().command()).orElse(""))
                    .as("the %s broker's process is its JVM (bin/artemis execs java)", name).endsWith(File.separator + "java");
            process.destroyForcibly();
            assertThat(waitFor(Duration.ofSeconds(20))).as("exit code of the killed %s broker (128 + SIGKILL)", name).isEqualTo(137);
        }

        private void stop() {
            if (alive()) {
                process.destroy();
                if (waitFor(Duration.ofSeconds(30)) < 0) {
                    process.destroyForcibly();
                    waitFor(Duration.ofSeconds(20));
                }
            }
        }

        /** The exit code, or -1 when the process still runs after {@code limit}. */
        private int waitFor(Duration limit) {
            try {
                return process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }
}
