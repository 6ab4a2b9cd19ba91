package io.ringfleet.bpf.datapath;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ringfleet.bpf.TestRun;
import io.ringfleet.bpf.testing.Frames;
import io.ringfleet.testing.XdpAction;
import java.net.InetAddress;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * balancer_gue_decap beyond Katran's fixtures (which only carry outer IPv6): outer IPv4, an IPv6 packet inside
 * IPv4, inner TTL 0, inner packets that are not IP or are cut short, a UDP VIP on the GUE port, and a listed
 * destination whose recirculation slot is empty.
 */
class GueDecapTest {
    static final int GUE_PORT = TestBed.GUE_PORT;
    static final InetAddress OWN4 = TestBed.GUE_SOURCE4;
    static final InetAddress OWN6 = TestBed.GUE_SOURCE6;
    static final InetAddress PEER4 = Packets.ip("10.9.9.9");
    static final InetAddress CLIENT4 = Packets.ip("192.168.1.3");
    static final InetAddress CLIENT6 = Packets.ip("fc00:2307:1::2");
    static final InetAddress VIP4 = Packets.ip("10.200.1.1");
    static final InetAddress VIP6 = Packets.ip("fc00:1::1");
    static final InetAddress XPOP4 = Packets.ip("10.14.4.1");

    private BalancerUnderTest lb;

    @BeforeEach
    void setUp() {
        lb = TestBed.gue("balancer_gue_decap");
        lb.addReal(1, Packets.ip("10.0.0.1"));
        lb.addVip(OWN4, GUE_PORT, Packets.UDP, 0, 0); // a VIP on the GUE port: never balanced
        lb.fillRing(0, 1);
    }

    @AfterEach
    void tearDown() {
        lb.close();
    }

    /** A GUE frame carrying the IP packet of {@code inner} (an Ethernet frame). */
    static byte[] gue(InetAddress outerSrc, InetAddress outerDst, byte[] inner) {
        return Packets.udp(outerSrc, outerDst, 31337, GUE_PORT, Arrays.copyOfRange(inner, Packets.ETH, inner.length));
    }

    /** {@code frame} (IPv4 or IPv6 after Ethernet) with TTL / hop limit {@code ttl}, IPv4 checksum redone. */
    static byte[] withTtl(byte[] frame, int ttl) {
        byte[] f = frame.clone();
        if (Frames.u16(f, 12) == 0x86DD) {
            f[Packets.ETH + 7] = (byte) ttl;
        } else {
            f[Packets.ETH + 8] = (byte) ttl;
            f[Packets.ETH + 10] = 0;
            f[Packets.ETH + 11] = 0;
            int csum = Frames.ipv4Checksum(f, Packets.ETH);
            f[Packets.ETH + 10] = (byte) (csum >> 8);
            f[Packets.ETH + 11] = (byte) csum;
        }
        return f;
    }

    private void expect(byte[] in, int action, byte[] out) {
        TestRun.Result r = lb.run(in);
        assertEquals(XdpAction.name(action), XdpAction.name(r.retval()));
        assertEquals(Packets.hex(out), Packets.hex(r.data()));
    }

    @Test
    void outerIpv4ToTheOwnAddressIsDecapsulatedAndPassed() {
        byte[] inner = Packets.udp(CLIENT4, VIP4, 31337, 80, "x".getBytes());
        expect(gue(PEER4, OWN4, inner), XdpAction.PASS, withTtl(inner, 63));
    }

    /** Katran would label it IPv4 (outer IPv4 "always" carries IPv4); the version nibble decides here. */
    @Test
    void ipv6InsideIpv4GetsTheIpv6Ethertype() {
        byte[] inner = Packets.tcp(CLIENT6, VIP6, 31337, 80, Packets.ACK, "x".getBytes());
        expect(gue(PEER4, OWN4, inner), XdpAction.PASS, withTtl(inner, 63));
    }

    @Test
    void anInnerTtlThatReachesZeroIsDecapsulatedButDropped() {
        byte[] inner = withTtl(Packets.udp(CLIENT4, VIP4, 31337, 80, "x".getBytes()), 1);
        expect(gue(PEER4, OWN4, inner), XdpAction.DROP, withTtl(inner, 0));
    }

    @Test
    void anInnerTtlOfZeroIsDroppedUnchanged() {
        byte[] inner = withTtl(Packets.udp(CLIENT4, VIP4, 31337, 80, "x".getBytes()), 0);
        expect(gue(PEER4, OWN4, inner), XdpAction.DROP, inner);
        byte[] inner6 = withTtl(Packets.tcp(CLIENT6, VIP6, 31337, 80, Packets.ACK, "x".getBytes()), 0);
        expect(gue(Packets.ip("fc00::64"), OWN6, inner6), XdpAction.DROP, inner6);
    }

    @Test
    void anInnerPacketThatIsNotIpOrIsCutShortIsPassedUntouched() {
        byte[] notIp = Packets.udp(PEER4, OWN4, 31337, GUE_PORT, new byte[] {0x55, 0, 0, 0, 0, 0, 0, 0, 0, 0});
        expect(notIp, XdpAction.PASS, notIp);
        byte[] short4 = Packets.udp(PEER4, OWN4, 31337, GUE_PORT, new byte[] {0x45, 0, 0, 0, 0, 0, 0, 0, 0, 0});
        expect(short4, XdpAction.PASS, short4);
        byte[] empty = Packets.udp(PEER4, OWN4, 31337, GUE_PORT, new byte[0]);
        expect(empty, XdpAction.PASS, empty);
    }

    @Test
    void gueToAnotherHostIsPassedUntouched() {
        byte[] in = gue(PEER4, Packets.ip("10.0.13.38"), Packets.udp(CLIENT4, VIP4, 31337, 80, "x".getBytes()));
        expect(in, XdpAction.PASS, in);
    }

    @Test
    void aListedDestinationWithAnEmptyRecirculationSlotPassesTheInnerPacket() {
        lb.decapDestination(XPOP4, 0);
        byte[] inner = Packets.udp(CLIENT4, VIP4, 31337, 80, "x".getBytes());
        expect(gue(PEER4, XPOP4, inner), XdpAction.PASS, withTtl(inner, 63));
    }

    @Test
    void anEgressDestinationOverIpv4SwapsTheMacs() {
        lb.decapDestination(XPOP4, BalancerUnderTest.DECAP_F_EGRESS);
        byte[] inner = Packets.udp(VIP4, CLIENT4, 80, 31337, "x".getBytes());
        byte[] out = withTtl(inner, 63);
        System.arraycopy(Packets.CLIENT_MAC, 0, out, 0, 6);
        System.arraycopy(Packets.LB_MAC, 0, out, 6, 6);
        expect(gue(PEER4, XPOP4, inner), XdpAction.TX, out);
    }
}
