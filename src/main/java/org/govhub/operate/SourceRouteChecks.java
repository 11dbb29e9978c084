package org.govhub.operate;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.govhub.ingest.RouteFileModel;
import org.govhub.ingest.SourceDataSourceRegistrar;
import org.springframework.core.env.PropertyResolver;

/**
 * What every source route needs before it can run, checked as the hub starts and by the check-files
 * command, each problem with the file, the line and what to set: its mapping file exists, a SQL or
 * change-capture source has a database connection of the right kind, and every property a route's
 * parameters name is set. Without these a source would start and fail on every poll instead.
 */
public final class SourceRouteChecks {

    private SourceRouteChecks() {
    }

    public static List<String> check(RouteFileModel model, Path mappingsDir, PropertyResolver properties) {
        List<String> problems = new ArrayList<>();
        for (RouteFileModel.Use use : model.uses()) {
            String route = "route " + (use.routeId() == null ? "(no id)" : use.routeId());
            use.parameters().forEach((name, value) -> {
                for (String key : TemplateParameterTypes.placeholders(value.value())) {
                    if (resolve(properties, key) == null) {
                        problems.add(use.file() + ": line " + value.line() + ": " + route + ": parameter '" + name
                                + "' needs property '" + key + "', which is not set (environment variable " + environmentVariable(key) + ")");
                    }
                }
            });
        }
        for (RouteFileModel.Use source : model.sources()) {
            String id = source.parameter("sourceId");
            String mapping = source.parameter("mapping");
            if (mapping != null && !mapping.contains("{{")
                    && !Files.isRegularFile(mappingsDir.resolve(mapping + ".yaml")) && !Files.isRegularFile(mappingsDir.resolve(mapping + ".yml"))) {
                problems.add(source.file() + ": line " + source.line("mapping") + ": source '" + id + "': mapping '" + mapping
                        + "' does not exist (no " + mapping + ".yaml in " + mappingsDir + "; there: " + mappingIds(mappingsDir) + ")");
            }
            String template = source.template();
            if ("sql-source".equals(template) || "cdc-source".equals(template)) {
                String key = SourceDataSourceRegistrar.PREFIX + "." + id + ".url";
                String url = resolve(properties, key);
                String where = source.file() + ": line " + source.line("sourceId") + ": source '" + id + "' (" + template + "): ";
                if (url == null || !url.strip().startsWith("jdbc:")) {
                    problems.add(where + "no database connection: set " + key + " to its JDBC url (environment variable "
                            + environmentVariable(key) + "), and .username and .password");
                } else if ("cdc-source".equals(template) && !url.strip().matches("(?i)jdbc:(postgresql|mariadb):.*")) {
                    problems.add(where + "change capture needs a PostgreSQL (jdbc:postgresql:) or MariaDB (jdbc:mariadb:) database, not "
                            // the kind of database only: a url may carry a login
                            + String.join(":", java.util.Arrays.copyOf(url.strip().split(":", 3), 2))
                            + "; poll it with sql-source instead");
                }
            }
        }
        return problems;
    }

    /**
     * The environment variable Spring Boot reads for a property: upper case, dots and hyphens as
     * underscores ({@code govhub.sources.city-tax.url} → {@code GOVHUB_SOURCES_CITY_TAX_URL}).
     */
    public static String environmentVariable(String property) {
        return property.replace('.', '_').replace('-', '_').toUpperCase(Locale.ROOT);
    }

    private static String resolve(PropertyResolver properties, String key) {
        try {
            String value = properties.getProperty(key);
            return value == null || value.isBlank() ? null : value;
        } catch (IllegalArgumentException unresolvable) {
            return null; // a nested ${...} that is not set
        }
    }

    private static List<String> mappingIds(Path dir) {
        return RouteFileModel.files(dir).stream().map(p -> p.getFileName().toString().replaceFirst("\\.ya?ml$", "")).toList();
    }
}
