package io.ringfleet.state;

import java.util.Optional;
import java.util.SortedSet;

/** Changes to node drains in one {@link FleetDelta}. Read-only outside this package. */
public final class NodesDelta {
    private final NodesImage base;
    private final MapDelta<String, NodeDrain> drains;

    NodesDelta(NodesImage base) {
        this.base = base;
        this.drains = new MapDelta<>(base.map());
    }

    /** Nodes drained or undrained, ascending id. */
    public SortedSet<String> touchedNodes() {
        return drains.touched();
    }

    public Optional<NodeDrain> before(String nodeId) {
        return drains.before(nodeId);
    }

    /** The drain after the delta; empty if the node is not drained. */
    public Optional<NodeDrain> after(String nodeId) {
        return drains.get(nodeId);
    }

    void drain(NodeDrain drain) {
        drains.put(drain.nodeId(), drain);
    }

    void undrain(String nodeId) {
        if (drains.get(nodeId).isEmpty()) {
            throw new ReplayException("node " + nodeId + " is not drained");
        }
        drains.remove(nodeId);
    }

    /** The state after the changes so far: O(1), shares everything with the delta's map. */
    NodesImage current() {
        return drains.isEmpty() ? base : new NodesImage(drains.current());
    }

    NodesImage apply() {
        return current();
    }
}
