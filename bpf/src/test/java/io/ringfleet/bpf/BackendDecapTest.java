package io.ringfleet.bpf;

import static io.ringfleet.bpf.testing.TunnelFrames.balancerIpip;
import static io.ringfleet.bpf.testing.TunnelFrames.ethernet;
import static io.ringfleet.bpf.testing.TunnelFrames.gue;
import static io.ringfleet.bpf.testing.TunnelFrames.ipip;
import static io.ringfleet.bpf.testing.TunnelFrames.secondChancePayload;
import static io.ringfleet.bpf.testing.TunnelFrames.tcpPacket;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ringfleet.bpf.abi.BackendCounter;
import io.ringfleet.bpf.abi.Counter;
import io.ringfleet.bpf.testing.Frames;
import io.ringfleet.bpf.testing.TunnelFrames;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * ringfleet-backend (backend.bpf.c) through BPF_PROG_TEST_RUN, byte for byte against frames built from the wire
 * formats: what it decapsulates, what it leaves alone, and the second-chance decisions that need no socket (run in
 * an empty namespace of our own, so no socket of the host can answer a lookup). The socket cases are in
 * {@link BackendSocketTest}.
 */
class BackendDecapTest {
    static final InetAddress LB4 = HealthcheckTest.addr("10.202.0.1");
    static final InetAddress LB6 = HealthcheckTest.addr("fd00:5c:0::1");
    static final InetAddress REAL4 = HealthcheckTest.addr("10.202.1.5");
    static final InetAddress REAL6 = HealthcheckTest.addr("fd00:5c:1::5");
    static final InetAddress SECOND4 = HealthcheckTest.addr("10.202.1.9");
    static final InetAddress SECOND6 = HealthcheckTest.addr("fd00:5c:1::9");
    static final InetAddress CLIENT4 = HealthcheckTest.addr("192.0.2.77");
    static final InetAddress CLIENT6 = HealthcheckTest.addr("2001:db8::77");
    static final InetAddress VIP4 = HealthcheckTest.addr("10.202.9.1");
    static final InetAddress VIP6 = HealthcheckTest.addr("fd00:5c:9::1");
    static final byte[] GATEWAY = {0x02, 0x5c, 0, 0, 0, 0x01};
    static final int XDP_PASS = 2;
    static final int XDP_TX = 3;
    static final int ACK = Frames.TCP_ACK;
    static final int SYN = Frames.TCP_SYN;

    private static NetNs ns;
    private BackendProgram backend;

    @BeforeAll
    static void namespace() {
        ns = NetNs.create("rfsc-decap");
    }

    @AfterAll
    static void removeNamespace() {
        TestSupport.closeQuietly(ns);
    }

    @BeforeEach
    void load() {
        backend = new BackendProgram();
    }

    @AfterEach
    void close() {
        TestSupport.closeQuietly(backend);
    }

    static InetAddress lb(String family) {
        return family.equals("v6") ? LB6 : LB4;
    }

    static InetAddress real(String family) {
        return family.equals("v6") ? REAL6 : REAL4;
    }

    static InetAddress second(String family) {
        return family.equals("v6") ? SECOND6 : SECOND4;
    }

    /** A client's segment to the VIP of the family, source port 40000, TOS 0x28. */
    static byte[] clientSegment(String family, int flags) {
        return family.equals("v6")
                ? tcpPacket(CLIENT6, VIP6, 40000, 443, flags, 0x28)
                : tcpPacket(CLIENT4, VIP4, 40000, 443, flags, 0x28);
    }

    /** The frame as the router hands it to the real: to the real's MAC from the router's. */
    static byte[] onTheWire(byte[] packet) {
        return ethernet(Frames.DST_MAC, Frames.SRC_MAC, packet);
    }

    private TestRun.Result run(byte[] frame) {
        return ns.call(() -> backend.prog.testRun(TestRun.of(frame)));
    }

    /** Runs the frame and checks that exactly `counter` moved, by one packet of the frame's length. */
    private TestRun.Result runCounted(byte[] frame, BackendCounter counter) {
        Map<BackendCounter, Counter> before = counters();
        TestRun.Result r = run(frame);
        Map<BackendCounter, Counter> after = counters();
        for (BackendCounter c : BackendCounter.values()) {
            Counter expected = c == counter
                    ? new Counter(before.get(c).packets() + 1, before.get(c).bytes() + frame.length)
                    : before.get(c);
            assertEquals(expected, after.get(c), c.name());
        }
        return r;
    }

    private Map<BackendCounter, Counter> counters() {
        Map<BackendCounter, Counter> m = new EnumMap<>(BackendCounter.class);
        for (BackendCounter c : BackendCounter.values()) {
            m.put(c, backend.stat(c));
        }
        return m;
    }

    private void assertPassedUntouched(byte[] frame) {
        TestRun.Result r = runCounted(frame, BackendCounter.NOT_TUNNEL);
        assertEquals(XDP_PASS, r.retval());
        assertArrayEquals(frame, r.data());
    }

    @ParameterizedTest(name = "outer {0}, inner {1}")
    @CsvSource({"v4,v4", "v4,v6", "v6,v6", "v6,v4"})
    void ipInIpIsDecapsulatedForTheStack(String outer, String inner) {
        byte[] client = clientSegment(inner, ACK);
        TestRun.Result r = runCounted(onTheWire(ipip(lb(outer), real(outer), client)), BackendCounter.DECAP_IPIP);
        assertEquals(XDP_PASS, r.retval());
        assertArrayEquals(onTheWire(client), r.data());
    }

