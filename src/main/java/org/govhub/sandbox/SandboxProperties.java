package org.govhub.sandbox;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The sandbox's own systems.
 *
 * @param taxBureau the simulated tax-bureau database
 * @param platform  the simulated national-platform receiver
 */
@ConfigurationProperties("govhub.sandbox")
public record SandboxProperties(@DefaultValue("false") boolean enabled, @DefaultValue TaxBureau taxBureau,
        @DefaultValue Database creditReference, @DefaultValue Platform platform) {

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
     * @param url          JDBC URL of the simulated tax-bureau database
     * @param rows         how many declarations to seed on first start
     * @param invalidEvery every n-th generated row is made invalid on purpose (0: none)
     * @param seed         random seed, so the same rows come back on every machine
     */
    public record TaxBureau(String url, @DefaultValue("sa") String username, @DefaultValue("") String password,
            @DefaultValue("1000") int rows, @DefaultValue("25") int invalidEvery, @DefaultValue("2020") long seed) {
    }

    /**
     * @param url   JDBC URL where the receiver stores what it receives
     * @param token bearer token the receiver demands
     */
    public record Platform(String url, String token) {
        @Override
        public String toString() {
            return "Platform[url=" + url + ", token=****]";
        }
    }
}
