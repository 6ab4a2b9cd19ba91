package io.ringfleet.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One node's certificate chain and private key (PEM files, paths on that node's host).
 *
 * @param cert the node's certificate (chain), signed by the fleet CA
 * @param key the node's private key
 */
public record TlsCredentials(Path cert, Path key) {
    public TlsCredentials {
        Objects.requireNonNull(cert, "cert must not be null; use an absolute path to a PEM file");
        Objects.requireNonNull(key, "key must not be null; use an absolute path to a PEM file");
        if (!cert.isAbsolute() || !key.isAbsolute()) {
            throw new IllegalArgumentException("cert and key must be absolute paths, got " + cert + " and " + key);
        }
    }
}
