package io.ringfleet.agent.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import org.apache.ratis.grpc.GrpcTlsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsMaterialTest {
    @TempDir
    Path tmp;

    private final TestPki pki;

    TlsMaterialTest() throws Exception {
        pki = TestPki.shared();
    }

    @Test
    void identityComesFromCnAndOu() throws Exception {
        assertEquals(
                new CertificateIdentity("alice", Optional.of(Role.OPERATOR), List.of("operator")),
                pki.material("alice").identity());
        assertEquals(Optional.of(Role.READ_ONLY), pki.material("bob").identity().role());
        assertEquals(Optional.of(Role.NODE), pki.material("lb1").identity().role());
    }

    @Test
    void keyOfAnotherCertificateIsRefused() {
        TlsMaterialException e = assertThrows(
                TlsMaterialException.class, () -> TlsMaterial.load(pki.ca(), pki.cert("alice"), pki.key("bob")));
        assertEquals("key " + pki.key("bob") + " does not belong to certificate " + pki.cert("alice"), e.getMessage());
    }

    @Test
    void certificateOfAnotherCaIsRefused() {
        TlsMaterialException e = assertThrows(
                TlsMaterialException.class,
                () -> TlsMaterial.load(
                        pki.ca(), pki.rogueDir.resolve("mallory.pem"), pki.rogueDir.resolve("mallory-key.pem")));
        assertTrue(e.getMessage().endsWith("is not signed by the CA in " + pki.ca()), e.getMessage());
    }

    @Test
    void missingAndMalformedFilesSayWhich() throws Exception {
        TlsMaterialException missing = assertThrows(
                TlsMaterialException.class,
                () -> TlsMaterial.load(tmp.resolve("nope.pem"), pki.cert("alice"), pki.key("alice")));
        assertEquals("CA certificate file " + tmp.resolve("nope.pem") + " does not exist", missing.getMessage());
        Path sec1 = tmp.resolve("sec1-key.pem");
        Files.writeString(sec1, "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n");
        TlsMaterialException traditional =
                assertThrows(TlsMaterialException.class, () -> TlsMaterial.load(pki.ca(), pki.cert("alice"), sec1));
        assertTrue(
                traditional.getMessage().contains("convert it to PKCS#8 with: openssl pkcs8 -topk8 -nocrypt"),
                traditional.getMessage());
        Path garbage = tmp.resolve("garbage.pem");
        Files.writeString(garbage, "hello");
        TlsMaterialException notPem = assertThrows(
                TlsMaterialException.class, () -> TlsMaterial.load(garbage, pki.cert("alice"), pki.key("alice")));
        assertTrue(notPem.getMessage().startsWith("CA certificate " + garbage), notPem.getMessage());
    }

    @Test
    void nodeOnlyTrustRefusesOtherRolesAndOtherCas() throws Exception {
        TlsMaterial lb1 = pki.material("lb1");
        var nodesOnly = lb1.trustManagerFor(Role.NODE);
        X509Certificate[] lb2 = {pki.material("lb2").certificate()};
        nodesOnly.checkClientTrusted(lb2, "UNKNOWN");
        nodesOnly.checkServerTrusted(lb2, "ECDHE_ECDSA");
        CertificateException operator = assertThrows(
                CertificateException.class,
                () -> nodesOnly.checkClientTrusted(
                        new X509Certificate[] {pki.material("alice").certificate()}, "UNKNOWN"));
        assertTrue(
                operator.getMessage().contains("CN=alice (operator) is not accepted here: allowed roles [node]"),
                operator.getMessage());
        X509Certificate rogueNode = TlsMaterial.load(
                        pki.rogueDir.resolve("ca.pem"),
                        pki.rogueDir.resolve("lb1.pem"),
                        pki.rogueDir.resolve("lb1-key.pem"))
                .certificate();
        assertThrows(
                CertificateException.class,
                () -> nodesOnly.checkClientTrusted(new X509Certificate[] {rogueNode}, "UNKNOWN"));
    }

    @Test
    void raftTlsConfigIsMutualWithThisNodesKey() throws Exception {
        GrpcTlsConfig raft = pki.material("lb1").raftTlsConfig(java.util.Map.of("lb1", "127.0.0.1"));
        assertTrue(raft.isMutualTls());
        assertTrue(raft.getKeyManager() != null && raft.getTrustManager() != null);
    }
}
