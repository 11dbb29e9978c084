package org.govhub.share;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A department's AMQP 1.0 consumer in Python ({@code amqp/consume.py}, python3-qpid-proton), as
 * docs/share-with-departments.md shows it: proof that the broker channel needs no Java.
 */
public final class PythonAmqpClient {

    /** What one run printed: one JSON line per message; exit 2 when the broker refused the login or the queue. */
    public record Consumed(int exit, String out, String err) {
    }

    private final String python;

    private PythonAmqpClient(String python) {
        this.python = python;
    }

    /** Debian's python3 with python3-qpid-proton (.ci/run installs it): fails in CI without it, skips elsewhere. */
    public static PythonAmqpClient require() throws Exception {
        Process p = new ProcessBuilder("/usr/bin/python3", "-c", "import proton").redirectErrorStream(true).start();
        if (p.waitFor() == 0) {
            return new PythonAmqpClient("/usr/bin/python3");
        }
        String why = "/usr/bin/python3 with python3-qpid-proton is missing (apt-get install python3-qpid-proton; .ci/run does it)";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError(why);
        }
        System.out.println("\n*** SKIPPED: " + why + "\n");
        Assumptions.abort(why);
        return null;
    }

    /** Consumes {@code queue} until {@code idleSeconds} pass without a message; output goes to files (a pipe would fill up and block it). */
    public Consumed consume(String url, String user, String password, String queue, int idleSeconds) throws Exception {
        String script = Path.of(PythonAmqpClient.class.getClassLoader().getResource("amqp/consume.py").toURI()).toString();
        Path out = Files.createTempFile("amqp-consumer", ".out");
        Path err = Files.createTempFile("amqp-consumer", ".err");
        Process p = new ProcessBuilder(python, script, url, user, password, queue, String.valueOf(idleSeconds))
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the AMQP client did not end within 120 s: " + Files.readString(err));
        }
        return new Consumed(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    /** The broker login of an API key: the key up to its dot. */
    public static String loginOf(String key) {
        return key.substring(0, key.indexOf('.'));
    }
}
