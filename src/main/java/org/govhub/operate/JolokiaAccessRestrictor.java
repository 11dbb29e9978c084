package org.govhub.operate;

import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.management.ObjectName;
import org.jolokia.server.core.service.api.Restrictor;
import org.jolokia.server.core.util.HttpMethod;
import org.jolokia.server.core.util.RequestType;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Component;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

/**
 * What each role may do through Jolokia (Hawtio's only way to the MBeans). Jolokia takes the first
 * {@link Restrictor} bean it finds (jolokia-support-springboot3 hands it to the AgentServlet) and then
 * ignores {@code policyLocation}; a jolokia-access.xml cannot express roles, the HTTP method per
 * request type, or "the hub's own origin" (known only per request), hence this class.
 * <ul>
 * <li>exec and write only over POST: a GET (path form or {@code ?p=}) is a link any site can plant;</li>
 * <li>viewer: read, list, search, version and the few read-only operations Hawtio's views call;
 * operator and admin: also exec and write; everyone else (auditor, department): nothing;</li>
 * <li>denied for everybody: route dumps that can resolve placeholders (secrets), heap dumps, flight
 * recordings, diagnostic commands, logging configuration, route updates, attribute writes other
 * than Hawtio's tracing/statistics switches; Artemis operations that change anything are admin's;</li>
 * <li>a browser's Origin (or Referer) must be the hub's own or a configured one, otherwise Jolokia
 * refuses the request and echoes no Access-Control-Allow-Origin.</li>
 * </ul>
 * The Restrictor sees operation names, not arguments: so a dump that can resolve placeholders is
 * allowed only in its no-argument form ({@code dumpRoutesAsXml()}, which Hawtio uses and which
 * never resolves), whatever the argument of the other overloads.
 */
@Component
public class JolokiaAccessRestrictor implements Restrictor {

    private static final Set<RequestType> READ_TYPES =
            Set.of(RequestType.READ, RequestType.LIST, RequestType.SEARCH, RequestType.VERSION);
    private static final Set<RequestType> STATE_CHANGING_TYPES = Set.of(RequestType.EXEC, RequestType.WRITE);

    /** Camel dumps whose first argument is resolvePlaceholders. */
    private static final Set<String> DUMPS_THAT_CAN_RESOLVE = Set.of("dumpRoutesAsXml", "dumpRoutesAsYaml",
            "dumpRouteAsXml", "dumpRouteAsYaml", "dumpRestsAsXml");
    /** JMX domains whose operations dump memory, record the JVM, run commands or change logging. */
    private static final Set<String> FORBIDDEN_DOMAINS = Set.of("com.sun.management", "jdk.management.jfr",
            "java.util.logging", "ch.qos.logback.classic", "org.apache.logging.log4j2");
    /** Camel operations that change route code, send messages or make endpoints: not from a console. */
    private static final Set<String> FORBIDDEN_CAMEL_OPERATIONS = Set.of("updateRouteFromXml",
            "addOrUpdateRoutesFromXml", "createEndpoint", "removeEndpoints", "sendBody", "sendStringBody",
            "sendBodyAndHeaders", "requestBody", "requestStringBody", "requestBodyAndHeaders");
    /** Read-only operations Hawtio's tree, route diagram and thread views call; a viewer may run these. */
    private static final Set<String> READ_ONLY_OPERATIONS = Set.of("list", "dumpRoutesAsXml",
            "dumpRoutesStatsAsXml", "dumpRouteStatsAsXml", "componentNames", "endpointStatistics",
            "listRestServices", "isUpdateRouteEnabled", "dumpAllThreads", "findDeadlockedThreads");
    /** Attribute writes Hawtio makes that only switch statistics or tracing detail. */
    private static final Set<String> HARMLESS_WRITABLE_ATTRIBUTES = Set.of("StatisticsEnabled",
            "SampledStatisticsEnabled", "BodyMaxChars", "BodyIncludeStreams", "BodyIncludeFiles",
            "ThreadContentionMonitoringEnabled");
    private static final List<String> ARTEMIS_READ_PREFIXES = List.of("list", "browse", "count", "get", "is");

    private final Set<String> extraAllowedOrigins;

    public JolokiaAccessRestrictor(@Value("${govhub.consoles.allowed-origins:}") List<String> extraAllowedOrigins) {
        this.extraAllowedOrigins = Set.copyOf(extraAllowedOrigins.stream().filter(o -> !o.isBlank())
                .map(JolokiaAccessRestrictor::originOf).toList());
    }

    /** Asked for every request: only the console roles reach Jolokia at all. */
    @Override
    public boolean isHttpMethodAllowed(HttpMethod method) {
        return (method == HttpMethod.GET || method == HttpMethod.POST) && hasRole(Roles.ADMIN, Roles.OPERATOR, Roles.VIEWER);
    }

