package io.ringfleet.bpf.filter;

import static io.ringfleet.bpf.filter.FilterFrames.ACK;
import static io.ringfleet.bpf.filter.FilterFrames.SYN;
import static io.ringfleet.bpf.filter.FilterFrames.TCP;
import static io.ringfleet.bpf.filter.FilterFrames.UDP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringfleet.bpf.TestRun;
import io.ringfleet.bpf.filter.FilterRule.Action;
import io.ringfleet.bpf.filter.FilterRule.DestinationPrefix;
import io.ringfleet.bpf.filter.FilterRule.PortRange;
import io.ringfleet.bpf.filter.FilterRule.SourcePrefix;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The pre-filter's prefix, protocol, port, flag, length, observe-only and rate rules through BPF_PROG_TEST_RUN. */
class FilterProgramTest {
    static final int XDP_DROP = 1;
    static final int XDP_PASS = 2;
    private static int checks;

    private FilterProgram filter;

    @BeforeEach
    void load() {
        filter = FilterProgram.standalone(Map.of());
    }

    @AfterEach
    void close() {
        filter.close();
    }

    @AfterAll
    static void summary() {
        System.out.println("filter-fixtures: " + checks + " frames checked through BPF_PROG_TEST_RUN (prefix/port/flag/"
                + "length/observe/rate rules)");
    }

    private int run(byte[] frame) {
        checks++;
        return filter.program().testRun(TestRun.of(frame)).retval();
    }

    private static FilterRule.Builder source(int id, String prefix, Action action) {
        return FilterRule.builder(id, new SourcePrefix(Prefix.parse(prefix)), action);
    }

    private static FilterRule.Builder destination(int id, String prefix, Action action) {
        return FilterRule.builder(id, new DestinationPrefix(Prefix.parse(prefix)), action);
    }

    @Test
    void sourcePrefixDropsOnlyInsideItAndCountsTheRule() {
        filter.install(List.of(source(7, "10.1.0.0/16", Action.DROP).build()));
        byte[] inside = FilterFrames.tcp("10.1.2.3", "192.0.2.1", 1000, 80, SYN);
        byte[] outside = FilterFrames.tcp("10.2.0.1", "192.0.2.1", 1000, 80, SYN);
        assertEquals(XDP_DROP, run(inside));
        assertEquals(XDP_PASS, run(outside));
        FilterCounter c = filter.counter(7);
        assertEquals(1, c.packets());
        assertEquals(inside.length, c.bytes());
        assertTrue(c.lastHitNs() > 0, "last hit stamped");
        assertEquals(1, filter.global(FilterGlobal.DROPPED).packets());
        assertEquals(1, filter.global(FilterGlobal.HANDED_ON).packets());
    }

    @Test
    void aLongerPrefixRuleIsTriedBeforeTheCoveringOnesInItsChain() {
        // allow one /64 inside a dropped /48 (v6 destinations): the /64's chain holds both, in the order given
        filter.install(List.of(
                destination(1, "2001:db8:1:5::/64", Action.ALLOW).build(),
                destination(2, "2001:db8:1::/48", Action.DROP).build()));
        assertEquals(XDP_PASS, run(FilterFrames.tcp("2001:db8:9::1", "2001:db8:1:5::10", 1000, 443, SYN)));
        assertEquals(XDP_DROP, run(FilterFrames.tcp("2001:db8:9::1", "2001:db8:1:6::10", 1000, 443, SYN)));
        assertEquals(XDP_PASS, run(FilterFrames.tcp("2001:db8:9::1", "2001:db8:2::10", 1000, 443, SYN)));
        assertEquals(1, filter.counter(1).packets());
        assertEquals(1, filter.counter(2).packets());
    }

    @Test
    void protocolPortRangeAndTcpFlags() {
        // SYN without ACK to ports 80-90 of 203.0.113.0/24, from anywhere
        filter.install(List.of(destination(3, "203.0.113.0/24", Action.DROP)
                .protocol(TCP)
                .destinationPorts(new PortRange(80, 90))
                .tcpFlags(SYN | ACK, SYN)
                .build()));
        assertEquals(XDP_DROP, run(FilterFrames.tcp("198.51.100.1", "203.0.113.5", 1000, 85, SYN)));
        assertEquals(XDP_PASS, run(FilterFrames.tcp("198.51.100.1", "203.0.113.5", 1000, 85, SYN | ACK)));
        assertEquals(XDP_PASS, run(FilterFrames.tcp("198.51.100.1", "203.0.113.5", 1000, 91, SYN)));
        assertEquals(XDP_PASS, run(FilterFrames.udp("198.51.100.1", "203.0.113.5", 1000, 85, new byte[8])));
        assertEquals(1, filter.counter(3).packets());
    }

