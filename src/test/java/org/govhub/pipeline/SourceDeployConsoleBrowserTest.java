package org.govhub.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.List;
import org.govhub.RealDatabases;
import org.govhub.SandboxHubTest;
import org.govhub.normalise.RegionCodes;
import org.govhub.sandbox.GeneratedRow;
import org.govhub.sandbox.TaxBureauSandbox;
import org.govhub.sandbox.TaxDeclarationGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Deploying a source from the operator console (issue 19), in Chromium as {@link OperatorConsoleBrowserTest} runs it: an
 * integrator account logs in, sees only the pages it may read, uploads a city tax office's PostgreSQL table as a source
 * (a broken mapping first, refused with file and line), tests the connection, previews the rows, activates it and sees
 * its records reach the platform, uploads a second version, activates it, rolls back and removes the source. A viewer
 * sees the same page without one action. Each step is checked against the API as well, with a screenshot under
 * {@code target/console-screenshots/deploy-*}. Without Chromium or PostgreSQL it is skipped, and fails under {@code CI=true}.
 */
class SourceDeployConsoleBrowserTest {

    private static final String DB = "govhub_console_city";
    private static final String CITY_URL = RealDatabases.POSTGRES_URL.replace("/test", "/" + DB);
    private static final String SOURCE = "/api/admin/sources/city-tax";
    private static final int CITY_ROWS = 300;
    private static final int PREVIEW_ROWS = 30;
    private static final String INTEGRATOR = "city-deployer";
    private static final String INTEGRATOR_PASSWORD = "Source-deploy-2026";
    private static final String VIEWER = "deploy-viewer";
    private static final String VIEWER_PASSWORD = "Console-watch-2026";

