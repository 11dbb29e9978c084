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
 * A stand-in for the provincial credit portal's (信用中国(江西) style) open API:
 * {@code GET /sandbox/credit-portal/api/credit-records?updatedSince=&cursor=&limit=} with an API key
 * in X-Api-Key, serving generated credit events (see {@link CreditRecordGenerator}).
 */
@RestController
@ConditionalOnSandbox
public class CreditPortalSandbox extends RestFeedSandbox {

    private static final Logger log = LoggerFactory.getLogger(CreditPortalSandbox.class);

    private final List<String> counties;

    @org.springframework.beans.factory.annotation.Autowired
    public CreditPortalSandbox(SandboxProperties properties, RegionCodes regionCodes) {
        this(properties.creditPortal(), regionCodes);
    }

    private CreditPortalSandbox(SandboxProperties.CreditPortal config, RegionCodes regionCodes) {
        super(new CreditRecordGenerator(config.seed(), regionCodes.countiesUnder("36"), config.invalidEvery()).generate(config.records()),
                new SandboxFeed("recordNo", config.maxRequestsPerSecond(), config.hangMillis(), config.failAfter(), config.faults()),
                config.apiKey(), config.seed(), config.behaviours());
        this.counties = regionCodes.countiesUnder("36");
        log.info("sandbox credit portal holds {} credit events ({} deliberately invalid)", feed().size(), invalidAtStart());
    }

    @Override
    List<Map<String, Object>> freshItems(int count, long seed) {
        return new CreditRecordGenerator(seed, counties, 0).generate(count).stream().filter(v -> v.stage() == 0).map(SandboxFeed.Version::item).toList();
    }

    @GetMapping("/sandbox/credit-portal/api/credit-records")
    public ResponseEntity<?> creditRecords(@RequestHeader(value = "X-Api-Key", required = false) String apiKey,
            @RequestParam(required = false) String updatedSince, @RequestParam(required = false) String cursor,
            @RequestParam(defaultValue = "100") int limit) {
        return feed().serve(accepts(apiKey), updatedSince, cursor, limit);
    }

    /** Faults of this simulated system, for people trying the hub out (see {@link RestFeedSandbox#faults}); admin API. */
    @PostMapping("/api/sandbox/credit-portal/faults")
    public Map<String, Object> injectFaults(@RequestBody Map<String, Object> request) {
        return faults(request);
    }
}
