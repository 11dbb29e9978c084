package org.govhub.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.govhub.SandboxHubTest;
import org.govhub.normalise.CanonicalJson;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The operator console in a real browser: Debian's Chromium, headless, through its chromedriver
 * (packages chromium and chromium-driver; {@code .ci/run} installs them). On a hub in its own JVM an
 * operator logs in, finds a quarantined tax record, corrects it and replays it, and follows it to the
 * platform's receipt; pauses and resumes the tax source; approves a department's pending request;
 * switches the labels to Chinese. A viewer sees the same pages without one action. Each step is
 * checked against the API as well, and leaves a screenshot under {@code target/console-screenshots/}.
 * Without Chromium the test is skipped with a message, and fails under {@code CI=true}.
 */
class OperatorConsoleBrowserTest {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Path SCREENSHOTS = Path.of("target", "console-screenshots");
    private static final int TAX_ROWS = 200;
    private static final String VIEWER_PASSWORD = "Console-watch-2026";
    private static final Pattern CHECK_CHARACTER = Pattern.compile("'([0-9A-Z]{18})': GB32100 check character is '.', GB 32100 gives '(.)'");

    @Test
    @Timeout(600)
    void anOperatorCorrectsAndReplaysARecordPausesASourceAndApprovesARequestInChromium() throws Exception {
        requireChromium();
        Path dir = SandboxHubTest.newDataDir("govhub-console");
        ExactlyOnce expected = new ExactlyOnce(TAX_ROWS, 0);
        try (HubJvm hub = HubJvm.start(dir, "console", ExactlyOnce.sandbox(TAX_ROWS, 0))) {
            expected.awaitDelivered(hub, Duration.ofMinutes(3));
            String base = "http://127.0.0.1:" + hub.port;
            WebDriver browser = chromium();
            try {
                WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));

                // log in: Spring Security's form, then back to the console
                browser.get(base + "/console/");
                logIn(browser, wait, "admin", HubJvm.OPERATOR_PASSWORD);
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("who"), "admin"));
                shot(browser, "01-batches");

                // a quarantined tax record whose only fault is its credit code's check character
                Fix fix = brokenCreditCode(hub);
                browser.get(base + "/console/#/quarantine?source=tax-bureau&status=OPEN");
                wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("tr[data-quarantine='" + fix.id + "'] a"))).click();
                WebElement editor = wait.until(ExpectedConditions.presenceOfElementLocated(By.id("correction")));
                assertThat(browser.findElement(By.id("reasons")).getText()).contains("GB32100 check character");
                shot(browser, "02-quarantined-record");
                editor.clear();
                editor.sendKeys(fix.correctedRow);
                browser.findElement(By.id("save-correction")).click();
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("message"), "Done"));
                assertThat(hub.get("/api/admin/quarantine/" + fix.id).path("corrected_payload").path(fix.column).asText())
                        .isEqualTo(fix.goodCode);
                wait.until(ExpectedConditions.elementToBeClickable(By.id("replay"))).click();
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("message"), "Replayed"));
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("quarantine-state"), "REPLAYED"));
                shot(browser, "03-replayed");

                // its trail: batched, acknowledged, with the platform's receipt
                browser.findElement(By.id("trail-link")).click();
                String receipt = awaitReceipt(browser, wait);
                JsonNode trail = hub.get("/api/admin/records?source=tax-bureau&key=" + fix.key);
                assertThat(trail.path("versions")).hasSize(1);
                assertThat(trail.path("versions").get(0).path("batch").path("receiptId").asText()).isEqualTo(receipt);
                JsonNode received = hub.get("/sandbox/platform/batches/" + trail.path("versions").get(0).path("batch").path("batchId").asText());
                assertThat(received.path("records").findValuesAsText("sourceRecordKey")).contains(fix.key);
                shot(browser, "04-delivered");

                // pause the tax source, then resume it
                browser.get(base + "/console/#/sources");
                WebElement pause = wait.until(ExpectedConditions.presenceOfElementLocated(By.id("pause-tax-bureau")));
                pause.findElement(By.name("reason")).sendKeys("the bureau rebuilds its export view");
                pause.findElement(By.cssSelector("button")).click();
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("tr[data-source='tax-bureau'] td.state"), "PAUSED"));
                assertThat(hub.get("/api/admin/sources/tax-bureau").path("paused").path("reason").asText())
                        .isEqualTo("the bureau rebuilds its export view");
                shot(browser, "05-paused");
                WebElement resume = wait.until(ExpectedConditions.presenceOfElementLocated(By.id("resume-tax-bureau")));
                resume.findElement(By.name("reason")).sendKeys("the view is back");
                resume.findElement(By.cssSelector("button")).click();
                wait.until(ExpectedConditions.presenceOfElementLocated(By.id("pause-tax-bureau")));
                assertThat(hub.get("/api/admin/sources/tax-bureau").path("paused").isNull()).isTrue();
                assertThat(hub.get("/api/admin/sources/tax-bureau").path("markChanges").findValuesAsText("reason"))
                        .contains("the bureau rebuilds its export view", "the view is back");
                shot(browser, "06-resumed");

                // a department asks for social-insurance data: the request waits for an operator, who approves it
                String key = hub.post("/api/admin/departments", "{\"id\": \"market-regulation\", \"name\": \"市场监管局\"}").path("key").asText();
                long request = hub.asDepartment(key, "POST", "/api/share/requests",
                        "{\"resource\": \"GOVHUB-SOCIAL-INS\", \"purpose\": \"复工复产企业社保缓缴核查\"}").path("request").asLong();
                assertThat(hub.get("/api/admin/share/requests?status=PENDING").path("requests").findValuesAsText("request"))
                        .contains(String.valueOf(request));
                browser.get(base + "/console/#/sharing");
                wait.until(ExpectedConditions.elementToBeClickable(By.cssSelector("tr[data-request='" + request + "'] button.approve"))).click();
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("message"), "Done"));
                assertThat(statusOf(hub, request)).isEqualTo("GRANTED");
                shot(browser, "07-approved");

                // Chinese labels
                browser.findElement(By.id("lang")).click();
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("tab-batches"), "批次"));
                assertThat(browser.findElement(By.id("tab-quarantine")).getText()).isEqualTo("隔离区");
                shot(browser, "08-chinese");
                browser.findElement(By.id("lang")).click();

                // a viewer: the same pages, no action
                hub.post("/api/admin/accounts", "{\"username\": \"console-viewer\", \"role\": \"viewer\", \"password\": \"" + VIEWER_PASSWORD + "\"}");
                browser.findElement(By.id("logout-button")).click();
                wait.until(ExpectedConditions.urlContains("/login"));
                browser.get(base + "/console/#/sources");
                logIn(browser, wait, "console-viewer", VIEWER_PASSWORD);
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("who"), "read-only"));
                browser.get(base + "/console/#/sources"); // the login brings the browser back without the page's #part
                wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("tr[data-source='tax-bureau']")));
                assertThat(browser.findElements(By.cssSelector("#view form, #view button"))).as("actions shown to a viewer").isEmpty();
                shot(browser, "09-viewer");
            } finally {
                browser.quit();
            }
            hub.stop();
        }
    }

    /** A quarantined record, its key, and the row with the credit code its reason names made right. */
    private record Fix(long id, String key, String column, String goodCode, String correctedRow) {
    }

    private static Fix brokenCreditCode(HubJvm hub) {
        for (JsonNode r : hub.get("/api/admin/quarantine?source=tax-bureau&status=OPEN&reason=check%20character&limit=1000").path("records")) {
            if (r.path("reasons").size() != 1) {
                continue;
            }
            Matcher m = CHECK_CHARACTER.matcher(r.path("reasons").get(0).asText());
            if (!m.find()) {
                continue;
            }
            String bad = m.group(1);
            String good = bad.substring(0, 17) + m.group(2);
            ObjectNode row = (ObjectNode) hub.get("/api/admin/quarantine/" + r.path("id").asLong()).path("raw_payload").deepCopy();
            for (Iterator<Map.Entry<String, JsonNode>> it = row.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> column = it.next();
                if (bad.equals(column.getValue().asText())) {
                    row.put(column.getKey(), good);
                    return new Fix(r.path("id").asLong(), r.path("source_record_key").asText(), column.getKey(), good, CanonicalJson.write(row));
                }
            }
        }
        throw new AssertionError("no quarantined tax record whose only reason is a credit code's check character");
    }

    private static String awaitReceipt(WebDriver browser, WebDriverWait wait) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            var states = browser.findElements(By.cssSelector("td.batch-state"));
            if (!states.isEmpty() && "ACKNOWLEDGED".equals(states.get(0).getText())) {
                return browser.findElement(By.cssSelector("td.receipt")).getText();
            }
            assertThat(System.nanoTime()).as("the replayed record acknowledged by the platform within 60 s").isLessThan(deadline);
            HubJvm.sleep(1000);
            browser.navigate().refresh();
            wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("main h2")));
        }
    }

    private static String statusOf(HubJvm hub, long request) {
        for (JsonNode r : hub.get("/api/admin/share/requests").path("requests")) {
            if (r.path("request").asLong() == request) {
                return r.path("status").asText();
            }
        }
        throw new AssertionError("no request " + request);
    }

    /** Chromium and its driver, and the screenshots' folder; without them the test fails under CI=true and is skipped elsewhere. */
    static void requireChromium() throws IOException {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            String why = "the console test needs Debian's chromium and chromium-driver (" + CHROMIUM + ", " + CHROMEDRIVER + ")";
            if ("true".equals(System.getenv("CI"))) {
                fail(why + "; .ci/run installs them");
            }
            Assumptions.abort(why + ": skipped (apt-get install chromium chromium-driver)");
        }
        Files.createDirectories(SCREENSHOTS);
    }

    static void logIn(WebDriver browser, WebDriverWait wait, String user, String password) {
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("username"))).sendKeys(user);
        browser.findElement(By.id("password")).sendKeys(password);
        browser.findElement(By.cssSelector("button[type=submit]")).click();
    }

    static WebDriver chromium() {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1000", "--lang=en-US");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).build();
        return new ChromeDriver(service, options);
    }

    static void shot(WebDriver browser, String name) {
        try {
            Files.write(SCREENSHOTS.resolve(name + ".png"), ((org.openqa.selenium.TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
