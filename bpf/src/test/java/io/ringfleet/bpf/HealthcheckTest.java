package io.ringfleet.bpf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ringfleet.bpf.abi.Counter;
import io.ringfleet.bpf.abi.HcCounter;
import io.ringfleet.bpf.abi.HcCtl;
import io.ringfleet.bpf.abi.HcReal;
import io.ringfleet.bpf.testing.Frames;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** healthcheck.bpf.c through BPF_PROG_TEST_RUN with skb->mark set: the encapsulation, byte by byte. */
class HealthcheckTest {
    static final int TC_ACT_UNSPEC = -1;
    static final int TC_ACT_OK = 0;
    static final int TC_ACT_SHOT = 2;

    static final InetAddress SRC4 = addr("10.77.0.1");
    static final InetAddress SRC6 = addr("fd00:77::1");
    static final InetAddress VIP4 = addr("10.77.1.1");
    static final InetAddress VIP6 = addr("fd00:77:1::1");
    static final InetAddress REAL4 = addr("10.77.2.5");
    static final InetAddress REAL6 = addr("fd00:77:2::5");

    private HealthcheckProgram hc;

    static InetAddress addr(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    @BeforeEach
    void load() {
        hc = new HealthcheckProgram();
    }

    @AfterEach
    void close() {
        TestSupport.closeQuietly(hc);
    }

    private Counter stat(HcCounter c) {
        return hc.stat(c);
    }

    private TestRun.Result run(byte[] frame, int mark) {
        return hc.prog.testRun(TestRun.of(frame).skbMark(mark));
    }

    static void assertIpip(byte[] out, byte[] inner, InetAddress src, InetAddress real) {
        assertEquals(0x0800, Frames.u16(out, 12));
        assertEquals(0x45, out[14] & 0xff);
        assertEquals(inner.length - 14 + 20, Frames.u16(out, 16), "outer tot_len");
        assertEquals(4, out[23], "protocol IPIP");
        assertEquals(Frames.ipv4Checksum(out, 14), Frames.u16(out, 24), "outer header checksum");
        assertArrayEquals(src.getAddress(), Arrays.copyOfRange(out, 26, 30));
        assertArrayEquals(real.getAddress(), Arrays.copyOfRange(out, 30, 34));
        assertArrayEquals(Arrays.copyOfRange(inner, 14, inner.length), Arrays.copyOfRange(out, 34, out.length));
    }

    static void assertIp6(byte[] out, byte[] inner, int nextHeader, InetAddress src, InetAddress real) {
        assertEquals(0x86DD, Frames.u16(out, 12));
        assertEquals(6, (out[14] & 0xff) >> 4);
        assertEquals(inner.length - 14, Frames.u16(out, 18), "outer payload length");
        assertEquals(nextHeader, out[20]);
        assertEquals(64, out[21]);
        assertArrayEquals(src.getAddress(), Arrays.copyOfRange(out, 22, 38));
        assertArrayEquals(real.getAddress(), Arrays.copyOfRange(out, 38, 54));
        assertArrayEquals(Arrays.copyOfRange(inner, 14, inner.length), Arrays.copyOfRange(out, 54, out.length));
    }

    @Test
    void aMarkedV4PacketIsEncapsulatedIpipToItsReal() {
        byte[] in = Frames.udp(SRC4, VIP4, 40000, 80, "health".getBytes());
        TestRun.Result r = run(in, 7);
        assertEquals(TC_ACT_OK, r.retval());
        assertEquals(in.length + 20, r.data().length);
        assertIpip(r.data(), in, SRC4, REAL4);
        assertArrayEquals(Arrays.copyOfRange(in, 0, 12), Arrays.copyOfRange(r.data(), 0, 12), "MACs kept");
        assertEquals(new Counter(1, in.length + 20), stat(HcCounter.FORWARDED));
    }

    @Test
    void aMarkedV6PacketIsEncapsulatedIp6ip6ToItsReal() {
        byte[] in = Frames.udp(SRC6, VIP6, 40000, 443, "health6".getBytes());
        TestRun.Result r = run(in, 8);
        assertEquals(TC_ACT_OK, r.retval());
        assertIp6(r.data(), in, 41, SRC6, REAL6);
    }

    @Test
    void theOuterFamilyFollowsTheReal() {
        byte[] v4 = Frames.udp(SRC4, VIP4, 40000, 80, new byte[10]);
        assertIp6(run(v4, 8).data(), v4, 4, SRC6, REAL6);
        byte[] v6 = Frames.udp(SRC6, VIP6, 40000, 80, new byte[10]);
        TestRun.Result r = run(v6, 7);
        assertEquals(0x0800, Frames.u16(r.data(), 12));
        assertEquals(41, r.data()[23]);
    }

    @Test
    void unmarkedAndUnmappedPacketsPassUntouched() {
        byte[] in = Frames.udp(SRC4, VIP4, 40000, 80, new byte[10]);
        TestRun.Result r = run(in, 0);
        assertEquals(TC_ACT_UNSPEC, r.retval());
        assertArrayEquals(in, r.data());
        r = run(in, 99);
        assertEquals(TC_ACT_UNSPEC, r.retval());
        assertArrayEquals(in, r.data());
        assertEquals(1, stat(HcCounter.NO_MAPPING).packets());
        assertEquals(0, stat(HcCounter.FORWARDED).packets());
    }

    @Test
    void aRealWithoutASourceOfItsFamilyIsDroppedAndCounted() {
        hc.ctl.update(BpfMap.u32(HcCtl.MAIN), new HcCtl((Inet4Address) SRC4, null, 0, null, null).encode());
        byte[] in = Frames.udp(SRC4, VIP4, 40000, 80, new byte[10]);
        assertEquals(TC_ACT_SHOT, run(in, 8).retval());
        assertEquals(1, stat(HcCounter.NO_SOURCE).packets());
    }

    @Test
    void configuredMacsAreWritten() {
        byte[] src = {0x02, 0x11, 0x11, 0x11, 0x11, 0x11};
        byte[] dst = {0x02, 0x22, 0x22, 0x22, 0x22, 0x22};
        hc.ctl.update(
                BpfMap.u32(HcCtl.MAIN), new HcCtl((Inet4Address) SRC4, (Inet6Address) SRC6, 0, src, dst).encode());
        byte[] in = Frames.udp(SRC4, VIP4, 40000, 80, new byte[10]);
        byte[] out = run(in, 7).data();
        assertArrayEquals(dst, Arrays.copyOfRange(out, 0, 6));
        assertArrayEquals(src, Arrays.copyOfRange(out, 6, 12));
        assertIpip(out, in, SRC4, REAL4);
    }

    @Test
    void aConfiguredDeviceGetsTheEncapsulatedPacketByRedirect() {
        hc.ctl.update(
                BpfMap.u32(HcCtl.MAIN), new HcCtl((Inet4Address) SRC4, (Inet6Address) SRC6, 4242, null, null).encode());
        byte[] in = Frames.udp(SRC4, VIP4, 40000, 80, new byte[10]);
        TestRun.Result r = run(in, 7); // test_run's skb is on lo (ifindex 1): 4242 is another device
        assertEquals(7, r.retval()); // TC_ACT_REDIRECT
        assertIpip(r.data(), in, SRC4, REAL4);
    }

    @Test
    void aNonIpFrameIsCountedAndPasses() {
        byte[] arp = new byte[60];
        System.arraycopy(Frames.DST_MAC, 0, arp, 0, 6);
        arp[12] = 0x08;
        arp[13] = 0x06;
        TestRun.Result r = run(arp, 7);
        assertEquals(TC_ACT_UNSPEC, r.retval());
        assertArrayEquals(arp, r.data());
        assertEquals(1, stat(HcCounter.NOT_IP).packets());
    }

    @Test
    void theGueBuildWritesIpAndUdpToTheGuePort() {
        try (BpfObject gue =
                        BpfObject.open(Bpf.shippedObject("healthcheck_gue")).load();
                BpfProgram p = gue.program("healthcheck");
                BpfMap r = gue.map("hc_reals");
                BpfMap c = gue.map("hc_ctl")) {
            r.update(BpfMap.u32(7), new HcReal(REAL4).encode());
            r.update(BpfMap.u32(8), new HcReal(REAL6).encode());
            c.update(
                    BpfMap.u32(HcCtl.MAIN),
                    new HcCtl((Inet4Address) SRC4, (Inet6Address) SRC6, 0, null, null).encode());
            byte[] in = Frames.udp(SRC4, VIP4, 40000, 80, "health".getBytes());
            byte[] out = p.testRun(TestRun.of(in).skbMark(7)).data();
            assertEquals(in.length + 28, out.length);
            assertEquals(0x0800, Frames.u16(out, 12));
            assertEquals(17, out[23], "protocol UDP");
            assertEquals(0, Frames.u16(out, 20), "id 0, no DF");
            assertEquals(Frames.ipv4Checksum(out, 14), Frames.u16(out, 24));
            assertEquals(0x400, Frames.u16(out, 34) & 0x400, "source port bit 0x400");
            assertEquals(9886, Frames.u16(out, 36));
            assertEquals(in.length - 14 + 8, Frames.u16(out, 38));
            assertEquals(0, Frames.u16(out, 40), "checksum 0");
            assertArrayEquals(Arrays.copyOfRange(in, 14, in.length), Arrays.copyOfRange(out, 42, out.length));
            assertEquals(
                    Frames.u16(out, 34),
                    Frames.u16(p.testRun(TestRun.of(in).skbMark(7)).data(), 34),
                    "one flow, one source port");

            out = p.testRun(TestRun.of(in).skbMark(8)).data();
            assertEquals(0x86DD, Frames.u16(out, 12));
            assertEquals(in.length - 14 + 8, Frames.u16(out, 18), "payload length");
            assertEquals(17, out[20]);
            assertEquals(9886, Frames.u16(out, 56));
            assertArrayEquals(Arrays.copyOfRange(in, 14, in.length), Arrays.copyOfRange(out, 62, out.length));
        }
    }
}