    @ParameterizedTest(name = "outer {0}, inner {1}")
    @CsvSource({"v4,v4", "v4,v6", "v6,v6", "v6,v4"})
    void directGueIsDecapsulatedForTheStack(String outer, String inner) {
        byte[] client = clientSegment(inner, ACK);
        TestRun.Result r = runCounted(onTheWire(gue(lb(outer), real(outer), client)), BackendCounter.DECAP_GUE);
        assertEquals(XDP_PASS, r.retval());
        assertArrayEquals(onTheWire(client), r.data());
    }

    @ParameterizedTest(name = "outer {0}, inner {1}")
    @CsvSource({"v4,v4", "v4,v6", "v6,v6", "v6,v4"})
    void secondChanceSynIsDeliveredHere(String outer, String inner) {
        backend.setGateway(GATEWAY);
        byte[] client = clientSegment(inner, SYN);
        byte[] frame = onTheWire(gue(lb(outer), real(outer), secondChancePayload(second(outer), client)));
        TestRun.Result r = runCounted(frame, BackendCounter.SC_LOCAL);
        assertEquals(XDP_PASS, r.retval());
        assertArrayEquals(onTheWire(client), r.data());
    }

    @ParameterizedTest(name = "outer {0}, inner {1}, second {2}")
    @CsvSource({"v4,v4,v4", "v4,v6,v4", "v6,v6,v6", "v6,v4,v6", "v4,v4,v6", "v6,v6,v4"})
    void secondChanceSegmentWithoutSocketGoesToTheSecondReal(String outer, String inner, String secondFamily) {
        backend.setGateway(GATEWAY);
        byte[] client = clientSegment(inner, ACK);
        byte[] frame = onTheWire(gue(lb(outer), real(outer), secondChancePayload(second(secondFamily), client)));
        TestRun.Result r = runCounted(frame, BackendCounter.SC_FORWARDED);
        assertEquals(XDP_TX, r.retval());
        // towards the gateway, from this host's MAC (the frame's destination), as the balancer forwards
        assertArrayEquals(ethernet(GATEWAY, Frames.DST_MAC, balancerIpip(second(secondFamily), client)), r.data());
    }

    @Test
    void secondChanceWithoutGatewayIsDeliveredAndCounted() {
        byte[] client = clientSegment("v4", ACK);
        byte[] frame = onTheWire(gue(LB4, REAL4, secondChancePayload(SECOND4, client)));
        TestRun.Result r = runCounted(frame, BackendCounter.SC_UNROUTABLE);
        assertEquals(XDP_PASS, r.retval());
        assertArrayEquals(onTheWire(client), r.data());
    }

    @Test
    void secondChanceUdpIsDeliveredHere() {
        backend.setGateway(GATEWAY);
        byte[] udp =
                TunnelFrames.ipPacket(CLIENT4, VIP4, TunnelFrames.IPPROTO_UDP, 0, new byte[] {0, 1, 0, 2, 0, 8, 0, 0});
        byte[] frame = onTheWire(gue(LB4, REAL4, secondChancePayload(SECOND4, udp)));
        TestRun.Result r = runCounted(frame, BackendCounter.SC_LOCAL);
        assertEquals(XDP_PASS, r.retval());
        assertArrayEquals(onTheWire(udp), r.data());
    }

    @Test
    void otherTrafficPassesUntouched() {
        byte[] client = clientSegment("v4", ACK);
        assertPassedUntouched(onTheWire(client)); // not a tunnel
        byte[] otherPort = onTheWire(gue(LB4, REAL4, client));
        otherPort[14 + 20 + 3] ^= 1; // UDP destination port 9887
        assertPassedUntouched(otherPort);
        byte[] arp = Arrays.copyOf(onTheWire(client), 60);
        arp[12] = 0x08;
        arp[13] = 0x06;
        assertPassedUntouched(arp);
    }

    @Test
    void malformedTunnelsPassUntouched() {
        byte[] v4 = clientSegment("v4", ACK);
        byte[] v6 = clientSegment("v6", ACK);
        // IPIP label with an IPv6 packet inside, and the reverse
        assertPassedUntouched(onTheWire(TunnelFrames.ipPacket(LB4, REAL4, TunnelFrames.IPPROTO_IPIP, 0, v6)));
        assertPassedUntouched(onTheWire(TunnelFrames.ipPacket(LB6, REAL6, TunnelFrames.IPPROTO_IPV6, 0, v4)));
        // an outer fragment
        assertPassedUntouched(onTheWire(TunnelFrames.ipv4(LB4, REAL4, TunnelFrames.IPPROTO_IPIP, 0, 0x2000, v4)));
        // nothing after the outer header
        assertPassedUntouched(onTheWire(TunnelFrames.ipPacket(LB4, REAL4, TunnelFrames.IPPROTO_IPIP, 0, new byte[0])));
        // a second-chance header of another kind, another length, with GUE flags, truncated
        for (int[] change : new int[][] {{4, 2}, {0, 0x06}, {2, 0x80}, {5, 5}}) {
            byte[] sc = secondChancePayload(SECOND4, v4);
            sc[change[0]] = (byte) change[1];
            assertPassedUntouched(onTheWire(gue(LB4, REAL4, sc)));
        }
        byte[] truncated = Arrays.copyOf(secondChancePayload(SECOND4, v4), TunnelFrames.SC_HEADER_LEN - 1);
        assertPassedUntouched(onTheWire(gue(LB4, REAL4, truncated)));
        // a second-chance header whose label does not match the inner packet
        byte[] mislabelled = secondChancePayload(SECOND4, v4);
        mislabelled[1] = TunnelFrames.IPPROTO_IPV6;
        assertPassedUntouched(onTheWire(gue(LB4, REAL4, mislabelled)));
    }
}
