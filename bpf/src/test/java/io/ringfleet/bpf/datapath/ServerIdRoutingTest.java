package io.ringfleet.bpf.datapath;

import static io.ringfleet.bpf.datapath.Packets.ACK;
import static io.ringfleet.bpf.datapath.Packets.SYN;
import static io.ringfleet.bpf.datapath.Packets.TCP;
import static io.ringfleet.bpf.datapath.Packets.UDP;
import static io.ringfleet.bpf.datapath.Packets.ip;
import static io.ringfleet.bpf.datapath.TestBed.realOf;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ringfleet.bpf.abi.Conn;
import io.ringfleet.bpf.abi.FlowKey;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Routing by a server id the real wrote into the flow, at the edges Katran's fixtures do not reach: UDP stable
 * routing (VIP flag, every build) and TCP server-id routing (the balancer_tpr build). Every ring holds real 1
 * alone, so any other real proves the id decided.
 */
class ServerIdRoutingTest {
    private static final InetAddress CLIENT = ip("192.168.7.7");
    private static final InetAddress VIP = ip("10.200.0.1");
    private static final int ID_OF_REAL_3 = 0x030403;
    private static final int ID_OF_NO_REAL = 0x030404;
    private static final int ID_UNMAPPED = 0x030405;
    private static final int EOL = 0;
    private static final int NOP = 1;
    private static final int TPR_KIND = 0xB7;

    // ---- UDP stable routing ----

    /** 'R', a 24-bit big-endian id, 4 reserved bytes, then data. */
    private static byte[] stableRoutingPayload(int type, int id, int length) {
        byte[] p = new byte[length];
        p[0] = (byte) type;
        p[1] = (byte) (id >> 16);
        p[2] = (byte) (id >> 8);
        p[3] = (byte) id;
        return p;
    }

    private static BalancerUnderTest stableRoutingBed(int flags) {
        BalancerUnderTest lb = TestBed.standard();
        lb.addVip(VIP, 443, UDP, flags, 1);
        lb.fillRing(1, 1);
        lb.quicId(ID_OF_REAL_3, 3);
        lb.quicId(ID_OF_NO_REAL, 7); // reals entry 7 is all zero: no real
        return lb;
    }

    @Test
    void stableRoutingIdPicksTheRealWithoutTouchingTheConnectionTable() {
        try (BalancerUnderTest lb = stableRoutingBed(BalancerUnderTest.F_UDP_STABLE_ROUTING)) {
            byte[] routed = Packets.udp(CLIENT, VIP, 5000, 443, stableRoutingPayload(0x52, ID_OF_REAL_3, 16));
            assertEquals(3, realOf(lb, routed));
            assertEquals(0, lb.connCount(), "not remembered");
            byte[] idZero = Packets.udp(CLIENT, VIP, 5000, 443, stableRoutingPayload(0x52, 0, 16));
            assertEquals(1, realOf(lb, idZero), "id 0: connection table, then ring");
            assertEquals(1, lb.connCount());
            assertEquals(3, realOf(lb, routed), "the id wins over the remembered real");
            assertEquals(
                    1,
                    lb.conn(new FlowKey(CLIENT, VIP, 5000, 443, UDP))
                            .map(Conn::realIndex)
                            .orElseThrow(),
                    "and leaves the entry alone");
        }
    }

    @Test
    void stableRoutingNeedsTheTypeByteAndEightPayloadBytes() {
        try (BalancerUnderTest lb = stableRoutingBed(BalancerUnderTest.F_UDP_STABLE_ROUTING)) {
            assertEquals(
                    3, realOf(lb, Packets.udp(CLIENT, VIP, 5001, 443, stableRoutingPayload(0x52, ID_OF_REAL_3, 8))));
            assertEquals(
                    1, realOf(lb, Packets.udp(CLIENT, VIP, 5002, 443, stableRoutingPayload(0x52, ID_OF_REAL_3, 7))));
            assertEquals(
                    1, realOf(lb, Packets.udp(CLIENT, VIP, 5003, 443, stableRoutingPayload(0x53, ID_OF_REAL_3, 16))));
        }
    }

