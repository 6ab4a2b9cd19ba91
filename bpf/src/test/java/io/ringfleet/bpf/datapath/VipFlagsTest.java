package io.ringfleet.bpf.datapath;

import static io.ringfleet.bpf.datapath.Packets.ACK;
import static io.ringfleet.bpf.datapath.Packets.SYN;
import static io.ringfleet.bpf.datapath.Packets.TCP;
import static io.ringfleet.bpf.datapath.Packets.UDP;
import static io.ringfleet.bpf.datapath.Packets.ip;
import static io.ringfleet.bpf.datapath.TestBed.realOf;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringfleet.bpf.FlowHash;
import io.ringfleet.bpf.TestRun;
import io.ringfleet.bpf.abi.Conn;
import io.ringfleet.bpf.abi.FlowKey;
import io.ringfleet.bpf.abi.GlobalCounter;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Each VIP flag of rf_abi.h, against a plain VIP where that helps. */
class VipFlagsTest {
    private static final InetAddress CLIENT = ip("192.168.7.7");
    private static final InetAddress VIP = ip("10.200.0.1");
    private static final byte[] PAYLOAD = "ringfleet".getBytes();

    @Test
    void plainVipSpreadsSourcePortsOverTheRing() {
        try (BalancerUnderTest lb = TestBed.standard()) {
            lb.addVip(VIP, 80, TCP, 0, 1);
            lb.fillRing(1, 1, 2, 3);
            Set<Integer> reals = new HashSet<>();
            for (int sport = 1000; sport < 1064; sport++) {
                int real = realOf(lb, Packets.tcp(CLIENT, VIP, sport, 80, SYN, PAYLOAD));
                assertEquals(
                        1 + FlowHash.slot(CLIENT, sport, 80, BalancerUnderTest.RING_SIZE) % 3,
                        real,
                        "the ring slot of the flow hash");
                reals.add(real);
            }
            assertEquals(Set.of(1, 2, 3), reals);
        }
    }

    @Test
    void hashNoSrcPortSendsEverySourcePortOfAClientToOneReal() {
        try (BalancerUnderTest lb = TestBed.standard()) {
            lb.addVip(VIP, 80, TCP, BalancerUnderTest.F_HASH_NO_SRC_PORT, 1);
            lb.fillRing(1, 1, 2, 3);
            int expected = 1 + FlowHash.slot(CLIENT, 0, 80, BalancerUnderTest.RING_SIZE) % 3;
            for (int sport = 1000; sport < 1064; sport++) {
                TestRun.Result r = lb.run(Packets.tcp(CLIENT, VIP, sport, 80, SYN, PAYLOAD));
                assertEquals(expected, realOf(r));
                // the outer source still follows the real source port (RSS on the real)
                byte[] outerSrc = Packets.encapsulated(r.data()).outerSrc().getAddress();
                assertEquals(7 ^ (sport & 0xff), outerSrc[2] & 0xff);
                assertEquals(7 ^ (sport >> 8), outerSrc[3] & 0xff);
            }
            assertTrue(lb.conn(new FlowKey(CLIENT, VIP, 0, 80, TCP)).isPresent(), "remembered with source port 0");
            assertEquals(1, lb.connCount());
        }
    }

    @Test
    void lruBypassNeitherReadsNorWritesTheConnectionTable() {
        try (BalancerUnderTest lb = TestBed.standard()) {
            lb.addVip(VIP, 53, UDP, BalancerUnderTest.F_LRU_BYPASS, 1);
            lb.fillRing(1, 1);
            byte[] frame = Packets.udp(CLIENT, VIP, 5555, 53, PAYLOAD);
            assertEquals(1, realOf(lb, frame));
            lb.fillRing(1, 2);
            assertEquals(2, realOf(lb, frame), "follows the ring at once");
            assertEquals(0, lb.connCount());
            assertEquals(0, lb.global(GlobalCounter.LRU_LOOKUP).packets());
        }
    }

