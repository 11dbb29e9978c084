package org.govhub.sandbox;

import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The sandbox's own systems.
 *
 * @param taxBureau           the simulated tax-bureau database
 * @param creditReference     the simulated credit-reference centre database
 * @param hrss                the simulated HRSS FTP server
 * @param platform            the simulated national-platform receiver
 * @param provincialPlatform  the simulated provincial government-service platform (REST, filings)
 * @param creditPortal        the simulated credit portal (REST, credit events)
 * @param drcMiit             the simulated provincial DRC/MIIT report drop (FTP)
 */
@ConfigurationProperties("govhub.sandbox")
public record SandboxProperties(@DefaultValue("false") boolean enabled, @DefaultValue Database taxBureau,
        @DefaultValue Database creditReference, @DefaultValue Hrss hrss, @DefaultValue Platform platform,
        @DefaultValue ProvincialPlatform provincialPlatform, @DefaultValue CreditPortal creditPortal,
        @DefaultValue DrcMiit drcMiit) {

    /**
     * The provincial DRC/MIIT drop for the weekly reports: a second login on the sandbox FTP server.
     *
     * @param username login
     * @param password its password
     * @param home     its home folder
     */
    public record DrcMiit(@DefaultValue("drc-miit") String username, String password, String home) {
        @Override
        public String toString() {
            return "DrcMiit[username=" + username + ", password=****, home=" + home + "]";
        }
    }

    /**
     * @param filings              how many filings the platform holds at start (later revisions come on top)
     * @param invalidEvery         every n-th filing is broken on purpose (0: none)
     * @param seed                 random seed, so the same filings come back on every machine and start
     * @param token                bearer token the platform demands
     * @param maxRequestsPerSecond faster callers get HTTP 429
     * @param hangMillis           how long an injected hang holds a request
     * @param faults               faults planned from the start (SERVER_ERROR, HANG, GARBAGE, TOO_MANY_REQUESTS) …
     * @param failAfter            … after this many good requests
     * @param behaviours           misbehaviours switched on from the start (IGNORE_LIMIT, STALE_CURSOR, SAME_PAGE)
     */
    public record ProvincialPlatform(@DefaultValue("240") int filings, @DefaultValue("20") int invalidEvery,
            @DefaultValue("2020") long seed, String token, @DefaultValue("10") int maxRequestsPerSecond,
            @DefaultValue("40000") long hangMillis, List<SandboxFeed.Fault> faults, @DefaultValue("0") int failAfter,
            List<SandboxFeed.Behaviour> behaviours) {
        @Override
        public String toString() {
            return "ProvincialPlatform[filings=" + filings + ", token=****]";
        }
    }

    /**
     * @param records              how many credit events the portal holds at start
     * @param invalidEvery         every n-th event is broken on purpose (0: none)
     * @param seed                 random seed
     * @param apiKey               the API key the portal demands in X-Api-Key
     * @param maxRequestsPerSecond faster callers get HTTP 429
     * @param hangMillis           how long an injected hang holds a request
     * @param faults               faults planned from the start …
     * @param failAfter            … after this many good requests
     * @param behaviours           misbehaviours switched on from the start
     */
    public record CreditPortal(@DefaultValue("160") int records, @DefaultValue("16") int invalidEvery,
            @DefaultValue("2021") long seed, String apiKey, @DefaultValue("4") int maxRequestsPerSecond,
            @DefaultValue("40000") long hangMillis, List<SandboxFeed.Fault> faults, @DefaultValue("0") int failAfter,
            List<SandboxFeed.Behaviour> behaviours) {
        @Override
        public String toString() {
            return "CreditPortal[records=" + records + ", apiKey=****]";
        }
    }

    /**
     * A simulated departmental database.
     *
     * @param url          JDBC URL
     * @param rows         how many rows to seed on first start
     * @param invalidEvery every n-th generated row is made invalid on purpose (0: none)
     * @param seed         random seed, so the same rows come back on every machine
     */
    public record Database(String url, @DefaultValue("sa") String username, @DefaultValue("") String password,
            @DefaultValue("300") int rows, @DefaultValue("20") int invalidEvery, @DefaultValue("2020") long seed) {
    }

    /**
     * @param port         FTP port on 127.0.0.1 (0: a free port, chosen at start)
     * @param username     the FTP login the hub uses
     * @param password     its password
     * @param home         the login's home directory (city/ and county/ drop folders)
     * @param dropFiles    whether to drop the generated files on first start
     * @param units        insured units per generated file
     * @param invalidEvery every n-th generated row is made invalid on purpose (0: none)
     * @param seed         random seed, so the same files come back on every machine
     */
    public record Hrss(@DefaultValue("2121") int port, @DefaultValue("hrss") String username, String password,
            String home, @DefaultValue("true") boolean dropFiles, @DefaultValue("40") int units,
            @DefaultValue("9") int invalidEvery, @DefaultValue("2020") long seed) {
        @Override
        public String toString() {
            return "Hrss[port=" + port + ", username=" + username + ", password=****, home=" + home + "]";
        }
    }

    /**
     * @param url          JDBC URL where the receiver keeps its receipts and an index row per record
     * @param batches      folder where the receiver keeps each batch's records, one file per batch, as received
     * @param token        bearer token the receiver demands
     * @param initialFault a failure the platform starts with (UNAVAILABLE, ERROR, SLOW, REFUSE) and keeps
     *                     until told otherwise: POST /api/sandbox/platform/faults {"fault": null}
     */
    public record Platform(String url, String batches, String token, NationalPlatformReceiver.Fault initialFault) {
        @Override
        public String toString() {
            return "Platform[url=" + url + ", token=****]";
        }
    }
}
