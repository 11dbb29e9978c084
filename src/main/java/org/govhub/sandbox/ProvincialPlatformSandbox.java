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
 * A stand-in for the provincial government-service platform's (赣服通 "复工复产服务专区") filings API:
 * {@code GET /sandbox/provincial-platform/api/filings?updatedSince=&cursor=&limit=} with a bearer
 * token, serving generated Jiangxi filings (see {@link FilingGenerator}) through a {@link SandboxFeed}.
 * Tests reach it as a bean: {@link #revise()} publishes the later versions, {@link #feed()} injects
 * faults and shows every request, {@link #useToken(String)} rotates the credential.
 */
@RestController
@ConditionalOnSandbox
public class ProvincialPlatformSandbox {

    private static final Logger log = LoggerFactory.getLogger(ProvincialPlatformSandbox.class);

    private final List<SandboxFeed.Version> versions;
    private final SandboxFeed feed;
    private volatile String token;
    private volatile boolean revised;

    public ProvincialPlatformSandbox(SandboxProperties properties, RegionCodes regionCodes) {
        SandboxProperties.ProvincialPlatform config = properties.provincialPlatform();
        this.token = config.token();
        this.versions = List.copyOf(new FilingGenerator(config.seed(), regionCodes.countiesUnder("36"), config.invalidEvery())
                .generate(config.filings()));
        this.feed = new SandboxFeed("filingId", config.maxRequestsPerSecond(), config.hangMillis(),
                config.failAfter(), config.faults());
        versions.stream().filter(v -> v.stage() == 0).forEach(v -> feed.publish(v.item()));
        log.info("sandbox provincial platform holds {} filings ({} deliberately invalid)", feed.size(),
                versions.stream().filter(v -> v.stage() == 0 && v.defect() != null).count());
    }

    @GetMapping("/sandbox/provincial-platform/api/filings")
    public ResponseEntity<?> filings(@RequestHeader(value = "Authorization", required = false) String authorization,
            @RequestParam(required = false) String updatedSince, @RequestParam(required = false) String cursor,
            @RequestParam(defaultValue = "100") int limit) {
        return feed.serve(authorised(authorization), updatedSince, cursor, limit);
    }

    /** Publishes the later versions of some filings (stage 1); once. */
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

    /** The token the platform accepts from now on (a rotation the hub has not heard of). */
    public void useToken(String newToken) {
        this.token = newToken;
    }

    private boolean authorised(String authorization) {
        String expected = token;
        if (expected == null || expected.isBlank()) {
            return true;
        }
        return authorization != null && authorization.startsWith("Bearer ") && MessageDigest.isEqual(
                authorization.substring(7).getBytes(StandardCharsets.UTF_8), expected.getBytes(StandardCharsets.UTF_8));
    }
}
