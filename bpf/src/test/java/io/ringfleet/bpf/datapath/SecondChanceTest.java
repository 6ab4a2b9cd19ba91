package io.ringfleet.bpf.datapath;

import static io.ringfleet.bpf.testing.TunnelFrames.balancerIpip;
import static io.ringfleet.bpf.testing.TunnelFrames.balancerSecondChance;
import static io.ringfleet.bpf.testing.TunnelFrames.ethernet;
import static io.ringfleet.bpf.testing.TunnelFrames.tcpPacket;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ringfleet.bpf.Bpf;
import io.ringfleet.bpf.BpfMap;
import io.ringfleet.bpf.BpfObject;
import io.ringfleet.bpf.BpfProgram;
import io.ringfleet.bpf.MapNames;
import io.ringfleet.bpf.NetNs;
import io.ringfleet.bpf.TestRun;
import io.ringfleet.bpf.abi.BackendCounter;
import io.ringfleet.bpf.abi.Ctl;
import io.ringfleet.bpf.abi.GlobalCounter;
import io.ringfleet.testing.XdpAction;
import java.net.InetAddress;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The balancer's second-chance frames (builds with RF_SECOND_CHANCE: balancer_sc, balancer_gue_sc) byte for byte
 * against frames built from the wire format, and everything else byte for byte against the same packet through the
 * base build ({@code balancer} / {@code balancer_gue}, the builds Katran's fixtures hold to) provisioned alike.
 * VIP 0 (IPv4) has ring "all real 1" after "all real 2"; VIP 1 (IPv6) "all real 4" after "all real 5".
 */
class SecondChanceTest {
    static final InetAddress VIP4 = Packets.ip("10.200.0.1");
    static final InetAddress VIP6 = Packets.ip("fc00:200::1");
    static final InetAddress CLIENT4 = Packets.ip("192.0.2.44");
    static final InetAddress CLIENT6 = Packets.ip("2001:db8::44");
    static final int PORT = 80;

    /** The provisioning shared by a second-chance build and its base build. */
    private static BalancerUnderTest load(String variant, int vipFlags) {
        BalancerUnderTest lb = BalancerUnderTest.load(variant);
        lb.gatewayMac(Packets.GATEWAY_MAC);
        if (variant.contains("gue") || variant.endsWith("_sc")) {
            lb.encapSource(TestBed.GUE_SOURCE4);
            lb.encapSource(TestBed.GUE_SOURCE6);
        }
        for (int i = 1; i < TestBed.REALS.size(); i++) {
            lb.addReal(i, TestBed.REALS.get(i));
        }
        lb.addVip(VIP4, PORT, Packets.TCP, vipFlags, 0);
        lb.addVip(VIP6, PORT, Packets.TCP, vipFlags, 1);
        lb.fillRing(0, 1);
        lb.fillRing(1, 4);
        if (variant.endsWith("_sc")) {
            lb.fillPrevRing(0, 2);
            lb.fillPrevRing(1, 5);
        }
        return lb;
    }

    private static String baseOf(String variant) {
        return variant.substring(0, variant.length() - "_sc".length());
    }

    static byte[] client(String family, int sport, int flags) {
        byte[] packet = family.equals("v6")
                ? tcpPacket(CLIENT6, VIP6, sport, PORT, flags, 0x28)
                : tcpPacket(CLIENT4, VIP4, sport, PORT, flags, 0x28);
        return packet;
    }

    static byte[] frame(byte[] packet) {
        return ethernet(Packets.LB_MAC, Packets.CLIENT_MAC, packet);
    }

    /** The second-chance frame towards current (a real index) naming previous. */
    static byte[] expectedSecondChance(byte[] packet, int current, int previous) {
        InetAddress real = TestBed.REALS.get(current);
        InetAddress source = Packets.isV6(real) ? TestBed.GUE_SOURCE6 : TestBed.GUE_SOURCE4;
        return ethernet(
                Packets.GATEWAY_MAC,
                Packets.LB_MAC,
                balancerSecondChance(source, real, TestBed.REALS.get(previous), packet));
    }

    private static void assertFrame(byte[] expected, TestRun.Result r) {
        assertEquals(XdpAction.TX, r.retval(), () -> "expected XDP_TX, got " + XdpAction.name(r.retval()));
        assertEquals(Packets.hex(expected), Packets.hex(r.data()));
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"balancer_sc,v4,1,2", "balancer_sc,v6,4,5", "balancer_gue_sc,v4,1,2", "balancer_gue_sc,v6,4,5"})
    void segmentWithoutEntryOnAChangedSlotGetsASecondChanceEveryTime(
            String variant, String family, int current, int previous) {
        try (BalancerUnderTest lb = load(variant, 0)) {
            byte[] packet = client(family, 40001, Packets.ACK);
            for (int i = 1; i <= 2; i++) {
                assertFrame(expectedSecondChance(packet, current, previous), lb.run(frame(packet)));
                assertEquals(i, lb.global(GlobalCounter.SECOND_CHANCE).packets());
                assertEquals(0, lb.connCount(), "a second-chance flow is not remembered");
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"balancer_sc", "balancer_gue_sc"})
    void connectionTableBypassVipsGetSecondChancesToo(String variant) {
        int bypass = BalancerUnderTest.F_LRU_BYPASS;
        try (BalancerUnderTest lb = load(variant, bypass);
                BalancerUnderTest base = load(baseOf(variant), bypass)) {
            byte[] ack = client("v4", 40002, Packets.ACK);
            assertFrame(expectedSecondChance(ack, 1, 2), lb.run(frame(ack)));
            byte[] syn = client("v4", 40002, Packets.SYN);
            assertFrame(base.run(frame(syn)).data(), lb.run(frame(syn)));
        }
    }

    /** SYNs, UDP, a known flow, an unchanged slot, a removed previous real: the base build's bytes, no counter. */
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"balancer_sc,v4", "balancer_sc,v6", "balancer_gue_sc,v4", "balancer_gue_sc,v6"})
    void everythingElseGoesAsTheBaseBuildSendsIt(String variant, String family) {
        try (BalancerUnderTest lb = load(variant, 0);
                BalancerUnderTest base = load(baseOf(variant), 0)) {
            byte[] syn = frame(client(family, 40003, Packets.SYN));
            assertFrame(base.run(syn).data(), lb.run(syn));
            assertEquals(1, lb.connCount(), "a SYN is remembered as in the base build");
            byte[] knownAck = frame(client(family, 40003, Packets.ACK)); // the SYN's flow: a table hit
            assertFrame(base.run(knownAck).data(), lb.run(knownAck));

            InetAddress src = family.equals("v6") ? CLIENT6 : CLIENT4;
            InetAddress vip = family.equals("v6") ? VIP6 : VIP4;
            byte[] udpToTcpVip = Packets.udp(src, vip, 40004, PORT, new byte[8]); // no UDP VIP: passed
            assertEquals(
                    Packets.hex(base.run(udpToTcpVip).data()),
                    Packets.hex(lb.run(udpToTcpVip).data()));

            lb.fillPrevRing(family.equals("v6") ? 1 : 0, family.equals("v6") ? 4 : 1); // slot unchanged
            byte[] unchanged = frame(client(family, 40005, Packets.ACK));
            assertFrame(base.run(unchanged).data(), lb.run(unchanged));

            lb.fillPrevRing(family.equals("v6") ? 1 : 0, family.equals("v6") ? 5 : 2);
            lb.clearReal(family.equals("v6") ? 5 : 2); // the previous real is gone
            byte[] orphan = frame(client(family, 40006, Packets.ACK));
            assertFrame(base.run(orphan).data(), lb.run(orphan));
            assertEquals(0, lb.global(GlobalCounter.SECOND_CHANCE).packets());
        }
    }

    /**
     * The balancer's second-chance frame through ringfleet-backend on a host without the flow's socket (an empty
     * namespace of our own): it leaves towards the previous real exactly as the IPIP balancer would have sent it there.
     */
    @Test
    void theBackendHandsTheFrameToThePreviousReal() {
        byte[] backendGateway = {0x02, 0x5c, 0, 0, 0, 0x02};
        byte[] packet = client("v4", 40007, Packets.ACK);
        byte[] fromLb;
        try (BalancerUnderTest lb = load("balancer_sc", 0)) {
            fromLb = lb.run(frame(packet)).data();
        }
        try (NetNs ns = NetNs.create("rfsc-chain");
                BpfObject obj =
                        BpfObject.open(Bpf.shippedObject("backend"), Map.of()).load();
                BpfProgram backend = obj.program("ringfleet_backend");
                BpfMap ctl = obj.map(MapNames.BACKEND_CTL)) {
            ctl.update(BpfMap.u32(BackendCounter.CTL_GATEWAY_MAC), new Ctl(backendGateway).encode());
            TestRun.Result r = ns.call(() -> backend.testRun(TestRun.of(fromLb)));
            // the backend's own MAC is the frame's destination: the gateway the balancer sent it to
            assertFrame(ethernet(backendGateway, Packets.GATEWAY_MAC, balancerIpip(TestBed.REALS.get(2), packet)), r);
        }
    }
}
