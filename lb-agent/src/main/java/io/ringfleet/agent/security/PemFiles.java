package io.ringfleet.agent.security;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;

/** Reads PEM certificates and unencrypted PKCS#8 private keys with the JDK alone. */
final class PemFiles {
    private static final String PKCS8_BEGIN = "-----BEGIN PRIVATE KEY-----";
    private static final String PKCS8_END = "-----END PRIVATE KEY-----";

    private PemFiles() {}

    /** Every certificate in the file, in order (a leaf first, then its chain). */
    static List<X509Certificate> certificates(Path file, String what) throws TlsMaterialException {
        byte[] bytes = read(file, what);
        Collection<? extends Certificate> certs;
        try {
            certs = CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(bytes));
        } catch (GeneralSecurityException e) {
            throw new TlsMaterialException(what + " " + file + " is not a PEM certificate file: " + e.getMessage(), e);
        }
        List<X509Certificate> out = new ArrayList<>();
        for (Certificate c : certs) {
            out.add((X509Certificate) c);
        }
        if (out.isEmpty()) {
            throw new TlsMaterialException(
                    what + " " + file + " holds no certificate (expected -----BEGIN CERTIFICATE-----)");
        }
        return out;
    }

    static PrivateKey privateKey(Path file) throws TlsMaterialException {
        String text = new String(read(file, "key"), StandardCharsets.US_ASCII);
        int begin = text.indexOf(PKCS8_BEGIN);
        if (begin < 0) {
            if (text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----")) {
                throw new TlsMaterialException("key " + file + " is encrypted: give an unencrypted PKCS#8 key"
                        + " (openssl pkcs8 -topk8 -nocrypt -in " + file + " -out new-key.pem)");
            }
            if (text.contains("-----BEGIN EC PRIVATE KEY-----") || text.contains("-----BEGIN RSA PRIVATE KEY-----")) {
                throw new TlsMaterialException("key " + file + " is in the traditional (SEC1/PKCS#1) format: convert it"
                        + " to PKCS#8 with: openssl pkcs8 -topk8 -nocrypt -in " + file + " -out new-key.pem");
            }
            throw new TlsMaterialException("key " + file + " holds no private key (expected " + PKCS8_BEGIN + ")");
        }
        int end = text.indexOf(PKCS8_END, begin);
        if (end < 0) {
            throw new TlsMaterialException("key " + file + " has no " + PKCS8_END + " line");
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(text.substring(begin + PKCS8_BEGIN.length(), end));
        } catch (IllegalArgumentException e) {
            throw new TlsMaterialException("key " + file + " is not valid base64: " + e.getMessage(), e);
        }
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        for (String algorithm : new String[] {"EC", "RSA", "Ed25519"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw new TlsMaterialException("key " + file + " is not an EC, RSA or Ed25519 PKCS#8 private key");
    }

    private static byte[] read(Path file, String what) throws TlsMaterialException {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new TlsMaterialException(what + " file " + file + " does not exist", e);
        } catch (IOException e) {
            throw new TlsMaterialException("cannot read " + what + " file " + file + ": " + e.getMessage(), e);
        }
    }
}
