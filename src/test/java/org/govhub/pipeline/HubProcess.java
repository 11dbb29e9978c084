package org.govhub.pipeline;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.govhub.GovHubApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/** Starts a whole hub (sandbox included) on a data directory, as {@code ./mvnw spring-boot:run} would. */
final class HubProcess {

    private HubProcess() {
    }

    static ConfigurableApplicationContext start(Path dataDir, String... extra) {
        List<String> args = new ArrayList<>(List.of(
                "--server.port=0",
                "--govhub.data-dir=" + dataDir,
                "--govhub.security.admin-password=restart-test",
                "--govhub.batch.max-records=20",
                "--govhub.batch.max-age=1s",
                "--govhub.ingest.poll-interval=300",
                "--govhub.sandbox.tax-bureau.rows=400"));
        args.addAll(List.of(extra));
        return new SpringApplicationBuilder(GovHubApplication.class).run(args.toArray(String[]::new));
    }
}