    @Test
    void stableRoutingIdWithoutALiveRealFallsBackToTheRing() {
        try (BalancerUnderTest lb = stableRoutingBed(BalancerUnderTest.F_UDP_STABLE_ROUTING)) {
            assertEquals(
                    1, realOf(lb, Packets.udp(CLIENT, VIP, 5004, 443, stableRoutingPayload(0x52, ID_OF_NO_REAL, 8))));
            assertEquals(
                    1, realOf(lb, Packets.udp(CLIENT, VIP, 5005, 443, stableRoutingPayload(0x52, ID_UNMAPPED, 8))));
            assertEquals(2, lb.connCount(), "hashed flows are remembered as usual");
        }
    }

    @Test
    void withoutTheVipFlagTheHeaderIsPayload() {
        try (BalancerUnderTest lb = stableRoutingBed(0)) {
            assertEquals(
                    1, realOf(lb, Packets.udp(CLIENT, VIP, 5006, 443, stableRoutingPayload(0x52, ID_OF_REAL_3, 16))));
        }
    }

    // ---- TCP server-id routing ----

    /** A TCP frame whose options are {@code options} padded with EOL to whole words (data offset follows). */
    private static byte[] tcpWithOptions(int sport, int flags, int... options) {
        int optLen = (options.length + 3) / 4 * 4;
        byte[] payload = "ringfleet".getBytes();
        ByteBuffer l4 = ByteBuffer.allocate(20 + optLen + payload.length);
        l4.putShort((short) sport)
                .putShort((short) 80)
                .putInt(0)
                .putInt(0)
                .put((byte) ((5 + optLen / 4) << 4))
                .put((byte) flags)
                .putShort((short) 8192)
                .putShort((short) 0)
                .putShort((short) 0);
        for (int i = 0; i < optLen; i++) {
            l4.put((byte) (i < options.length ? options[i] : EOL));
        }
        l4.put(payload);
        return Packets.ip(CLIENT, VIP, TCP, l4.array());
    }

    /** The server-id option: kind, length 6, the id little-endian. */
    private static int[] tprOption(int id) {
        return new int[] {TPR_KIND, 6, id & 0xff, (id >> 8) & 0xff, (id >> 16) & 0xff, id >>> 24};
    }

    private static int[] concat(int[]... parts) {
        return Arrays.stream(parts).flatMapToInt(Arrays::stream).toArray();
    }

    private static int[] nops(int n) {
        int[] out = new int[n];
        Arrays.fill(out, NOP);
        return out;
    }

    private static BalancerUnderTest tprBed(String variant, int flags) {
        BalancerUnderTest lb = BalancerUnderTest.load(variant);
        lb.gatewayMac(Packets.GATEWAY_MAC);
        for (int i = 1; i < TestBed.REALS.size(); i++) {
            lb.addReal(i, TestBed.REALS.get(i));
        }
        lb.addVip(VIP, 80, TCP, flags, 1);
        lb.fillRing(1, 1);
        lb.quicId(ID_OF_REAL_3, 3);
        lb.quicId(ID_OF_NO_REAL, 7);
        return lb;
    }

    private static int remembered(BalancerUnderTest lb, int sport) {
        return lb.conn(new FlowKey(CLIENT, VIP, sport, 80, TCP))
                .map(Conn::realIndex)
                .orElse(0);
    }

    @Test
    void tcpServerIdWinsOverTheConnectionTableAndRewritesIt() {
        try (BalancerUnderTest lb = tprBed("balancer_tpr", 0)) {
            assertEquals(1, realOf(lb, tcpWithOptions(6000, ACK)));
            assertEquals(1, remembered(lb, 6000));
            assertEquals(3, realOf(lb, tcpWithOptions(6000, ACK, tprOption(ID_OF_REAL_3))));
            assertEquals(3, remembered(lb, 6000), "the entry now names the id's real");
            assertEquals(3, realOf(lb, tcpWithOptions(6000, ACK)), "later packets without the option follow it");
            assertEquals(3, realOf(lb, tcpWithOptions(6001, ACK, tprOption(ID_OF_REAL_3))));
            assertEquals(3, remembered(lb, 6001), "a new flow gets an entry");
        }
    }

