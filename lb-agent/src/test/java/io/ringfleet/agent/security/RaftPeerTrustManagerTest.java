package io.ringfleet.agent.security;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The Raft transport's trust decision on real certificates (issued by openssl through the development CA): which
 * certificates a peer accepts, and the one line it logs for each it refuses. The handshakes themselves are in
 * {@code RaftPeerIdentityTest}.
 */
class RaftPeerTrustManagerTest {
    private final TestPki pki;
    private final List<String> refusals = new ArrayList<>();

    RaftPeerTrustManagerTest() throws Exception {
        pki = TestPki.shared();
    }

    private RaftPeerTrustManager trusting(Map<String, String> peerHosts) throws Exception {
        return new RaftPeerTrustManager(
                pki.material("lb1").caTrustManager(),
                peerHosts,
                new RateLimitedLog(refusals::add, Duration.ZERO, System::nanoTime));
    }

    private X509Certificate[] chain(String name) throws Exception {
        return new X509Certificate[] {pki.material(name).certificate()};
    }

    @Test
    void aConfiguredPeerWhoseCertificateNamesItsRaftHostIsAccepted() throws Exception {
        RaftPeerTrustManager tm = trusting(Map.of("lb1", "127.0.0.1", "lb2", "::1", "lb3", "LOCALHOST"));
        for (String peer : List.of("lb1", "lb2", "lb3")) {
            assertDoesNotThrow(() -> tm.checkClientTrusted(chain(peer), "UNKNOWN"), peer);
            assertDoesNotThrow(() -> tm.checkServerTrusted(chain(peer), "UNKNOWN"), peer);
        }
        assertEquals(List.of(), refusals);
    }

    @Test
    void aNodeCertificateOfAnotherNameIsRefusedAndTheRefusalLogged() throws Exception {
        RaftPeerTrustManager tm = trusting(Map.of("lb1", "127.0.0.1", "lb2", "127.0.0.1"));
        CertificateException e =
                assertThrows(CertificateException.class, () -> tm.checkClientTrusted(chain("lb3"), "UNKNOWN"));
        assertEquals(
                "the client certificate CN=lb3 (node) is not a configured peer's: the peers are lb1, lb2",
                e.getMessage());
        assertEquals(List.of("refused a TLS handshake on the Raft transport: " + e.getMessage()), refusals);
    }

    @Test
    void anOperatorCertificateIsRefusedEitherWay() throws Exception {
        RaftPeerTrustManager tm = trusting(Map.of("alice", "127.0.0.1"));
        assertThrows(CertificateException.class, () -> tm.checkClientTrusted(chain("alice"), "UNKNOWN"));
        assertThrows(CertificateException.class, () -> tm.checkServerTrusted(chain("alice"), "UNKNOWN"));
        assertEquals(2, refusals.size(), refusals.toString());
        assertTrue(
                refusals.get(0).contains("the client certificate CN=alice (operator) is not a node's"),
                refusals.get(0));
        // An operator certificate is a client certificate: PKIX already refuses it as a server (key usage).
        assertTrue(refusals.get(1).contains("the server certificate fails the fleet CA's checks"), refusals.get(1));
    }

    @Test
    void aPeerCertificateThatDoesNotNameThePeersRaftHostIsRefused() throws Exception {
        RaftPeerTrustManager tm = trusting(Map.of("lb2", "192.0.2.10"));
        CertificateException e =
                assertThrows(CertificateException.class, () -> tm.checkServerTrusted(chain("lb2"), "UNKNOWN"));
        assertTrue(e.getMessage().contains("does not name its peer's Raft host 192.0.2.10"), e.getMessage());
    }

    @Test
    void aCertificateFromAnotherCaIsRefusedAndLogged() throws Exception {
        RaftPeerTrustManager tm = trusting(Map.of("lb1", "127.0.0.1"));
        X509Certificate rogueLb1 = TlsMaterial.load(
                        pki.rogueDir.resolve("ca.pem"),
                        pki.rogueDir.resolve("lb1.pem"),
                        pki.rogueDir.resolve("lb1-key.pem"))
                .certificate();
        assertThrows(
                CertificateException.class, () -> tm.checkClientTrusted(new X509Certificate[] {rogueLb1}, "UNKNOWN"));
        assertTrue(refusals.get(0).contains("the client certificate fails the fleet CA's checks"), refusals.get(0));
    }
}
