package io.ringfleet.state;

import java.util.Optional;
import java.util.SortedSet;

/** Changes to the QUIC server id mappings in one {@link FleetDelta}. Read-only outside this package. */
public final class QuicIdsDelta {
    private final QuicIdsImage base;
    private final MapDelta<Long, QuicMapping> ids;

    QuicIdsDelta(QuicIdsImage base) {
        this.base = base;
        this.ids = new MapDelta<>(base.map());
    }

    /** Server ids mapped, remapped or unmapped, ascending. */
    public SortedSet<Long> touchedServerIds() {
        return ids.touched();
    }

    public Optional<QuicMapping> before(long serverId) {
        return ids.before(serverId);
    }

    /** The mapping after the delta; empty if unmapped. */
    public Optional<QuicMapping> after(long serverId) {
        return ids.get(serverId);
    }

    Optional<QuicMapping> get(long serverId) {
        return ids.get(serverId);
    }

    void put(QuicMapping mapping) {
        ids.put(mapping.serverId(), mapping);
    }

    void remove(long serverId) {
        ids.remove(serverId);
    }

    /** The state after the changes so far: O(1), shares everything with the delta's map. */
    QuicIdsImage current() {
        return ids.isEmpty() ? base : new QuicIdsImage(ids.current());
    }

    QuicIdsImage apply() {
        return current();
    }
}