    /**
     * Asked once, when Jolokia starts its handlers (no request, no user then): the types the hub
     * uses at all. Who may exec or write, and over which HTTP method, is decided per request below.
     */
    @Override
    public boolean isTypeAllowed(RequestType type) {
        return READ_TYPES.contains(type) || STATE_CHANGING_TYPES.contains(type);
    }

    @Override
    public boolean isAttributeReadAllowed(ObjectName name, String attribute) {
        return hasRole(Roles.ADMIN, Roles.OPERATOR, Roles.VIEWER);
    }

    @Override
    public boolean isAttributeWriteAllowed(ObjectName name, String attribute) {
        return overPost() && HARMLESS_WRITABLE_ATTRIBUTES.contains(attribute) && hasRole(Roles.ADMIN, Roles.OPERATOR);
    }

    @Override
    public boolean isOperationAllowed(ObjectName name, String operation) {
        String operationName = operation.contains("(") ? operation.substring(0, operation.indexOf('(')).trim() : operation;
        String domain = name.getDomain();
        if (!overPost()) {
            return false;
        }
        if (DUMPS_THAT_CAN_RESOLVE.contains(operationName)) {
            return operation.replace(" ", "").equals(operationName + "()") && hasRole(Roles.ADMIN, Roles.OPERATOR, Roles.VIEWER);
        }
        if (FORBIDDEN_DOMAINS.contains(domain)) {
            return false;
        }
        if (domain.equals("java.lang")) { // thread dumps for the threads view; nothing else (gc, resets …)
            return "Threading".equals(name.getKeyProperty("type")) && READ_ONLY_OPERATIONS.contains(operationName)
                    && hasRole(Roles.ADMIN, Roles.OPERATOR);
        }
        if (domain.equals("org.apache.camel") && FORBIDDEN_CAMEL_OPERATIONS.contains(operationName)) {
            return false;
        }
        if (hasRole(Roles.ADMIN)) {
            return true;
        }
        if (domain.startsWith("org.apache.activemq.artemis")) { // purge, remove, move, close …: admin's only
            return ARTEMIS_READ_PREFIXES.stream().anyMatch(operationName::startsWith) && hasRole(Roles.OPERATOR);
        }
        if (hasRole(Roles.OPERATOR)) {
            return true;
        }
        return READ_ONLY_OPERATIONS.contains(operationName) && hasRole(Roles.VIEWER);
    }

    @Override
    public boolean isRemoteAccessAllowed(String... hostOrAddress) {
        return true; // who may connect is the server address's and Spring Security's business
    }

    /**
     * Jolokia asks with the request's Origin, or its Referer when there is none. No header at all is
     * a program (or an old same-origin GET), which Spring Security has already authenticated.
     */
    @Override
    public boolean isOriginAllowed(String origin, boolean strictCheck) {
        if (origin == null || origin.isBlank()) {
            return true;
        }
        String candidate = originOf(origin);
        if (candidate == null) {
            return false; // "null" (sandboxed frames, file:) and garbage
        }
        if (extraAllowedOrigins.contains(candidate)) {
            return true;
        }
        HttpServletRequest request = currentRequest();
        return request != null && candidate.equals(originOf(request.getRequestURL().toString()));
    }

    @Override
    public boolean isObjectNameHidden(ObjectName name) {
        return false;
    }

    /** scheme://host:port, lower case, with the scheme's default port filled in; null when not a URL. */
    static String originOf(String url) {
        try {
            URI uri = URI.create(url.trim());
            if (uri.getScheme() == null || uri.getHost() == null) {
                return null;
            }
            String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
            int port = uri.getPort() != -1 ? uri.getPort() : "https".equals(scheme) ? 443 : 80;
            return scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT) + ":" + port;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * Exec and write only over POST: a GET (path form or {@code ?p=}) is a link any site can plant,
     * and Spring Security's CSRF check covers POSTs only. Jolokia parsed the request type itself,
     * so there is no second parser of its URL syntax here.
     */
    private static boolean overPost() {
        HttpServletRequest request = currentRequest();
        return request != null && "POST".equals(request.getMethod());
    }

    private static HttpServletRequest currentRequest() {
        return RequestContextHolder.getRequestAttributes() instanceof ServletRequestAttributes attributes
                ? attributes.getRequest() : null;
    }

    private static boolean hasRole(String... roles) {
        Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
        if (authentication == null || !authentication.isAuthenticated()) {
            return false;
        }
        for (GrantedAuthority authority : authentication.getAuthorities()) {
            for (String role : roles) {
                if (("ROLE_" + role).equals(authority.getAuthority())) {
                    return true;
                }
            }
        }
        return false;
    }
}
