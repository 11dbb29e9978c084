package org.govhub.operate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SpecVersion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The deployment files, checked without Docker or a cluster: docker/compose.yaml against the
 * Compose Specification's schema, the Kubernetes manifests of docker/k8s (base, and the production
 * overlay's resources with its patches applied) against the Kubernetes schemas, and what each must
 * hold together with the Dockerfile and the prod profile. Where the schemas come from:
 * src/test/resources/deploy/SOURCE.md.
 */
class DeploymentFilesTest {

    private static final YAMLMapper YAML = new YAMLMapper();
    private static final Path K8S = Path.of("docker/k8s");
    private static final Path DOCKERFILE = Path.of("docker/Dockerfile");
    private final KubernetesSchemas kubernetes = new KubernetesSchemas();

    // ---- compose ----

    @Test
    void composeFileKeepsToTheComposeSpecification() throws Exception {
        JsonSchema spec = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7)
                .getSchema(SchemaLocation.of("classpath:deploy/compose-spec.schema.json"));
        JsonNode compose = YAML.readTree(ComposeFile.COMPOSE.toFile());
        assertThat(spec.validate(compose)).as("docker/compose.yaml against the compose-spec schema").isEmpty();
        assertThat(spec.validate(YAML.readTree(ComposeFile.CLUSTER.toFile()))).as("docker/compose.cluster.yaml").isEmpty();
        assertThat(spec.validate(ComposeFile.read(ComposeFile.COMPOSE, ComposeFile.CLUSTER).document)).as("the two merged").isEmpty();

