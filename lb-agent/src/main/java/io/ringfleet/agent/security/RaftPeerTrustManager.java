package io.ringfleet.agent.security;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Trust on the Raft transport (Ratis's gRPC server, client and admin channels): a certificate is accepted only
 * if it is a configured peer's. The chain must lead to the fleet CA (the delegate, the JDK's PKIX trust
 * manager), the OU must be {@code node}, the CN must be one of the fleet config's peer ids, and the certificate
 * must name that peer's Raft host among its subject alternative names (so one node's certificate cannot pose as
 * a peer on another host). A CA-signed node certificate for any other name (a decommissioned node, a spare, a
 * rogue) speaks neither to a peer nor, as a client of the log, to the leader. Every refusal goes to a
 * {@link RateLimitedLog}.
 */
final class RaftPeerTrustManager extends X509ExtendedTrustManager {
    private final X509ExtendedTrustManager delegate;
    private final Map<String, String> peerHosts;
    private final RateLimitedLog refusals;

    /**
     * @param peerHosts every configured peer's id and the host of its Raft address (an IP literal or DNS name)
     */
    RaftPeerTrustManager(X509ExtendedTrustManager delegate, Map<String, String> peerHosts, RateLimitedLog refusals) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        if (peerHosts.isEmpty()) {
            throw new IllegalArgumentException("the Raft transport needs at least one configured peer");
        }
        this.peerHosts = new TreeMap<>(peerHosts);
        this.refusals = Objects.requireNonNull(refusals, "refusals");
    }

    /** Throws unless {@code chain[0]} is a configured peer's certificate; logs the refusal. */
    private void checkPeer(X509Certificate[] chain, String side) throws CertificateException {
        String problem = PeerCertificate.problem(chain[0], peerHosts);
        if (problem != null) {
            refusals.log("refused a TLS handshake on the Raft transport: the " + side + " " + problem);
            throw new CertificateException("the " + side + " " + problem);
        }
    }

    private void caRefused(CertificateException e, String side) throws CertificateException {
        refusals.log("refused a TLS handshake on the Raft transport: the " + side
                + " certificate fails the fleet CA's checks (chain, validity, key usage): " + e.getMessage());
        throw e;
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        try {
            delegate.checkClientTrusted(chain, authType);
        } catch (CertificateException e) {
            caRefused(e, "client");
        }
        checkPeer(chain, "client");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        try {
            delegate.checkServerTrusted(chain, authType);
        } catch (CertificateException e) {
            caRefused(e, "server");
        }
        checkPeer(chain, "server");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        try {
            delegate.checkClientTrusted(chain, authType, socket);
        } catch (CertificateException e) {
            caRefused(e, "client");
        }
        checkPeer(chain, "client");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        try {
            delegate.checkServerTrusted(chain, authType, socket);
        } catch (CertificateException e) {
            caRefused(e, "server");
        }
        checkPeer(chain, "server");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        try {
            delegate.checkClientTrusted(chain, authType, engine);
        } catch (CertificateException e) {
            caRefused(e, "client");
        }
        checkPeer(chain, "client");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        try {
            delegate.checkServerTrusted(chain, authType, engine);
        } catch (CertificateException e) {
            caRefused(e, "server");
        }
        checkPeer(chain, "server");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return delegate.getAcceptedIssuers();
    }
}
