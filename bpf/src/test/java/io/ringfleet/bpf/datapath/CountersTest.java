package io.ringfleet.bpf.datapath;

import static io.ringfleet.bpf.datapath.Packets.ACK;
import static io.ringfleet.bpf.datapath.Packets.SYN;
import static io.ringfleet.bpf.datapath.Packets.TCP;
import static io.ringfleet.bpf.datapath.Packets.UDP;
import static io.ringfleet.bpf.datapath.Packets.ip;
import static io.ringfleet.bpf.datapath.TestBed.realOf;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ringfleet.bpf.TestRun;
import io.ringfleet.bpf.abi.Counter;
import io.ringfleet.bpf.abi.GlobalCounter;
import io.ringfleet.testing.XdpAction;
import java.net.InetAddress;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** vip_stats, real_stats and global_stats against what was sent. */
class CountersTest {
    private static final InetAddress VIP_A = ip("10.200.0.1");
    private static final InetAddress VIP_B = ip("fc00:1::1");
    private static final InetAddress OTHER = ip("10.200.0.99");

    @Test
    void vipAndRealCountersEqualThePacketsSent() {
        try (BalancerUnderTest lb = TestBed.standard()) {
            lb.addVip(VIP_A, 80, TCP, 0, 1);
            lb.addVip(VIP_B, 443, UDP, 0, 2);
            lb.fillRing(1, 1, 2, 3);
            lb.fillRing(2, 4, 5);
            long[] perReal = new long[TestBed.REALS.size()];
            long[] bytesPerReal = new long[TestBed.REALS.size()];
            long bytesA = 0;
            long bytesB = 0;
            Random random = new Random(7);
            for (int i = 0; i < 500; i++) {
                byte[] payload = new byte[random.nextInt(200)];
                boolean a = i % 3 != 0;
                byte[] frame = a
                        ? Packets.tcp(
                                ip("192.168.1." + (i % 200 + 1)), VIP_A, 1000 + i, 80, i % 5 == 0 ? SYN : ACK, payload)
                        : Packets.udp(ip("fc00:2::" + Integer.toHexString(i + 1)), VIP_B, 1000 + i, 443, payload);
                int real = realOf(lb, frame);
                perReal[real]++;
                bytesPerReal[real] += frame.length;
                if (a) {
                    bytesA += frame.length;
                } else {
                    bytesB += frame.length;
                }
                lb.run(Packets.tcp(ip("192.168.1.1"), OTHER, 1000, 80, ACK, payload)); // no VIP: not counted
            }
            assertEquals(new Counter(333, bytesA), lb.vipStats(1));
            assertEquals(new Counter(167, bytesB), lb.vipStats(2));
            for (int real = 1; real < perReal.length; real++) {
                assertEquals(new Counter(perReal[real], bytesPerReal[real]), lb.realStats(real), "real " + real);
            }
            assertEquals(500, lb.global(GlobalCounter.XDP_TX).packets());
            assertEquals(500, lb.global(GlobalCounter.XDP_PASS).packets());
        }
    }

    @Test
    void everyFrameCountsInExactlyOneActionTotal() {
        try (BalancerUnderTest lb = TestBed.standard()) {
            lb.addVip(VIP_A, 80, TCP, 0, 1);
            lb.fillRing(1, 1);
            byte[] tx = Packets.tcp(ip("192.168.1.1"), VIP_A, 1000, 80, SYN, new byte[10]);
            byte[] pass = Packets.tcp(ip("192.168.1.1"), OTHER, 1000, 80, SYN, new byte[10]);
            byte[] drop = tx.clone();
            drop[Packets.ETH + 6] = 0x20; // more fragments
            long[] expected = new long[4];
            long[] expectedBytes = new long[4];
            byte[][] frames = {tx, pass, drop};
            for (int i = 0; i < 90; i++) {
                byte[] f = frames[i % 3];
                TestRun.Result r = lb.run(f);
                expected[r.retval()]++;
                expectedBytes[r.retval()] += f.length;
            }
            assertEquals(
                    new Counter(expected[XdpAction.TX], expectedBytes[XdpAction.TX]), lb.global(GlobalCounter.XDP_TX));
            assertEquals(
                    new Counter(expected[XdpAction.PASS], expectedBytes[XdpAction.PASS]),
                    lb.global(GlobalCounter.XDP_PASS));
            assertEquals(
                    new Counter(expected[XdpAction.DROP], expectedBytes[XdpAction.DROP]),
                    lb.global(GlobalCounter.XDP_DROP));
            assertEquals(30, expected[XdpAction.DROP]);
        }
    }

    @Test
    void connectionTableCountersAddUp() {
        try (BalancerUnderTest lb = TestBed.standard()) {
            lb.addVip(VIP_A, 80, TCP, 0, 1);
            lb.addVip(VIP_A, 53, UDP, 0, 2);
            lb.fillRing(1, 1, 2);
            lb.fillRing(2, 3);
            InetAddress client = ip("192.168.3.3");
            realOf(lb, Packets.tcp(client, VIP_A, 1, 80, SYN, new byte[0])); // SYN miss
            realOf(lb, Packets.tcp(client, VIP_A, 1, 80, ACK, new byte[0])); // hit
            realOf(lb, Packets.tcp(client, VIP_A, 2, 80, ACK, new byte[0])); // non-SYN miss
            realOf(lb, Packets.udp(client, VIP_A, 3, 53, new byte[0])); // UDP miss
            realOf(lb, Packets.udp(client, VIP_A, 3, 53, new byte[0])); // hit
            assertEquals(1, lb.global(GlobalCounter.LRU_MISS_TCP_SYN).packets());
            assertEquals(1, lb.global(GlobalCounter.LRU_MISS_TCP_OTHER).packets());
            assertEquals(1, lb.global(GlobalCounter.LRU_MISS_UDP).packets());
            assertEquals(2, lb.global(GlobalCounter.FALLBACK_HIT).packets(), "no per-CPU tables: fallback hits");
            assertEquals(0, lb.global(GlobalCounter.LRU_HIT).packets());
            assertEquals(4, lb.global(GlobalCounter.LRU_LOOKUP).packets(), "lookups = hits + non-SYN misses");
        }
    }
}
