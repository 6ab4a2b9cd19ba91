package io.ringfleet.config;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One member of the fleet's Raft group.
 *
 * @param id unique name of the node: 1 to 63 letters, digits, '.', '_' or '-', starting with a letter or digit
 * @param role {@link PeerRole#VOTER} or {@link PeerRole#LISTENER}
 * @param raftAddress where the other peers reach this node's Raft server
 * @param apiAddress where clients ({@code lbctl}, gRPC) reach this node's API
 */
public record PeerConfig(String id, PeerRole role, HostPort raftAddress, HostPort apiAddress) {
    /** What a peer id (and the fleet id) may look like. */
    public static final Pattern ID_PATTERN = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
    /** {@link #ID_PATTERN} in words, for messages. */
    public static final String ID_RULE = "1 to 63 letters, digits, '.', '_' or '-', starting with a letter or digit";

    public PeerConfig {
        Objects.requireNonNull(id, "id must not be null; use " + ID_RULE);
        if (!ID_PATTERN.matcher(id).matches()) {
            throw new IllegalArgumentException("id \"" + id + "\" is not allowed; use " + ID_RULE);
        }
        Objects.requireNonNull(role, "role must not be null; use VOTER or LISTENER");
        Objects.requireNonNull(raftAddress, "raftAddress must not be null");
        Objects.requireNonNull(apiAddress, "apiAddress must not be null");
        if (raftAddress.isWildcard() || apiAddress.isWildcard()) {
            throw new IllegalArgumentException("peer addresses must be reachable, not wildcards like 0.0.0.0 or ::");
        }
        if (raftAddress.equals(apiAddress)) {
            throw new IllegalArgumentException("raftAddress and apiAddress must differ, both are " + raftAddress);
        }
    }

    /** True for a voting member. */
    public boolean isVoter() {
        return role == PeerRole.VOTER;
    }
}
