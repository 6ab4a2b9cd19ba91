package io.ringfleet.chaos.netns;

import io.ringfleet.bpf.NetNs;
import java.net.InetAddress;

/**
 * One backend (a "real") of a {@link Topology}: it decapsulates IPIP / IP6IP6 from the LBs, holds the
 * VIPs on {@code lo} and answers clients directly (DSR, via the router).
 *
 * @param number 1-based
 * @param name what its echo server says it is: {@code be1}, {@code be2}, ...
 * @param address4 the real's IPv4 address (what IPv4 VIPs' reals are)
 * @param address6 the real's IPv6 address (what IPv6 VIPs' reals are)
 */
public record BackendNode(int number, String name, NetNs ns, InetAddress address4, InetAddress address6) {
    @Override
    public String toString() {
        return name + "[" + ns.name() + " " + address4.getHostAddress() + "]";
    }
}