    @Test
    void hashDportOnlyPicksTheRealByDestinationPortAlone() {
        try (BalancerUnderTest lb = TestBed.standard()) {
            lb.addVip(VIP, 0, TCP, BalancerUnderTest.F_HASH_DPORT_ONLY, 1);
            lb.fillRing(1, 1, 2, 3);
            Map<Integer, Integer> realByPort = new HashMap<>();
            for (int i = 0; i < 300; i++) {
                InetAddress client = ip("192.168." + (i / 100) + "." + (i % 100 + 1));
                int sport = 20000 + i;
                int dport = 1000 + i % 30;
                TestRun.Result r = lb.run(Packets.tcp(client, VIP, sport, dport, ACK, PAYLOAD));
                int real = realOf(r);
                assertEquals(1 + FlowHash.slot(ip("0.0.0.0"), dport, dport, BalancerUnderTest.RING_SIZE) % 3, real);
                assertEquals(real, realByPort.computeIfAbsent(dport, p -> real));
                // outer source from the zeroed source address and the packet's own source port
                assertArrayEquals(
                        new byte[] {(byte) 172, 16, (byte) sport, (byte) (sport >> 8)},
                        Packets.encapsulated(r.data()).outerSrc().getAddress());
            }
            assertEquals(0, lb.connCount(), "no connection state for dport-only VIPs");
        }
    }

    @Test
    void portZeroVipZeroesTheDestinationPortUnlessHashSrcDstPort() {
        InetAddress other = ip("10.200.0.2");
        try (BalancerUnderTest lb = TestBed.standard()) {
            lb.addVip(VIP, 0, TCP, 0, 1);
            lb.addVip(other, 0, TCP, BalancerUnderTest.F_HASH_SRC_DST_PORT, 2);
            lb.fillRing(1, 1, 2, 3);
            lb.fillRing(2, 1, 2, 3);
            assertEquals(
                    1 + FlowHash.slot(CLIENT, 3333, 0, BalancerUnderTest.RING_SIZE) % 3,
                    realOf(lb, Packets.tcp(CLIENT, VIP, 3333, 4444, SYN, PAYLOAD)));
            assertTrue(lb.conn(new FlowKey(CLIENT, VIP, 3333, 0, TCP)).isPresent());
            assertEquals(
                    1 + FlowHash.slot(CLIENT, 3333, 4444, BalancerUnderTest.RING_SIZE) % 3,
                    realOf(lb, Packets.tcp(CLIENT, other, 3333, 4444, SYN, PAYLOAD)));
            assertTrue(lb.conn(new FlowKey(CLIENT, other, 3333, 4444, TCP)).isPresent());
        }
    }

    @Test
    void quicVipRoutesByServerIdAndRemembersIt() {
        try (BalancerUnderTest lb = TestBed.standard()) {
            lb.addVip(VIP, 443, UDP, BalancerUnderTest.F_QUIC, 1);
            lb.fillRing(1, 1);
            lb.quicId(1026, 5); // v1 layout
            lb.quicId(197634, 4); // v2 layout
            lb.quicId(1027, 3);
            int sport = 31337;
            FlowKey flow = new FlowKey(CLIENT, VIP, sport, 443, UDP);
            // Initial: client-chosen id, hashed
            byte[] initial = {(byte) 0xc0, 0, 0, 0, 1, 8, 0x41, 0, (byte) 0x83, 4, 5, 6, 7, 8, 0};
            assertEquals(1, realOf(lb, Packets.udp(CLIENT, VIP, sport, 443, initial)));
            // short header, v1 id 1026 -> real 5
            byte[] shortV1 = {0x40, 0x41, 0x00, (byte) 0x83, 4, 5, 6, 7, 0, 0};
            assertEquals(5, realOf(lb, Packets.udp(CLIENT, VIP, sport, 443, shortV1)));
            assertEquals(5, lb.conn(flow).orElseThrow().realIndex(), "the routed real is remembered");
            // no id at all: the remembered real
            assertEquals(5, realOf(lb, Packets.udp(CLIENT, VIP, sport, 443, new byte[] {0x40})));
            // handshake long header, v2 id 197634 -> real 4
            byte[] handshakeV2 = {(byte) 0xe0, 0, 0, 0, 1, 8, (byte) 0x80, 3, 4, 2, 5, 6, 7, 8};
            assertEquals(4, realOf(lb, Packets.udp(CLIENT, VIP, sport, 443, handshakeV2)));
            // unknown id: remembered real
            byte[] unknown = {0x40, 0x41, 0x11, 0, 0, 0, 0, 0, 0, 0};
            assertEquals(4, realOf(lb, Packets.udp(CLIENT, VIP, sport, 443, unknown)));
            // an id whose real was removed falls back too
            byte[] toRemoved = {0x40, 0x41, 0x00, (byte) 0xc3, 0, 0, 0, 0, 0, 0}; // 1027 -> real 3
            lb.clearReal(3);
            assertEquals(4, realOf(lb, Packets.udp(CLIENT, VIP, sport, 443, toRemoved)));
            assertEquals(2, lb.global(GlobalCounter.QUIC_ROUTED).packets());
            assertEquals(4, lb.global(GlobalCounter.QUIC_FALLBACK).packets());
        }
    }

