package org.govhub.share;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.govhub.enrich.PolicyRules;
import org.govhub.normalise.CanonicalJson;
import org.govhub.normalise.SchemaRegistry;
import org.govhub.share.Catalog.Personal;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.core.io.ClassPathResource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.transaction.support.TransactionTemplate;

/** The sharing rules without a running hub: the catalog check, share types, due dates, approvals, masking. */
class SharingRulesTest {

    /** No broker channel in these checks. */
    private static final org.springframework.beans.factory.ObjectProvider<SubscriptionBroker> NO_BROKER =
            new org.springframework.beans.factory.support.StaticListableBeanFactory().getBeanProvider(SubscriptionBroker.class);

    private static final SchemaRegistry SCHEMAS = new SchemaRegistry();
    private static final PolicyRules RULES = new PolicyRules(new ClassPathResource("rules/relief-policies.yaml"));

    @Test
    void theShippedCatalogCoversEveryFieldOfEverySchema() {
        assertThat(Catalog.problems(new ClassPathResource(Catalog.DEFAULT_FILE), SCHEMAS)).isEmpty();
        Catalog catalog = new Catalog(new ClassPathResource(Catalog.DEFAULT_FILE), SCHEMAS);
        assertThat(catalog.resources()).extracting(Catalog.DataResource::schema)
                .containsExactlyInAnyOrderElementsOf(SCHEMAS.keys().stream().map(k -> k.split("/")[0]).toList());
    }

