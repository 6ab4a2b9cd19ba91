package io.ringfleet.chaos.netns;

import io.ringfleet.bpf.NetNs;
import java.net.InetAddress;

/** One client namespace of a {@link Topology}, routed to everything through the router. */
public record ClientNode(int number, NetNs ns, InetAddress address4, InetAddress address6) {
    @Override
    public String toString() {
        return "cl" + number + "[" + ns.name() + " " + address4.getHostAddress() + "]";
    }
}
