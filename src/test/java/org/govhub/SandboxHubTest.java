package org.govhub;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.camel.test.spring.junit5.DisableJmx;

/**
 * One running hub on the sandbox, shared by the test classes that extend this (Spring caches the
 * context): its own data directory, a small tax bureau, small and fast batches.
 */
@DisableJmx(false) // operators watch the routes over JMX (Hawtio); test that as it runs
@HubTest({
            "govhub.sandbox.tax-bureau.rows=300",
            "govhub.batch.max-records=40",
            "govhub.batch.max-age=2s",
            "govhub.ingest.poll-interval=300",
            "govhub.security.admin-password=" + SandboxHubTest.OPERATOR_PASSWORD,
        })
public abstract class SandboxHubTest {

    public static final String OPERATOR_PASSWORD = "Test-operator-pw-26";

    public static Path newDataDir(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
