package io.ringfleet.bpf.datapath;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ringfleet.bpf.TestRun;
import io.ringfleet.testing.XdpAction;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;

/** A balancer with five reals (1-3 IPv4, 4-5 IPv6) and the gateway MAC set; reading results. */
final class TestBed {
    private TestBed() {}

    static final List<InetAddress> REALS = List.of(
            Packets.ip("0.0.0.0"),
            Packets.ip("10.0.0.1"),
            Packets.ip("10.0.0.2"),
            Packets.ip("10.0.0.3"),
            Packets.ip("fc00::1"),
            Packets.ip("fc00::2"));

    /** RF_GUE_DPORT of the shipped GUE builds (rf_consts.h): the UDP port Katran's GUE fixtures expect. */
    static final int GUE_PORT = 9886;

    /** The outer source addresses Katran's GUE fixtures expect (the balancer's own, in encap_srcs). */
    static final InetAddress GUE_SOURCE4 = Packets.ip("10.0.13.37");

    static final InetAddress GUE_SOURCE6 = Packets.ip("fc00:2307::1337");

    /** A GUE build of the balancer with the gateway MAC and both outer sources set, and no reals or VIPs. */
    static BalancerUnderTest gue(String variant) {
        BalancerUnderTest lb = BalancerUnderTest.load(variant);
        lb.gatewayMac(Packets.GATEWAY_MAC);
        lb.encapSource(GUE_SOURCE4);
        lb.encapSource(GUE_SOURCE6);
        return lb;
    }

    static BalancerUnderTest standard() {
        return standard(Map.of());
    }

    static BalancerUnderTest standard(Map<String, Integer> maxEntries) {
        BalancerUnderTest lb = BalancerUnderTest.load("balancer", maxEntries);
        lb.gatewayMac(Packets.GATEWAY_MAC);
        for (int i = 1; i < REALS.size(); i++) {
            lb.addReal(i, REALS.get(i));
        }
        return lb;
    }

    /** The index of the real an XDP_TX result was encapsulated to (asserts it was forwarded). */
    static int realOf(TestRun.Result r) {
        assertEquals(XdpAction.TX, r.retval(), () -> "expected XDP_TX, got " + XdpAction.name(r.retval()));
        Packets.Encapsulated e = Packets.encapsulated(r.data());
        assertArrayEquals(Packets.GATEWAY_MAC, e.dstMac(), "forwarded to the gateway");
        int index = REALS.indexOf(e.outerDst());
        if (index <= 0) {
            throw new AssertionError("forwarded to " + e.outerDst() + ", which is no real");
        }
        return index;
    }

    static int realOf(BalancerUnderTest lb, byte[] frame) {
        return realOf(lb.run(frame));
    }
}
