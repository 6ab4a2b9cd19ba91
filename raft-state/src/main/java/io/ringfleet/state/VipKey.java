package io.ringfleet.state;

import java.util.Comparator;
import java.util.Objects;

/**
 * What identifies a VIP: address, port (0 = every port) and protocol. Text form:
 * {@code 10.0.0.1:80/tcp} or {@code [fc00::1]:443/udp}.
 */
public record VipKey(IpAddress address, int port, Protocol protocol) implements Comparable<VipKey> {
    private static final Comparator<VipKey> ORDER =
            Comparator.comparing(VipKey::address).thenComparingInt(VipKey::port).thenComparing(VipKey::protocol);

    public VipKey {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(protocol, "protocol");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535, got " + port);
        }
    }

    public boolean isV6() {
        return address.isV6();
    }

    @Override
    public int compareTo(VipKey other) {
        return ORDER.compare(this, other);
    }

    @Override
    public String toString() {
        String host = address.isV6() ? "[" + address + "]" : address.toString();
        return host + ":" + port + "/" + protocol;
    }
}