    @Test
    @Timeout(600)
    void anIntegratorUploadsTestsPreviewsActivatesRollsBackAndRemovesASourceInChromium() throws Exception {
        OperatorConsoleBrowserTest.requireChromium();
        RealDatabases.require("PostgreSQL", RealDatabases.POSTGRES_URL, RealDatabases.POSTGRES_USER,
                "DROP DATABASE IF EXISTS " + DB + " WITH (FORCE)", "CREATE DATABASE " + DB);
        List<GeneratedRow> city = new TaxDeclarationGenerator(77, new RegionCodes().countiesUnder("36"), 25).generate(CITY_ROWS);
        try (Connection c = DriverManager.getConnection(CITY_URL, RealDatabases.POSTGRES_USER, "")) {
            c.createStatement().execute(TaxBureauSandbox.DDL);
            c.createStatement().execute(TaxBureauSandbox.CHANGE_INDEX);
            DepartmentRows.insert(c, "tax_declaration", city);
        }
        long quarantinedInPreview = city.subList(0, PREVIEW_ROWS).stream().filter(r -> !r.valid()).count();
        assertThat(quarantinedInPreview).as("broken rows among the previewed ones").isPositive();

        // the files an integration team has on its disk: the route file, its mapping (two versions) and a broken one
        Path dir = SandboxHubTest.newDataDir("govhub-deploy-console");
        Path route = Path.of("src/test/resources/deploy/city-tax-source.yaml").toAbsolutePath();
        String mappingV1 = Files.readString(Path.of("mappings/tax-bureau.yaml")).replace("mapping: tax-bureau", "mapping: city-tax")
                .replace("description: Tax declarations of the provincial tax bureau", "description: Tax declarations of the city tax office");
        Path goodV1 = Files.writeString(dir.resolve("city-tax.yaml"), mappingV1);
        Path goodV2 = Files.writeString(dir.resolve("city-tax-v2.yaml"), mappingV1.replace("version: \"1\"", "version: \"2\""));
        Path broken = Files.writeString(dir.resolve("city-tax-broken.yaml"), mappingV1.replace("convert: yuan-to-fen", "convert: yuan-to-cents"));
        String settings = "url=" + CITY_URL + "\nusername=" + RealDatabases.POSTGRES_USER;

        try (HubJvm hub = HubJvm.start(dir, "deploy-console", ExactlyOnce.sandbox(20, 0))) {
            String base = "http://127.0.0.1:" + hub.port;
            hub.post("/api/admin/accounts", "{\"username\": \"" + INTEGRATOR + "\", \"role\": \"integrator\", \"password\": \"" + INTEGRATOR_PASSWORD + "\"}");
            WebDriver browser = OperatorConsoleBrowserTest.chromium();
            try {
                WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));

                // an integrator: the pages it may read, its own home the deploy page, no operator's action
                browser.get(base + "/console/");
                OperatorConsoleBrowserTest.logIn(browser, wait, INTEGRATOR, INTEGRATOR_PASSWORD);
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("who"), INTEGRATOR));
                wait.until(ExpectedConditions.presenceOfElementLocated(By.id("deploy-source")));
                assertThat(browser.findElement(By.id("who")).getText()).doesNotContain("read-only");
                assertThat(browser.findElements(By.cssSelector("#tabs a")).stream().map(WebElement::getText))
                        .containsExactly("Quarantine", "Sources", "Deploy a source");
                browser.get(base + "/console/#/sources");
                wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("tr[data-source='tax-bureau']")));
                assertThat(browser.findElements(By.cssSelector("#view form, #view button"))).as("operator's actions shown to an integrator").isEmpty();
                browser.get(base + "/console/#/quarantine");
                wait.until(ExpectedConditions.presenceOfElementLocated(By.id("quarantine-filter")));
                assertThat(browser.findElements(By.id("accept-identifier"))).as("operator's actions shown to an integrator").isEmpty();
                OperatorConsoleBrowserTest.shot(browser, "deploy-01-integrator");

                // a new source by its id
                browser.findElement(By.id("tab-deploy")).click();
                WebElement pick = wait.until(ExpectedConditions.presenceOfElementLocated(By.id("deploy-source")));
                pick.findElement(By.name("source")).sendKeys("city-tax");
                pick.findElement(By.cssSelector("button")).click();
                wait.until(ExpectedConditions.presenceOfElementLocated(By.id("no-versions")));
                assertThat(browser.findElement(By.id("deploy-status")).getText()).contains("not running");

                // a broken mapping: every problem listed, naming the file and the line; nothing kept
                fillUpload(browser, wait, route, broken, settings, "city tax office joins (ticket 4711)");
                browser.findElement(By.id("upload-button")).click();
                WebElement problem = wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#upload-problems li")));
                assertThat(problem.getText()).contains("mappings/city-tax.yaml:37:5", "unknown converter 'yuan-to-cents'");
                assertThat(browser.findElement(By.id("message")).getText()).contains("Refused");
                assertThat(hub.get(SOURCE + "/versions").path("versions")).as("versions after a refused upload").isEmpty();
                OperatorConsoleBrowserTest.shot(browser, "deploy-02-refused");

                // the mapping made right, in the same form: version 1
                loadMapping(browser, wait, goodV1, "convert: yuan-to-fen");
                browser.findElement(By.id("upload-button")).click();
                wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("tr[data-version='1']")));
                assertThat(browser.findElement(By.id("message")).getText()).contains("Kept as version 1");
                JsonNode v1 = hub.get(SOURCE + "/versions/1");
                assertThat(v1.path("by").asText()).isEqualTo(INTEGRATOR);
                assertThat(v1.path("settings").path("url").asText()).isEqualTo(CITY_URL);
                assertThat(browser.findElement(By.cssSelector("tr[data-version='1']")).getText())
                        .contains("city-tax-source.yaml", INTEGRATOR, "city tax office joins (ticket 4711)");

                // the connection, step by step
                browser.findElement(By.id("test-1")).click();
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("connection-result"), "Connection test passed"));
                List<WebElement> steps = browser.findElements(By.cssSelector("#trial tr[data-step]"));
                assertThat(steps.stream().map(s -> s.getDomAttribute("data-step"))).containsExactly("connect", "table", "columns");
                assertThat(browser.findElements(By.cssSelector("#trial td.step-ok")).stream().map(WebElement::getText)).containsOnly("ok");
                OperatorConsoleBrowserTest.shot(browser, "deploy-03-connection");

                // the first rows as they would be shared or quarantined, nothing taken
                WebElement previewForm = browser.findElement(By.id("preview-1"));
                previewForm.findElement(By.name("rows")).clear();
                previewForm.findElement(By.name("rows")).sendKeys(String.valueOf(PREVIEW_ROWS));
                previewForm.findElement(By.cssSelector("button")).click();
                wait.until(ExpectedConditions.presenceOfElementLocated(By.id("preview-result")));
                assertThat(browser.findElements(By.cssSelector("#trial tr[data-row]"))).hasSize(PREVIEW_ROWS);
                List<WebElement> quarantined = browser.findElements(By.cssSelector("#trial tr.outcome-QUARANTINED"));
                assertThat(quarantined).hasSize((int) quarantinedInPreview);
                assertThat(quarantined.get(0).findElement(By.cssSelector("td.outcome")).getText()).isEqualTo("QUARANTINED");
                assertThat(quarantined.get(0).findElement(By.cssSelector("td.reasons")).getText()).isNotBlank();
                assertThat(browser.findElement(By.id("preview-quarantined")).getText()).endsWith(" " + quarantinedInPreview);
                assertThat(browser.findElement(By.cssSelector("#trial tr.outcome-VALID pre.record")).getText()).contains("{");
                assertThat(hub.getStatus(SOURCE)).as("the source after a preview").isEqualTo(404);
                OperatorConsoleBrowserTest.shot(browser, "deploy-04-preview");

                // activated: marked active, and its records reach the platform
                activate(browser, wait, 1, "approved by the city office");
                JsonNode running = awaitPublished(hub);
                assertThat(running.path("status").asText()).isEqualTo("UP");
                String firstValid = city.stream().filter(GeneratedRow::valid).findFirst().orElseThrow().key();
                assertThat(awaitAcknowledged(hub, firstValid).path("provenance").path("mappingVersion").asText()).isEqualTo("1+deploy.1");
                browser.navigate().refresh();
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("deploy-status"), "UP"));
                OperatorConsoleBrowserTest.shot(browser, "deploy-05-active");

                // version 2, activated, then rolled back to version 1
                fillUpload(browser, wait, route, goodV2, settings, "mapping version 2");
                browser.findElement(By.id("upload-button")).click();
                wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("tr[data-version='2']")));
                activate(browser, wait, 2, "new mapping");
                WebElement rollback = browser.findElement(By.id("rollback"));
                rollback.findElement(By.name("reason")).sendKeys("version 2 to be checked again");
                rollback.findElement(By.cssSelector("button")).click();
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("active-version"), "1"));
                assertThat(browser.findElement(By.cssSelector("tr[data-version='1'] td.active")).getText()).isEqualTo("active");
                assertThat(browser.findElement(By.cssSelector("tr[data-action]")).getText()).contains("ROLLBACK", "version 2 to be checked again", INTEGRATOR);
                assertThat(hub.get(SOURCE + "/versions").path("active").asInt()).isEqualTo(1);
                OperatorConsoleBrowserTest.shot(browser, "deploy-06-rolled-back");

                // removed: not running, its versions and history kept
                WebElement remove = browser.findElement(By.id("remove"));
                remove.findElement(By.name("reason")).sendKeys("the office moves its server");
                remove.findElement(By.cssSelector("button")).click();
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("deploy-status"), "not running"));
                assertThat(browser.findElements(By.cssSelector("tr[data-action]")).stream().map(WebElement::getText).toList())
                        .satisfies(rows -> assertThat(rows.get(0)).contains("REMOVE", "the office moves its server"))
                        .hasSize(4);
                assertThat(browser.findElements(By.cssSelector("tr[data-version]"))).hasSize(2);
                assertThat(hub.getStatus(SOURCE)).as("a removed source").isEqualTo(404);
                OperatorConsoleBrowserTest.shot(browser, "deploy-07-removed");

                // Chinese labels
                browser.findElement(By.id("lang")).click();
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("tab-deploy"), "部署数据源"));
                assertThat(browser.findElement(By.id("upload-button")).getText()).isEqualTo("上传");
                OperatorConsoleBrowserTest.shot(browser, "deploy-08-chinese");
                browser.findElement(By.id("lang")).click();
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("tab-deploy"), "Deploy a source"));

                // a viewer: the versions and the history, no action
                hub.post("/api/admin/accounts", "{\"username\": \"" + VIEWER + "\", \"role\": \"viewer\", \"password\": \"" + VIEWER_PASSWORD + "\"}");
                browser.findElement(By.id("logout-button")).click();
                wait.until(ExpectedConditions.urlContains("/login"));
                browser.get(base + "/console/");
                OperatorConsoleBrowserTest.logIn(browser, wait, VIEWER, VIEWER_PASSWORD);
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("who"), "read-only"));
                browser.get(base + "/console/#/deploy/city-tax");
                wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("tr[data-version='2']")));
                assertThat(browser.findElements(By.cssSelector("#view form"))).as("deploy forms shown to a viewer").isEmpty();
                assertThat(browser.findElements(By.cssSelector("#view button")).stream().map(b -> b.getDomAttribute("id")))
                        .as("buttons shown to a viewer: the files only").allMatch(id -> id.startsWith("files-")).hasSize(2);
                browser.findElement(By.id("files-1")).click();
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("version-settings"), "url=" + CITY_URL));
                OperatorConsoleBrowserTest.shot(browser, "deploy-09-viewer");
            } finally {
                browser.quit();
            }
            hub.stop();
        }
    }

    /** The upload form as a team fills it: the two files from its disk, the settings typed, why. */
    private static void fillUpload(WebDriver browser, WebDriverWait wait, Path route, Path mapping, String settings, String reason) {
        browser.findElement(By.id("upload-route-file")).sendKeys(route.toString());
        wait.until(d -> d.findElement(By.id("upload-route")).getDomProperty("value").contains("routeTemplateRef: sql-source"));
        assertThat(browser.findElement(By.id("upload-routeFile")).getDomProperty("value")).isEqualTo("city-tax-source.yaml");
        loadMapping(browser, wait, mapping, "mapping: city-tax");
        browser.findElement(By.id("upload-settings")).sendKeys(settings);
        browser.findElement(By.id("upload-reason")).sendKeys(reason);
    }

    private static void loadMapping(WebDriver browser, WebDriverWait wait, Path mapping, String contains) {
        String text;
        try {
            text = Files.readString(mapping);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        browser.findElement(By.id("upload-mapping-file")).sendKeys(mapping.toString());
        wait.until(d -> d.findElement(By.id("upload-mapping")).getDomProperty("value").equals(text));
        assertThat(text).contains(contains);
    }

    private static void activate(WebDriver browser, WebDriverWait wait, int version, String reason) {
        WebElement form = browser.findElement(By.id("activate-" + version));
        form.findElement(By.name("reason")).sendKeys(reason);
        form.findElement(By.cssSelector("button")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("active-version"), String.valueOf(version)));
        assertThat(browser.findElement(By.cssSelector("tr[data-version='" + version + "'] td.active")).getText()).isEqualTo("active");
        assertThat(browser.findElements(By.id("activate-" + version))).as("activate shown for the active version").isEmpty();
    }

    /** The record's first version once the platform has acknowledged its batch. */
    private static JsonNode awaitAcknowledged(HubJvm hub, String key) {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (true) {
            if (hub.getStatus("/api/admin/records?source=city-tax&key=" + key) == 200) {
                JsonNode versions = hub.get("/api/admin/records?source=city-tax&key=" + key).path("versions");
                if (!versions.isEmpty() && "ACKNOWLEDGED".equals(versions.get(0).path("batch").path("status").asText())) {
                    return versions.get(0);
                }
            }
            assertThat(System.nanoTime()).as("city-tax record %s acknowledged by the platform within 2 minutes", key).isLessThan(deadline);
            HubJvm.sleep(1000);
        }
    }

    /** The source as the hub reports it once it has published records. */
    private static JsonNode awaitPublished(HubJvm hub) {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (true) {
            if (hub.getStatus(SOURCE) == 200) {
                JsonNode source = hub.get(SOURCE);
                if (source.path("details").path("published").asLong() > 0) {
                    return source;
                }
            }
            assertThat(System.nanoTime()).as("city-tax published records within 2 minutes").isLessThan(deadline);
            HubJvm.sleep(500);
        }
    }
}
