package io.ringfleet.state;

import java.util.Objects;

/** A QUIC server id (from the connection id) and the real it routes to. */
public record QuicMapping(long serverId, int realIndex, IpAddress address) {
    public QuicMapping {
        Objects.requireNonNull(address, "address");
        if (serverId < 1 || serverId > 0xffffffffL) {
            throw new IllegalArgumentException("server id must be 1..4294967295, got " + serverId);
        }
        if (realIndex < 1) {
            throw new IllegalArgumentException("real index must be >= 1, got " + realIndex);
        }
    }
}
