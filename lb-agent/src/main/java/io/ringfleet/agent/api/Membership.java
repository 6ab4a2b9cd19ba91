package io.ringfleet.agent.api;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.ringfleet.api.MembershipResponse;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * A Raft configuration by node id (voters, listeners) and the checks of a change to it against the fleet config's
 * peers: {@link #leaving} and {@link #joining} return the configuration after the change, or throw the status the
 * caller gets (nothing changed). Pure: no Raft code.
 */
public record Membership(SortedSet<String> voters, SortedSet<String> listeners) {
    /** Fewest voters a configuration may keep: one voter alone would commit nothing while it is down. */
    public static final int MIN_VOTERS = 2;

    public Membership {
        voters = Collections.unmodifiableSortedSet(new TreeSet<>(voters));
        listeners = Collections.unmodifiableSortedSet(new TreeSet<>(listeners));
    }

    public boolean contains(String nodeId) {
        return voters.contains(nodeId) || listeners.contains(nodeId);
    }

    /**
     * Without {@code nodeId}.
     *
     * @param configured the fleet config's peers: id → true for a listener, false for a voter
     */
    public Membership leaving(String nodeId, Map<String, Boolean> configured) {
        requirePeer(nodeId, configured);
        if (!contains(nodeId)) {
            throw failed("node " + nodeId + " is not in the Raft configuration " + this + "; nothing to remove");
        }
        SortedSet<String> v = new TreeSet<>(voters);
        SortedSet<String> l = new TreeSet<>(listeners);
        v.remove(nodeId);
        l.remove(nodeId);
        if (voters.contains(nodeId) && v.size() < MIN_VOTERS) {
            throw failed("removing voter " + nodeId + " would leave " + v.size() + " voter" + (v.size() == 1 ? "" : "s")
                    + " " + v + "; at least " + MIN_VOTERS + " must stay (join another node first)");
        }
        return new Membership(v, l);
    }

    /** With {@code nodeId}, in the role the fleet config gives it. */
    public Membership joining(String nodeId, Map<String, Boolean> configured) {
        requirePeer(nodeId, configured);
        if (contains(nodeId)) {
            throw failed("node " + nodeId + " is already in the Raft configuration " + this);
        }
        SortedSet<String> v = new TreeSet<>(voters);
        SortedSet<String> l = new TreeSet<>(listeners);
        (configured.get(nodeId) ? l : v).add(nodeId);
        return new Membership(v, l);
    }

    private static void requirePeer(String nodeId, Map<String, Boolean> configured) {
        Objects.requireNonNull(nodeId, "nodeId");
        if (nodeId.isEmpty()) {
            throw Statuses.invalid(
                    "node_id is missing: give a peer id of the fleet config " + new TreeSet<>(configured.keySet()));
        }
        if (!configured.containsKey(nodeId)) {
            throw Statuses.invalid(
                    "node " + nodeId + " is not a peer of the fleet config " + new TreeSet<>(configured.keySet()));
        }
    }

    private static StatusRuntimeException failed(String message) {
        return Status.FAILED_PRECONDITION.withDescription(message).asRuntimeException();
    }

    public MembershipResponse toProto() {
        return MembershipResponse.newBuilder()
                .addAllVoters(voters)
                .addAllListeners(listeners)
                .build();
    }

    /** {@code (voters [..], listeners [..])}. */
    @Override
    public String toString() {
        return "(voters " + voters + ", listeners " + listeners + ")";
    }
}
