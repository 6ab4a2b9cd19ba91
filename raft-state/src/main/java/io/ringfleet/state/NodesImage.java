package io.ringfleet.state;

import io.ringfleet.state.collect.PersistentSortedMap;
import java.util.Collection;
import java.util.Optional;
import java.util.SortedMap;

/**
 * Node state carried by the log: which nodes are drained. Fleet membership itself comes from the cluster
 * config; a node not listed here is not drained. Immutable.
 */
public final class NodesImage {
    public static final NodesImage EMPTY = new NodesImage(PersistentSortedMap.empty());

    private final PersistentSortedMap<String, NodeDrain> drained;

    NodesImage(PersistentSortedMap<String, NodeDrain> drained) {
        this.drained = drained;
    }

    PersistentSortedMap<String, NodeDrain> map() {
        return drained;
    }

    public boolean isDrained(String nodeId) {
        return drained.containsKey(nodeId);
    }

    public Optional<NodeDrain> drain(String nodeId) {
        return Optional.ofNullable(drained.get(nodeId));
    }

    /** Drained nodes, ascending node id. */
    public Collection<NodeDrain> drained() {
        return drained.values();
    }

    public SortedMap<String, NodeDrain> byId() {
        return drained;
    }

    public boolean isEmpty() {
        return drained.isEmpty();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NodesImage && drained.equals(((NodesImage) o).drained);
    }

    @Override
    public int hashCode() {
        return drained.hashCode();
    }

    @Override
    public String toString() {
        return "NodesImage" + drained.values();
    }
}
