package io.ringfleet.agent.security;

import io.grpc.ChannelCredentials;
import io.grpc.ServerCredentials;
import io.grpc.TlsChannelCredentials;
import io.grpc.TlsServerCredentials;
import io.ringfleet.config.TlsConfig;
import io.ringfleet.config.TlsCredentials;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import org.apache.ratis.grpc.GrpcTlsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One party's TLS material — the fleet CA, its own certificate chain and private key — checked once on
 * load (the key matches the certificate, the certificate is signed by the CA and is valid now) and turned
 * into what each transport needs:
 * <ul>
 *   <li>{@link #apiServerCredentials()}: the agent's API; a client certificate from the CA is required
 *       (no certificate, no handshake); the role is enforced per call by {@link AuthInterceptor}.
 *   <li>{@link #apiClientCredentials()}: lbctl and agent-to-agent API calls; the server must be a node.
 *   <li>{@link #raftTlsConfig(Map)}: Ratis's gRPC server, client and admin channels; mutual TLS where both
 *       ends must be configured peers, so neither an operator's certificate nor another node's can speak Raft.
 * </ul>
 * Keys are PEM PKCS#8 (what {@code lbctl certs} and {@code openssl genpkey} write).
 */
public final class TlsMaterial {
    private static final Logger LOG = LoggerFactory.getLogger(TlsMaterial.class);
    private static final Duration REFUSAL_LOG_INTERVAL = Duration.ofSeconds(10);

    private final List<X509Certificate> caCerts;
    private final List<X509Certificate> chain;
    private final CertificateIdentity identity;
    private final KeyManager keyManager;
    private final X509ExtendedTrustManager caTrust;

    private TlsMaterial(
            List<X509Certificate> caCerts,
            List<X509Certificate> chain,
            KeyManager keyManager,
            X509ExtendedTrustManager caTrust) {
        this.caCerts = List.copyOf(caCerts);
        this.chain = List.copyOf(chain);
        this.identity = CertificateIdentity.of(chain.get(0));
        this.keyManager = keyManager;
        this.caTrust = caTrust;
    }

    /**
     * @param caCert PEM file with the fleet CA certificate(s)
     * @param cert PEM file with this party's certificate (then optionally its chain)
     * @param key PEM file with this party's PKCS#8 private key
     */
    public static TlsMaterial load(Path caCert, Path cert, Path key) throws TlsMaterialException {
        Objects.requireNonNull(caCert, "caCert");
        Objects.requireNonNull(cert, "cert");
        Objects.requireNonNull(key, "key");
        List<X509Certificate> cas = PemFiles.certificates(caCert, "CA certificate");
        List<X509Certificate> chain = PemFiles.certificates(cert, "certificate");
        PrivateKey privateKey = PemFiles.privateKey(key);
        X509Certificate leaf = chain.get(0);
        checkKeyMatches(privateKey, leaf.getPublicKey(), key, cert);
        checkValidNow(leaf, cert);
        checkSignedByCa(chain, cas, cert, caCert);
        try {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            char[] password = new char[0];
            keys.setKeyEntry("self", privateKey, password, chain.toArray(new X509Certificate[0]));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, password);

            KeyStore trusted = KeyStore.getInstance("PKCS12");
            trusted.load(null, null);
            for (int i = 0; i < cas.size(); i++) {
                trusted.setCertificateEntry("ca-" + i, cas.get(i));
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
            tmf.init(trusted);
            X509ExtendedTrustManager caTrust = null;
            for (TrustManager tm : tmf.getTrustManagers()) {
                if (tm instanceof X509ExtendedTrustManager) {
                    caTrust = (X509ExtendedTrustManager) tm;
                }
            }
            if (caTrust == null) {
                throw new TlsMaterialException("this JDK has no PKIX X509ExtendedTrustManager");
            }
            return new TlsMaterial(cas, chain, kmf.getKeyManagers()[0], caTrust);
        } catch (IOException | GeneralSecurityException e) {
            throw new TlsMaterialException(
                    "cannot build TLS key and trust managers from " + cert + " and " + caCert + ": " + e.getMessage(),
                    e);
        }
    }

    /** The material of {@code nodeId} from the fleet config (empty config entry → a clear error). */
    public static TlsMaterial forNode(TlsConfig tls, String nodeId) throws TlsMaterialException {
        if (tls.isPlaintext()) {
            throw new TlsMaterialException("the fleet config says plaintext: true; there is no TLS material to load");
        }
        TlsCredentials creds = tls.credentials(nodeId)
                .orElseThrow(
                        () -> new TlsMaterialException("the fleet config has no TLS certificate for node " + nodeId));
        return load(tls.caCert().orElseThrow(), creds.cert(), creds.key());
    }

    private static void checkKeyMatches(PrivateKey key, PublicKey pub, Path keyFile, Path certFile)
            throws TlsMaterialException {
        String algorithm;
        switch (key.getAlgorithm()) {
            case "EC":
                algorithm = "SHA256withECDSA";
                break;
            case "RSA":
                algorithm = "SHA256withRSA";
                break;
            default:
                algorithm = key.getAlgorithm();
        }
        byte[] probe = "ringfleet key check".getBytes(StandardCharsets.US_ASCII);
        boolean matches;
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(pub);
            verifier.update(probe);
            matches = verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            matches = false;
        }
        if (!matches) {
            throw new TlsMaterialException("key " + keyFile + " does not belong to certificate " + certFile);
        }
    }

    private static void checkValidNow(X509Certificate leaf, Path certFile) throws TlsMaterialException {
        try {
            leaf.checkValidity();
        } catch (CertificateExpiredException e) {
            throw new TlsMaterialException(
                    "certificate " + certFile + " expired on "
                            + leaf.getNotAfter().toInstant(),
                    e);
        } catch (CertificateNotYetValidException e) {
            throw new TlsMaterialException(
                    "certificate " + certFile + " is not valid before "
                            + leaf.getNotBefore().toInstant(),
                    e);
        }
    }

    private static void checkSignedByCa(
            List<X509Certificate> chain, List<X509Certificate> cas, Path certFile, Path caFile)
            throws TlsMaterialException {
        X509Certificate top = chain.get(chain.size() - 1);
        for (X509Certificate ca : cas) {
            if (top.equals(ca)) {
                return;
            }
            try {
                top.verify(ca.getPublicKey());
                return;
            } catch (GeneralSecurityException e) {
                // not this CA
            }
        }
        throw new TlsMaterialException("certificate " + certFile + " ("
                + top.getIssuerX500Principal().getName() + ") is not signed by the CA in " + caFile);
    }

    /** Who this material names (CN and role). */
    public CertificateIdentity identity() {
        return identity;
    }

    public X509Certificate certificate() {
        return chain.get(0);
    }

    public List<X509Certificate> caCertificates() {
        return caCerts;
    }

    public KeyManager keyManager() {
        return keyManager;
    }

    /** Trusts certificates signed by the fleet CA, whatever their role. */
    public X509ExtendedTrustManager caTrustManager() {
        return caTrust;
    }

    /** Trusts certificates signed by the fleet CA that carry one of {@code roles}. */
    public X509ExtendedTrustManager trustManagerFor(Role first, Role... more) {
        return new RoleTrustManager(caTrust, EnumSet.of(first, more));
    }

    /**
     * For the API server: mutual TLS, a client certificate signed by the fleet CA required; refused handshakes are
     * logged, at most one line per 10 s.
     */
    public ServerCredentials apiServerCredentials() {
        return apiServerCredentials(new RateLimitedLog(LOG::warn, REFUSAL_LOG_INTERVAL, System::nanoTime));
    }

    /** As {@link #apiServerCredentials()}, refusals going to {@code refusals}. */
    public ServerCredentials apiServerCredentials(RateLimitedLog refusals) {
        return TlsServerCredentials.newBuilder()
                .keyManager(keyManager)
                .trustManager(new ApiClientTrustManager(caTrust, refusals))
                .clientAuth(TlsServerCredentials.ClientAuth.REQUIRE)
                .build();
    }

    /** For clients of the API (lbctl, other agents): presents this certificate; the server must be a node. */
    public ChannelCredentials apiClientCredentials() {
        return TlsChannelCredentials.newBuilder()
                .keyManager(keyManager)
                .trustManager(trustManagerFor(Role.NODE))
                .build();
    }

    /**
     * For Ratis (server, client and admin channels): mutual TLS between the configured peers only (see
     * {@link RaftPeerTrustManager}); refused handshakes are logged, at most one line per 10 s.
     *
     * @param peerRaftHosts every peer's id and the host of its Raft address, from the fleet config
     */
    public GrpcTlsConfig raftTlsConfig(Map<String, String> peerRaftHosts) {
        return raftTlsConfig(peerRaftHosts, new RateLimitedLog(LOG::warn, REFUSAL_LOG_INTERVAL, System::nanoTime));
    }

    /** As {@link #raftTlsConfig(Map)}, refusals going to {@code refusals}. */
    public GrpcTlsConfig raftTlsConfig(Map<String, String> peerRaftHosts, RateLimitedLog refusals) {
        return new GrpcTlsConfig(keyManager, new RaftPeerTrustManager(caTrust, peerRaftHosts, refusals), true);
    }

    @Override
    public String toString() {
        return "TlsMaterial{" + identity.describe() + "}";
    }
}
