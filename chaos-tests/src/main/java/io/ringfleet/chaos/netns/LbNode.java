package io.ringfleet.chaos.netns;

import io.ringfleet.bpf.NetNs;
import java.net.InetAddress;
import java.util.HexFormat;
import java.util.Objects;

/**
 * One LB node of a {@link Topology}: its namespace, the device towards the router (where the balancer is
 * attached), its addresses on that link, and the router's MAC on that link (the LB's gateway MAC: a
 * node-local fact, each LB has its own upstream port).
 *
 * @param number 1-based
 * @param id node id as the fleet names it, {@code lb1}, {@code lb2}, ...
 * @param device the LB's end of its veth to the router
 * @param address4 the LB's IPv4 address on that link (the router's ECMP next hop)
 * @param address6 the LB's IPv6 address on that link
 * @param mac the LB device's MAC
 * @param gatewayMac the router's MAC on that link: where XDP_TX'ed frames go
 * @param controlAddress the LB's address on the control network (Raft, API), 10.77.0.N
 */
public record LbNode(
        int number,
        String id,
        NetNs ns,
        String device,
        InetAddress address4,
        InetAddress address6,
        byte[] mac,
        byte[] gatewayMac,
        InetAddress controlAddress) {
    public LbNode {
        Objects.requireNonNull(ns, "ns");
        mac = mac.clone();
        gatewayMac = gatewayMac.clone();
    }

    @Override
    public byte[] mac() {
        return mac.clone();
    }

    @Override
    public byte[] gatewayMac() {
        return gatewayMac.clone();
    }

    /** The gateway MAC as text, aa:bb:cc:dd:ee:ff. */
    public String gatewayMacText() {
        return HexFormat.ofDelimiter(":").formatHex(gatewayMac);
    }

    @Override
    public String toString() {
        return id + "[" + ns.name() + " " + device + " " + address4.getHostAddress() + "]";
    }
}