        // the schema is strict: a misspelt health-check field is caught
        ObjectNode broken = compose.deepCopy();
        ((ObjectNode) broken.path("services").path("govhub").path("healthcheck")).put("intervall", "15s");
        assertThat(spec.validate(broken)).isNotEmpty();
    }

    @Test
    void composeSetsOrAsksForEveryProdSettingAndChecksHealth() throws Exception {
        ComposeFile compose = ComposeFile.read(ComposeFile.COMPOSE);
        JsonNode services = compose.document.path("services");
        Set<String> required = RequiredSettingsTest.requiredByTheProdFile();
        Map<String, String> asWritten = new TreeMap<>();
        services.path("govhub").path("environment").fields().forEachRemaining(e -> asWritten.put(e.getKey(), e.getValue().asText()));
        assertThat(asWritten.keySet()).as("the govhub service's environment").containsAll(required);
        for (String variable : required) {
            String value = asWritten.get(variable);
            // set (a fixed value) or asked for (${VAR:?...}): never an empty default
            assertThat(!value.contains("${") || value.matches("\\$\\{[A-Z0-9_]+:\\?[^}]+}")).as("%s: %s", variable, value).isTrue();
        }
        for (String service : List.of("govhub", "artemis", "hub-db")) {
            assertThat(services.path(service).path("healthcheck").path("test").isMissingNode()).as("%s health check", service).isFalse();
        }
        assertThat(services.path("govhub").path("healthcheck").path("test").toString()).contains("/actuator/health/readiness");
        assertThat(services.path("govhub").path("depends_on").path("artemis").path("condition").asText()).isEqualTo("service_healthy");
        assertThat(services.path("govhub").path("build").path("target").asText()).isEqualTo("prod");
        for (String service : List.of("sandbox", "sandbox-db")) {
            assertThat(services.path(service).path("profiles").toString()).as(service).isEqualTo("[\"sandbox\"]");
        }
        assertThat(services.path("sandbox").path("build").path("target").asText()).isEqualTo("full");
        assertThat(services.path("sandbox").path("network_mode").asText()).isEqualTo("service:govhub");

        // both env templates name every variable compose asks for, and nothing it does not know
        Map<String, Boolean> variables = compose.variables();
        for (Path template : List.of(Path.of("docker/.env.example"), Path.of("docker/sandbox.env.example"))) {
            Set<String> named = ComposeFile.envFile(template, Map.of()).keySet();
            variables.forEach((variable, asked) -> {
                if (asked) {
                    assertThat(named).as("%s names %s", template, variable).contains(variable);
                }
            });
            Set<String> unknown = new TreeSet<>(named);
            unknown.removeAll(variables.keySet());
            unknown.removeAll(Set.of("COMPOSE_PROFILES", "SANDBOX_SECRET"));
            assertThat(unknown).as("%s: variables compose.yaml does not use", template).isEmpty();
        }
        // the sandbox template points the hub at the sandbox service and leaves only secrets to fill in
        Map<String, String> sandbox = ComposeFile.envFile(Path.of("docker/sandbox.env.example"), Map.of());
        assertThat(sandbox).containsEntry("COMPOSE_PROFILES", "sandbox");
        assertThat(sandbox.entrySet().stream().filter(e -> e.getValue().isEmpty()).map(Map.Entry::getKey).toList())
                .containsExactlyInAnyOrder("GOVHUB_DB_PASSWORD", "ARTEMIS_PASSWORD", "GOVHUB_ADMIN_PASSWORD",
                        "GRAFANA_ADMIN_PASSWORD", "SANDBOX_SECRET", "GOVHUB_PLATFORM_TOKEN", "TAX_BUREAU_JDBC_PASSWORD",
                        "CREDIT_REFERENCE_JDBC_PASSWORD", "SOCIAL_INSURANCE_FTP_PASSWORD", "SOCIAL_INSURANCE_COUNTY_FTP_PASSWORD",
                        "PROVINCIAL_PLATFORM_TOKEN", "CREDIT_PORTAL_API_KEY", "DRC_MIIT_FTP_PASSWORD");
        Map<String, String> filled = ComposeFile.envFile(Path.of("docker/sandbox.env.example"), Map.of("SANDBOX_SECRET", "s3cret"));
        assertThat(filled).containsEntry("DRC_MIIT_FTP_PASSWORD", "s3cret").containsEntry("GOVHUB_PLATFORM_TOKEN", "s3cret");
    }

    @Test
    void composeClusterFileStartsTwoNodesOnOneDatabaseBrokerAndZooKeeper() throws Exception {
        Map<String, String> filled = new HashMap<>(ComposeFile.envFile(Path.of("docker/.env.example"), Map.of()));
        filled.replaceAll((k, v) -> v.isEmpty() ? "filled-in" : v);
        ComposeFile cluster = ComposeFile.read(ComposeFile.COMPOSE, ComposeFile.CLUSTER);
        JsonNode services = cluster.services();
        Map<String, String> one = cluster.environment("govhub", filled);
        Map<String, String> two = cluster.environment("govhub-2", filled);

        // the same hub, twice: every setting alike but the node id
        assertThat(two.keySet()).isEqualTo(one.keySet());
        Map<String, String> differ = new TreeMap<>();
        one.forEach((k, v) -> {
            if (!v.equals(two.get(k))) {
                differ.put(k, v + " / " + two.get(k));
            }
        });
        assertThat(differ.keySet()).containsExactly("GOVHUB_CLUSTER_NODE_ID");
        assertThat(one.get("GOVHUB_CLUSTER_NODE_ID")).isNotBlank().isNotEqualTo(two.get("GOVHUB_CLUSTER_NODE_ID"));
        for (Map<String, String> node : List.of(one, two)) {
            assertThat(node).containsEntry("GOVHUB_CLUSTER_SERVICE", "zookeeper")
                    .containsEntry("GOVHUB_DB_URL", "jdbc:postgresql://hub-db:5432/govhub")
                    .containsEntry("GOVHUB_ARTEMIS_URL", "tcp://artemis:61616");
            String zookeeper = node.get("GOVHUB_ZOOKEEPER_NODES");
            assertThat(zookeeper).isEqualTo("zookeeper:2181");
            assertThat(services.has(zookeeper.substring(0, zookeeper.indexOf(':')))).as(zookeeper).isTrue();
        }
        assertThat(services.path("zookeeper").path("image").asText()).startsWith("zookeeper:");
        assertThat(services.path("zookeeper").path("healthcheck").path("test").isMissingNode()).isFalse();

        // the second node: the first's image, health check and data volume (one signing key, reports
        // any node may deliver), its own host port, started once the first is ready
        JsonNode hub = services.path("govhub");
        JsonNode second = services.path("govhub-2");
        assertThat(second.path("build")).isEqualTo(hub.path("build"));
        assertThat(second.path("healthcheck")).isEqualTo(hub.path("healthcheck"));
        assertThat(second.path("volumes")).isEqualTo(hub.path("volumes"));
        assertThat(second.path("ports").toString()).isNotEqualTo(hub.path("ports").toString()).doesNotContain("8080:");
        assertThat(Files.readString(ComposeFile.CLUSTER)).as("Compose appends an extended service's ports unless told")
                .containsPattern("(?m)^    ports: !override$");
        for (String node : List.of("govhub", "govhub-2")) {
            assertThat(services.path(node).path("depends_on").path("zookeeper").path("condition").asText()).as(node)
                    .isEqualTo("service_healthy");
        }
        assertThat(second.path("depends_on").path("govhub").path("condition").asText()).isEqualTo("service_healthy");

        // compose.yaml alone: one node, as before, on no cluster service
        JsonNode alone = ComposeFile.read(ComposeFile.COMPOSE).services();
        assertThat(alone.has("govhub-2")).isFalse();
        assertThat(alone.has("zookeeper")).isFalse();
        assertThat(alone.path("govhub").path("environment").has("GOVHUB_CLUSTER_SERVICE")).isFalse();
    }

    // ---- image ----

    @Test
    void imageIsLayeredRunsAsANumericUserAndIsBuiltFromASmallContext() throws Exception {
        String dockerfile = Files.readString(DOCKERFILE);
        List<String> stages = new ArrayList<>();
        Matcher from = Pattern.compile("(?m)^FROM \\S+ AS (\\S+)$").matcher(dockerfile);
        while (from.find()) {
            stages.add(from.group(1));
        }
        assertThat(stages).as("stages; the last is what `docker build` makes without --target").endsWith("prod").contains("full");
        assertThat(dockerfile).contains("-Djarmode=tools -jar target/govhub-*-prod.jar extract --layers --launcher");
        for (String layer : List.of("dependencies", "spring-boot-loader", "snapshot-dependencies", "application")) {
            assertThat(dockerfile).contains("COPY --from=build /layers/prod/" + layer + "/ ./");
        }
        Matcher user = Pattern.compile("(?m)^USER (\\S+)$").matcher(dockerfile);
        assertThat(user.find()).isTrue();
        assertThat(user.group(1)).matches("[1-9][0-9]*:[1-9][0-9]*");

        DockerIgnore ignore = new DockerIgnore(Files.readAllLines(Path.of(".dockerignore")));
        Matcher copy = Pattern.compile("(?m)^COPY (?!--from)(.+) \\S+$").matcher(dockerfile);
        while (copy.find()) {
            for (String source : copy.group(1).trim().split("\\s+")) {
                assertThat(ignore.sends(source)).as("COPY %s: in the build context", source).isTrue();
            }
        }
        for (String kept : List.of("src/main/java/org/govhub/GovHubApplication.java", "routes/batching.yaml", "mappings/tax-bureau.yaml",
                ".mvn/wrapper/maven-wrapper.properties")) {
            assertThat(ignore.sends(kept)).as(kept).isTrue();
        }
        for (String left : List.of("target/classes/x.class", "data/hub/govhub.mv.db", "docker/.env", ".git/HEAD", "src/test/java/X.java")) {
            assertThat(ignore.sends(left)).as(left).isFalse();
        }
    }

    /** .dockerignore as Docker reads it: the last pattern that matches a path or a folder above it decides. */
    record DockerIgnore(List<String> lines) {
        boolean sends(String path) {
            boolean sent = true;
            for (String line : lines) {
                String pattern = line.strip();
                if (pattern.isEmpty() || pattern.startsWith("#")) {
                    continue;
                }
                boolean include = pattern.startsWith("!");
                String glob = (include ? pattern.substring(1) : pattern).replaceAll("/+$", "");
                var matcher = java.nio.file.FileSystems.getDefault().getPathMatcher("glob:" + glob);
                for (Path p = Path.of(path); p != null; p = p.getParent()) {
                    if (matcher.matches(p)) {
                        sent = include;
                        break;
                    }
                }
            }
            return sent;
        }
    }

    // ---- Kubernetes ----

    @Test
    void baseAndProductionOverlayKeepToTheKubernetesSchemas() {
        Map<String, JsonNode> base = resources(K8S.resolve("base"));
        Map<String, JsonNode> production = resources(K8S.resolve("overlays/production"));
        assertThat(base.keySet()).containsExactlyInAnyOrder("Deployment govhub", "Service govhub", "PersistentVolumeClaim govhub-data",
                "PodDisruptionBudget govhub", "ServiceMonitor govhub", "ServiceAccount govhub", "Role govhub-leader-election",
                "RoleBinding govhub-leader-election");
        assertThat(production.keySet()).isEqualTo(base.keySet());
        for (var resources : List.of(base, production)) {
            resources.forEach((name, resource) -> assertThat(kubernetes.problems(resource)).as(name).isEmpty());
        }
        // the production patches changed what they were meant to
        assertThat(production.get("Deployment govhub").at("/spec/template/spec/containers/0/resources/limits/memory").asText()).isEqualTo("4Gi");
        assertThat(production.get("ServiceMonitor govhub").at("/metadata/labels/release").asText()).isEqualTo("prometheus");

        // the schemas are strict: a misspelt probe is caught, and so is a port that is neither a name nor a number
        ObjectNode broken = base.get("Deployment govhub").deepCopy();
        ObjectNode container = (ObjectNode) broken.at("/spec/template/spec/containers/0");
        container.set("livenesProbe", container.remove("livenessProbe"));
        assertThat(kubernetes.problems(broken)).isNotEmpty();
        ObjectNode badPort = base.get("Service govhub").deepCopy();
        ((ObjectNode) badPort.at("/spec/ports/0")).putArray("targetPort");
        assertThat(kubernetes.problems(badPort)).isNotEmpty();
        ObjectNode badRule = base.get("Role govhub-leader-election").deepCopy();
        ((ObjectNode) badRule.at("/rules/0")).set("verb", ((ObjectNode) badRule.at("/rules/0")).remove("verbs"));
        assertThat(kubernetes.problems(badRule)).isNotEmpty();
    }

    @Test
    void theHubPodGetsEverySettingProbesAndFilesItNeeds() throws Exception {
        JsonNode deployment = resources(K8S.resolve("overlays/production")).get("Deployment govhub");
        JsonNode pod = deployment.at("/spec/template/spec");
        JsonNode container = pod.at("/containers/0");
        assertThat(container.at("/livenessProbe/httpGet/path").asText()).isEqualTo("/actuator/health/liveness");
        assertThat(container.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/actuator/health/readiness");
        assertThat(container.at("/resources/requests/memory").isMissingNode()).isFalse();

        // every variable the prod profile needs: a secret by reference, or the overlay's settings; the
        // pod's own (cluster node, audit key path, the source units' folder) are fixed or from the downward API
        Set<String> secrets = new TreeSet<>();
        container.path("env").forEach(e -> {
            if (e.has("valueFrom") && !e.at("/valueFrom/fieldRef").isObject()) {
                assertThat(e.at("/valueFrom/secretKeyRef/name").asText()).as(e.path("name").asText()).isEqualTo("govhub-secrets");
                secrets.add(e.path("name").asText());
            } else {
                assertThat(e.path("name").asText()).matches("GOVHUB_(CLUSTER|KUBERNETES|AUDIT|DEPLOYMENTS)_.*");
            }
        });
        Properties settings = new Properties();
        try (var in = Files.newBufferedReader(K8S.resolve("overlays/production/settings.env"))) {
            settings.load(in);
        }
        assertThat(secrets).as("secrets are not settings").doesNotContainAnyElementsOf(settings.stringPropertyNames());
        assertThat(secrets).allMatch(s -> s.matches(".*(PASSWORD|TOKEN|API_KEY)"));
        Set<String> given = new TreeSet<>(secrets);
        given.addAll(settings.stringPropertyNames());
        assertThat(given).containsAll(RequiredSettingsTest.requiredByTheProdFile());

        // the image's user, and the route and mapping files where the hub reads them (its working directory)
        String dockerfile = Files.readString(DOCKERFILE);
        Matcher user = Pattern.compile("(?m)^USER (\\d+):(\\d+)$").matcher(dockerfile);
        assertThat(user.find()).isTrue();
        assertThat(pod.at("/securityContext/runAsUser").asText()).isEqualTo(user.group(1));
        assertThat(pod.at("/securityContext/runAsNonRoot").asBoolean()).isTrue();
        Matcher workdir = Pattern.compile("(?m)^WORKDIR (/opt/\\S+)$").matcher(dockerfile);
        assertThat(workdir.find()).isTrue();
        Map<String, String> mounts = new HashMap<>();
        container.path("volumeMounts").forEach(m -> mounts.put(m.path("name").asText(), m.path("mountPath").asText()));
        assertThat(mounts).containsEntry("routes", workdir.group(1) + "/routes").containsEntry("mappings", workdir.group(1) + "/mappings");
        Map<String, String> configMaps = new HashMap<>();
        pod.path("volumes").forEach(v -> configMaps.put(v.path("name").asText(), v.at("/configMap/name").asText()));
        assertThat(configMaps).containsEntry("routes", "govhub-routes").containsEntry("mappings", "govhub-mappings");
        // sources deployed from a ConfigMap (docs/deploy-a-source.md): the folder the hub reads is the optional ConfigMap's mount
        String unitsDir = null;
        for (JsonNode e : container.path("env")) {
            if (e.path("name").asText().equals("GOVHUB_DEPLOYMENTS_DIR")) {
                unitsDir = e.path("value").asText();
            }
        }
        assertThat(mounts).containsEntry("source-units", unitsDir);
        assertThat(configMaps).containsEntry("source-units", "govhub-source-units");
        pod.path("volumes").forEach(v -> {
            if (v.path("name").asText().equals("source-units")) {
                assertThat(v.at("/configMap/optional").asBoolean()).as("a hub without source units starts").isTrue();
            }
        });

        // the generators hold every file of routes/ and mappings/, and the files exist
        JsonNode kustomization = YAML.readTree(K8S.resolve("base/kustomization.yaml").toFile());
        Map<String, Set<String>> generated = new HashMap<>();
        kustomization.path("configMapGenerator").forEach(g -> {
            Set<String> files = new TreeSet<>();
            g.path("files").forEach(f -> {
                Path file = K8S.resolve("base").resolve(f.asText()).normalize();
                assertThat(file).exists();
                files.add(file.toString());
            });
            generated.put(g.path("name").asText(), files);
        });
        assertThat(generated.get("govhub-routes")).isEqualTo(yamlFiles("routes"));
        assertThat(generated.get("govhub-mappings")).isEqualTo(yamlFiles("mappings"));
    }

    @Test
    void thePodsLeadSourcesThroughLeasesTheirServiceAccountMayTake() throws Exception {
        Map<String, JsonNode> base = resources(K8S.resolve("base"));
        Map<String, JsonNode> production = resources(K8S.resolve("overlays/production"));
        assertThat(base.get("Deployment govhub").at("/spec/replicas").asInt()).isGreaterThan(1);
        assertThat(production.get("Deployment govhub").at("/spec/replicas").asInt()).isEqualTo(3);
        for (var resources : List.of(base, production)) {
            assertThat(clusterProblems(resources)).isEmpty();
        }
        // the settings the pod gives are the ones the hub reads
        String settings = Files.readString(Path.of("src/main/resources/application.yaml"));
        for (String variable : List.of("GOVHUB_CLUSTER_SERVICE", "GOVHUB_CLUSTER_NODE_ID", "GOVHUB_KUBERNETES_NAMESPACE", "GOVHUB_AUDIT_KEY_PATH")) {
            assertThat(settings).contains("${" + variable + ":");
        }

        // and what the check catches
        Map<String, java.util.function.Consumer<Map<String, JsonNode>>> breaks = new LinkedHashMap<>();
        breaks.put("a Role without update", r -> ((ArrayNode) r.get("Role govhub-leader-election").at("/rules/0/verbs")).remove(2));
        breaks.put("a Role on configmaps", r -> ((ArrayNode) r.get("Role govhub-leader-election").at("/rules/0/resources")).set(0, "configmaps"));
        breaks.put("a Role that may delete", r -> ((ArrayNode) r.get("Role govhub-leader-election").at("/rules/0/verbs")).add("delete"));
        breaks.put("a binding in another namespace", r -> ((ObjectNode) r.get("RoleBinding govhub-leader-election").at("/subjects/0"))
                .put("namespace", "default"));
        breaks.put("the default service account", r -> ((ObjectNode) r.get("Deployment govhub").at("/spec/template/spec"))
                .remove("serviceAccountName"));
        breaks.put("one replica", r -> ((ObjectNode) r.get("Deployment govhub").at("/spec")).put("replicas", 1));
        breaks.put("a Recreate update", r -> ((ObjectNode) r.get("Deployment govhub").at("/spec/strategy")).put("type", "Recreate"));
        breaks.put("one pod's data volume", r -> ((ArrayNode) r.get("PersistentVolumeClaim govhub-data").at("/spec/accessModes"))
                .set(0, "ReadWriteOnce"));
        breaks.put("a generated audit key", r -> ((ArrayNode) r.get("Deployment govhub").at("/spec/template/spec/containers/0/env"))
                .removeIf(e -> e.path("name").asText().equals("GOVHUB_AUDIT_KEY_PATH")));
        breaks.forEach((name, change) -> {
            Map<String, JsonNode> broken = new LinkedHashMap<>();
            production.forEach((k, v) -> broken.put(k, v.deepCopy()));
            change.accept(broken);
            assertThat(clusterProblems(broken)).as(name).isNotEmpty();
        });
    }

    /**
     * What several hub pods need of the manifests: the Kubernetes cluster service with the pod's name
     * and namespace, a service account bound to a Role with exactly what camel-kubernetes' Lease
     * election asks for (docker/k8s/base/rbac.yaml), more than one replica, updates and drains one pod
     * at a time after readiness, one data volume every pod mounts and one signing key for all.
     */
    private static List<String> clusterProblems(Map<String, JsonNode> resources) {
        List<String> problems = new ArrayList<>();
        JsonNode deployment = resources.get("Deployment govhub");
        JsonNode pod = deployment.at("/spec/template/spec");
        JsonNode container = pod.at("/containers/0");
        Map<String, JsonNode> env = new HashMap<>();
        container.path("env").forEach(e -> env.put(e.path("name").asText(), e));
        check(problems, env.containsKey("GOVHUB_CLUSTER_SERVICE") && env.get("GOVHUB_CLUSTER_SERVICE").path("value").asText().equals("kubernetes"),
                "GOVHUB_CLUSTER_SERVICE is kubernetes");
        check(problems, env.containsKey("GOVHUB_CLUSTER_NODE_ID")
                && env.get("GOVHUB_CLUSTER_NODE_ID").at("/valueFrom/fieldRef/fieldPath").asText().equals("metadata.name"),
                "the node id is the pod name");
        check(problems, env.containsKey("GOVHUB_KUBERNETES_NAMESPACE")
                && env.get("GOVHUB_KUBERNETES_NAMESPACE").at("/valueFrom/fieldRef/fieldPath").asText().equals("metadata.namespace"),
                "the Leases are in the pod's namespace");
        check(problems, deployment.at("/spec/replicas").asInt(1) > 1, "more than one replica");
        check(problems, deployment.at("/spec/strategy/type").asText().equals("RollingUpdate")
                && deployment.at("/spec/strategy/rollingUpdate/maxUnavailable").asText().equals("1"), "rolling update, one pod at a time");
        check(problems, container.at("/readinessProbe/httpGet/path").asText().equals("/actuator/health/readiness"), "a readiness probe");
        JsonNode budget = resources.get("PodDisruptionBudget govhub").path("spec");
        check(problems, budget.path("maxUnavailable").asText().equals("1")
                || (budget.has("minAvailable") && budget.path("minAvailable").asInt() < deployment.at("/spec/replicas").asInt(1)),
                "a drain evicts one pod at a time");

        // the service account, its Role and the binding, in the pod's namespace
        String namespace = deployment.at("/metadata/namespace").asText("");
        String account = pod.path("serviceAccountName").asText("");
        check(problems, resources.containsKey("ServiceAccount " + account), "the pod runs as its own service account, not " + account);
        Map<String, Set<String>> granted = new TreeMap<>();
        for (JsonNode binding : resources.values()) {
            if (!binding.path("kind").asText().equals("RoleBinding")) {
                continue;
            }
            boolean toAccount = false;
            for (JsonNode subject : binding.path("subjects")) {
                toAccount |= subject.path("kind").asText().equals("ServiceAccount") && subject.path("name").asText().equals(account)
                        && (!subject.has("namespace") || subject.path("namespace").asText().equals(binding.at("/metadata/namespace").asText("")));
            }
            JsonNode role = resources.get("Role " + binding.at("/roleRef/name").asText());
            if (toAccount && binding.at("/roleRef/kind").asText().equals("Role") && role != null) {
                role.path("rules").forEach(rule -> rule.path("apiGroups").forEach(group -> rule.path("resources").forEach(resource -> {
                    Set<String> verbs = granted.computeIfAbsent(group.asText() + "/" + resource.asText(), k -> new TreeSet<>());
                    rule.path("verbs").forEach(v -> verbs.add(v.asText()));
                })));
            }
            check(problems, binding.at("/metadata/namespace").asText("").equals(namespace), "the binding in the pod's namespace");
        }
        check(problems, granted.equals(Map.of("coordination.k8s.io/leases", Set.of("create", "get", "update"), "/pods", Set.of("list"))),
                "the account may get, create and update leases and list pods, and nothing else: " + granted);

        // one data directory for every pod, one signing key from a Secret
        String claim = null;
        String keySecret = null;
        Map<String, String> volumeOf = new HashMap<>();
        container.path("volumeMounts").forEach(m -> volumeOf.put(m.path("mountPath").asText(), m.path("name").asText()));
        for (JsonNode volume : pod.path("volumes")) {
            if (volume.path("name").asText().equals(volumeOf.get("/var/lib/govhub"))) {
                claim = volume.at("/persistentVolumeClaim/claimName").asText(null);
            }
            JsonNode keyPath = env.get("GOVHUB_AUDIT_KEY_PATH");
            if (keyPath != null && volume.path("name").asText().equals(volumeOf.get(Path.of(keyPath.path("value").asText("/")).getParent() + ""))) {
                keySecret = volume.at("/secret/secretName").asText(null);
            }
        }
        JsonNode pvc = resources.get("PersistentVolumeClaim " + claim);
        check(problems, pvc != null && pvc.at("/spec/accessModes").toString().contains("ReadWriteMany"), "the data volume is one every pod mounts");
        check(problems, keySecret != null, "the exchange log's key comes from a Secret every pod mounts");
        return problems;
    }

    private static void check(List<String> problems, boolean holds, String what) {
        if (!holds) {
            problems.add(what);
        }
    }

    private static Set<String> yamlFiles(String folder) {
        try (Stream<Path> files = Files.list(Path.of(folder))) {
            return new TreeSet<>(files.filter(f -> f.toString().endsWith(".yaml")).map(Path::toString).toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- kustomize, simply: a kustomization's resources, with its patches merged in ----

    /**
     * "Kind name" to resource for a kustomization: its own resource files and those of the
     * kustomizations it names, then its namespace (metadata only, as kustomize: not a RoleBinding
     * subject's), its replicas and its patches (strategic merge: maps merged, lists of named items
     * merged by name), each of which must name a resource that is there.
     */
    private static Map<String, JsonNode> resources(Path dir) {
        JsonNode kustomization = read(dir.resolve("kustomization.yaml")).get(0);
        Map<String, JsonNode> resources = new LinkedHashMap<>();
        kustomization.path("resources").forEach(r -> {
            Path path = dir.resolve(r.asText()).normalize();
            if (Files.isDirectory(path)) {
                resources.putAll(resources(path));
            } else {
                read(path).forEach(doc -> resources.put(doc.path("kind").asText() + " " + doc.at("/metadata/name").asText(), doc));
            }
        });
        String namespace = kustomization.path("namespace").asText("");
        if (!namespace.isEmpty()) {
            resources.values().forEach(r -> ((ObjectNode) r.path("metadata")).put("namespace", namespace));
        }
        kustomization.path("replicas").forEach(r -> {
            JsonNode deployment = resources.get("Deployment " + r.path("name").asText());
            assertThat(deployment).as("the Deployment replicas names").isNotNull();
            ((ObjectNode) deployment.path("spec")).put("replicas", r.path("count").asInt());
        });
        kustomization.path("patches").forEach(p -> {
            for (JsonNode patch : read(dir.resolve(p.path("path").asText()))) {
                String name = patch.path("kind").asText() + " " + patch.at("/metadata/name").asText();
                assertThat(resources).as("the resource %s patches", p.path("path").asText()).containsKey(name);
                JsonNode target = resources.get(name);
                assertThat(patch.path("apiVersion").asText()).isEqualTo(target.path("apiVersion").asText());
                resources.put(name, merge(target.deepCopy(), patch));
            }
        });
        return resources;
    }

    private static JsonNode merge(JsonNode target, JsonNode patch) {
        if (target instanceof ObjectNode object && patch.isObject()) {
            patch.fields().forEachRemaining(f -> object.set(f.getKey(),
                    object.has(f.getKey()) ? merge(object.get(f.getKey()), f.getValue()) : f.getValue()));
            return object;
        }
        if (target instanceof ArrayNode list && patch.isArray()) {
            for (JsonNode item : patch) {
                JsonNode same = null;
                for (JsonNode existing : list) {
                    if (item.has("name") && item.path("name").equals(existing.path("name"))) {
                        same = existing;
                    }
                }
                if (same == null) {
                    list.add(item);
                } else {
                    merge(same, item);
                }
            }
            return list;
        }
        return patch;
    }

    private static List<JsonNode> read(Path file) {
        try (var parser = YAML.getFactory().createParser(file.toFile())) {
            List<JsonNode> documents = new ArrayList<>();
            YAML.readValues(parser, JsonNode.class).forEachRemaining(d -> {
                if (d != null && !d.isNull() && !d.isMissingNode()) {
                    documents.add(d);
                }
            });
            return documents;
        } catch (IOException e) {
            throw new UncheckedIOException(file.toString(), e);
        }
    }
}
