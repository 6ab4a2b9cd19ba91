package io.ringfleet.agent.datapath;

import static io.ringfleet.state.testing.Commands.TCP;
import static io.ringfleet.state.testing.Commands.addReals;
import static io.ringfleet.state.testing.Commands.addVip;
import static io.ringfleet.state.testing.Commands.removeReals;
import static io.ringfleet.state.testing.Commands.setWeights;
import static io.ringfleet.state.testing.Commands.vip;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringfleet.agent.rings.RingView;
import io.ringfleet.api.VipKey;
import io.ringfleet.bpf.BpfMap;
import io.ringfleet.bpf.MapNames;
import io.ringfleet.bpf.abi.EncapSrc;
import io.ringfleet.bpf.abi.Real;
import io.ringfleet.bpf.testing.Bpffs;
import io.ringfleet.state.FleetImage;
import io.ringfleet.state.FleetLimits;
import io.ringfleet.state.FleetVersions;
import io.ringfleet.state.IpAddress;
import io.ringfleet.state.maglev.MaglevRing;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The second-chance build programmed from the image (kernel maps of a loaded, unattached balancer_sc): ch_rings_prev
 * holds each VIP's previous ring (the current ring while it has no history), written through the same desired maps
 * → kernel reading → write plan path as ch_rings; the previous ring is the ring object that was current; a removed
 * real the history names keeps its reals entry; encap_srcs holds the node's source; a restart rewrites nothing.
 */
class SecondChanceProgrammingTest {
    private static final VipKey WEB = vip("10.1.0.1", 80, TCP);
    private static final int V4 = FleetVersions.Rule.RING_HISTORY.version();

    private Path pins;

    @BeforeEach
    void setUp() {
        pins = Bpffs.newDir("fs-sc-programming");
    }

    @AfterEach
    void tearDown() {
        Bpffs.deleteTree(pins);
    }

    private DatapathConfig config(BalancerVariant variant) throws Exception {
        return DatapathConfig.builder()
                .variant(variant)
                .maxVips(4)
                .fallbackConnTableOnly()
                .healthCheck(false)
                .healthCheckSources((Inet4Address) InetAddress.getByName("10.9.0.1"), null)
                .pinDir(pins)
                .build();
    }

    private static int[] row(BalancerDatapath datapath, String map, int vipNum) {
        return datapath.map(map).lookupRangeU32(vipNum * DatapathConfig.RING_SIZE, DatapathConfig.RING_SIZE);
    }

    private static int[] slots(MaglevRing ring) {
        int[] s = new int[ring.size()];
        for (int i = 0; i < s.length; i++) {
            s[i] = ring.realAt(i);
        }
        return s;
    }

    @Test
    void thePreviousRingFollowsTheRingHistoryAndARestartRewritesNothing() throws Exception {
        ProgrammedLog log;
        try (BalancerDatapath datapath = BalancerDatapath.open(config(BalancerVariant.SECOND_CHANCE))) {
            assertEquals(1, datapath.encapSourcesWritten());
            assertEquals(
                    InetAddress.getByName("10.9.0.1"),
                    EncapSrc.decode(
                                    datapath.map(MapNames.ENCAP_SRCS)
                                            .lookup(BpfMap.u32(EncapSrc.V4))
                                            .orElseThrow(),
                                    EncapSrc.V4)
                            .address());
            RingView view = new RingView(DatapathConfig.RING_SIZE);
            log = new ProgrammedLog(MapProgrammer.builder(datapath).rings(view).build(), FleetLimits.DEFAULT, V4);

            log.apply(addVip(WEB), addReals(WEB, "10.0.0.1=1", "10.0.0.2=1", "10.0.0.3=1"));
            FleetImage first = log.image();
            assertArrayEquals(
                    row(datapath, MapNames.CH_RINGS, 0),
                    row(datapath, MapNames.CH_RINGS_PREV, 0),
                    "no history yet: the previous ring is the current one");
            MaglevRing firstRing = view.of(first).ring(0).orElseThrow().ring();

            log.apply(removeReals(WEB, "10.0.0.3"));
            FleetImage second = log.image();
            MaglevRing secondRing = view.of(second).ring(0).orElseThrow().ring();
            assertArrayEquals(slots(firstRing), row(datapath, MapNames.CH_RINGS_PREV, 0));
            assertArrayEquals(slots(secondRing), row(datapath, MapNames.CH_RINGS, 0));
            assertSame(firstRing, view.previousOf(second).ring(0).orElseThrow(), "the ring that was current is reused");
            int removed =
                    first.reals().get(IpAddress.parse("10.0.0.3")).orElseThrow().index();
            assertArrayEquals(
                    new Real(InetAddress.getByName("10.0.0.3")).encode(),
                    datapath.map(MapNames.REALS).lookup(BpfMap.u32(removed)).orElseThrow(),
                    "the previous ring's real keeps its reals entry");
            // The previous row held the current ring already: a change writes ch_rings_prev one change late, by
            // the slots that change moved (and nothing else).
            assertEquals(0, log.lastReport().written(MapNames.CH_RINGS_PREV), "the previous row held it already");
            int ringWrites = log.lastReport().written(MapNames.CH_RINGS);
            assertTrue(ringWrites > 0);

            log.apply(setWeights(WEB, "10.0.0.1=3"));
            assertArrayEquals(slots(secondRing), row(datapath, MapNames.CH_RINGS_PREV, 0), "one change later");
            assertEquals(ringWrites, log.lastReport().written(MapNames.CH_RINGS_PREV));
            assertFalse(log.image().reals().get(removed).isPresent(), "no history names 10.0.0.3 any more: freed");
        }
        try (BalancerDatapath again = BalancerDatapath.open(config(BalancerVariant.SECOND_CHANCE))) {
            assertTrue(again.mapsReused());
            assertEquals(0, again.encapSourcesWritten(), "encap_srcs held the source already");
            ProgramReport report = MapProgrammer.builder(again).build().program(log.image());
            assertTrue(report.full());
            assertEquals(0, report.totalWritten(), "a restart onto pinned maps rewrites nothing: " + report);
        }
    }

    @Test
    void thePlainBalancerHasNoPreviousRings() throws Exception {
        try (BalancerDatapath datapath = BalancerDatapath.open(config(BalancerVariant.BALANCER))) {
            assertFalse(datapath.hasMap(MapNames.CH_RINGS_PREV));
            assertEquals(0, datapath.encapSourcesWritten());
            ProgrammedLog log =
                    new ProgrammedLog(MapProgrammer.builder(datapath).build(), FleetLimits.DEFAULT, V4);
            log.apply(addVip(WEB), addReals(WEB, "10.0.0.1=1", "10.0.0.2=1"));
            log.apply(removeReals(WEB, "10.0.0.2"));
            assertEquals(0, log.lastReport().written(MapNames.CH_RINGS_PREV));
        }
    }
}
