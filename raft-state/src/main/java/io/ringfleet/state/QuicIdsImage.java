package io.ringfleet.state;

import io.ringfleet.state.collect.PersistentSortedMap;
import java.util.Collection;
import java.util.Optional;
import java.util.SortedMap;

/** QUIC server id to real. Each mapping holds a reference on its real index. Immutable. */
public final class QuicIdsImage {
    public static final QuicIdsImage EMPTY = new QuicIdsImage(PersistentSortedMap.empty());

    private final PersistentSortedMap<Long, QuicMapping> byId;

    QuicIdsImage(PersistentSortedMap<Long, QuicMapping> byId) {
        this.byId = byId;
    }

    /** The mappings by server id as the persistent map itself (for diffs; see {@link VipsImage#byNumMap}). */
    public PersistentSortedMap<Long, QuicMapping> map() {
        return byId;
    }

    public Optional<QuicMapping> get(long serverId) {
        return Optional.ofNullable(byId.get(serverId));
    }

    /** Every mapping, ascending server id. */
    public Collection<QuicMapping> all() {
        return byId.values();
    }

    public SortedMap<Long, QuicMapping> byId() {
        return byId;
    }

    public int size() {
        return byId.size();
    }

    public boolean isEmpty() {
        return byId.isEmpty();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof QuicIdsImage && byId.equals(((QuicIdsImage) o).byId);
    }

    @Override
    public int hashCode() {
        return byId.hashCode();
    }

    @Override
    public String toString() {
        return "QuicIdsImage" + byId.values();
    }
}
