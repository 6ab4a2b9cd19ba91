package io.ringfleet.bpf.datapath;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ringfleet.bpf.TestRun;
import io.ringfleet.testing.XdpAction;
import java.net.InetAddress;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * balancer_gue_lpm_src beyond Katran's fixtures: the VIP flag gates it, the connection table and SYNs, a route to a
 * zeroed real, a spent new-connection budget, HASH_DPORT_ONLY VIPs and the family of a route.
 */
class SrcRoutingTest {
    static final InetAddress VIP4 = Packets.ip("10.200.1.1");
    static final InetAddress VIP6 = Packets.ip("fc00:1::1");
    static final InetAddress CLIENT4 = Packets.ip("192.168.1.3");
    static final InetAddress RING_REAL = Packets.ip("10.0.0.1");
    static final InetAddress ROUTED_REAL = Packets.ip("fc00::2307:1");

    private BalancerUnderTest lb;

    @BeforeEach
    void setUp() {
        lb = TestBed.gue("balancer_gue_lpm_src");
        lb.addReal(1, RING_REAL);
        lb.addReal(2, ROUTED_REAL);
        lb.addVip(VIP4, 80, Packets.TCP, BalancerUnderTest.F_SRC_ROUTING, 0);
        lb.fillRing(0, 1);
        lb.addVip(VIP4, 81, Packets.TCP, 0, 1);
        lb.fillRing(1, 1);
        lb.addVip(VIP4, 82, Packets.UDP, BalancerUnderTest.F_SRC_ROUTING | BalancerUnderTest.F_HASH_DPORT_ONLY, 2);
        lb.fillRing(2, 1);
        lb.addVip(VIP6, 80, Packets.TCP, BalancerUnderTest.F_SRC_ROUTING, 3);
        lb.fillRing(3, 1);
        lb.srcRoute(Packets.ip("192.168.0.0"), 16, 2);
    }

    @AfterEach
    void tearDown() {
        lb.close();
    }

    private InetAddress realOf(byte[] frame) {
        TestRun.Result r = lb.run(frame);
        assertEquals(XdpAction.name(XdpAction.TX), XdpAction.name(r.retval()));
        return Packets.encapsulated(r.data()).outerDst();
    }

    private static byte[] tcp(InetAddress src, InetAddress dst, int sport, int dport, int flags) {
        return Packets.tcp(src, dst, sport, dport, flags, "x".getBytes());
    }

    @Test
    void onlyVipsWithTheFlagAreRoutedBySource() {
        assertEquals(ROUTED_REAL, realOf(tcp(CLIENT4, VIP4, 1000, 80, Packets.SYN)));
        assertEquals(RING_REAL, realOf(tcp(CLIENT4, VIP4, 1000, 81, Packets.SYN)));
        assertEquals(RING_REAL, realOf(tcp(Packets.ip("172.16.0.1"), VIP4, 1000, 80, Packets.SYN)));
    }

    @Test
    void aRememberedFlowKeepsItsRealAndASynIsRoutedAgain() {
        lb.srcRoute(Packets.ip("192.168.0.0"), 16, 0); // "no real": the ring decides, and is remembered
        assertEquals(RING_REAL, realOf(tcp(CLIENT4, VIP4, 1000, 80, Packets.SYN)));
        lb.srcRoute(Packets.ip("192.168.0.0"), 16, 2);
        assertEquals(RING_REAL, realOf(tcp(CLIENT4, VIP4, 1000, 80, Packets.ACK)));
        assertEquals(ROUTED_REAL, realOf(tcp(CLIENT4, VIP4, 1000, 80, Packets.SYN)));
        assertEquals(ROUTED_REAL, realOf(tcp(CLIENT4, VIP4, 1000, 80, Packets.ACK)));
    }

    @Test
    void aRouteToAZeroedRealFallsBackToTheRing() {
        lb.clearReal(2);
        assertEquals(RING_REAL, realOf(tcp(CLIENT4, VIP4, 1000, 80, Packets.SYN)));
    }

    @Test
    void aSpentNewConnectionBudgetLeavesItToTheRing() {
        // the datapath's coarse clock may lag System.nanoTime() by a tick: open the window a bit earlier
        lb.connRate(System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(50), 1L << 40);
        assertEquals(RING_REAL, realOf(tcp(CLIENT4, VIP4, 1000, 80, Packets.SYN)));
    }

    /** HASH_DPORT_ONLY zeroes the hashed source; routing still sees the client's. */
    @Test
    void dportOnlyVipsAreRoutedByTheRealSource() {
        assertEquals(ROUTED_REAL, realOf(Packets.udp(CLIENT4, VIP4, 1000, 82, new byte[1])));
    }

    @Test
    void anIpv4RouteNeverMatchesAnIpv6Client() {
        // c0a8:: starts with the bytes of 192.168.0.0/16
        assertEquals(RING_REAL, realOf(tcp(Packets.ip("c0a8::1"), VIP6, 1000, 80, Packets.SYN)));
        lb.srcRoute(Packets.ip("c0a8::"), 16, 2);
        assertEquals(ROUTED_REAL, realOf(tcp(Packets.ip("c0a8::1"), VIP6, 1000, 80, Packets.SYN)));
    }
}
