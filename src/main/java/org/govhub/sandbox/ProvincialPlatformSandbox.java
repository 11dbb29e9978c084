package org.govhub.sandbox;

import java.util.List;
import java.util.Map;
import org.govhub.normalise.RegionCodes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * A stand-in for the provincial government-service platform's (赣服通 "复工复产服务专区") filings API:
 * {@code GET /sandbox/provincial-platform/api/filings?updatedSince=&cursor=&limit=} with a bearer
 * token, serving generated Jiangxi filings (see {@link FilingGenerator}).
 */
@RestController
@ConditionalOnSandbox
public class ProvincialPlatformSandbox extends RestFeedSandbox {

    private static final Logger log = LoggerFactory.getLogger(ProvincialPlatformSandbox.class);

    private final List<String> counties;

    @org.springframework.beans.factory.annotation.Autowired
    public ProvincialPlatformSandbox(SandboxProperties properties, RegionCodes regionCodes) {
        this(properties.provincialPlatform(), regionCodes);
    }

    private ProvincialPlatformSandbox(SandboxProperties.ProvincialPlatform config, RegionCodes regionCodes) {
        super(new FilingGenerator(config.seed(), regionCodes.countiesUnder("36"), config.invalidEvery()).generate(config.filings()),
                new SandboxFeed("filingId", config.maxRequestsPerSecond(), config.hangMillis(), config.failAfter(), config.faults()),
                config.token(), config.seed(), config.behaviours());
        this.counties = regionCodes.countiesUnder("36");
        log.info("sandbox provincial platform holds {} filings ({} deliberately invalid)", feed().size(), invalidAtStart());
    }

    @Override
    List<Map<String, Object>> freshItems(int count, long seed) {
        return new FilingGenerator(seed, counties, 0).generate(count).stream().filter(v -> v.stage() == 0).map(SandboxFeed.Version::item).toList();
    }

    @GetMapping("/sandbox/provincial-platform/api/filings")
    public ResponseEntity<?> filings(@RequestHeader(value = "Authorization", required = false) String authorization,
            @RequestParam(required = false) String updatedSince, @RequestParam(required = false) String cursor,
            @RequestParam(defaultValue = "100") int limit) {
        boolean bearer = authorization != null && authorization.startsWith("Bearer ");
        return feed().serve(accepts(bearer ? authorization.substring(7) : null), updatedSince, cursor, limit);
    }

    /** Faults of this simulated system, for people trying the hub out (see {@link RestFeedSandbox#faults}); admin API. */
    @PostMapping("/api/sandbox/provincial-platform/faults")
    public Map<String, Object> injectFaults(@RequestBody Map<String, Object> request) {
        return faults(request);
    }
}
