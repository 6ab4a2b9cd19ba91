package io.ringfleet.agent.security;

import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Trust on the Raft transport (Ratis's gRPC server, client and admin channels): a certificate is accepted only
 * if it is a configured peer's. The chain must lead to the fleet CA, the OU must be {@code node}, the CN must be
 * one of the fleet config's peer ids, and the certificate must name that peer's Raft host among its subject
 * alternative names (so one node's certificate cannot pose as a peer on another host). A CA-signed node
 * certificate for any other name (a decommissioned node, a spare, a rogue) speaks neither to a peer nor, as a
 * client of the log, to the leader. Every refusal goes to a {@link RateLimitedLog}.
 */
final class RaftPeerTrustManager extends LeafCheckingTrustManager {
    private final Map<String, String> peerHosts;
    private final RateLimitedLog refusals;

    /**
     * @param peerHosts every configured peer's id and the host of its Raft address (an IP literal or DNS name)
     */
    RaftPeerTrustManager(X509ExtendedTrustManager delegate, Map<String, String> peerHosts, RateLimitedLog refusals) {
        super(delegate);
        if (peerHosts.isEmpty()) {
            throw new IllegalArgumentException("the Raft transport needs at least one configured peer");
        }
        this.peerHosts = new TreeMap<>(peerHosts);
        this.refusals = Objects.requireNonNull(refusals, "refusals");
    }

    @Override
    void checkLeaf(X509Certificate[] chain, String side) throws CertificateException {
        String problem = PeerCertificate.problem(chain[0], peerHosts);
        if (problem != null) {
            refusals.log("refused a TLS handshake on the Raft transport: the " + side + " " + problem);
            throw new CertificateException("the " + side + " " + problem);
        }
    }

    @Override
    void caRefused(CertificateException refusal, String side) {
        refusals.log("refused a TLS handshake on the Raft transport: the " + side
                + " certificate fails the fleet CA's checks (chain, validity, key usage): " + refusal.getMessage());
    }
}
