package org.govhub.ingest;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * The departmental sources this node runs now: those of the route files it started with, and those
 * deployed over the API since (operate/SourceDeployments), each with its templated routes and its
 * connection. Health, pauses and marks ask here, so a source deployed or removed while the hub runs is
 * seen by all of them at once.
 */
@Component("runningSources") // "sources" is the health group's name (operate/SourcesHealth)
public class Sources {

    /** One source: the templated routes of its route file (one or more) and its connection. */
    public record Source(String id, List<RouteFileModel.Use> uses, SourceConnection connection) {

        public List<String> routeIds() {
            return uses.stream().map(RouteFileModel.Use::routeId).filter(java.util.Objects::nonNull).toList();
        }

        /** The template its routes fill in (sql-source, cdc-source, ftp-source, rest-source). */
        public String template() {
            return uses.isEmpty() ? null : uses.get(0).template();
        }

        public String mapping() {
            return uses.stream().map(u -> u.parameter("mapping")).filter(java.util.Objects::nonNull).findFirst().orElse(null);
        }
    }

    private final Environment environment;
    private final Map<String, Source> sources = new ConcurrentHashMap<>();
    private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();

    public Sources(Environment environment) {
        this.environment = environment;
        RouteFileModel files = RouteFileModel.read(RouteFileModel.files(environment));
        Map<String, SourceConnection> connections = SourceDataSourceRegistrar.sources(environment, files);
        files.sources().stream().collect(java.util.stream.Collectors.groupingBy(u -> u.parameter("sourceId")))
                .forEach((id, uses) -> sources.put(id, new Source(id, List.copyOf(uses), connections.get(id))));
        // a connection configured without a route file of its own (a sandbox system no route reads yet) is a source too
        connections.forEach((id, c) -> sources.putIfAbsent(id, new Source(id, List.of(), c)));
    }

    public Set<String> ids() {
        return new TreeSet<>(sources.keySet());
    }

    public Optional<Source> get(String id) {
        return Optional.ofNullable(sources.get(id));
    }

    /** The source's route ids (one source may run several routes); empty for one this node does not run. */
    public List<String> routes(String id) {
        Source s = sources.get(id);
        return s == null ? List.of() : s.routeIds();
    }

    /** The source a route belongs to, if any. */
    public Optional<String> sourceOfRoute(String routeId) {
        return sources.values().stream().filter(s -> s.routeIds().contains(routeId)).map(Source::id).findFirst();
    }

    /** The REST sources: those with a base URL. */
    public boolean rest(String id) {
        Source s = sources.get(id);
        return s != null && s.connection() != null && s.connection().rest();
    }

    /**
     * A source deployed (or changed) while the hub runs: its routes and its connection as the
     * environment now binds it (a deployment's settings are a property source of their own).
     */
    public void put(String id, List<RouteFileModel.Use> uses) {
        SourceConnection connection = Binder.get(environment).bind(SourceDataSourceRegistrar.PREFIX + "." + id, SourceConnection.class)
                .orElse(null);
        sources.put(id, new Source(id, List.copyOf(uses), connection));
        listeners.forEach(l -> l.accept(id));
    }

    /** A source removed while the hub runs: it has no routes here any more (its mark and quarantine stay). */
    public void remove(String id) {
        if (sources.remove(id) != null) {
            listeners.forEach(l -> l.accept(id));
        }
    }

    /** Called with the source's id whenever a source is put or removed. */
    public void onChange(Consumer<String> listener) {
        listeners.add(listener);
    }
}
