package io.ringfleet.config;

import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * How the fleet's Raft and API traffic is protected: mutual TLS with one CA and a certificate per node, or
 * plaintext, which the file must ask for explicitly ({@code plaintext: true}) and which the loader warns
 * about.
 */
public final class TlsConfig {
    private static final TlsConfig PLAINTEXT = new TlsConfig(null, Map.of());

    private final Path caCert;
    private final Map<String, TlsCredentials> nodes;

    private TlsConfig(Path caCert, Map<String, TlsCredentials> nodes) {
        this.caCert = caCert;
        this.nodes = nodes;
    }

    /** No TLS: for test networks only. */
    public static TlsConfig plaintext() {
        return PLAINTEXT;
    }

    /**
     * Mutual TLS.
     *
     * @param caCert the CA certificate that signs every node's certificate (absolute path)
     * @param nodes credentials by peer id
     */
    public static TlsConfig mutual(Path caCert, Map<String, TlsCredentials> nodes) {
        Objects.requireNonNull(caCert, "caCert must not be null; use an absolute path, or TlsConfig.plaintext()");
        if (!caCert.isAbsolute()) {
            throw new IllegalArgumentException("caCert must be an absolute path, got " + caCert);
        }
        Objects.requireNonNull(nodes, "nodes must not be null; give credentials for every peer id");
        nodes.forEach((id, c) -> {
            Objects.requireNonNull(id, "nodes must not have a null id");
            Objects.requireNonNull(c, "credentials of " + id + " must not be null");
        });
        return new TlsConfig(caCert, Collections.unmodifiableMap(new TreeMap<>(nodes)));
    }

    public boolean isPlaintext() {
        return caCert == null;
    }

    /** The CA certificate; empty when plaintext. */
    public Optional<Path> caCert() {
        return Optional.ofNullable(caCert);
    }

    /** Credentials of one node; empty when plaintext (or for an id that is not a peer). */
    public Optional<TlsCredentials> credentials(String nodeId) {
        return Optional.ofNullable(nodes.get(nodeId));
    }

    /** Credentials by peer id, sorted by id; empty when plaintext. */
    public Map<String, TlsCredentials> nodes() {
        return nodes;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TlsConfig
                && Objects.equals(caCert, ((TlsConfig) o).caCert)
                && nodes.equals(((TlsConfig) o).nodes);
    }

    @Override
    public int hashCode() {
        return Objects.hash(caCert, nodes);
    }

    @Override
    public String toString() {
        return isPlaintext() ? "TlsConfig[plaintext]" : "TlsConfig[caCert=" + caCert + ", nodes=" + nodes + "]";
    }
}
