package io.ringfleet.bpf.datapath;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ringfleet.bpf.TestRun;
import io.ringfleet.bpf.abi.FlowKey;
import io.ringfleet.testing.XdpAction;
import java.net.InetAddress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * balancer_gue_cidr beyond Katran's fixtures: the lookup order between exact and prefix VIPs, the longest prefix,
 * IPv4 prefix VIPs (Katran's are IPv6 only) and the destination port a prefix match remembers.
 */
class CidrVipTest {
    static final InetAddress CLIENT6 = Packets.ip("fc00:2::1");
    static final InetAddress CLIENT4 = Packets.ip("192.168.1.3");
    static final InetAddress REAL1 = Packets.ip("fc00::1");
    static final InetAddress REAL2 = Packets.ip("fc00::2");

    private BalancerUnderTest lb;

    @BeforeEach
    void setUp() {
        lb = TestBed.gue("balancer_gue_cidr");
        lb.addReal(1, REAL1);
        lb.addReal(2, REAL2);
    }

    @AfterEach
    void tearDown() {
        lb.close();
    }

    /** The real a frame was sent to (the outer destination), or null when it was not forwarded. */
    private InetAddress realOf(byte[] frame) {
        TestRun.Result r = lb.run(frame);
        if (r.retval() != XdpAction.TX) {
            assertEquals(XdpAction.name(XdpAction.PASS), XdpAction.name(r.retval()));
            assertEquals(Packets.hex(frame), Packets.hex(r.data()));
            return null;
        }
        return Packets.encapsulated(r.data()).outerDst();
    }

    private byte[] tcp(InetAddress dst, int dport) {
        return Packets.tcp(CLIENT6, dst, 31337, dport, Packets.ACK, "x".getBytes());
    }

    @Test
    void anExactVipWinsAndAnAnyPortPrefixTakesTheRest() {
        lb.addVip(Packets.ip("fc00:1::1"), 80, Packets.TCP, 0, 0);
        lb.fillRing(0, 1);
        lb.addCidrVip(Packets.ip("fc00:1::"), 96, 0, Packets.TCP, 0, 1);
        lb.fillRing(1, 2);
        assertEquals(REAL1, realOf(tcp(Packets.ip("fc00:1::1"), 80)));
        assertEquals(REAL2, realOf(tcp(Packets.ip("fc00:1::1"), 81)));
        assertEquals(REAL2, realOf(tcp(Packets.ip("fc00:1::9"), 80)));
        assertEquals(null, realOf(Packets.udp(CLIENT6, Packets.ip("fc00:1::9"), 1, 80, new byte[1])));
    }

    @Test
    void aPortSpecificPrefixComesBeforeTheAddressesPortZeroVip() {
        lb.addVip(Packets.ip("fc00:1::1"), 0, Packets.TCP, 0, 0);
        lb.fillRing(0, 1);
        lb.addCidrVip(Packets.ip("fc00:1::"), 96, 443, Packets.TCP, 0, 1);
        lb.fillRing(1, 2);
        assertEquals(REAL2, realOf(tcp(Packets.ip("fc00:1::1"), 443)));
        // another client port: both flows are remembered with destination port 0, so they would share an entry
        assertEquals(
                REAL1, realOf(Packets.tcp(CLIENT6, Packets.ip("fc00:1::1"), 31338, 80, Packets.ACK, "x".getBytes())));
        assertEquals(null, realOf(tcp(Packets.ip("fc00:1::2"), 80)));
    }

    @Test
    void theLongestPrefixWins() {
        lb.addCidrVip(Packets.ip("fc00:1::"), 96, 0, Packets.TCP, 0, 0);
        lb.fillRing(0, 1);
        lb.addCidrVip(Packets.ip("fc00:1::1:0"), 112, 0, Packets.TCP, 0, 1);
        lb.fillRing(1, 2);
        assertEquals(REAL2, realOf(tcp(Packets.ip("fc00:1::1:5"), 80)));
        assertEquals(REAL1, realOf(tcp(Packets.ip("fc00:1::2:5"), 80)));
        assertEquals(null, realOf(tcp(Packets.ip("fc00:1:0:0:1::5"), 80)));
    }

    @Test
    void ipv4PrefixVipsWorkAndNeverMatchIpv6() {
        lb.addCidrVip(Packets.ip("10.50.0.0"), 16, 0, Packets.UDP, 0, 0);
        lb.fillRing(0, 1);
        assertEquals(REAL1, realOf(Packets.udp(CLIENT4, Packets.ip("10.50.3.4"), 31337, 80, new byte[1])));
        assertEquals(null, realOf(Packets.udp(CLIENT4, Packets.ip("10.51.0.1"), 31337, 80, new byte[1])));
        // the same leading bytes in an IPv6 destination: another family, no match
        assertEquals(null, realOf(Packets.udp(CLIENT6, Packets.ip("a32::1"), 31337, 80, new byte[1])));
    }

    /** As with a port-0 VIP, the flow is remembered (and hashed) with destination port 0, even on a port-specific prefix. */
    @Test
    void aPrefixMatchRemembersTheFlowWithDestinationPortZero() {
        lb.addCidrVip(Packets.ip("fc00:1::"), 96, 443, Packets.UDP, 0, 0);
        lb.fillRing(0, 1);
        InetAddress vip = Packets.ip("fc00:1::7");
        assertEquals(REAL1, realOf(Packets.udp(CLIENT6, vip, 31337, 443, new byte[1])));
        assertEquals(1, lb.connCount());
        assertEquals(
                true, lb.conn(new FlowKey(CLIENT6, vip, 31337, 0, Packets.UDP)).isPresent());
    }
}
