package io.ringfleet.state;

import io.ringfleet.state.collect.PersistentSortedMap;
import java.util.Optional;
import java.util.SortedMap;

/** Health-check destinations: SO_MARK (1..2^32-1) to the address marked packets are sent to. Immutable. */
public final class HealthChecksImage {
    public static final HealthChecksImage EMPTY = new HealthChecksImage(PersistentSortedMap.empty());

    private final PersistentSortedMap<Long, IpAddress> byMark;

    HealthChecksImage(PersistentSortedMap<Long, IpAddress> byMark) {
        this.byMark = byMark;
    }

    /** Mark to destination as the persistent map itself (for diffs; see {@link VipsImage#byNumMap}). */
    public PersistentSortedMap<Long, IpAddress> map() {
        return byMark;
    }

    public Optional<IpAddress> destination(long somark) {
        return Optional.ofNullable(byMark.get(somark));
    }

    /** Mark to destination, ascending mark. */
    public SortedMap<Long, IpAddress> all() {
        return byMark;
    }

    public int size() {
        return byMark.size();
    }

    public boolean isEmpty() {
        return byMark.isEmpty();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HealthChecksImage && byMark.equals(((HealthChecksImage) o).byMark);
    }

    @Override
    public int hashCode() {
        return byMark.hashCode();
    }

    @Override
    public String toString() {
        return "HealthChecksImage" + byMark;
    }
}
