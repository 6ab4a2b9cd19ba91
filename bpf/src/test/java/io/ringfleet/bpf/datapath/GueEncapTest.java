package io.ringfleet.bpf.datapath;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ringfleet.bpf.BpfMap;
import io.ringfleet.bpf.TestRun;
import io.ringfleet.bpf.abi.EncapSrc;
import io.ringfleet.bpf.abi.GlobalCounter;
import io.ringfleet.bpf.testing.Frames;
import io.ringfleet.testing.XdpAction;
import java.net.InetAddress;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * balancer_gue beyond Katran's fixtures: the outer UDP checksum is the true one for valid inner
 * checksums, the IPv6-flow-to-IPv4-real case, and a missing outer source.
 */
class GueEncapTest {
    static final int GUE_PORT = TestBed.GUE_PORT;
    static final InetAddress SRC4 = TestBed.GUE_SOURCE4;
    static final InetAddress SRC6 = TestBed.GUE_SOURCE6;
    static final InetAddress REAL4 = Packets.ip("10.0.0.1");
    static final InetAddress REAL6 = Packets.ip("fc00::2");
    static final InetAddress VIP4_TO_V4 = Packets.ip("10.200.0.1");
    static final InetAddress VIP4_TO_V6 = Packets.ip("10.200.0.2");
    static final InetAddress VIP6_TO_V4 = Packets.ip("fc00:1::1");

    private BalancerUnderTest lb;

    @BeforeEach
    void setUp() {
        lb = TestBed.gue("balancer_gue");
        lb.addReal(1, REAL4);
        lb.addReal(2, REAL6);
        lb.addVip(VIP4_TO_V4, 80, Packets.TCP, 0, 0);
        lb.fillRing(0, 1);
        lb.addVip(VIP4_TO_V6, 80, Packets.UDP, 0, 1);
        lb.fillRing(1, 2);
        lb.addVip(VIP6_TO_V4, 80, Packets.TCP, 0, 2);
        lb.fillRing(2, 1);
    }

    @AfterEach
    void tearDown() {
        lb.close();
    }

    /** One's-complement sum of 16-bit big-endian words of f[off, off+len). */
    static long sum16(byte[] f, int off, int len) {
        long sum = 0;
        for (int i = 0; i < len; i += 2) {
            sum += ((f[off + i] & 0xff) << 8) | (i + 1 < len ? f[off + i + 1] & 0xff : 0);
        }
        return sum;
    }

    static int fold(long sum) {
        while ((sum >> 16) != 0) {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        return (int) sum;
    }

    /** Fills in the L4 checksum of a frame built by Packets (TCP or UDP after a plain IP header). */
    static byte[] withL4Checksum(byte[] f) {
        boolean v6 = Frames.u16(f, 12) == 0x86DD;
        int l4 = Packets.ETH + (v6 ? Packets.IPV6 : Packets.IPV4);
        int proto = v6 ? f[Packets.ETH + 6] : f[Packets.ETH + 9];
        int len = f.length - l4;
        long sum = v6 ? sum16(f, Packets.ETH + 8, 32) : sum16(f, Packets.ETH + 12, 8);
        sum += proto + len + sum16(f, l4, len);
        int csum = ~fold(sum) & 0xffff;
        int at = l4 + (proto == Packets.TCP ? 16 : 6);
        f[at] = (byte) (csum >> 8);
        f[at + 1] = (byte) csum;
        return f;
    }

    /** Sum over the outer pseudo-header and the whole UDP datagram: 0xffff when the checksum is right. */
    static int udpVerify(byte[] out, int ip, boolean outerV6) {
        int udp = ip + (outerV6 ? Packets.IPV6 : Packets.IPV4);
        int len = Frames.u16(out, udp + 4);
        long sum = outerV6 ? sum16(out, ip + 8, 32) : sum16(out, ip + 12, 8);
        return fold(sum + Packets.UDP + len + sum16(out, udp, len));
    }

    @Test
    void theOuterChecksumIsTheTrueUdpChecksumWhenTheInnerOneIsValid() {
        byte[] tcp = withL4Checksum(
                Packets.tcp(Packets.ip("192.168.1.1"), VIP4_TO_V4, 31337, 80, Packets.ACK, "some payload".getBytes()));
        TestRun.Result r = lb.run(tcp);
        assertEquals(XdpAction.TX, r.retval());
        assertEquals(0xffff, udpVerify(r.data(), Packets.ETH, false));

        byte[] udp =
                withL4Checksum(Packets.udp(Packets.ip("192.168.1.1"), VIP4_TO_V6, 31337, 80, "odd payload".getBytes()));
        r = lb.run(udp);
        assertEquals(XdpAction.TX, r.retval());
        assertEquals(0x86DD, Frames.u16(r.data(), 12));
        assertEquals(0xffff, udpVerify(r.data(), Packets.ETH, true));
    }

    @Test
    void anIpv6FlowToAnIpv4RealIsCarriedInUdpOverIpv4() {
        InetAddress client = Packets.ip("fc00:2::1234:5678:9abc");
        byte[] in = Packets.tcp(client, VIP6_TO_V4, 0x7A69, 80, Packets.ACK, "x".getBytes());
        TestRun.Result r = lb.run(in);
        assertEquals(XdpAction.TX, r.retval());
        byte[] out = r.data();
        int udp = Packets.ETH + Packets.IPV4;
        assertEquals(0x0800, Frames.u16(out, 12));
        assertEquals(Packets.UDP, out[Packets.ETH + 9]);
        assertEquals(in.length - Packets.ETH + 28, Frames.u16(out, Packets.ETH + 2), "outer total length");
        assertEquals(0, Frames.u16(out, Packets.ETH + 6), "id 0, no DF");
        assertArrayEquals(SRC4.getAddress(), Arrays.copyOfRange(out, Packets.ETH + 12, Packets.ETH + 16));
        assertArrayEquals(REAL4.getAddress(), Arrays.copyOfRange(out, Packets.ETH + 16, Packets.ETH + 20));
        // outer IPv4: [P1 ^ S12, P0 ^ S13]; S12..S13 of fc00:2::1234:5678:9abc are 0x56, 0x78
        assertEquals(((0x69 ^ 0x56) << 8) | (0x7A ^ 0x78), Frames.u16(out, udp));
        assertEquals(GUE_PORT, Frames.u16(out, udp + 2));
        assertEquals(in.length - Packets.ETH + 8, Frames.u16(out, udp + 4));
        assertArrayEquals(Arrays.copyOfRange(in, Packets.ETH, in.length), Arrays.copyOfRange(out, udp + 8, out.length));
    }

    @Test
    void withoutASourceOfTheRealsFamilyTheFrameIsDroppedAndCounted() {
        lb.map("encap_srcs").update(BpfMap.u32(EncapSrc.V6), new byte[EncapSrc.SIZE]); // no IPv6 source
        byte[] in = Packets.udp(Packets.ip("192.168.1.1"), VIP4_TO_V6, 31337, 80, new byte[4]);
        TestRun.Result r = lb.run(in);
        assertEquals(XdpAction.DROP, r.retval());
        assertArrayEquals(in, r.data());
        assertEquals(1, lb.global(GlobalCounter.ENCAP_FAIL).packets());
        assertEquals(
                XdpAction.TX,
                lb.run(Packets.tcp(Packets.ip("192.168.1.1"), VIP4_TO_V4, 1, 80, Packets.ACK, new byte[0]))
                        .retval());
    }
}
