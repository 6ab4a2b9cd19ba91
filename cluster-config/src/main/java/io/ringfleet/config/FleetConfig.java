package io.ringfleet.config;

import io.ringfleet.state.FleetLimits;
import io.ringfleet.state.raft.RaftTimings;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A validated fleet config: the Raft group's peers, every node's merged settings, TLS material and the
 * fleet-wide limits. Immutable. Made by {@link FleetConfigLoader}, which is where every rule is checked.
 */
public final class FleetConfig {
    /** The only format version this code reads. */
    public static final int FORMAT_VERSION = 1;

    private final String source;
    private final String fleetId;
    private final List<PeerConfig> peers;
    private final Map<String, NodeSettings> nodes;
    private final TlsConfig tls;
    private final FleetLimits limits;
    private final RaftTimings raftTimings;
    private final List<ConfigProblem> warnings;

    FleetConfig(
            String source,
            String fleetId,
            List<PeerConfig> peers,
            Map<String, NodeSettings> nodes,
            TlsConfig tls,
            FleetLimits limits,
            RaftTimings raftTimings,
            List<ConfigProblem> warnings) {
        this.source = Objects.requireNonNull(source);
        this.fleetId = Objects.requireNonNull(fleetId);
        this.peers = List.copyOf(peers);
        this.nodes = Collections.unmodifiableMap(new LinkedHashMap<>(nodes));
        this.tls = Objects.requireNonNull(tls);
        this.limits = Objects.requireNonNull(limits);
        this.raftTimings = Objects.requireNonNull(raftTimings);
        this.warnings = List.copyOf(warnings);
        for (PeerConfig p : this.peers) {
            if (!this.nodes.containsKey(p.id())) {
                throw new IllegalArgumentException("no settings for peer " + p.id());
            }
        }
    }

    /** The file name the config was read from, as given to the loader. */
    public String source() {
        return source;
    }

    public String fleetId() {
        return fleetId;
    }

    /** Every peer, in file order. */
    public List<PeerConfig> peers() {
        return peers;
    }

    /** The voting peers, in file order; never empty. */
    public List<PeerConfig> voters() {
        return peers.stream().filter(PeerConfig::isVoter).collect(Collectors.toUnmodifiableList());
    }

    /** The listener (non-voting) peers, in file order. */
    public List<PeerConfig> listeners() {
        return peers.stream().filter(p -> !p.isVoter()).collect(Collectors.toUnmodifiableList());
    }

    /** The peer with this id, if there is one. */
    public Optional<PeerConfig> peer(String id) {
        return peers.stream().filter(p -> p.id().equals(id)).findFirst();
    }

    /**
     * The settings of node {@code id}: its own section merged over {@code defaults}, over the built-in
     * defaults.
     *
     * @throws IllegalArgumentException when no peer has this id (the message lists the ids there are)
     */
    public NodeSettings node(String id) {
        NodeSettings settings = nodes.get(id);
        if (settings == null) {
            throw unknown(id);
        }
        return settings;
    }

    /** Every node's merged settings, by peer id in file order. */
    public Map<String, NodeSettings> nodes() {
        return nodes;
    }

    /**
     * Everything the agent running as peer {@code id} needs.
     *
     * @throws IllegalArgumentException when no peer has this id (the message lists the ids there are)
     */
    public LocalNode self(String id) {
        PeerConfig peer = peer(id).orElseThrow(() -> unknown(id));
        return new LocalNode(fleetId, peer, nodes.get(id), tls, limits, peers);
    }

    public TlsConfig tls() {
        return tls;
    }

    public FleetLimits limits() {
        return limits;
    }

    /** The fleet log's Raft timings (the {@code raft} section; {@link RaftTimings#DEFAULT} without one). */
    public RaftTimings raftTimings() {
        return raftTimings;
    }

    /** Things that are allowed but risky (e.g. {@code plaintext: true}), in line order. */
    public List<ConfigProblem> warnings() {
        return warnings;
    }

    private IllegalArgumentException unknown(String id) {
        return new IllegalArgumentException("no peer \"" + id + "\" in fleet " + fleetId + " (" + source
                + "); use one of " + peers.stream().map(PeerConfig::id).collect(Collectors.joining(", ")));
    }

    @Override
    public String toString() {
        return "FleetConfig[" + fleetId + " from " + source + ", peers=" + peers + ", tls=" + tls + ", limits=" + limits
                + "]";
    }
}
