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

    /** Starts a hub; {@code extra} arguments ({@code --name=value}) add to or replace the defaults. */
    static ConfigurableApplicationContext start(Path dataDir, String... extra) {
        return new SpringApplicationBuilder(GovHubApplication.class).run(withOverrides(defaults(dataDir), extra).toArray(String[]::new));
    }

    /** The arguments a test hub starts with on a data directory. */
    static List<String> defaults(Path dataDir) {
        return List.copyOf(List.of(
                "--server.port=0",
                "--govhub.data-dir=" + dataDir,
                "--govhub.security.admin-password=Restart-test-26",
                "--govhub.batch.max-records=20",
                "--govhub.batch.max-age=1s",
                "--govhub.ingest.poll-interval=300",
                "--govhub.sandbox.tax-bureau.rows=400"));
    }

    /** The default arguments with {@code extra} ({@code --name=value}) added, or replacing a default of the same name. */
    static List<String> withOverrides(List<String> defaults, String... extra) {
        List<String> args = new ArrayList<>(defaults);
        for (String e : extra) {
            // a repeated --name=value would reach Spring as "a,b": replace the default instead
            String name = e.split("=", 2)[0] + "=";
            args.removeIf(a -> a.startsWith(name));
            args.add(e);
        }
        return args;
    }
}
