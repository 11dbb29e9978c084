package org.govhub.operate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.NamedNode;
import org.apache.camel.Route;
import org.apache.camel.ServiceStatus;
import org.apache.camel.model.Model;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.spi.RoutePolicy;
import org.apache.camel.spi.RoutePolicyFactory;
import org.apache.camel.spring.boot.CamelContextConfiguration;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.apache.camel.support.RoutePolicySupport;
import org.govhub.audit.ExchangeLog;
import org.govhub.ingest.RouteFileModel;
import org.govhub.ingest.SourceConnection;
import org.govhub.ingest.SourceDataSourceRegistrar;
import org.govhub.ingest.SourcePool;
import org.govhub.ingest.Sources;
import org.govhub.normalise.MappingDefinition;
import org.govhub.normalise.MappingException;
import org.govhub.normalise.MappingLoader;
import org.govhub.normalise.MappingRegistry;
import org.govhub.normalise.SchemaRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Lazy;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Sources deployed while the hub runs: a source is uploaded as one unit (its route file on one of the
 * hub's templates, its mapping file, its connection settings), checked exactly as check-files checks
 * the files on disk ({@link CheckFiles}), kept as a numbered version with who, when and why, and
 * activated, rolled back or removed with one call while every other route keeps running.
 * <p>
 * Activating stops the source's routes the way a pause does (the page under way is published and its
 * mark moved first), puts the version's mapping and settings in place and loads its routes from the
 * version's route file: the source goes on from its persisted mark, and each record's provenance
 * carries the mapping version that produced it. Versions and activations are rows of the hub database
 * ({@code source_version}, {@code source_deployment}); every node follows them ({@link #follow}), so a
 * deployment reaches all nodes (in a cluster the source still polls on one). Each step is written to
 * the exchange log first: a step that cannot be recorded does not happen.
 */
@Component
public class SourceDeployments implements RoutePolicyFactory, CamelContextConfiguration {

    private static final Logger log = LoggerFactory.getLogger(SourceDeployments.class);
    /** How long a stop waits for the page under way (as a pause does); after it the page rolls back: nothing lost. */
    private static final long STOP_SECONDS = 60;
    /** The templates a deployed unit may fill in. Change capture needs its slot set up as the hub starts (ChangeCapture). */
    static final List<String> TEMPLATES = List.of("sql-source", "ftp-source", "rest-source");
    private static final String SETTINGS_SOURCE = "govhub-deployed-sources";
    private static final int MAX_FILE_CHARS = 256 * 1024;

    /** An upload: the route file (its name and text), the mapping file's text, the connection settings, and why. */
    public record Unit(String routeFile, String route, String mapping, Map<String, String> settings) {
    }

    /** A kept version of a source. */
    public record Version(String sourceId, int version, String routeFile, String route, String mappingId, String mapping,
            Map<String, String> settings, String filesSha256, String reason, String by, Instant at) {
    }

    /** The outcome of an upload: the version kept, or every problem (each naming its file and line). */
    public record Checked(Version version, List<String> problems) {
    }

    /** A step that cannot be taken now (unknown version, source not deployed): the message says why. */
    public static class Refused extends RuntimeException {
        public Refused(String message) {
            super(message);
        }
    }

    private final JdbcTemplate jdbc;
    private final CamelContext camel;
    private final ConfigurableEnvironment environment;
    private final Sources sources;
    private final MappingRegistry mappings;
    private final SchemaRegistry schemas;
    private final ExchangeLog exchangeLog;
    private final SettingsSealing sealing;
    private final Path mappingsDir;
    private final ObjectMapper json = new ObjectMapper();
    /** The settings of the versions this node runs, by source id: the property source {@value #SETTINGS_SOURCE}. */
    private final Map<String, Map<String, String>> deployedSettings = new ConcurrentHashMap<>();
    /** The last source_deployment row this node applied, by source id. */
    private final Map<String, Long> applied = new ConcurrentHashMap<>();
    /** The version each deployed source runs here (absent: its route files' own, or removed). */
    private final Map<String, Integer> running = new ConcurrentHashMap<>();
    private final java.time.Duration followInterval;
    /** Folders of units (govhub.deployments.dir; a mounted ConfigMap on Kubernetes), or null. */
    private final Path deployDir;
    private final java.util.Set<String> refusedFolders = ConcurrentHashMap.newKeySet();
    private java.util.concurrent.ScheduledExecutorService follower;

    public SourceDeployments(JdbcTemplate jdbc, @Lazy CamelContext camel, ConfigurableEnvironment environment,
            Sources sources, MappingRegistry mappings, SchemaRegistry schemas, ExchangeLog exchangeLog, SettingsSealing sealing,
            @Value("${govhub.mappings.dir:mappings}") Path mappingsDir,
            @Value("${govhub.deployments.follow-interval:5s}") java.time.Duration followInterval,
            @Value("${govhub.deployments.dir:}") String deployDir) {
        this.jdbc = jdbc;
        this.camel = camel;
        this.environment = environment;
        this.sources = sources;
        this.mappings = mappings;
        this.schemas = schemas;
        this.exchangeLog = exchangeLog;
        this.sealing = sealing;
        this.mappingsDir = mappingsDir;
        this.followInterval = followInterval;
        this.deployDir = deployDir.isBlank() ? null : Path.of(deployDir);
        environment.getPropertySources().addFirst(new MapPropertySource(SETTINGS_SOURCE, new ConcurrentHashMap<>()));
    }

    // ---- upload: check and keep ----

    /** Checks the unit as check-files would on disk with it in place; keeps it as the next version when it passes. */
    public Checked upload(String sourceId, Unit unit, String by, String reason) {
        List<String> problems = check(sourceId, unit);
        String sha = ExchangeLog.sha256(unit.route() + "\n---\n" + unit.mapping());
        if (!problems.isEmpty()) {
            exchangeLog.append(new ExchangeLog.Event(by, "source upload", "source/" + sourceId, null, null, sha,
                    "refused: " + problems.size() + " problem(s)"));
            return new Checked(null, problems);
        }
        String mappingId = mappingId(unit.mapping());
        keepFilesVersion(sourceId);
        for (int attempt = 0; ; attempt++) {
            int next = jdbc.queryForObject("SELECT COALESCE(MAX(version), 0) + 1 FROM source_version WHERE source_id = ?", Integer.class,
                    sourceId);
            exchangeLog.append(new ExchangeLog.Event(by, "source upload", "source/" + sourceId + "/v" + next, null, null, sha, "kept"));
            try {
                Instant at = Instant.now();
                jdbc.update("""
                        INSERT INTO source_version (source_id, version, route_file, route_yaml, mapping_id, mapping_yaml, settings,
                                                    files_sha256, reason, created_by, created_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""", sourceId, next, unit.routeFile(), unit.route(), mappingId,
                        unit.mapping(), write(unit.settings()), sha, clip(reason), by, Timestamp.from(at));
                log.warn("source {}: version {} uploaded by {}: {}", sourceId, next, by, reason);
                return new Checked(version(sourceId, next).orElseThrow(), List.of());
            } catch (DuplicateKeyException raced) {
                if (attempt > 3) {
                    throw raced; // another upload of the same source took the number each time
                }
            }
        }
    }

    /**
     * The first upload of a source the route files define keeps the files' own version as version 1
     * first, so that rolling back to it is one call like any other.
     */
    private void keepFilesVersion(String sourceId) {
        Sources.Source files = sources.get(sourceId).orElse(null);
        if (files == null || files.uses().isEmpty() || deployed(sourceId) || !versions(sourceId).isEmpty()) {
            return;
        }
        Path routeFile = files.uses().get(0).file();
        Path mappingFile = mappingsDir.resolve(files.mapping() + ".yaml");
        if (!Files.isRegularFile(routeFile) || !Files.isRegularFile(mappingFile)
                || RouteFileModel.read(List.of(routeFile)).sources().stream().anyMatch(u -> !sourceId.equals(u.parameter("sourceId")))) {
            return; // a file shared with other sources is not a unit of its own
        }
        try {
            String route = Files.readString(routeFile, StandardCharsets.UTF_8);
            String mapping = Files.readString(mappingFile, StandardCharsets.UTF_8);
            String sha = ExchangeLog.sha256(route + "\n---\n" + mapping);
            exchangeLog.append(new ExchangeLog.Event(ExchangeLog.HUB, "source upload", "source/" + sourceId + "/v1", null, null, sha,
                    "kept: the route files' version"));
            jdbc.update("INSERT INTO source_version (source_id, version, route_file, route_yaml, mapping_id, mapping_yaml, settings,"
                    + " files_sha256, reason, created_by, created_at) VALUES (?, 1, ?, ?, ?, ?, '{}', ?, ?, ?, ?)",
                    sourceId, routeFile.getFileName().toString(), route, files.mapping(), mapping, sha,
                    "the version of routes/ and mappings/ the hub started with", ExchangeLog.HUB, Timestamp.from(Instant.now()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (DuplicateKeyException raced) {
            // kept by another node's upload at the same moment
        }
    }

    /** Every problem of the unit: the hub's rules for a deployed source, then check-files over the files as they would be. */
    public List<String> check(String sourceId, Unit unit) {
        List<String> problems = new ArrayList<>();
        if (sourceId == null || !sourceId.matches("[a-z0-9][a-z0-9-]{0,62}")) {
            return List.of("source id '" + sourceId + "': lower-case letters, digits and hyphens, at most 63");
        }
        String routeFile = unit.routeFile() == null ? "" : unit.routeFile().strip();
        if (!routeFile.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,120}\\.ya?ml") || routeFile.endsWith(RouteFileModel.KAMELET)) {
            problems.add("routeFile '" + routeFile + "': a file name ending .yaml (not a template, .kamelet.yaml)");
        }
        if (blank(unit.route()) || blank(unit.mapping())) {
            problems.add("both files are needed: 'route' (the route file's text) and 'mapping' (the mapping file's text)");
        } else if (unit.route().length() > MAX_FILE_CHARS || unit.mapping().length() > MAX_FILE_CHARS) {
            problems.add("a file is longer than " + MAX_FILE_CHARS + " characters");
        }
        for (String key : unit.settings() == null ? List.<String>of() : unit.settings().keySet()) {
            if (!key.matches("[a-z][a-z0-9-]*(\\.[a-z][a-z0-9-]*)*")) {
                problems.add("settings: '" + key + "' is not a property name (relative to govhub.sources." + sourceId + ", e.g. url, ftp.host)");
            }
        }
        problems.addAll(sealing.problems(unit.settings()));
        if (!problems.isEmpty()) {
            return problems;
        }
        String mappingId = mappingId(unit.mapping());
        if (mappingId == null) {
            mappingId = sourceId; // the mapping check names what is wrong with the file
        }
        Path work = null;
        try {
            work = Files.createTempDirectory("govhub-deploy-");
            Path routes = Files.createDirectories(work.resolve("routes"));
            Path maps = Files.createDirectories(work.resolve("mappings"));
            Path uploaded = routes.resolve(routeFile);
            Files.writeString(uploaded, unit.route(), StandardCharsets.UTF_8);
            problems.addAll(unitRules(sourceId, uploaded, mappingId));
            // the files as they would be: the route files of every other source this node runs, and this unit's
            for (Path file : RouteFileModel.files(environment)) {
                if (!definesSource(file, sourceId) && !file.getFileName().toString().equals(routeFile)) {
                    Files.copy(file, routes.resolve(file.getFileName()));
                } else if (!definesSource(file, sourceId)) {
                    problems.add("routeFile '" + routeFile + "': a route file of that name is the hub's already; choose another name");
                }
            }
            for (Version other : activeVersions()) {
                if (!other.sourceId().equals(sourceId)) {
                    if (other.routeFile().equals(routeFile)) {
                        problems.add("routeFile '" + routeFile + "': source " + other.sourceId() + " uses that name; choose another");
                    } else {
                        Files.writeString(routes.resolve(other.routeFile()), other.route(), StandardCharsets.UTF_8);
                    }
                    Files.writeString(maps.resolve(other.mappingId() + ".yaml"), other.mapping(), StandardCharsets.UTF_8);
                }
            }
            if (Files.isDirectory(mappingsDir)) {
                for (Path file : RouteFileModel.files(mappingsDir)) {
                    if (!Files.exists(maps.resolve(file.getFileName()))) {
                        Files.copy(file, maps.resolve(file.getFileName()));
                    }
                }
            }
            Files.deleteIfExists(maps.resolve(mappingId + ".yml"));
            Files.writeString(maps.resolve(mappingId + ".yaml"), unit.mapping(), StandardCharsets.UTF_8);
            for (String problem : CheckFiles.check(routes, maps, candidateEnvironment(sourceId, unit.settings()))) {
                problems.add(problem.replace(routes.toString(), "routes").replace(maps.toString(), "mappings"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            delete(work);
        }
        return problems;
    }

    /**
     * What a deployed unit may be: templated routes of this source on the hub's source templates, and
     * nothing else (a route of its own could do anything); its mapping is its own.
     */
    private List<String> unitRules(String sourceId, Path routeFile, String mappingId) {
        List<String> problems = new ArrayList<>();
        String file = "routes/" + routeFile.getFileName();
        JsonNode root;
        try {
            root = new YAMLMapper().readTree(routeFile.toFile());
        } catch (IOException | RuntimeException e) {
            return problems; // check-files reports it with line and column
        }
        if (root == null || !root.isArray() || root.isEmpty()) {
            problems.add(file + ": a list of templatedRoute entries on one of the hub's templates " + TEMPLATES);
            return problems;
        }
        for (JsonNode item : root) {
            if (!item.isObject() || item.size() != 1 || !item.has("templatedRoute")) {
                problems.add(file + ": only templatedRoute entries may be deployed (found " + (item.isObject() ? item.fieldNames().next() : item)
                        + "): routes of their own are added with the hub's files");
            }
        }
        for (RouteFileModel.Use use : RouteFileModel.read(List.of(routeFile)).uses()) {
            String where = file + ": line " + use.line() + ": ";
            if (!TEMPLATES.contains(use.template())) {
                problems.add(where + "template '" + use.template() + "' cannot be deployed without a restart (deployable: " + TEMPLATES + ")"
                        + ("cdc-source".equals(use.template()) ? "; change capture sets up its slot as the hub starts" : ""));
            }
            if (!sourceId.equals(use.parameter("sourceId"))) {
                problems.add(file + ": line " + use.line("sourceId") + ": sourceId must be '" + sourceId + "', the source deployed");
            }
            // a parameter reads the source's own settings and the ingest defaults, nothing else of the hub's
            // (an admin password in a table name would reach an error message, an ${env:...} a department's server)
            use.parameters().forEach((name, value) -> {
                for (String key : references(value.value())) {
                    if (!key.startsWith(SourceDataSourceRegistrar.PREFIX + "." + sourceId + ".") && !key.startsWith("govhub.ingest.")
                            && !key.startsWith("file:")) {
                        problems.add(file + ": line " + value.line() + ": parameter '" + name + "' reads '" + key
                                + "': a deployed source reads only govhub.sources." + sourceId + ".* and govhub.ingest.*");
                    }
                }
            });
            if (use.parameter("mapping") != null && !use.parameter("mapping").equals(mappingId)) {
                problems.add(file + ": line " + use.line("mapping") + ": mapping '" + use.parameter("mapping")
                        + "' is not the uploaded mapping '" + mappingId + "'");
            }
        }
        for (String other : sources.ids()) {
            if (!other.equals(sourceId) && mappingId.equals(sources.get(other).map(Sources.Source::mapping).orElse(null))) {
                problems.add("mappings/" + mappingId + ".yaml: mapping '" + mappingId + "' is used by source " + other
                        + " too; a deployed source has a mapping of its own (give it another id)");
            }
        }
        return problems;
    }

    /** The hub's properties with the candidate's settings in place of this source's deployed ones. */
    private StandardEnvironment candidateEnvironment(String sourceId, Map<String, String> settings) {
        StandardEnvironment candidate = new StandardEnvironment();
        candidate.getPropertySources().forEach(p -> candidate.getPropertySources().remove(p.getName()));
        for (PropertySource<?> p : environment.getPropertySources()) {
            // not Boot's view of the hub's own sources ("configurationProperties"): binding would read through it, missing the candidate's
            if (!SETTINGS_SOURCE.equals(p.getName()) && !"configurationProperties".equals(p.getName())) {
                candidate.getPropertySources().addLast(p);
            }
        }
        Map<String, Map<String, String>> all = new TreeMap<>(deployedSettings);
        all.remove(sourceId);
        Map<String, Object> properties = properties(all);
        properties.putAll(properties(Map.of(sourceId, settings == null ? Map.of() : settings)));
        candidate.getPropertySources().addFirst(new MapPropertySource(SETTINGS_SOURCE, properties));
        return candidate;
    }

    /**
     * The version as a source on trial (connection test, preview): its route, its mapping as it would
     * run, its connection and the properties it would see, with nothing started.
     */
    public org.govhub.ingest.SourceTrial.Candidate candidate(Version v) {
        StandardEnvironment properties = candidateEnvironment(v.sourceId(), v.settings());
        SourceConnection connection = Binder.get(properties)
                .bind(SourceDataSourceRegistrar.PREFIX + "." + v.sourceId(), SourceConnection.class).orElse(null);
        try {
            Path file = Files.createTempDirectory("govhub-deploy-").resolve(v.routeFile());
            try {
                Files.writeString(file, v.route(), StandardCharsets.UTF_8);
                RouteFileModel.Use use = RouteFileModel.read(List.of(file)).sources().stream().findFirst()
                        .orElseThrow(() -> new Refused("version " + v.version() + " has no source route"));
                return new org.govhub.ingest.SourceTrial.Candidate(v.sourceId(), use, loadMapping(v), connection, properties);
            } finally {
                delete(file.getParent());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- activate, roll back, remove ----

    /** Makes {@code version} the one that runs (on every node); ACTIVATE or ROLLBACK as the caller says. */
    public Version activate(String sourceId, int version, String action, String by, String reason) {
        Version v = version(sourceId, version).orElseThrow(() -> new Refused("source " + sourceId + " has no version " + version));
        if (Integer.valueOf(version).equals(active(sourceId).map(Version::version).orElse(null))) {
            throw new Refused("source " + sourceId + " runs version " + version + " already");
        }
        // the hub may have changed since the upload (another source took its route file name or its mapping)
        List<String> problems = check(sourceId, new Unit(v.routeFile(), v.route(), v.mapping(), v.settings()));
        if (!problems.isEmpty()) {
            throw new Refused("version " + version + " no longer passes the checks: " + String.join("; ", problems));
        }
        Integer before = active(sourceId).map(Version::version).orElse(null);
        record(sourceId, action, version, by, reason, v.filesSha256());
        try {
            apply(sourceId);
        } catch (RuntimeException e) {
            // the version did not start: what ran before runs again (recorded like any step), and the caller hears why
            String why = "version " + version + " could not be started: " + e.getMessage();
            record(sourceId, before == null ? "REMOVE" : "ROLLBACK", before, ExchangeLog.HUB, why, null);
            try {
                apply(sourceId);
            } catch (RuntimeException again) {
                log.error("source {}: going back after a failed activation failed too: {}", sourceId, again.toString());
            }
            throw new Refused(why + "; " + (before == null ? "the source does not run" : "version " + before + " runs again"));
        }
        return v;
    }

    /** Back to {@code version}, or when null to the version that ran before the current one. */
    public Version rollback(String sourceId, Integer version, String by, String reason) {
        int to = version != null ? version : previous(sourceId)
                .orElseThrow(() -> new Refused("source " + sourceId + " has no earlier version to roll back to"));
        return activate(sourceId, to, "ROLLBACK", by, reason);
    }

    /** Stops the source and takes its routes away on every node; its mark, quarantine and versions stay. */
    public void remove(String sourceId, String by, String reason) {
        if (sources.routes(sourceId).isEmpty()) {
            throw new Refused("source " + sourceId + " does not run here");
        }
        record(sourceId, "REMOVE", null, by, reason, null);
        apply(sourceId);
    }

    private void record(String sourceId, String action, Integer version, String by, String reason, String sha) {
        exchangeLog.append(new ExchangeLog.Event(by, "source " + action.toLowerCase(java.util.Locale.ROOT),
                "source/" + sourceId + (version == null ? "" : "/v" + version), null, null, sha, "recorded"));
        jdbc.update("INSERT INTO source_deployment (source_id, action, version, reason, changed_by, changed_at) VALUES (?, ?, ?, ?, ?, ?)",
                sourceId, action, version, clip(reason), by, Timestamp.from(Instant.now()));
        log.warn("source {}: {}{} by {}: {}", sourceId, action, version == null ? "" : " version " + version, by, reason);
    }

    // ---- what runs: following the rows ----

    /** Brings this node's routes of the source in line with its latest deployment row. */
    synchronized void apply(String sourceId) {
        Map<String, Object> latest = latest(sourceId).orElse(null);
        if (latest == null) {
            return;
        }
        long id = ((Number) latest.get("id")).longValue();
        if (Long.valueOf(id).equals(applied.get(sourceId))) {
            return;
        }
        Integer version = latest.get("version") == null ? null : ((Number) latest.get("version")).intValue();
        try {
            stopRoutes(sourceId);
            if (version == null) {
                sources.remove(sourceId);
                deployedSettings.remove(sourceId);
                publishSettings();
                running.remove(sourceId);
                log.warn("source {}: removed; its routes are gone from this node (mark and quarantine kept)", sourceId);
            } else {
                start(version(sourceId, version).orElseThrow());
            }
            applied.put(sourceId, id);
        } catch (Exception e) {
            // the rows stay as they are: the next follow tries again, and the source's health says why it does not run
            log.error("source {}: could not bring its routes to deployment {}: {}", sourceId, id, e.toString());
            throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
        }
    }

    private void start(Version v) throws Exception {
        deployedSettings.put(v.sourceId(), v.settings());
        publishSettings();
        mappings.put(loadMapping(v));
        SourceConnection connection = Binder.get(environment)
                .bind(SourceDataSourceRegistrar.PREFIX + "." + v.sourceId(), SourceConnection.class).orElse(null);
        if (connection != null && connection.jdbc()) {
            usePool(v.sourceId(), connection);
        }
        Path file = Files.createTempDirectory("govhub-deploy-").resolve(v.routeFile());
        try {
            Files.writeString(file, v.route(), StandardCharsets.UTF_8);
            List<RouteFileModel.Use> uses = RouteFileModel.read(List.of(file)).uses().stream()
                    .map(u -> new RouteFileModel.Use(Path.of("routes", v.routeFile()), u.line(), u.routeId(), u.template(), u.parameters()))
                    .toList();
            sources.put(v.sourceId(), uses); // first: the pause policy and health know the routes as they are created
        } finally {
            delete(file.getParent());
        }
        running.put(v.sourceId(), v.version());
        PluginHelper.getRoutesLoader(camel).loadRoutes(
                ResourceHelper.fromString("deployed:" + v.sourceId() + "/v" + v.version() + "/" + v.routeFile(), v.route()));
        log.warn("source {}: version {} runs on this node (mapping {} {})", v.sourceId(), v.version(), v.mappingId(),
                mappings.get(v.mappingId()).version());
    }

    /** The version's mapping, loaded by the hub's own loader; its records carry "&lt;file version&gt;+deploy.&lt;n&gt;". */
    private MappingDefinition loadMapping(Version v) throws IOException {
        Path dir = Files.createTempDirectory("govhub-deploy-");
        try {
            Path file = Files.writeString(dir.resolve(v.mappingId() + ".yaml"), v.mapping(), StandardCharsets.UTF_8);
            MappingDefinition m = new MappingLoader(schemas).load(file);
            return m.as("source " + v.sourceId() + " version " + v.version() + ": mappings/" + v.mappingId() + ".yaml",
                    m.version() + "+deploy." + v.version());
        } catch (MappingException e) {
            throw new IllegalStateException("version " + v.version() + " of " + v.sourceId() + ": " + e.getMessage(), e);
        } finally {
            delete(dir);
        }
    }

    /** The source's pool under its id: replaced when there is one (a Spring bean or a deployed pool), bound when not. */
    private void usePool(String sourceId, SourceConnection connection) {
        SourcePool pool = camel.getRegistry().lookupByNameAndType(sourceId, SourcePool.class);
        if (pool != null) {
            pool.replace(SourceDataSourceRegistrar.pool(sourceId, connection));
        } else {
            camel.getRegistry().bind(sourceId, SourcePool.class, new SourcePool(SourceDataSourceRegistrar.pool(sourceId, connection)));
        }
    }

    /** Stops the source's routes as a pause does (the page under way finishes) and takes them out of Camel. */
    private void stopRoutes(String sourceId) throws Exception {
        Model model = camel.getCamelContextExtension().getContextPlugin(Model.class);
        for (String routeId : sources.routes(sourceId)) {
            if (camel.getRouteController().getRouteStatus(routeId) == ServiceStatus.Started) {
                camel.getRouteController().stopRoute(routeId, STOP_SECONDS, TimeUnit.SECONDS);
            }
            RouteDefinition definition = model.getRouteDefinition(routeId);
            if (definition != null) {
                model.removeRouteDefinition(definition);
            } else {
                camel.removeRoute(routeId);
            }
        }
    }

    private void publishSettings() {
        @SuppressWarnings("unchecked")
        Map<String, Object> source = (Map<String, Object>) environment.getPropertySources().get(SETTINGS_SOURCE).getSource();
        Map<String, Object> now = properties(new TreeMap<>(deployedSettings));
        source.keySet().retainAll(now.keySet());
        source.putAll(now);
    }

    private static Map<String, Object> properties(Map<String, Map<String, String>> bySource) {
        Map<String, Object> properties = new LinkedHashMap<>();
        bySource.forEach((id, settings) -> settings.forEach((k, v) ->
                properties.put(SourceDataSourceRegistrar.PREFIX + "." + id + "." + k, v)));
        return properties;
    }

    /** Every few seconds on every node: a deployment made on another node runs here too. */
    void follow() {
        if (!camel.isStarted()) {
            return;
        }
        for (String sourceId : jdbc.queryForList("SELECT DISTINCT source_id FROM source_deployment", String.class)) {
            try {
                apply(sourceId);
            } catch (RuntimeException e) {
                // logged by apply; tried again next time
            }
        }
        followDirectory();
    }

    // ---- a unit from a folder: on Kubernetes, a ConfigMap mounted under govhub.deployments.dir ----

    /**
     * The files {@code <id>.route.yaml}, {@code <id>.mapping.yaml} and optionally {@code <id>.settings.yaml}
     * (property names under govhub.sources.&lt;id&gt;, secrets as ${...} placeholders the environment
     * fills) of {@code govhub.deployments.dir} are a unit like an upload (one ConfigMap, mounted whole,
     * holds any number of them): when they differ from the source's newest version they are uploaded
     * (checked the same way) and activated, by "configmap". A roll back over the API holds until the
     * files change again.
     */
    void followDirectory() {
        if (deployDir == null || !Files.isDirectory(deployDir)) {
            return;
        }
        try (var files = Files.list(deployDir)) {
            for (String sourceId : files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".route.yaml"))
                    .map(n -> n.substring(0, n.length() - ".route.yaml".length())).sorted().toList()) {
                try {
                    deployFolder(sourceId, deployDir);
                } catch (RuntimeException | IOException e) {
                    log.error("source {}: the unit in {} could not be deployed: {}", sourceId, deployDir, e.toString());
                }
            }
        } catch (IOException e) {
            log.error("{}: cannot list the source units: {}", deployDir, e.toString());
        }
    }

    private void deployFolder(String sourceId, Path folder) throws IOException {
        Path route = folder.resolve(sourceId + ".route.yaml");
        Path mapping = folder.resolve(sourceId + ".mapping.yaml");
        if (!Files.isRegularFile(route) || !Files.isRegularFile(mapping)) {
            return;
        }
        Path settingsFile = folder.resolve(sourceId + ".settings.yaml");
        Map<String, String> settings = new TreeMap<>();
        if (Files.isRegularFile(settingsFile)) {
            JsonNode s = new YAMLMapper().readTree(settingsFile.toFile());
            if (s != null) {
                s.fields().forEachRemaining(e -> settings.put(e.getKey(), e.getValue().asText()));
            }
        }
        Unit unit = new Unit(sourceId + "-source.yaml", Files.readString(route, StandardCharsets.UTF_8),
                Files.readString(mapping, StandardCharsets.UTF_8), settings);
        String sha = ExchangeLog.sha256(unit.route() + "\n---\n" + unit.mapping());
        Optional<Version> newest = jdbc.queryForList("SELECT MAX(version) FROM source_version WHERE source_id = ?", Integer.class, sourceId)
                .stream().filter(java.util.Objects::nonNull).findFirst().flatMap(v -> version(sourceId, v));
        if (newest.isPresent() && newest.get().filesSha256().equals(sha) && newest.get().settings().equals(settings)) {
            return; // deployed already (or rolled back from on purpose)
        }
        if (!refusedFolders.add(sourceId + "@" + sha + settings)) {
            return; // refused before: said once, until the files change
        }
        Checked checked = upload(sourceId, unit, "configmap", "the unit in " + folder);
        if (!checked.problems().isEmpty()) {
            log.error("source {}: the unit in {} is refused, nothing changed:\n  - {}", sourceId, folder, String.join("\n  - ", checked.problems()));
            return;
        }
        refusedFolders.remove(sourceId + "@" + sha + settings);
        activate(sourceId, checked.version().version(), "ACTIVATE", "configmap", "the unit in " + folder);
    }

    // ---- at start: the deployed versions, not the route files', run ----

    @Override
    public void beforeApplicationStart(CamelContext context) {
        // nothing: the route policy below keeps a deployed source's file routes from starting
    }

    @Override
    public void afterApplicationStart(CamelContext context) {
        sealKeptSecrets();
        follow();
        follower = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "govhub-source-deployments"));
        follower.scheduleWithFixedDelay(this::follow, followInterval.toMillis(), followInterval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Versions kept before their settings were sealed: a literal secret among them is sealed now, where
     * this hub has a key, so an upgraded hub's database stops carrying it.
     */
    void sealKeptSecrets() {
        record Kept(String sourceId, int version, String settings) {
        }
        List<Kept> kept = jdbc.query("SELECT source_id, version, settings FROM source_version",
                (rs, n) -> new Kept(rs.getString("source_id"), rs.getInt("version"), rs.getString("settings")));
        for (Kept version : kept) {
            if (version.settings().startsWith(SettingsSealing.SEALED)) {
                continue;
            }
            Map<String, String> settings = read(version.settings());
            if (!SettingsSealing.holdsSecret(settings)) {
                continue;
            }
            if (!sealing.problems(settings).isEmpty()) {
                log.warn("source {} version {}: its settings hold a literal secret in clear and this hub has no settings key"
                        + " (govhub.security.settings-key-path) to seal it with", version.sourceId(), version.version());
                continue;
            }
            jdbc.update("UPDATE source_version SET settings = ? WHERE source_id = ? AND version = ?", write(settings),
                    version.sourceId(), version.version());
            log.info("source {} version {}: the literal secret in its settings is sealed now", version.sourceId(), version.version());
        }
    }

    @jakarta.annotation.PreDestroy
    void stopFollowing() {
        if (follower != null) {
            follower.shutdownNow();
        }
    }

    /** A route from the route files of a source that has a deployment is not started: the deployed version replaces it. */
    @Override
    public RoutePolicy createRoutePolicy(CamelContext context, String routeId, NamedNode route) {
        String sourceId = sources.sourceOfRoute(routeId).orElse(null);
        if (sourceId == null || running.containsKey(sourceId) || latest(sourceId).isEmpty()) {
            return null;
        }
        return new RoutePolicySupport() {
            @Override
            public void onInit(Route r) {
                r.setAutoStartup(false);
                log.info("source {}: route {} from the route files not started; its deployed version replaces it", sourceId, routeId);
            }
        };
    }

    // ---- reading the rows ----

    public Optional<Version> version(String sourceId, int version) {
        return jdbc.query("SELECT * FROM source_version WHERE source_id = ? AND version = ?", (rs, n) -> new Version(
                rs.getString("source_id"), rs.getInt("version"), rs.getString("route_file"), rs.getString("route_yaml"),
                rs.getString("mapping_id"), rs.getString("mapping_yaml"), read(rs.getString("settings")), rs.getString("files_sha256"),
                rs.getString("reason"), rs.getString("created_by"), rs.getTimestamp("created_at").toInstant()), sourceId, version)
                .stream().findFirst();
    }

    /** The version that runs now by the rows (empty: never deployed, or removed). */
    public Optional<Version> active(String sourceId) {
        return latest(sourceId).filter(l -> l.get("version") != null)
                .flatMap(l -> version(sourceId, ((Number) l.get("version")).intValue()));
    }

    /** Whether the source has deployment rows at all (its route files no longer decide). */
    public boolean deployed(String sourceId) {
        return latest(sourceId).isPresent();
    }

    /** Every version of the source, newest first, settings' values hidden. */
    public List<Map<String, Object>> versions(String sourceId) {
        return jdbc.queryForList("""
                SELECT version, route_file, mapping_id, files_sha256, reason, created_by, created_at FROM source_version
                 WHERE source_id = ? ORDER BY version DESC""", sourceId);
    }

    /** Every activation, roll back and removal of the source, newest first. */
    public List<Map<String, Object>> history(String sourceId) {
        return jdbc.queryForList("""
                SELECT action, version, reason, changed_by, changed_at FROM source_deployment
                 WHERE source_id = ? ORDER BY id DESC""", sourceId);
    }

    /** The version this node runs for the source (null: its route files' own, or none). */
    public Integer runningHere(String sourceId) {
        return running.get(sourceId);
    }

    private Optional<Map<String, Object>> latest(String sourceId) {
        return jdbc.queryForList("SELECT id, action, version FROM source_deployment WHERE source_id = ? ORDER BY id DESC LIMIT 1",
                sourceId).stream().findFirst();
    }

    private Optional<Integer> previous(String sourceId) {
        Integer now = active(sourceId).map(Version::version).orElse(null);
        return jdbc.queryForList("SELECT version FROM source_deployment WHERE source_id = ? AND version IS NOT NULL ORDER BY id DESC",
                Integer.class, sourceId).stream().filter(v -> !v.equals(now)).findFirst();
    }

    private List<Version> activeVersions() {
        List<Version> versions = new ArrayList<>();
        for (String id : jdbc.queryForList("SELECT DISTINCT source_id FROM source_deployment", String.class)) {
            active(id).ifPresent(versions::add);
        }
        return versions;
    }

    // ---- small helpers ----

    private static String mappingId(String mappingYaml) {
        try {
            JsonNode root = new YAMLMapper().readTree(mappingYaml);
            String id = root == null ? null : root.path("mapping").asText(null);
            return id != null && id.matches("[A-Za-z0-9][A-Za-z0-9_-]{0,99}") ? id : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static final java.util.regex.Pattern PLACEHOLDER = java.util.regex.Pattern.compile("\\{\\{\\??([^{}:]+)[^{}]*}}");
    private static final java.util.regex.Pattern EXPRESSION = java.util.regex.Pattern.compile("\\$\\{([^{}]*)}");

    /** The property keys a parameter names ({{key}}, ${properties:key}) and its other Simple expressions (file:name ...). */
    private static List<String> references(String value) {
        List<String> keys = new ArrayList<>();
        if (value == null) {
            return keys;
        }
        java.util.regex.Matcher m = PLACEHOLDER.matcher(value);
        while (m.find()) {
            keys.add(m.group(1).strip());
        }
        m = EXPRESSION.matcher(value);
        while (m.find()) {
            String e = m.group(1).strip();
            keys.add(e.startsWith("properties:") ? e.substring("properties:".length()).split(":", 2)[0] : e);
        }
        return keys;
    }

    private static boolean definesSource(Path routeFile, String sourceId) {
        return RouteFileModel.read(List.of(routeFile)).sources().stream().anyMatch(u -> sourceId.equals(u.parameter("sourceId")));
    }

    /** The settings as kept in source_version: JSON, sealed when it holds a literal secret ({@link SettingsSealing}). */
    private String write(Map<String, String> settings) {
        try {
            return sealing.seal(json.writeValueAsString(settings == null ? Map.of() : new TreeMap<>(settings)), settings);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Map<String, String> read(String settings) {
        try {
            return json.readValue(sealing.open(settings), new com.fasterxml.jackson.core.type.TypeReference<TreeMap<String, String>>() { });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    private static String clip(String reason) {
        return reason.length() > 1000 ? reason.substring(0, 1000) : reason;
    }

    private static void delete(Path dir) {
        if (dir == null) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary folder left behind
        }
    }
}
