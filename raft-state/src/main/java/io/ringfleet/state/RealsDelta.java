package io.ringfleet.state;

import java.util.Optional;
import java.util.SortedSet;

/**
 * Changes to the global reals table in one {@link FleetDelta}: references taken and released. A real
 * is created by its first reference and freed with its last. Read-only outside this package.
 */
public final class RealsDelta {
    private final RealsImage base;
    private final MapDelta<Integer, Real> reals;
    private final MapDelta<IpAddress, Integer> addresses;
    private RealsImage current;

    RealsDelta(RealsImage base) {
        this.base = base;
        this.reals = new MapDelta<>(base.byIndexMap());
        this.addresses = new MapDelta<>(base.byAddressMap());
    }

    /** Real indexes created, freed or whose reference count changed, ascending. */
    public SortedSet<Integer> touchedIndexes() {
        return reals.touched();
    }

    public Optional<Real> before(int index) {
        return reals.before(index);
    }

    /** The real under this index after the delta; empty if freed. */
    public Optional<Real> after(int index) {
        return reals.get(index);
    }

    Optional<Real> get(int index) {
        return reals.get(index);
    }

    /** Takes a reference on (index, address), creating the real if the index is free. */
    void retain(int index, IpAddress address) {
        current = null;
        if (index < 1) {
            throw new ReplayException("real index " + index + " is invalid: real indexes start at 1");
        }
        Optional<Real> current = reals.get(index);
        if (current.isPresent()) {
            Real r = current.get();
            if (!r.address().equals(address)) {
                throw new ReplayException("real index " + index + " is " + r.address() + ", not " + address);
            }
            reals.put(index, new Real(index, address, r.references() + 1));
            return;
        }
        Optional<Integer> other = addresses.get(address);
        if (other.isPresent()) {
            throw new ReplayException("real " + address + " already has index " + other.get() + ", not " + index);
        }
        reals.put(index, new Real(index, address, 1));
        addresses.put(address, index);
    }

    /** Releases a reference; the last one frees the index. */
    void release(int index) {
        current = null;
        Real r = reals.get(index).orElseThrow(() -> new ReplayException("real index " + index + " is not in use"));
        if (r.references() == 1) {
            reals.remove(index);
            addresses.remove(r.address());
        } else {
            reals.put(index, new Real(index, r.address(), r.references() - 1));
        }
    }

    /** The reals after the changes so far: O(1), shares everything with the delta's maps. */
    RealsImage current() {
        RealsImage c = current;
        if (c == null) {
            c = reals.isEmpty() ? base : new RealsImage(reals.current(), addresses.current());
            current = c;
        }
        return c;
    }

    RealsImage apply() {
        return current();
    }
}
