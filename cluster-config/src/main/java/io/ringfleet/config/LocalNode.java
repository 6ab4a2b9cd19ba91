package io.ringfleet.config;

import io.ringfleet.state.FleetLimits;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * One agent's view of the fleet config: who it is, its merged settings, its TLS material, and everyone
 * else. What {@code lb-agent} starts from; see {@link FleetConfig#self(String)}.
 *
 * @param fleetId the fleet's id
 * @param peer this node's peer entry
 * @param settings this node's settings, defaults merged
 * @param tls the fleet's TLS config (see {@link #credentials()} for this node's own)
 * @param limits the fleet-wide limits
 * @param peers every peer of the fleet, this one included, in file order
 */
public record LocalNode(
        String fleetId,
        PeerConfig peer,
        NodeSettings settings,
        TlsConfig tls,
        FleetLimits limits,
        List<PeerConfig> peers) {
    public LocalNode {
        Objects.requireNonNull(fleetId, "fleetId must not be null");
        Objects.requireNonNull(peer, "peer must not be null");
        Objects.requireNonNull(settings, "settings must not be null");
        Objects.requireNonNull(tls, "tls must not be null; use TlsConfig.plaintext() for none");
        Objects.requireNonNull(limits, "limits must not be null; use FleetLimits.DEFAULT");
        peers = List.copyOf(peers);
        if (!settings.nodeId().equals(peer.id())) {
            throw new IllegalArgumentException("settings belong to " + settings.nodeId() + ", not to " + peer.id());
        }
        if (!peers.contains(peer)) {
            throw new IllegalArgumentException("peers must include this node's own entry " + peer.id());
        }
        if (!tls.isPlaintext() && tls.credentials(peer.id()).isEmpty()) {
            throw new IllegalArgumentException("tls has no credentials for " + peer.id());
        }
    }

    /** This node's id. */
    public String id() {
        return peer.id();
    }

    public boolean isVoter() {
        return peer.isVoter();
    }

    /** Every peer but this one, in file order. */
    public List<PeerConfig> otherPeers() {
        return peers.stream().filter(p -> !p.id().equals(peer.id())).collect(Collectors.toUnmodifiableList());
    }

    /** This node's certificate and key; empty when the fleet runs plaintext. */
    public Optional<TlsCredentials> credentials() {
        return tls.credentials(peer.id());
    }

    /** The fleet CA; empty when the fleet runs plaintext. */
    public Optional<Path> caCert() {
        return tls.caCert();
    }
}