    @Test
    void sourcePortsAndTheOtherAddressPrefix() {
        // from 198.51.100.0/24 source port 19 (chargen reflection) to 203.0.113.0/25 only
        filter.install(List.of(source(4, "198.51.100.0/24", Action.DROP)
                .protocol(UDP)
                .sourcePorts(PortRange.of(19))
                .other(Prefix.parse("203.0.113.0/25"))
                .build()));
        assertEquals(XDP_DROP, run(FilterFrames.udp("198.51.100.7", "203.0.113.100", 19, 5000, new byte[16])));
        assertEquals(XDP_PASS, run(FilterFrames.udp("198.51.100.7", "203.0.113.200", 19, 5000, new byte[16])));
        assertEquals(XDP_PASS, run(FilterFrames.udp("198.51.100.7", "203.0.113.100", 20, 5000, new byte[16])));
    }

    @Test
    void frameLength() {
        filter.install(
                List.of(source(5, "0.0.0.0/0", Action.DROP).length(1000, 65535).build()));
        assertEquals(XDP_PASS, run(FilterFrames.udp("192.0.2.1", "192.0.2.2", 1, 2, new byte[100])));
        byte[] big = FilterFrames.udp("192.0.2.1", "192.0.2.2", 1, 2, new byte[1000 - 42]);
        assertEquals(1000, big.length);
        assertEquals(XDP_DROP, run(big));
        assertEquals(XDP_PASS, run(FilterFrames.cut(big, 999)));
    }

    @Test
    void laterFragmentsAndTruncatedHeadersMatchOnlyRulesWithoutPortConditions() {
        filter.install(List.of(
                source(1, "192.0.2.0/24", Action.DROP)
                        .protocol(UDP)
                        .destinationPorts(PortRange.of(53))
                        .build(),
                source(2, "2001:db8::/32", Action.DROP)
                        .protocol(UDP)
                        .destinationPorts(PortRange.of(53))
                        .build(),
                source(3, "198.51.100.0/24", Action.DROP).protocol(UDP).build()));
        byte[] udp53 = FilterFrames.udpSegment(1000, 53, new byte[24]);
        // a first fragment carries the UDP header: the port rule applies
        assertEquals(XDP_DROP, run(FilterFrames.fragment("192.0.2.1", "203.0.113.1", UDP, udp53, 0)));
        assertEquals(XDP_DROP, run(FilterFrames.fragment("2001:db8::1", "2001:db8:f::1", UDP, udp53, 0)));
        // a later fragment has no ports: the port rule cannot match, a protocol-only rule can
        long noL4 = filter.global(FilterGlobal.NO_L4).packets();
        assertEquals(XDP_PASS, run(FilterFrames.fragment("192.0.2.1", "203.0.113.1", UDP, udp53, 4)));
        assertEquals(XDP_PASS, run(FilterFrames.fragment("2001:db8::1", "2001:db8:f::1", UDP, udp53, 4)));
        assertEquals(XDP_DROP, run(FilterFrames.fragment("198.51.100.1", "203.0.113.1", UDP, udp53, 4)));
        assertEquals(noL4 + 3, filter.global(FilterGlobal.NO_L4).packets());
        // cut inside the UDP header: no ports; cut inside the IP header: not filtered at all
        byte[] whole = FilterFrames.udp("192.0.2.1", "203.0.113.1", 1000, 53, new byte[24]);
        assertEquals(XDP_DROP, run(whole));
        assertEquals(XDP_PASS, run(FilterFrames.cut(whole, 14 + 20 + 6)));
        assertEquals(XDP_PASS, run(FilterFrames.cut(whole, 14 + 10)));
        assertEquals(1, filter.global(FilterGlobal.MALFORMED).packets());
        // every truncation is handed on or dropped, never aborted (BPF_PROG_TEST_RUN takes 14 bytes at least)
        for (int len = FilterFrames.ETH; len < whole.length; len++) {
            int verdict = run(FilterFrames.cut(whole, len));
            assertTrue(verdict == XDP_PASS || verdict == XDP_DROP, "verdict " + verdict + " at length " + len);
        }
    }

