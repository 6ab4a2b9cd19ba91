package io.ringfleet.agent.security;

import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.EnumSet;
import java.util.Set;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * A CA trust manager that also requires the peer's certificate to carry one of some roles: a node behind the API
 * address lbctl and the agents dial. The Raft transport is stricter: {@link RaftPeerTrustManager} admits only the
 * configured peers.
 */
final class RoleTrustManager extends LeafCheckingTrustManager {
    private final Set<Role> allowed;

    RoleTrustManager(X509ExtendedTrustManager delegate, Set<Role> allowed) {
        super(delegate);
        if (allowed.isEmpty()) {
            throw new IllegalArgumentException("allow at least one role");
        }
        this.allowed = EnumSet.copyOf(allowed);
    }

    @Override
    void checkLeaf(X509Certificate[] chain, String side) throws CertificateException {
        CertificateIdentity id = CertificateIdentity.of(chain[0]);
        if (id.role().isEmpty() || !allowed.contains(id.role().get())) {
            throw new CertificateException("the " + side + " certificate " + id.describe() + " is not accepted here:"
                    + " allowed roles " + allowed);
        }
    }
}
