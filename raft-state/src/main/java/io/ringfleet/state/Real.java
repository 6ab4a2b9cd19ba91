package io.ringfleet.state;

import java.util.Objects;

/**
 * A real in the global reals table: index (1..max_reals-1), address, and how many references hold the
 * index (VIP memberships + QUIC server id mappings). A real exists exactly while it is referenced.
 */
public record Real(int index, IpAddress address, int references) {
    public Real {
        Objects.requireNonNull(address, "address");
        if (index < 1) {
            throw new IllegalArgumentException("real index must be >= 1 (0 is reserved), got " + index);
        }
        if (references < 1) {
            throw new IllegalArgumentException("a real exists only while referenced, got " + references);
        }
    }
}