    @Test
    void synPacketsIgnoreTheOption() {
        try (BalancerUnderTest lb = tprBed("balancer_tpr", 0)) {
            assertEquals(1, realOf(lb, tcpWithOptions(6002, SYN, tprOption(ID_OF_REAL_3))));
            assertEquals(1, remembered(lb, 6002));
        }
    }

    @Test
    void idsWithoutALiveRealFallBack() {
        try (BalancerUnderTest lb = tprBed("balancer_tpr", 0)) {
            assertEquals(1, realOf(lb, tcpWithOptions(6003, ACK, tprOption(ID_OF_NO_REAL))));
            assertEquals(1, realOf(lb, tcpWithOptions(6004, ACK, tprOption(ID_UNMAPPED))));
            assertEquals(1, realOf(lb, tcpWithOptions(6005, ACK, tprOption(0))));
        }
    }

    @Test
    void theOptionWalkStopsAtFifteenOptionsAndAtMalformedOnes() {
        try (BalancerUnderTest lb = tprBed("balancer_tpr", 0)) {
            assertEquals(3, realOf(lb, tcpWithOptions(6010, ACK, concat(nops(14), tprOption(ID_OF_REAL_3)))));
            assertEquals(1, realOf(lb, tcpWithOptions(6011, ACK, concat(nops(15), tprOption(ID_OF_REAL_3)))));
            // a timestamp option (kind 8, length 10) is stepped over
            int[] timestamp = {8, 10, 0, 0, 0, 1, 0, 0, 0, 2};
            assertEquals(3, realOf(lb, tcpWithOptions(6012, ACK, concat(timestamp, tprOption(ID_OF_REAL_3)))));
            // a length longer than the options left ends the walk
            int[] tooLong = {8, 40};
            assertEquals(1, realOf(lb, tcpWithOptions(6013, ACK, concat(tooLong, tprOption(ID_OF_REAL_3)))));
            // a zero length ends it too
            int[] zero = {8, 0};
            assertEquals(1, realOf(lb, tcpWithOptions(6014, ACK, concat(zero, tprOption(ID_OF_REAL_3)))));
            // the server-id kind with another length ends it
            int[] wrongLength = {TPR_KIND, 4, 3, 4};
            assertEquals(1, realOf(lb, tcpWithOptions(6015, ACK, concat(wrongLength, tprOption(ID_OF_REAL_3)))));
        }
    }

    @Test
    void anOptionCutByTheDataOffsetIsNotRead() {
        try (BalancerUnderTest lb = tprBed("balancer_tpr", 0)) {
            // 4 NOPs + the 6-byte option (12 option bytes with padding); a data offset of 7 words leaves 8
            // option bytes, so the option's length runs past them: its id, still in the frame, is not read
            byte[] frame = tcpWithOptions(6020, ACK, concat(nops(4), tprOption(ID_OF_REAL_3)));
            frame[Packets.ETH + Packets.IPV4 + 12] = (byte) (7 << 4);
            assertEquals(1, realOf(lb, frame));
            // fewer than 6 option bytes: nothing is walked
            byte[] short4 = tcpWithOptions(6021, ACK, tprOption(ID_OF_REAL_3));
            short4[Packets.ETH + Packets.IPV4 + 12] = (byte) (6 << 4);
            assertEquals(1, realOf(lb, short4));
        }
    }

    @Test
    void anLruBypassVipIsRoutedByIdButRemembersNothing() {
        try (BalancerUnderTest lb = tprBed("balancer_tpr", BalancerUnderTest.F_LRU_BYPASS)) {
            assertEquals(3, realOf(lb, tcpWithOptions(6030, ACK, tprOption(ID_OF_REAL_3))));
            assertEquals(0, lb.connCount());
        }
    }

    @Test
    void buildsWithoutTcpServerIdRoutingIgnoreTheOption() {
        try (BalancerUnderTest lb = tprBed("balancer", 0)) {
            assertEquals(1, realOf(lb, tcpWithOptions(6040, ACK, tprOption(ID_OF_REAL_3))));
        }
    }
}
