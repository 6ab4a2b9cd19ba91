package io.ringfleet.bpf.datapath;

import static io.ringfleet.bpf.datapath.Packets.ACK;
import static io.ringfleet.bpf.datapath.Packets.ETH;
import static io.ringfleet.bpf.datapath.Packets.SYN;
import static io.ringfleet.bpf.datapath.Packets.TCP;
import static io.ringfleet.bpf.datapath.Packets.UDP;
import static io.ringfleet.bpf.datapath.Packets.ip;
import static io.ringfleet.bpf.datapath.TestBed.realOf;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ringfleet.bpf.FlowHash;
import io.ringfleet.bpf.TestRun;
import io.ringfleet.bpf.abi.GlobalCounter;
import io.ringfleet.bpf.testing.Frames;
import io.ringfleet.testing.XdpAction;
import java.net.InetAddress;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** ICMP the balancer answers or forwards, and what it does with traffic it cannot balance. */
class IcmpAndMalformedTest {
    private static final InetAddress CLIENT = ip("192.168.9.9");
    private static final InetAddress CLIENT6 = ip("fc00:9::9");
    private static final InetAddress VIP = ip("10.200.0.1");
    private static final InetAddress VIP6 = ip("fc00:1::1");
    private static final InetAddress OTHER = ip("10.200.0.99");
    private static final InetAddress OTHER6 = ip("fc00:1::99");

    private static BalancerUnderTest lb() {
        BalancerUnderTest lb = TestBed.standard();
        lb.addVip(VIP, 80, TCP, 0, 1);
        lb.addVip(VIP6, 80, UDP, 0, 2);
        lb.fillRing(1, 1, 2, 3);
        lb.fillRing(2, 4, 5);
        return lb;
    }

    private static void assertPassedUntouched(BalancerUnderTest lb, byte[] frame) {
        TestRun.Result r = lb.run(frame);
        assertEquals(XdpAction.PASS, r.retval());
        assertArrayEquals(frame, r.data());
    }

    private static void assertDropped(BalancerUnderTest lb, byte[] frame) {
        assertEquals(XdpAction.DROP, lb.run(frame).retval());
    }

    @Test
    void echoRequestsAreAnsweredForVipAddressesOnly() {
        try (BalancerUnderTest lb = lb()) {
            for (InetAddress[] pair : new InetAddress[][] {{CLIENT, VIP}, {CLIENT6, VIP6}}) {
                byte[] request = Packets.echoRequest(pair[0], pair[1]);
                TestRun.Result r = lb.run(request);
                assertEquals(XdpAction.TX, r.retval());
                byte[] reply = r.data();
                assertArrayEquals(Packets.CLIENT_MAC, Arrays.copyOfRange(reply, 0, 6));
                assertArrayEquals(Packets.LB_MAC, Arrays.copyOfRange(reply, 6, 12));
                boolean v6 = Packets.isV6(pair[0]);
                int addr = ETH + (v6 ? 8 : 12);
                int len = v6 ? 16 : 4;
                assertArrayEquals(pair[1].getAddress(), Arrays.copyOfRange(reply, addr, addr + len), "from the VIP");
                assertArrayEquals(pair[0].getAddress(), Arrays.copyOfRange(reply, addr + len, addr + 2 * len));
                int icmp = ETH + (v6 ? 40 : 20);
                assertEquals(v6 ? 129 : 0, reply[icmp] & 0xff, "echo reply");
                if (!v6) {
                    assertEquals(Frames.ipv4Checksum(reply, ETH), Frames.u16(reply, ETH + 10));
                }
            }
            assertEquals(1, lb.global(GlobalCounter.ICMP_ECHO).packets());
            assertEquals(1, lb.global(GlobalCounter.ICMP_ECHO).bytes(), "IPv6 replies count in bytes");
            assertPassedUntouched(lb, Packets.echoRequest(CLIENT, OTHER));
            assertPassedUntouched(lb, Packets.echoRequest(CLIENT6, OTHER6));
        }
    }

    /**
     * The reply's checksum is the request's adjusted for the type byte (v4: 8 -> 0 adds 0x0800, v6:
     * 128 -> 129 subtracts 0x0100, network order) with end-around carry and borrow, and a zero result
     * stays 0x0000 as a plain 16-bit edit leaves it (Katran's bytes), never 0xffff.
     */
    @ParameterizedTest
    @CsvSource({
        "false, 0x1234, 0x1a34", // no carry
        "false, 0xf7ff, 0xffff", // 0xffff without a carry: as Katran
        "false, 0xf800, 0x0001", // carry folded back in (Katran's in-place edit gives 0x0000)
        "true, 0x1234, 0x1134", // no borrow
        "true, 0x0100, 0x0000", // zero stays 0x0000, as Katran (C + old + ~new gave 0xffff)
        "true, 0x0000, 0xfeff", // borrow folded back in (Katran's in-place edit gives 0xffff)
    })
    void echoReplyChecksumsAreIncrementalWithCarryAndKatransZero(boolean v6, String request, String reply) {
        try (BalancerUnderTest lb = lb()) {
            byte[] frame = v6 ? Packets.echoRequest(CLIENT6, VIP6) : Packets.echoRequest(CLIENT, VIP);
            int checksum = ETH + (v6 ? 40 : 20) + 2;
            int requested = Integer.decode(request);
            frame[checksum] = (byte) (requested >>> 8);
            frame[checksum + 1] = (byte) requested;
            TestRun.Result r = lb.run(frame);
            assertEquals(XdpAction.TX, r.retval());
            assertEquals(Integer.decode(reply).intValue(), Frames.u16(r.data(), checksum));
        }
    }

