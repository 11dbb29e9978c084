package org.govhub.deliver;

import javax.net.ssl.SSLContext;
import org.apache.camel.CamelContext;
import org.apache.camel.support.jsse.SSLContextParameters;
import org.apache.hc.core5.ssl.SSLContexts;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.stereotype.Component;

/**
 * The TLS of every call to the national platform ({@code sslContextParameters=#platformTls} on the
 * platform-delivery route and the weekly report's delivery when a bundle is configured, see
 * {@link org.govhub.operate.TlsSettings}; {@link org.govhub.operate.PlatformHealth}):
 * the Spring Boot SSL bundle named by {@code govhub.platform.ssl-bundle} (the hub's client
 * certificate for mutual TLS and the CAs it trusts; docs/tls.md), or, with none, what camel-http uses
 * by default. Hand-written because no adapter exists: Camel's own KeyManagersParameters would need the
 * stores and key password a second time, so this hands camel-http the bundle's SSLContext instead.
 * Holds no password, and says nothing of the stores in toString (endpoint MBeans show it).
 */
@Component("platformTls")
public class PlatformTls extends SSLContextParameters {

    private final String bundle;
    private final SSLContext context;

    public PlatformTls(SslBundles bundles, @Value("${govhub.platform.ssl-bundle:}") String bundle) {
        this.bundle = bundle == null || bundle.isBlank() ? null : bundle;
        // without a bundle: Apache HttpClient's default, exactly what camel-http used before
        this.context = this.bundle == null ? SSLContexts.createDefault() : bundles.getBundle(this.bundle).createSslContext();
    }

    /** The bundle's name, or null when the platform is called with the default TLS settings. */
    public String bundle() {
        return bundle;
    }

    public SSLContext sslContext() {
        return context;
    }

    @Override
    public SSLContext createSSLContext(CamelContext camelContext) {
        return context;
    }

    @Override
    public String toString() {
        return "PlatformTls[bundle=" + (bundle == null ? "(none: default TLS)" : bundle) + "]";
    }
}
