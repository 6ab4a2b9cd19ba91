package io.ringfleet.bpf.filter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ringfleet.bpf.Bpf;
import io.ringfleet.bpf.BpfMap;
import io.ringfleet.bpf.BpfObject;
import io.ringfleet.bpf.BpfProgram;
import io.ringfleet.bpf.MapNames;
import io.ringfleet.bpf.TestRun;
import io.ringfleet.bpf.abi.GlobalCounter;
import io.ringfleet.bpf.bench.BalancerRig;
import io.ringfleet.bpf.filter.FilterRule.Action;
import io.ringfleet.bpf.filter.FilterRule.DnsQuery;
import io.ringfleet.bpf.filter.FilterRule.SourcePrefix;
import io.ringfleet.bpf.testing.Bpffs;
import io.ringfleet.testing.XdpAction;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The pre-filter in xdp_root slot 0 in front of the real balancer ({@code balancer.bpf.o}) in slot 1, run through
 * BPF_PROG_TEST_RUN on the root program: a flood frame is dropped before the balancer sees it, and a legitimate
 * frame leaves the chain byte for byte as the balancer alone makes it (the reference is the balancer's own output).
 * Controls: the same flood frame run on the balancer alone is forwarded, and with the rule observe-only it is
 * forwarded through the chain too, so the drop is the filter's doing.
 */
class FilterBalancerChainTest {
    static final int FILTER_SLOT = 0;
    static final int BALANCER_SLOT = 1;
    static final String VIP = "10.94.0.1";
    static final String REAL = "10.95.0.5";
    static final String CLIENT = "10.93.0.2";
    static final String FLOOD_SOURCE = "10.66.7.7";
    static final String FLOOD_NAME = "*.flood.example";
    static final int FLOOD_RULE = 1;
    static final int DNS_RULE = 2;
    private static int frames;

    private Path dir;
    private BpfObject rootObject;
    private BpfProgram root;
    private BpfMap slots;
    private FilterProgram filter;
    private BalancerRig balancer;

    @BeforeEach
    void load() {
        dir = Bpffs.createDir("rf-test-prefilter-lb");
        rootObject =
                BpfObject.open(Bpf.shippedObject("xdp_root")).pinMapsIn(dir).load();
        root = rootObject.program("xdp_root");
        slots = rootObject.map(MapNames.ROOT_ARRAY);
        assumeTailCallsInTestRun();
        filter = FilterProgram.chained(dir.resolve(MapNames.ROOT_ARRAY), FILTER_SLOT, Map.of());
        balancer = new BalancerRig(Bpf.shippedObject("balancer"), 2, 1024);
        balancer.setReal(1, FilterFrames.ip(REAL));
        balancer.addVip(FilterFrames.ip(VIP), 80, FilterFrames.TCP, 0, 0, 1);
        balancer.addVip(FilterFrames.ip(VIP), FilterFrames.DNS_PORT, FilterFrames.UDP, 1, 0, 1);
        balancer.setGatewayMac(new byte[] {2, 0, 0, 0, 0, 9});
        slots.setProgram(FILTER_SLOT, filter.program());
        slots.setProgram(BALANCER_SLOT, balancer.program());
    }

    /**
     * The probe: a program in slot 1 that answers XDP_TX must answer through the root. A kernel whose test run
     * does not follow tail calls would pass instead; then this test cannot say anything and is skipped.
     */
    private void assumeTailCallsInTestRun() {
        try (BpfObject probe =
                BpfObject.open(Bpf.resourceFile("/native/bench_wrapper.bpf.o")).load()) {
            slots.setProgram(BALANCER_SLOT, probe.program("bench_tx"));
            int verdict = root.testRun(TestRun.of(FilterFrames.tcp(CLIENT, VIP, 1, 80, 0)))
                    .retval();
            slots.clearSlot(BALANCER_SLOT);
            Optional<String> refusal = verdict == XdpAction.TX
                    ? Optional.empty()
                    : Optional.of("BPF_PROG_TEST_RUN does not follow xdp_root's tail calls here (root answered "
                            + XdpAction.name(verdict) + ")");
            refusal.ifPresent(r -> System.out.println("filter-chain skipped: " + r));
            Assumptions.assumeTrue(refusal.isEmpty(), () -> refusal.orElseThrow());
        }
    }

    @AfterEach
    void close() {
        for (AutoCloseable c : new AutoCloseable[] {balancer, filter, slots, root, rootObject}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // best effort
            }
        }
        Bpffs.deleteTree(dir);
    }

    @AfterAll
    static void summary() {
        System.out.println("filter-chain: " + frames + " frames through xdp_root → filter → balancer (test run)");
    }

    private TestRun.Result throughChain(byte[] frame) {
        frames++;
        return root.testRun(TestRun.of(frame));
    }

    private TestRun.Result balancerAlone(byte[] frame) {
        frames++;
        return balancer.program().testRun(TestRun.of(frame));
    }

    private long balancerForwarded() {
        return balancer.global(GlobalCounter.XDP_TX.index()).packets();
    }

    private void installFloodRules(boolean observeOnly) {
        FilterRule.Builder flood = FilterRule.builder(
                        FLOOD_RULE, new SourcePrefix(Prefix.parse("10.66.0.0/16")), Action.DROP)
                .protocol(FilterFrames.TCP);
        FilterRule.Builder dns = FilterRule.builder(DNS_RULE, new DnsQuery(FLOOD_NAME, 0), Action.DROP)
                .other(Prefix.parse(VIP + "/32"));
        if (observeOnly) {
            flood.observeOnly();
            dns.observeOnly();
        }
        filter.install(List.of(flood.build(), dns.build()));
    }

    @Test
    void aFloodFrameIsDroppedBeforeTheBalancer() {
        installFloodRules(false);
        byte[] flood = FilterFrames.tcp(FLOOD_SOURCE, VIP, 4000, 80, FilterFrames.SYN);
        long forwarded = balancerForwarded();
        assertEquals(XdpAction.DROP, throughChain(flood).retval());
        assertEquals(forwarded, balancerForwarded(), "the balancer never saw the dropped frame");
        assertEquals(1, filter.counter(FLOOD_RULE).packets());
        assertEquals(flood.length, filter.counter(FLOOD_RULE).bytes());
        // control: the balancer alone forwards that very frame
        assertEquals(XdpAction.TX, balancerAlone(flood).retval());
    }

    @Test
    void aLegitimateFrameIsEncapsulatedExactlyAsByTheBalancerAlone() {
        installFloodRules(false);
        for (byte[] legit : List.of(
                FilterFrames.tcp(CLIENT, VIP, 4000, 80, FilterFrames.SYN),
                FilterFrames.tcp(CLIENT, VIP, 4000, 80, FilterFrames.ACK),
                FilterFrames.dnsQuery(CLIENT, VIP, "www.example.org", FilterFrames.QTYPE_A))) {
            TestRun.Result alone = balancerAlone(legit);
            TestRun.Result chained = throughChain(legit);
            assertEquals(XdpAction.TX, alone.retval());
            assertEquals(XdpAction.TX, chained.retval(), () -> "got " + XdpAction.name(chained.retval()));
            assertArrayEquals(alone.data(), chained.data(), "same bytes as the balancer alone");
            assertEquals(legit.length + 20, chained.data().length, "IPIP: one outer IPv4 header");
        }
        assertEquals(0, filter.counter(FLOOD_RULE).packets());
        assertEquals(0, filter.counter(DNS_RULE).packets());
        assertEquals(3, filter.global(FilterGlobal.HANDED_ON).packets());
    }

    @Test
    void aDnsFloodNameIsDroppedAndOtherNamesToTheSameVipAreForwarded() {
        installFloodRules(false);
        byte[] floodQuery = FilterFrames.dnsQuery(CLIENT, VIP, "a1b2.flood.example", FilterFrames.QTYPE_A);
        byte[] otherQuery = FilterFrames.dnsQuery(CLIENT, VIP, "flood.example", FilterFrames.QTYPE_A);
        assertEquals(XdpAction.DROP, throughChain(floodQuery).retval());
        assertArrayEquals(
                balancerAlone(otherQuery).data(), throughChain(otherQuery).data());
        assertEquals(1, filter.counter(DNS_RULE).packets());
    }

    @Test
    void observeOnlyRulesCountTheFloodAndTheBalancerForwardsIt() {
        installFloodRules(true);
        byte[] flood = FilterFrames.tcp(FLOOD_SOURCE, VIP, 4000, 80, FilterFrames.SYN);
        TestRun.Result chained = throughChain(flood);
        assertEquals(XdpAction.TX, chained.retval());
        assertArrayEquals(balancerAlone(flood).data(), chained.data());
        assertEquals(1, filter.counter(FLOOD_RULE).packets());
        assertEquals(0, filter.global(FilterGlobal.DROPPED).packets());
    }
}