    @Test
    void observeOnlyCountsAndLetsTheNextRuleDecide() {
        filter.install(List.of(
                source(1, "10.9.0.0/16", Action.DROP).observeOnly().build(),
                source(2, "10.9.0.0/16", Action.DROP).protocol(UDP).build()));
        assertEquals(XDP_PASS, run(FilterFrames.tcp("10.9.0.1", "192.0.2.1", 1, 2, ACK)));
        assertEquals(XDP_DROP, run(FilterFrames.udp("10.9.0.1", "192.0.2.1", 1, 2, new byte[8])));
        assertEquals(2, filter.counter(1).packets(), "observed both");
        assertEquals(1, filter.counter(2).packets());
    }

    @Test
    void rateRuleDropsWhatIsOverItsPresetTokens() {
        filter.install(List.of(
                source(9, "10.7.0.0/16", Action.RATE).rate(1000, 0, Action.DROP).build()));
        // three packets' tokens, and a stamp an hour ahead of the clock: nothing refills during the test
        long hourAhead = System.nanoTime() + 3_600_000_000_000L;
        filter.setBuckets(9, hourAhead, 3 * 1_000_000_000L, 0);
        byte[] frame = FilterFrames.udp("10.7.0.1", "192.0.2.1", 1, 2, new byte[8]);
        int[] verdicts = new int[5];
        for (int i = 0; i < verdicts.length; i++) {
            verdicts[i] = run(frame);
        }
        assertEquals(List.of(XDP_PASS, XDP_PASS, XDP_PASS, XDP_DROP, XDP_DROP), boxed(verdicts));
        FilterCounter c = filter.counter(9);
        assertEquals(5, c.packets());
        assertEquals(2, c.overRate());
    }

    @Test
    void rateRuleRefillsFromAPastStampAndLimitsBytes() {
        byte[] frame = FilterFrames.udp("10.7.0.1", "192.0.2.1", 1, 2, new byte[200]);
        filter.install(List.of(
                source(9, "10.7.0.0/16", Action.RATE).rate(0, 1000, Action.DROP).build()));
        // stamp 0: a full second of refill, 1000 bytes of tokens: four frames of 242 bytes fit, the fifth not
        filter.setBuckets(9, 0, 0, 0);
        assertEquals(242, frame.length);
        int[] verdicts = new int[5];
        for (int i = 0; i < verdicts.length; i++) {
            verdicts[i] = run(frame);
        }
        assertEquals(List.of(XDP_PASS, XDP_PASS, XDP_PASS, XDP_PASS, XDP_DROP), boxed(verdicts));
    }

    @Test
    void overRateAllowStopsFilteringAndObserveOnlyNeverDrops() {
        filter.install(List.of(
                source(1, "10.8.0.0/16", Action.RATE).rate(1, 0, Action.ALLOW).build(),
                source(2, "10.8.0.0/16", Action.DROP).build(),
                source(3, "10.6.0.0/16", Action.RATE)
                        .rate(1, 0, Action.DROP)
                        .observeOnly()
                        .build()));
        long hourAhead = System.nanoTime() + 3_600_000_000_000L;
        filter.setBuckets(1, hourAhead, 0, 0);
        filter.setBuckets(3, hourAhead, 0, 0);
        // over rate with ALLOW: handed on, rule 2 never reached
        assertEquals(XDP_PASS, run(FilterFrames.udp("10.8.0.1", "192.0.2.1", 1, 2, new byte[8])));
        assertEquals(0, filter.counter(2).packets());
        // observe-only rate rule: counts the packet over its rate, drops nothing
        assertEquals(XDP_PASS, run(FilterFrames.udp("10.6.0.1", "192.0.2.1", 1, 2, new byte[8])));
        assertEquals(1, filter.counter(3).overRate());
    }

    @Test
    void reinstallingRemovesRulesThatAreGone() {
        filter.install(List.of(source(1, "10.1.0.0/16", Action.DROP).build()));
        byte[] frame = FilterFrames.tcp("10.1.0.1", "192.0.2.1", 1, 2, SYN);
        assertEquals(XDP_DROP, run(frame));
        filter.install(List.of(destination(2, "192.0.2.99/32", Action.DROP).build()));
        assertEquals(XDP_PASS, run(frame));
        assertEquals(XDP_DROP, run(FilterFrames.tcp("10.1.0.1", "192.0.2.99", 1, 2, SYN)));
    }

    @Test
    void nonIpFramesAreHandedOn() {
        byte[] arp = new byte[42];
        arp[12] = 0x08;
        arp[13] = 0x06;
        filter.install(List.of(source(1, "0.0.0.0/0", Action.DROP).build()));
        assertEquals(XDP_PASS, run(arp));
        assertEquals(1, filter.global(FilterGlobal.NOT_IP).packets());
    }

    private static List<Integer> boxed(int[] v) {
        return java.util.Arrays.stream(v).boxed().toList();
    }
}
