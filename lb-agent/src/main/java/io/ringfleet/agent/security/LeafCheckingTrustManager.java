package io.ringfleet.agent.security;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Objects;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The fleet CA's trust manager (the delegate: the JDK's PKIX checks of chain, validity, key usage and, through the
 * socket or engine variants, hostname) followed by one more check of the leaf certificate. The JDK calls any of six
 * entry points depending on the side and the transport; all six run the same two steps here, so a subclass only
 * says what it requires of the leaf and, if it wants to, how a CA refusal is reported.
 */
abstract class LeafCheckingTrustManager extends X509ExtendedTrustManager {
    private final X509ExtendedTrustManager delegate;

    LeafCheckingTrustManager(X509ExtendedTrustManager delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /** Throws unless {@code chain[0]}, already accepted by the CA, may speak here; {@code side} is client or server. */
    abstract void checkLeaf(X509Certificate[] chain, String side) throws CertificateException;

    /** Called with the CA's refusal before it is rethrown: a hook for logging. */
    void caRefused(CertificateException refusal, String side) {}

    @FunctionalInterface
    private interface CaCheck {
        void run() throws CertificateException;
    }

    private void check(CaCheck ca, X509Certificate[] chain, String side) throws CertificateException {
        try {
            ca.run();
        } catch (CertificateException e) {
            caRefused(e, side);
            throw e;
        }
        checkLeaf(chain, side);
    }

    @Override
    public final void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        check(() -> delegate.checkClientTrusted(chain, authType), chain, "client");
    }

    @Override
    public final void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        check(() -> delegate.checkServerTrusted(chain, authType), chain, "server");
    }

    @Override
    public final void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        check(() -> delegate.checkClientTrusted(chain, authType, socket), chain, "client");
    }

    @Override
    public final void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        check(() -> delegate.checkServerTrusted(chain, authType, socket), chain, "server");
    }

    @Override
    public final void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        check(() -> delegate.checkClientTrusted(chain, authType, engine), chain, "client");
    }

    @Override
    public final void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        check(() -> delegate.checkServerTrusted(chain, authType, engine), chain, "server");
    }

    @Override
    public final X509Certificate[] getAcceptedIssuers() {
        return delegate.getAcceptedIssuers();
    }
}