    @Test
    void quicConnectionIdV3CarriesA32BitServerId() {
        try (BalancerUnderTest lb = TestBed.standard()) {
            lb.addVip(VIP, 443, UDP, BalancerUnderTest.F_QUIC, 1);
            lb.fillRing(1, 1);
            lb.quicId(0x12345678, 5);
            lb.quicId(0xfedcba98, 4); // the top bit set: an id is unsigned
            // short header, v3 (top two bits 11): bytes 1..4 of the connection id
            byte[] shortV3 = {0x40, (byte) 0xc0, 0x12, 0x34, 0x56, 0x78, 6, 7, 8};
            assertEquals(5, realOf(lb, Packets.udp(CLIENT, VIP, 5001, 443, shortV3)));
            // handshake long header, v3
            byte[] handshakeV3 = {
                (byte) 0xe0, 0, 0, 0, 1, 8, (byte) 0xc0, (byte) 0xfe, (byte) 0xdc, (byte) 0xba, (byte) 0x98, 6, 7, 8
            };
            assertEquals(4, realOf(lb, Packets.udp(CLIENT, VIP, 5002, 443, handshakeV3)));
            // the same bytes read as v2 (bytes 1..3) would be another id: hashed to the ring's real
            byte[] shortV2 = {0x40, (byte) 0x80, 0x12, 0x34, 0x56, 0x78, 6, 7, 8};
            assertEquals(1, realOf(lb, Packets.udp(CLIENT, VIP, 5003, 443, shortV2)));
            assertEquals(2, lb.global(GlobalCounter.QUIC_ROUTED).packets());
            assertEquals(1, lb.global(GlobalCounter.QUIC_FALLBACK).packets());
        }
    }

    @Test
    void udpFlowMigrationMovesRememberedFlowsOffDownReals() {
        InetAddress plain = ip("10.200.0.2");
        try (BalancerUnderTest lb = TestBed.standard()) {
            lb.addVip(VIP, 80, UDP, BalancerUnderTest.F_UDP_FLOW_MIGRATION, 1);
            lb.addVip(plain, 80, UDP, 0, 2);
            lb.fillRing(1, 1);
            lb.fillRing(2, 1);
            byte[] migrating = Packets.udp(CLIENT, VIP, 4001, 80, PAYLOAD);
            byte[] sticky = Packets.udp(CLIENT, plain, 4001, 80, PAYLOAD);
            assertEquals(1, realOf(lb, migrating));
            assertEquals(1, realOf(lb, sticky));
            lb.fillRing(1, 2);
            lb.fillRing(2, 2);
            assertEquals(1, realOf(lb, migrating), "remembered while the real is up");
            lb.markDown(1, 1);
            lb.markDown(2, 1);
            assertEquals(2, realOf(lb, migrating), "moved off the down real");
            assertEquals(
                    2,
                    lb.conn(new FlowKey(CLIENT, VIP, 4001, 80, UDP))
                            .map(Conn::realIndex)
                            .orElseThrow());
            assertEquals(1, realOf(lb, sticky), "no migration without the flag");
            assertEquals(1, lb.global(GlobalCounter.UDP_FLOW_MIGRATED).packets());
        }
    }

    @Test
    void acceptedFlagsWithoutDatapathMeaningChangeNothing() {
        int inert = BalancerUnderTest.F_SRC_ROUTING | BalancerUnderTest.F_LOCAL | BalancerUnderTest.F_GLOBAL_LRU;
        try (BalancerUnderTest plain = TestBed.standard();
                BalancerUnderTest flagged = TestBed.standard()) {
            plain.addVip(VIP, 80, UDP, 0, 1);
            flagged.addVip(VIP, 80, UDP, inert, 1);
            plain.fillRing(1, 1, 2, 3, 4, 5);
            flagged.fillRing(1, 1, 2, 3, 4, 5);
            for (int sport = 1; sport < 200; sport++) {
                byte[] frame = Packets.udp(CLIENT, VIP, sport, 80, PAYLOAD);
                TestRun.Result a = plain.run(frame);
                TestRun.Result b = flagged.run(frame);
                assertEquals(a.retval(), b.retval());
                assertArrayEquals(a.data(), b.data());
            }
        }
    }
}
