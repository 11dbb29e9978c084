package org.govhub.sandbox;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import org.govhub.normalise.RegionCodes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * A stand-in for the provincial credit portal's (信用中国(江西) style) open API:
 * {@code GET /sandbox/credit-portal/api/credit-records?updatedSince=&cursor=&limit=} with an API key
 * in X-Api-Key, serving generated credit events (see {@link CreditRecordGenerator}) through a {@link SandboxFeed}.
 * Tests reach it as a bean: {@link #revise()} publishes the later versions, {@link #feed()} injects
 * faults and shows every request, {@link #useToken(String)} rotates the credential.
 */
@RestController
@ConditionalOnSandbox
public class CreditPortalSandbox {

    private static final Logger log = LoggerFactory.getLogger(CreditPortalSandbox.class);

    private final List<SandboxFeed.Version> versions;
    private final SandboxFeed feed;
    private volatile String token;
    private volatile boolean revised;

    public CreditPortalSandbox(SandboxProperties properties, RegionCodes regionCodes) {
        SandboxProperties.CreditPortal config = properties.creditPortal();
        this.token = config.apiKey();
        this.versions = List.copyOf(new CreditRecordGenerator(config.seed(), regionCodes.countiesUnder("36"), config.invalidEvery())
                .generate(config.records()));
        this.feed = new SandboxFeed("recordNo", config.maxRequestsPerSecond(), config.hangMillis(),
                config.failAfter(), config.faults());
        versions.stream().filter(v -> v.stage() == 0).forEach(v -> feed.publish(v.item()));
        log.info("sandbox credit portal holds {} credit events ({} deliberately invalid)", feed.size(),
                versions.stream().filter(v -> v.stage() == 0 && v.defect() != null).count());
    }

    @GetMapping("/sandbox/credit-portal/api/credit-records")
    public ResponseEntity<?> creditRecords(@RequestHeader(value = "X-Api-Key", required = false) String apiKey,
            @RequestParam(required = false) String updatedSince, @RequestParam(required = false) String cursor,
            @RequestParam(defaultValue = "100") int limit) {
        return feed.serve(authorised(apiKey), updatedSince, cursor, limit);
    }

    /** Publishes the later versions of some events (stage 1); once. */
    public synchronized int revise() {
        if (revised) {
            return 0;
        }
        revised = true;
        List<SandboxFeed.Version> later = versions.stream().filter(v -> v.stage() == 1).toList();
        later.forEach(v -> feed.publish(v.item()));
        return later.size();
    }

    /** The versions published so far, oldest stage first. */
    public List<SandboxFeed.Version> published() {
        return versions.stream().filter(v -> v.stage() == 0 || revised).toList();
    }

    public SandboxFeed feed() {
        return feed;
    }

    /** The API key the portal accepts from now on (a rotation the hub has not heard of). */
    public void useToken(String newToken) {
        this.token = newToken;
    }

    private boolean authorised(String apiKey) {
        String expected = token;
        if (expected == null || expected.isBlank()) {
            return true;
        }
        return apiKey != null && MessageDigest.isEqual(apiKey.getBytes(StandardCharsets.UTF_8),
                expected.getBytes(StandardCharsets.UTF_8));
    }
}