    @Test
    void icmpErrorsAboutAVipFlowGoToThatFlowsRealAndCreateNoState() {
        try (BalancerUnderTest lb = lb()) {
            byte[] syn = Packets.tcp(CLIENT, VIP, 31337, 80, SYN, new byte[0]);
            int real = realOf(lb, syn);
            int entries = lb.connCount();
            byte[] reply = Packets.tcp(VIP, CLIENT, 80, 31337, ACK, new byte[0]);
            byte[] error = Packets.tooBigError(ip("192.168.100.1"), VIP, reply);
            TestRun.Result r = lb.run(error);
            assertEquals(real, realOf(r));
            Packets.Encapsulated e = Packets.encapsulated(r.data());
            assertArrayEquals(Arrays.copyOfRange(error, ETH, error.length), e.inner(), "the error itself, unchanged");
            assertEquals(1, lb.global(GlobalCounter.ICMP_PTB_FORWARD).packets());

            // a flow the table does not know is still sent where the hash says, without an entry
            byte[] otherReply = Packets.tcp(VIP, CLIENT, 80, 40000, ACK, new byte[0]);
            int expected = 1 + FlowHash.slot(CLIENT, 40000, 80, BalancerUnderTest.RING_SIZE) % 3;
            assertEquals(expected, realOf(lb, Packets.tooBigError(ip("192.168.100.1"), VIP, otherReply)));
            assertEquals(entries, lb.connCount());

            byte[] reply6 = Packets.udp(VIP6, CLIENT6, 80, 5353, new byte[8]);
            int expected6 = 4 + FlowHash.slot(CLIENT6, 5353, 80, BalancerUnderTest.RING_SIZE) % 2;
            assertEquals(expected6, realOf(lb, Packets.tooBigError(ip("fc00:100::1"), VIP6, reply6)));
        }
    }

    @Test
    void malformedTrafficIsDroppedForVipAddressesAndPassedOtherwise() {
        try (BalancerUnderTest lb = lb()) {
            for (InetAddress dst : new InetAddress[] {VIP, OTHER}) {
                boolean vip = dst.equals(VIP);
                byte[] base = Packets.tcp(CLIENT, dst, 1000, 80, ACK, new byte[16]);
                byte[] fragment = base.clone();
                fragment[ETH + 6] = 0x20; // more fragments
                byte[] laterFragment = base.clone();
                laterFragment[ETH + 7] = 0x10; // fragment offset
                byte[] options = base.clone();
                options[ETH] = 0x46;
                byte[] truncated = Arrays.copyOf(base, ETH + 20 + 10);
                truncated[ETH + 3] = 30; // total length fits the frame, the TCP header does not
                byte[] tooLong = base.clone();
                tooLong[ETH + 2] = 0x10; // total length beyond the frame
                for (byte[] f : new byte[][] {fragment, laterFragment, options, truncated, tooLong}) {
                    if (vip) {
                        assertDropped(lb, f);
                    } else {
                        assertPassedUntouched(lb, f);
                    }
                }
            }
            for (InetAddress dst : new InetAddress[] {VIP6, OTHER6}) {
                byte[] fragment = Packets.ip(CLIENT6, dst, 44, new byte[] {17, 0, 0, 1, 0, 0, 0, 1, 0, 1, 0, 80});
                if (dst.equals(VIP6)) {
                    assertDropped(lb, fragment);
                } else {
                    assertPassedUntouched(lb, fragment);
                }
            }
        }
    }

    @Test
    void nonIpAndUnbalancedProtocolsPassUntouched() {
        try (BalancerUnderTest lb = lb()) {
            byte[] arp = new byte[42];
            System.arraycopy(Packets.LB_MAC, 0, arp, 0, 6);
            arp[12] = 0x08;
            arp[13] = 0x06;
            assertPassedUntouched(lb, arp);
            assertPassedUntouched(lb, Packets.ip(CLIENT, VIP, 47, new byte[24])); // GRE to a VIP address
            assertPassedUntouched(lb, Packets.tcp(CLIENT, VIP, 1000, 81, ACK, new byte[0])); // no VIP on port 81
            assertPassedUntouched(lb, Packets.udp(CLIENT, VIP, 1000, 80, new byte[0])); // no UDP VIP
            assertDropped(lb, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 8, 0}); // IPv4 without header
        }
    }
}
