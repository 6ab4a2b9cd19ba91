package io.ringfleet.state;

import java.util.Optional;
import java.util.SortedSet;

/** Changes to the health-check destinations in one {@link FleetDelta}. Read-only outside this package. */
public final class HealthChecksDelta {
    private final HealthChecksImage base;
    private final MapDelta<Long, IpAddress> marks;

    HealthChecksDelta(HealthChecksImage base) {
        this.base = base;
        this.marks = new MapDelta<>(base.map());
    }

    /** Marks set, replaced or removed, ascending. */
    public SortedSet<Long> touchedMarks() {
        return marks.touched();
    }

    public Optional<IpAddress> before(long somark) {
        return marks.before(somark);
    }

    /** The destination after the delta; empty if removed. */
    public Optional<IpAddress> after(long somark) {
        return marks.get(somark);
    }

    void set(long somark, IpAddress address) {
        marks.put(somark, address);
    }

    void remove(long somark) {
        if (marks.get(somark).isEmpty()) {
            throw new ReplayException("somark " + somark + " has no health-check destination");
        }
        marks.remove(somark);
    }

    /** The state after the changes so far: O(1), shares everything with the delta's map. */
    HealthChecksImage current() {
        return marks.isEmpty() ? base : new HealthChecksImage(marks.current());
    }

    HealthChecksImage apply() {
        return current();
    }
}