    @Test
    void aSchemaFieldWithoutACatalogEntryOrAnEntryWithoutAFieldIsAProblemNamingBoth() throws Exception {
        String shipped = new String(new ClassPathResource(Catalog.DEFAULT_FILE).getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String missing = shipped.replace("      - { name: deferralUntil, meaning: 延期截止日期 }\n", "")
                .replace("      - { name: period, meaning: 所属期 }\n", "      - { name: period, meaning: 所属期 }\n      - { name: taxOffice, meaning: 税务机关 }\n");
        assertThat(missing).isNotEqualTo(shipped);
        List<String> problems = Catalog.problems(resource(missing), SCHEMAS);
        assertThat(problems).anySatisfy(p -> assertThat(p).contains("GOVHUB-TAX-DECL", "deferralUntil", "TaxRecord/1.0.0", "no catalog entry"));
        assertThat(problems).anySatisfy(p -> assertThat(p).contains("fields.taxOffice", "has no field taxOffice"));
        assertThatThrownBy(() -> new Catalog(resource(missing), SCHEMAS)).hasMessageContaining("deferralUntil");
        assertThat(Catalog.problems(resource(shipped.replace("shareType: CONDITIONAL", "shareType: SOMETIMES")), SCHEMAS))
                .anySatisfy(p -> assertThat(p).contains("shareType", "SOMETIMES"));
    }

    @Test
    void theCatalogsStructureIsCheckedByItsFileSchemaWithLineAndColumn() throws Exception {
        String shipped = new String(new ClassPathResource(Catalog.DEFAULT_FILE).getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(shipped).startsWith("# yaml-language-server: $schema=../file-schemas/catalog.schema.json");
        String broken = shipped.replaceFirst("shareType: CONDITIONAL", "shareType: SOMETIMES")
                .replace("      - { name: period, meaning: 所属期 }\n", "      - { name: period }\n")
                .replace("personal: ID_NUMBER, personalWhen", "personalWhen");
        assertThat(broken).isNotEqualTo(shipped);
        List<String> lines = broken.lines().toList();
        int shareTypeLine = lines.indexOf(lines.stream().filter(l -> l.contains("shareType: SOMETIMES")).findFirst().orElseThrow()) + 1;
        int periodLine = lines.indexOf("      - { name: period }") + 1;
        List<String> problems = Catalog.problems(resource(broken), SCHEMAS);
        assertThat(problems).anySatisfy(p -> assertThat(p).contains(":" + shareTypeLine + ":", "shareType", "SOMETIMES", "catalog schema"));
        assertThat(problems).anySatisfy(p -> assertThat(p).contains(":" + periodLine + ":", "meaning"));
        assertThat(problems).anySatisfy(p -> assertThat(p).contains("personalWhen", "personal"));
        assertThatThrownBy(() -> new Catalog(resource(broken), SCHEMAS)).hasMessageContaining("SOMETIMES");
    }

    @Test
    void tenWorkingDaysSkipHolidaysAndCountWorkedWeekendsAndSayWhenTheCalendarDoesNotCoverTheYear() {
        WorkingDays days = new WorkingDays(RULES);
        // Monday 28 September 2020: National Day 1–8 October is closed, Saturday 10 October is worked
        WorkingDays.Due due = days.after(LocalDate.of(2020, 9, 28), 10);
        assertThat(due.date()).isEqualTo(LocalDate.of(2020, 10, 19));
        assertThat(due.basis()).doesNotContain("does not cover");
        WorkingDays.Due later = days.after(LocalDate.of(2026, 12, 1), 10);
        assertThat(later.date()).isEqualTo(LocalDate.of(2026, 12, 15));
        assertThat(later.basis()).contains("does not cover [2026]");
    }

    @Test
    void shareTypesDecideRequestsAndAnApprovalMayNarrowButNotWiden() {
        var ds = new DriverManagerDataSource("jdbc:h2:mem:sharing-rules;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1", "sa", "");
        Flyway.configure().dataSource(ds).load().migrate();
        JdbcTemplate jdbc = new JdbcTemplate(ds);
        TransactionTemplate tx = new TransactionTemplate(new DataSourceTransactionManager(ds));
        Catalog catalog = new Catalog(resource(withANotSharedResource()), SCHEMAS);
        Grants grants = new Grants(jdbc);
        ShareRequests requests = new ShareRequests(jdbc, tx, catalog, grants, new WorkingDays(RULES));
        DepartmentAccounts accounts = new DepartmentAccounts(jdbc, NO_BROKER);
        accounts.create("stats-bureau", "统计局");

        Map<String, Object> refused = requests.request("stats-bureau", "TEST-NOT-SHARED", "statistics", GrantTerms.all());
        assertThat(refused).containsEntry("status", "REFUSED").containsEntry("decidedBy", "catalog");
        assertThat((String) refused.get("reason")).contains("不予共享");

        Map<String, Object> granted = requests.request("stats-bureau", "GOVHUB-ENT-FILING", "statistics", GrantTerms.all());
        assertThat(granted).containsEntry("status", "GRANTED");
        assertThat(grants.find(((Number) granted.get("grant")).longValue())).get().extracting(Grants.Grant::active).isEqualTo(true);

        GrantTerms asked = new GrantTerms(List.of("subjectId", "subjectType", "regionCode"), List.of("36"), null, List.of(Personal.ID_NUMBER));
        Map<String, Object> pending = requests.request("stats-bureau", "GOVHUB-CREDIT", "credit relief statistics", asked);
        assertThat(pending).containsEntry("status", "PENDING").containsEntry("overdue", false);
        assertThat(pending.get("dueOn")).isNotNull();
        long id = ((Number) pending.get("request")).longValue();
        assertThatThrownBy(() -> requests.approve(id, "admin", asked2 ->
                new GrantTerms(List.of("subjectId", "subjectType", "regionCode", "amountFen"), List.of("36"), null, null)))
                .hasMessageContaining("narrow");
        assertThatThrownBy(() -> requests.refuse(id, "admin", " ")).hasMessageContaining("reason");
        Map<String, Object> approved = requests.approve(id, "admin", asked2 ->
                new GrantTerms(List.of("subjectId", "regionCode"), List.of("3601"), List.of(1, 2), null));
        assertThat(approved).containsEntry("status", "GRANTED").containsEntry("decidedBy", "admin");
        assertThatThrownBy(() -> requests.approve(id, "admin", same -> same)).isInstanceOf(IllegalStateException.class);

        assertThatThrownBy(() -> requests.request("stats-bureau", "GOVHUB-CREDIT", "x", GrantTerms.all())).hasMessageContaining("purpose");
        assertThatThrownBy(() -> requests.request("stats-bureau", "NOPE", "statistics", GrantTerms.all())).hasMessageContaining("NOPE");
        // personal data in clear is never granted without an operator, even on an unconditional resource
        ShareRequests open = new ShareRequests(jdbc, tx, new Catalog(resource(withCreditUnconditional()), SCHEMAS), grants, new WorkingDays(RULES));
        assertThat(open.request("stats-bureau", "GOVHUB-CREDIT", "statistics", GrantTerms.all())).containsEntry("status", "GRANTED");
        assertThat(open.request("stats-bureau", "GOVHUB-CREDIT", "statistics",
                new GrantTerms(null, null, null, List.of(Personal.PERSON_NAME)))).containsEntry("status", "PENDING");

        // keys: only the hash is stored; a revoked key no longer authenticates
        DepartmentAccounts.IssuedKey key = accounts.issueKey("stats-bureau");
        assertThat(jdbc.queryForObject("SELECT secret_sha256 FROM department_key WHERE key_id = ?", String.class, key.keyId()))
                .doesNotContain(key.key().substring(key.key().indexOf('.') + 1));
        assertThat(accounts.authenticate(key.key())).get().extracting(DepartmentAccounts.Caller::departmentId).isEqualTo("stats-bureau");
        assertThat(accounts.authenticate(key.key() + "x")).isEmpty();
        assertThat(accounts.revokeKey("stats-bureau", key.keyId())).isTrue();
        assertThat(accounts.authenticate(key.key())).isEmpty();
    }

    @Test
    void urgentBatchesOvertakeABacklogAndASubscriptionFromNowOrFromAnInstantStartsThere() {
        var ds = new DriverManagerDataSource("jdbc:h2:mem:sharing-order;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1", "sa", "");
        Flyway.configure().dataSource(ds).load().migrate();
        JdbcTemplate jdbc = new JdbcTemplate(ds);
        TransactionTemplate tx = new TransactionTemplate(new DataSourceTransactionManager(ds));
        Catalog catalog = new Catalog(new ClassPathResource(Catalog.DEFAULT_FILE), SCHEMAS);
        Grants grants = new Grants(jdbc);
        ShareRequests requests = new ShareRequests(jdbc, tx, catalog, grants, new WorkingDays(RULES));
        Subscriptions subscriptions = new Subscriptions(jdbc, tx, grants, false, NO_BROKER);
        SubscriptionFeed feed = new SubscriptionFeed(jdbc, catalog, grants, subscriptions);
        new DepartmentAccounts(jdbc, NO_BROKER).create("planning", "发展改革委");
        long grant = ((Number) requests.approve(((Number) requests.request("planning", "GOVHUB-TAX-DECL", "planning duties",
                GrantTerms.all()).get("request")).longValue(), "admin", same -> same).get("grant")).longValue();

        // a backlog of three class-3 batches, sealed an hour ago
        java.time.Instant hourAgo = java.time.Instant.now().minusSeconds(3600);
        for (int i = 1; i <= 3; i++) {
            share(jdbc, "backlog-" + i, 3, hourAgo.plusSeconds(i), List.of("b" + i + "-1", "b" + i + "-2"));
        }
        String early = (String) subscriptions.create("planning", grant, Subscriptions.Channel.FEED, null, "beginning").get("subscription");
        String fromNow = (String) subscriptions.create("planning", grant, Subscriptions.Channel.FEED, null, "now").get("subscription");
        String fromInstant = (String) subscriptions.create("planning", grant, Subscriptions.Channel.FEED, null,
                hourAgo.plusMillis(2500).toString()).get("subscription");
        // then an urgent batch: the early subscription gets it before its class-3 backlog
        share(jdbc, "urgent", 1, java.time.Instant.now(), List.of("u-1"));
        List<String> first = keys(feed.read("planning", early, null, 3));
        assertThat(first).containsExactly("u-1", "b1-1", "b1-2");
        assertThat(keys(feed.read("planning", fromNow, null, 10))).as("from now: only what was shared after").containsExactly("u-1");
        assertThat(keys(feed.read("planning", fromInstant, null, 10))).as("from an instant: batches sealed from then on")
                .containsExactly("u-1", "b3-1", "b3-2");
        assertThatThrownBy(() -> feed.read("planning", fromNow, "3.0.0", 10)).as("not before where it began")
                .hasMessageContaining("before the subscription's start");
    }

    private static List<String> keys(Map<String, Object> page) {
        return ((List<?>) page.get("records")).stream().map(i -> ((SubscriptionFeed.Item) i).record().path("provenance")
                .path("sourceRecordKey").asText()).toList();
    }

    /** A sealed TaxRecord batch of the given class with records whose source keys are given, next in the share order. */
    private static void share(JdbcTemplate jdbc, String batchId, int priorityClass, java.time.Instant sealedAt, List<String> keys) {
        jdbc.update("UPDATE share_sequence SET last_seq = last_seq + 1 WHERE id = 1");
        long seq = jdbc.queryForObject("SELECT last_seq FROM share_sequence WHERE id = 1", Long.class);
        jdbc.update("INSERT INTO batch (batch_id, schema_name, schema_version, status, record_count, opened_at, sealed_at, priority_class,"
                + " share_seq) VALUES (?, 'TaxRecord', '1.0.0', 'SEALED', ?, ?, ?, ?, ?)", batchId, keys.size(),
                java.sql.Timestamp.from(sealedAt), java.sql.Timestamp.from(sealedAt), priorityClass, seq);
        org.govhub.batch.RecordChunks.write(jdbc, batchId, 0, keys.stream().map(k -> "{\"regionCode\":\"360102\",\"provenance\":"
                + "{\"sourceId\":\"t\",\"sourceRecordKey\":\"" + k + "\"}}").toList());
    }

    @Test
    void aPendingRequestPastItsDueDateIsFlaggedOverdue() {
        var ds = new DriverManagerDataSource("jdbc:h2:mem:sharing-overdue;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1", "sa", "");
        Flyway.configure().dataSource(ds).load().migrate();
        JdbcTemplate jdbc = new JdbcTemplate(ds);
        ShareRequests requests = new ShareRequests(jdbc, new TransactionTemplate(new DataSourceTransactionManager(ds)),
                new Catalog(new ClassPathResource(Catalog.DEFAULT_FILE), SCHEMAS), new Grants(jdbc), new WorkingDays(RULES));
        long id = ((Number) requests.request("late-dept", "GOVHUB-CREDIT", "credit statistics", GrantTerms.all()).get("request")).longValue();
        assertThat(requests.get(id, null)).containsEntry("overdue", false);
        jdbc.update("UPDATE share_request SET due_on = ? WHERE request_id = ?", java.sql.Date.valueOf(LocalDate.now().minusDays(1)), id);
        assertThat(requests.list(null, "PENDING")).singleElement().satisfies(r -> assertThat(r).containsEntry("overdue", true));
        requests.refuse(id, "admin", "no duty stated");
        assertThat(requests.get(id, null)).containsEntry("overdue", false).containsEntry("status", "REFUSED");
    }

    @Test
    void theGrantedViewProjectsFiltersAndMasksPersonsButNotEnterprises() {
        Catalog catalog = new Catalog(new ClassPathResource(Catalog.DEFAULT_FILE), SCHEMAS);
        GrantedView view = new GrantedView(catalog.get("GOVHUB-CREDIT"),
                new GrantTerms(List.of("subjectType", "subjectId", "subjectName", "regionCode"), List.of("3601"), List.of(1, 3), null));
        var person = CanonicalJson.read("""
                {"subjectType":"PERSON","subjectId":"36010219800101123X","subjectName":"张三丰","regionCode":"360102","amountFen":5}""");
        var shown = view.apply(person, 3);
        assertThat(CanonicalJson.write(shown)).isEqualTo(
                "{\"regionCode\":\"360102\",\"subjectId\":\"360102**********3X\",\"subjectName\":\"张**\",\"subjectType\":\"PERSON\"}");
        var enterprise = CanonicalJson.read("""
                {"subjectType":"ENTERPRISE","subjectId":"91360100MA35XXXX0X","subjectName":"南昌某公司","regionCode":"360102"}""");
        assertThat(view.apply(enterprise, 1).path("subjectName").asText()).isEqualTo("南昌某公司");
        assertThat(view.apply(person, 2)).as("class not granted").isNull();
        assertThat(view.apply(CanonicalJson.read("{\"subjectType\":\"PERSON\",\"regionCode\":\"360402\"}"), 1)).as("region not granted").isNull();
        GrantedView clear = new GrantedView(catalog.get("GOVHUB-CREDIT"), new GrantTerms(null, null, null, List.of(Personal.ID_NUMBER)));
        assertThat(clear.apply(person, 3).path("subjectId").asText()).isEqualTo("36010219800101123X");
        assertThat(clear.apply(person, 3).path("subjectName").asText()).isEqualTo("张**");
        assertThat(clear.apply(person, 3).path("amountFen").asInt()).isEqualTo(5);
        assertThat(GrantedView.mask(Personal.PHONE, "13812345678")).isEqualTo("138****5678");
    }

    /** The shipped catalog with the tax resource not shared (a test catalog; one schema version is one resource). */
    private static String withANotSharedResource() {
        return shipped().replaceFirst("code: GOVHUB-TAX-DECL", "code: TEST-NOT-SHARED")
                .replaceFirst("shareType: CONDITIONAL(\n    openToPublic: false\n    updateFrequency: daily\n    conditions: Tax)", "shareType: NOT_SHARED$1");
    }

    /** The shipped catalog with the credit resource unconditional. */
    private static String withCreditUnconditional() {
        return shipped().replaceFirst("shareType: CONDITIONAL(\n    openToPublic: false\n    updateFrequency: daily\n    conditions: Personal)",
                "shareType: UNCONDITIONAL$1");
    }

    private static String shipped() {
        try {
            return new String(new ClassPathResource(Catalog.DEFAULT_FILE).getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static ByteArrayResource resource(String text) {
        return new ByteArrayResource(text.getBytes(StandardCharsets.UTF_8), "test catalog");
    }
}
