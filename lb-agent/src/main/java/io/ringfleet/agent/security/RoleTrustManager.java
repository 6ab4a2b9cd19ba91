package io.ringfleet.agent.security;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * A CA trust manager that also requires the peer's certificate to carry one of some roles: a node behind the API
 * address lbctl and the agents dial. Chain and hostname checks stay with the delegate (the JDK's PKIX trust
 * manager). The Raft transport is stricter: {@link RaftPeerTrustManager} admits only the configured peers.
 */
final class RoleTrustManager extends X509ExtendedTrustManager {
    private final X509ExtendedTrustManager delegate;
    private final Set<Role> allowed;

    RoleTrustManager(X509ExtendedTrustManager delegate, Set<Role> allowed) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        if (allowed.isEmpty()) {
            throw new IllegalArgumentException("allow at least one role");
        }
        this.allowed = EnumSet.copyOf(allowed);
    }

    private void checkRole(X509Certificate[] chain, String side) throws CertificateException {
        CertificateIdentity id = CertificateIdentity.of(chain[0]);
        if (id.role().isEmpty() || !allowed.contains(id.role().get())) {
            throw new CertificateException("the " + side + " certificate " + id.describe() + " is not accepted here:"
                    + " allowed roles " + allowed);
        }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        delegate.checkClientTrusted(chain, authType);
        checkRole(chain, "client");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        delegate.checkServerTrusted(chain, authType);
        checkRole(chain, "server");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        delegate.checkClientTrusted(chain, authType, socket);
        checkRole(chain, "client");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        delegate.checkServerTrusted(chain, authType, socket);
        checkRole(chain, "server");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        delegate.checkClientTrusted(chain, authType, engine);
        checkRole(chain, "client");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        delegate.checkServerTrusted(chain, authType, engine);
        checkRole(chain, "server");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return delegate.getAcceptedIssuers();
    }
}
