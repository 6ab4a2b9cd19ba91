package io.ringfleet.agent.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DevCertificateAuthorityTest {
    @TempDir
    Path dir;

    @Test
    void issuesCertificatesTheTlsLayerAccepts() throws Exception {
        DevCertificateAuthority ca = new DevCertificateAuthority(dir);
        ca.init(10, false);
        ca.issue(Role.NODE, "lb7", List.of("lb7.example.net", "10.1.2.3", "fd00::7"), 10, false);
        TlsMaterial node = TlsMaterial.load(dir.resolve("ca.pem"), dir.resolve("lb7.pem"), dir.resolve("lb7-key.pem"));
        assertEquals("lb7", node.identity().commonName());
        X509Certificate cert = node.certificate();
        Collection<List<?>> sans = cert.getSubjectAlternativeNames();
        List<String> names = sans.stream().map(s -> String.valueOf(s.get(1))).toList();
        assertTrue(
                names.containsAll(List.of("lb7", "localhost", "127.0.0.1", "lb7.example.net", "10.1.2.3")),
                names.toString());
        assertTrue(cert.getExtendedKeyUsage().containsAll(List.of("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2")));
        assertEquals(
                "rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("lb7-key.pem"))));
        assertEquals(
                "rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("ca-key.pem"))));

        ca.issue(Role.READ_ONLY, "carol", List.of(), 10, false);
        X509Certificate carol = TlsMaterial.load(
                        dir.resolve("ca.pem"), dir.resolve("carol.pem"), dir.resolve("carol-key.pem"))
                .certificate();
        assertEquals(List.of("1.3.6.1.5.5.7.3.2"), carol.getExtendedKeyUsage());
        try (Stream<Path> files = Files.list(dir)) {
            assertFalse(
                    files.anyMatch(p -> p.getFileName().toString().startsWith(".lbctl-certs-")), "scratch left behind");
        }
    }

    @Test
    void refusesToOverwriteWithoutForce() throws Exception {
        DevCertificateAuthority ca = new DevCertificateAuthority(dir);
        ca.init(10, false);
        byte[] before = Files.readAllBytes(dir.resolve("ca.pem"));
        CertificateToolException e = assertThrows(CertificateToolException.class, () -> ca.init(10, false));
        assertTrue(e.getMessage().contains("already holds a CA"), e.getMessage());
        assertEquals(new String(before), Files.readString(dir.resolve("ca.pem")));
        ca.issue(Role.OPERATOR, "dave", List.of(), 10, false);
        assertThrows(CertificateToolException.class, () -> ca.issue(Role.OPERATOR, "dave", List.of(), 10, false));
        ca.issue(Role.OPERATOR, "dave", List.of(), 10, true);
    }

    @Test
    void badInputIsRefusedBeforeAnyFileIsWritten() throws Exception {
        DevCertificateAuthority ca = new DevCertificateAuthority(dir);
        CertificateToolException noCa = assertThrows(
                CertificateToolException.class, () -> ca.issue(Role.OPERATOR, "erin", List.of(), 10, false));
        assertTrue(noCa.getMessage().startsWith("no CA in " + dir), noCa.getMessage());
        ca.init(10, false);
        assertThrows(CertificateToolException.class, () -> ca.issue(Role.OPERATOR, "../evil", List.of(), 10, false));
        assertThrows(
                CertificateToolException.class, () -> ca.issue(Role.NODE, "lb1", List.of("not a host"), 10, false));
        assertThrows(CertificateToolException.class, () -> ca.issue(Role.NODE, "lb1", List.of(), 0, false));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(
                    List.of("ca-key.pem", "ca.pem"),
                    files.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void aMissingOpensslSaysSo() {
        DevCertificateAuthority ca = new DevCertificateAuthority(dir, "/nonexistent/openssl");
        CertificateToolException e = assertThrows(CertificateToolException.class, () -> ca.init(10, false));
        assertTrue(e.getMessage().contains("is openssl installed"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("ca.pem")));
    }
}
