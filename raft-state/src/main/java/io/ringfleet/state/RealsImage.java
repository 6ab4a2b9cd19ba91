package io.ringfleet.state;

import io.ringfleet.state.collect.PersistentSortedMap;
import java.util.Collection;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;

/**
 * The global reals table (shared by every VIP, as in Katran): real index to address, and address to
 * index. Immutable.
 *
 * <p>Index 0 is never a real. An index is held by each VIP membership, each QUIC server id mapping and each
 * VIP ring history entry (fleet version 4) that names it; when the last one goes, the index is freed and the
 * lowest free index is reused first. So a real removed from a VIP stays (same index, same address) while a ring
 * history still names it: the previous ring never names a different real.
 * Health-check destinations do not hold indexes (they map a mark to an address, as Katran's do).
 */
public final class RealsImage {
    public static final RealsImage EMPTY = new RealsImage(PersistentSortedMap.empty(), PersistentSortedMap.empty());

    private final PersistentSortedMap<Integer, Real> byIndex;
    private final PersistentSortedMap<IpAddress, Integer> byAddress;

    /** Both maps must describe the same reals (the delta keeps them in step). */
    RealsImage(PersistentSortedMap<Integer, Real> byIndex, PersistentSortedMap<IpAddress, Integer> byAddress) {
        this.byIndex = byIndex;
        this.byAddress = byAddress;
    }

    public Optional<Real> get(int index) {
        return Optional.ofNullable(byIndex.get(index));
    }

    public Optional<Real> get(IpAddress address) {
        Integer index = byAddress.get(address);
        return index == null ? Optional.empty() : Optional.of(byIndex.get(index));
    }

    /** Every real, ascending index. */
    public Collection<Real> all() {
        return byIndex.values();
    }

    public SortedMap<Integer, Real> byIndex() {
        return byIndex;
    }

    /** Address to real index, ascending address. */
    public SortedMap<IpAddress, Integer> byAddress() {
        return byAddress;
    }

    /** Indexes in use, ascending. */
    public SortedSet<Integer> indexes() {
        return byIndex.keySet();
    }

    /** The reals by index as the persistent map itself (for diffs between images; see {@link VipsImage#byNumMap}). */
    public PersistentSortedMap<Integer, Real> byIndexMap() {
        return byIndex;
    }

    PersistentSortedMap<IpAddress, Integer> byAddressMap() {
        return byAddress;
    }

    public int size() {
        return byIndex.size();
    }

    public boolean isEmpty() {
        return byIndex.isEmpty();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RealsImage && byIndex.equals(((RealsImage) o).byIndex);
    }

    @Override
    public int hashCode() {
        return byIndex.hashCode();
    }

    @Override
    public String toString() {
        return "RealsImage" + byIndex.values();
    }
}
