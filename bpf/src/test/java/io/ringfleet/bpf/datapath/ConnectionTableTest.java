package io.ringfleet.bpf.datapath;

import static io.ringfleet.bpf.datapath.Packets.ACK;
import static io.ringfleet.bpf.datapath.Packets.SYN;
import static io.ringfleet.bpf.datapath.Packets.TCP;
import static io.ringfleet.bpf.datapath.Packets.UDP;
import static io.ringfleet.bpf.datapath.Packets.ip;
import static io.ringfleet.bpf.datapath.TestBed.realOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringfleet.bpf.Bpf;
import io.ringfleet.bpf.BpfMap;
import io.ringfleet.bpf.MapType;
import io.ringfleet.bpf.abi.Conn;
import io.ringfleet.bpf.abi.FlowKey;
import io.ringfleet.bpf.abi.GlobalCounter;
import io.ringfleet.testing.XdpAction;
import java.net.InetAddress;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The connection table: stickiness, SYNs, UDP timeout, eviction, per-CPU tables, rate limit. */
class ConnectionTableTest {
    private static final InetAddress CLIENT = ip("192.168.7.10");
    private static final InetAddress VIP = ip("10.200.0.7");
    private static final byte[] PAYLOAD = "ringfleet".getBytes();
    private static final long UDP_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);
    private static final int MAX_CONN_RATE = 125_000;

    private static BalancerUnderTest withUdpAndTcpVip(Map<String, Integer> sizes) {
        BalancerUnderTest lb = TestBed.standard(sizes);
        lb.addVip(VIP, 80, UDP, 0, 1);
        lb.addVip(VIP, 80, TCP, 0, 2);
        lb.fillRing(1, 1);
        lb.fillRing(2, 1);
        return lb;
    }

    @Test
    void rememberedFlowsStayOnTheirRealWhenTheRingChangesAndSynsAreHashedAgain() {
        try (BalancerUnderTest lb = withUdpAndTcpVip(Map.of())) {
            assertEquals(1, realOf(lb, Packets.tcp(CLIENT, VIP, 4000, 80, SYN, PAYLOAD)));
            assertEquals(1, realOf(lb, Packets.udp(CLIENT, VIP, 4000, 80, PAYLOAD)));
            lb.fillRing(1, 2);
            lb.fillRing(2, 2);
            assertEquals(1, realOf(lb, Packets.tcp(CLIENT, VIP, 4000, 80, ACK, PAYLOAD)));
            assertEquals(1, realOf(lb, Packets.udp(CLIENT, VIP, 4000, 80, PAYLOAD)));
            assertEquals(2, realOf(lb, Packets.tcp(CLIENT, VIP, 4000, 80, SYN, PAYLOAD)), "a SYN is a new connection");
            assertEquals(2, realOf(lb, Packets.tcp(CLIENT, VIP, 4000, 80, ACK, PAYLOAD)), "and is remembered");
        }
    }

    @Test
    void udpEntriesExpireAfterThirtySecondsIdleTcpEntriesNever() {
        try (BalancerUnderTest lb = withUdpAndTcpVip(Map.of())) {
            byte[] udp = Packets.udp(CLIENT, VIP, 4000, 80, PAYLOAD);
            FlowKey udpFlow = new FlowKey(CLIENT, VIP, 4000, 80, UDP);
            FlowKey tcpFlow = new FlowKey(CLIENT, VIP, 4000, 80, TCP);
            realOf(lb, udp);
            realOf(lb, Packets.tcp(CLIENT, VIP, 4000, 80, SYN, PAYLOAD));
            lb.fillRing(1, 2);
            lb.fillRing(2, 2);
            Conn udpConn = lb.conn(udpFlow).orElseThrow();
            assertTrue(udpConn.atimeNs() > 0, "UDP entries carry a time stamp");
            assertEquals(0, lb.conn(tcpFlow).orElseThrow().atimeNs(), "TCP entries do not");

            lb.putConn(udpFlow, new Conn(1, System.nanoTime() - UDP_TIMEOUT_NS + TimeUnit.SECONDS.toNanos(1)));
            assertEquals(1, realOf(lb, udp), "idle 29 s: still remembered");
            long refreshed = lb.conn(udpFlow).orElseThrow().atimeNs();
            assertTrue(System.nanoTime() - refreshed < TimeUnit.SECONDS.toNanos(1), "a hit refreshes the stamp");

            lb.putConn(udpFlow, new Conn(1, System.nanoTime() - UDP_TIMEOUT_NS - TimeUnit.SECONDS.toNanos(1)));
            assertEquals(2, realOf(lb, udp), "idle 31 s: hashed again");
            assertEquals(2, lb.conn(udpFlow).orElseThrow().realIndex());

            lb.putConn(tcpFlow, new Conn(1, 1));
            assertEquals(1, realOf(lb, Packets.tcp(CLIENT, VIP, 4000, 80, ACK, PAYLOAD)), "TCP never expires");
        }
    }

    @Test
    void fallbackTableEvictsAtItsConfiguredSize() {
        int size = 128;
        try (BalancerUnderTest lb = withUdpAndTcpVip(Map.of("conn_fallback", size))) {
            assertEquals(size, lb.map("conn_fallback").maxEntries());
            FlowKey last = null;
            for (int i = 0; i < 2000; i++) {
                InetAddress client = ip("172.20." + (i / 250) + "." + (i % 250 + 1));
                realOf(lb, Packets.tcp(client, VIP, 1024 + i, 80, SYN, PAYLOAD));
                last = new FlowKey(client, VIP, 1024 + i, 80, TCP);
            }
            int entries = lb.connCount();
            assertTrue(entries <= size && entries >= size / 2, "entries " + entries + " for size " + size);
            assertTrue(lb.conn(last).isPresent(), "the newest flow survives");
        }
    }

    @Test
    void perCpuTablesReplaceTheFallbackWhenTheLoaderProvidesThem() {
        int size = 64 * Bpf.numPossibleCpus();
        try (BalancerUnderTest lb = withUdpAndTcpVip(Map.of());
                BpfMap inner = BpfMap.builder(MapType.LRU_HASH)
                        .name("conn_lru_test")
                        .keySize(FlowKey.SIZE)
                        .valueSize(Conn.SIZE)
                        .maxEntries(size)
                        .flags(BpfMap.F_NO_COMMON_LRU)
                        .create()) {
            // the same table in every CPU's slot, so the test does not depend on which CPU runs it
            for (int cpu = 0; cpu < Bpf.numPossibleCpus(); cpu++) {
                lb.map("conn_lru_maps").setInnerMap(BpfMap.u32(cpu), inner);
            }
            byte[] syn = Packets.tcp(CLIENT, VIP, 4000, 80, SYN, PAYLOAD);
            byte[] ack = Packets.tcp(CLIENT, VIP, 4000, 80, ACK, PAYLOAD);
            assertEquals(1, realOf(lb, syn));
            lb.fillRing(2, 2);
            assertEquals(1, realOf(lb, ack));
            FlowKey flow = new FlowKey(CLIENT, VIP, 4000, 80, TCP);
            assertEquals(
                    1, Conn.decode(inner.lookup(flow.encode()).orElseThrow()).realIndex());
            assertEquals(0, lb.connCount(), "the fallback is not used");
            assertEquals(1, lb.global(GlobalCounter.LRU_HIT).packets());
            assertEquals(0, lb.global(GlobalCounter.FALLBACK_HIT).packets());

            for (int i = 0; i < 1000; i++) {
                realOf(
                        lb,
                        Packets.tcp(ip("172.21." + (i / 250) + "." + (i % 250 + 1)), VIP, 2000 + i, 80, SYN, PAYLOAD));
            }
            int entries = inner.keys().size();
            assertTrue(entries <= size, "inner table holds " + entries + " of max " + size);
        }
    }

    @Test
    void rateLimiterStopsInsertsButNotForwarding() {
        try (BalancerUnderTest lb = withUdpAndTcpVip(Map.of())) {
            // the datapath's coarse clock may lag System.nanoTime() by a tick: open the window a bit earlier
            long windowStart = System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(50);
            lb.connRate(windowStart, MAX_CONN_RATE - 1);
            assertEquals(1, realOf(lb, Packets.udp(CLIENT, VIP, 5000, 80, PAYLOAD)));
            assertTrue(lb.conn(new FlowKey(CLIENT, VIP, 5000, 80, UDP)).isPresent(), "the last allowed new flow");
            assertEquals(1, realOf(lb, Packets.udp(CLIENT, VIP, 5001, 80, PAYLOAD)), "over the limit: forwarded");
            assertFalse(lb.conn(new FlowKey(CLIENT, VIP, 5001, 80, UDP)).isPresent(), "but not remembered");
            assertEquals(1, lb.global(GlobalCounter.NEW_CONN_LIMITED).packets());

            lb.connRate(System.nanoTime() - TimeUnit.SECONDS.toNanos(2), MAX_CONN_RATE);
            realOf(lb, Packets.udp(CLIENT, VIP, 5002, 80, PAYLOAD));
            assertTrue(lb.conn(new FlowKey(CLIENT, VIP, 5002, 80, UDP)).isPresent(), "a new window allows again");
        }
    }

    @Test
    void aRememberedRealThatWasRemovedIsReplacedAndEmptySlotsDrop() {
        try (BalancerUnderTest lb = withUdpAndTcpVip(Map.of())) {
            lb.fillRing(2, 3);
            assertEquals(3, realOf(lb, Packets.tcp(CLIENT, VIP, 4002, 80, SYN, PAYLOAD)));
            lb.fillRing(2, 2);
            lb.clearReal(3);
            assertEquals(2, realOf(lb, Packets.tcp(CLIENT, VIP, 4002, 80, ACK, PAYLOAD)));

            lb.fillRing(2, 0);
            byte[] nowhere = Packets.tcp(CLIENT, VIP, 4003, 80, SYN, PAYLOAD);
            assertEquals(XdpAction.DROP, lb.run(nowhere).retval());
            assertEquals(1, lb.global(GlobalCounter.CH_DROP).packets());
        }
    }
}
