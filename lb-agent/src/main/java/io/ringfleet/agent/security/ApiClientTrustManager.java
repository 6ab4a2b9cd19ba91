package io.ringfleet.agent.security;

import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Objects;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The API server's check of client certificates: the fleet CA's, and a log line for each refusal (rate-limited,
 * sanitised), so a client that presents another CA's or an expired certificate is seen, not only failed. Roles are
 * not checked here: a certificate of the fleet CA without an API role gets PERMISSION_DENIED from
 * {@link AuthInterceptor}, which logs it too. (A client that sends no certificate at all is refused by the TLS
 * engine before any trust manager is asked.)
 */
final class ApiClientTrustManager extends LeafCheckingTrustManager {
    private final RateLimitedLog refusals;

    ApiClientTrustManager(X509ExtendedTrustManager delegate, RateLimitedLog refusals) {
        super(delegate);
        this.refusals = Objects.requireNonNull(refusals, "refusals");
    }

    @Override
    void checkLeaf(X509Certificate[] chain, String side) {
        // every certificate of the fleet CA may connect; the method policy decides what it may call
    }

    @Override
    void caRefused(CertificateException refusal, String side) {
        refusals.log("refused a TLS handshake on the API: the " + side
                + " certificate fails the fleet CA's checks (chain, validity, key usage): " + refusal.getMessage());
    }
}
