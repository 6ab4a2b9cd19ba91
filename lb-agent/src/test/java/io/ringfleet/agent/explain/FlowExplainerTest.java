package io.ringfleet.agent.explain;

import static io.ringfleet.state.testing.Commands.TCP;
import static io.ringfleet.state.testing.Commands.UDP;
import static io.ringfleet.state.testing.Commands.addReals;
import static io.ringfleet.state.testing.Commands.addVip;
import static io.ringfleet.state.testing.Commands.mapQuic;
import static io.ringfleet.state.testing.Commands.markDown;
import static io.ringfleet.state.testing.Commands.vip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringfleet.api.ExplainFlowRequest;
import io.ringfleet.api.FlowDecision;
import io.ringfleet.api.FlowExplanation;
import io.ringfleet.api.VipKey;
import io.ringfleet.api.VipMatch;
import io.ringfleet.bpf.FlowHash;
import io.ringfleet.bpf.abi.FlowKey;
import io.ringfleet.state.FleetImage;
import io.ringfleet.state.FleetLimits;
import io.ringfleet.state.FleetRings;
import io.ringfleet.state.IpAddress;
import io.ringfleet.state.Protocol;
import io.ringfleet.state.VipFlags;
import io.ringfleet.state.testing.CommandLog;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * The decision of {@link FlowExplainer} in the program's order, over images made by the log's own applier. The
 * connection table is a plain map of flow keys here; the kernel's is read in {@code ExplainFlowFleetTest}.
 */
class FlowExplainerTest {
    static final VipKey WEB = vip("10.1.1.1", 80, TCP);
    static final VipKey DNS = vip("10.1.1.2", 53, UDP);
    static final long NOW = 1_000_000_000_000L;

    /** A connection table holding the given entries (flow key → entry). */
    record Table(List<FlowKey> keys, List<ConnTable.Entry> entries) implements ConnTable {
        Table() {
            this(new ArrayList<>(), new ArrayList<>());
        }

        Table with(FlowKey key, Entry entry) {
            keys.add(key);
            entries.add(entry);
            return this;
        }

        @Override
        public Optional<Entry> lookup(FlowKey key) {
            int i = keys.indexOf(key);
            return i < 0 ? Optional.empty() : Optional.of(entries.get(i));
        }
    }

    static ProgrammedState state(FleetImage image) {
        return new ProgrammedState(image.index(), image, FleetRings.of(image, FleetLimits.RING_SIZE));
    }

    static FlowQuery tcp(String src, int sport, String vip, int dport) {
        return new FlowQuery(
                Protocol.TCP, IpAddress.parse(src), sport, IpAddress.parse(vip), dport, false, OptionalLong.empty());
    }

    static FlowQuery udp(String src, int sport, String vip, int dport, OptionalLong serverId) {
        return new FlowQuery(Protocol.UDP, IpAddress.parse(src), sport, IpAddress.parse(vip), dport, false, serverId);
    }

    static FlowKey key(String src, String dst, int sport, int dport, int proto) throws Exception {
        return new FlowKey(
                java.net.InetAddress.getByName(src), java.net.InetAddress.getByName(dst), sport, dport, proto);
    }

    static FleetImage web(int flags) {
        return new CommandLog().apply(addVip(WEB, flags), addReals(WEB, "10.0.0.1=1", "10.0.0.2=1", "10.0.0.3=1"));
    }

    /** The real the ring of {@code vipKey} names for the hash of (src, sport, dport). */
    static String ringReal(ProgrammedState s, VipKey vipKey, String src, int sport, int dport) {
        var vip = s.image().vips().get(stateKey(vipKey)).orElseThrow();
        int slot = FlowHash.slot(
                FlowHash.hash(IpAddress.parse(src).bytes(), sport, dport),
                s.rings().ringSize());
        int index = s.rings().ring(vip.vipNum()).orElseThrow().ring().realAt(slot);
        return s.image().reals().get(index).orElseThrow().address().toString();
    }

    static io.ringfleet.state.VipKey stateKey(VipKey k) {
        return new io.ringfleet.state.VipKey(
                IpAddress.parse(k.getAddress()), k.getPort(), Protocol.fromProto(k.getProtocol()));
    }

    @Test
    void aFlowToNoVipIsPassed() {
        FlowExplanation e = FlowExplainer.explain(
                        tcp("192.0.2.1", 40000, "10.9.9.9", 80), state(web(0)), new Table(), NOW)
                .build();
        assertEquals(FlowDecision.FLOW_DECISION_NO_VIP, e.getDecision());
        assertEquals(VipMatch.VIP_MATCH_NONE, e.getVipMatch());
        assertEquals("", e.getReal());
    }

    @Test
    void aNewFlowTakesTheRealOfItsHashSlot() {
        ProgrammedState s = state(web(0));
        for (int sport = 40000; sport < 40050; sport++) {
            FlowExplanation e = FlowExplainer.explain(tcp("192.0.2.1", sport, "10.1.1.1", 80), s, new Table(), NOW)
                    .build();
            assertEquals(FlowDecision.FLOW_DECISION_RING, e.getDecision());
            assertEquals(VipMatch.VIP_MATCH_EXACT, e.getVipMatch());
            assertEquals(ringReal(s, WEB, "192.0.2.1", sport, 80), e.getReal());
            assertEquals(FlowHash.slot(e.getFlowHash(), s.rings().ringSize()), e.getRingSlot());
            assertEquals(e.getRealIndex(), e.getRingRealIndex());
        }
    }

    @Test
    void aPortZeroVipMatchesAnyPortAndHashesDestinationPortZero() {
        VipKey all = vip("10.1.1.1", 0, TCP);
        ProgrammedState s = state(new CommandLog().apply(addVip(all), addReals(all, "10.0.0.1=1", "10.0.0.2=1")));
        FlowExplanation e = FlowExplainer.explain(tcp("192.0.2.1", 40000, "10.1.1.1", 8080), s, new Table(), NOW)
                .build();
        assertEquals(VipMatch.VIP_MATCH_PORT_ZERO, e.getVipMatch());
        assertEquals(FlowHash.hash(IpAddress.parse("192.0.2.1").bytes(), 40000, 0), e.getFlowHash());
        assertEquals(ringReal(s, all, "192.0.2.1", 40000, 0), e.getReal());
    }

    @Test
    void hashFlagsRewriteTheHashedKey() {
        ProgrammedState noSrcPort = state(web(VipFlags.HASH_NO_SRC_PORT));
        FlowExplanation e = FlowExplainer.explain(tcp("192.0.2.1", 40000, "10.1.1.1", 80), noSrcPort, new Table(), NOW)
                .build();
        assertEquals(FlowHash.hash(IpAddress.parse("192.0.2.1").bytes(), 0, 80), e.getFlowHash());

        ProgrammedState dportOnly = state(web(VipFlags.HASH_DPORT_ONLY));
        FlowExplanation d = FlowExplainer.explain(tcp("192.0.2.1", 40000, "10.1.1.1", 80), dportOnly, new Table(), NOW)
                .build();
        assertEquals(FlowHash.hash(new byte[4], 80, 80), d.getFlowHash());
        assertTrue(d.getStepsList().stream().anyMatch(l -> l.contains("not used (hash_dport_only)")), d.toString());
    }

    @Test
    void aConnectionTableEntryWinsOverTheRing() throws Exception {
        ProgrammedState s = state(web(0));
        FlowExplanation byRing = FlowExplainer.explain(tcp("192.0.2.1", 40000, "10.1.1.1", 80), s, new Table(), NOW)
                .build();
        int other = byRing.getRealIndex() == 1 ? 2 : 1; // a member the ring does not pick
        Table table = new Table().with(key("192.0.2.1", "10.1.1.1", 40000, 80, 6), new ConnTable.Entry(1, other, 0));
        FlowExplanation e = FlowExplainer.explain(tcp("192.0.2.1", 40000, "10.1.1.1", 80), s, table, NOW)
                .build();
        assertEquals(FlowDecision.FLOW_DECISION_CONN_TABLE, e.getDecision());
        assertEquals(other, e.getRealIndex());
        assertEquals(1, e.getConnTableCpu());
        assertEquals(byRing.getRingSlot(), e.getRingSlot(), "the slot is reported whatever decided");
        assertNotEquals(e.getRealIndex(), e.getRingRealIndex());
    }

    @Test
    void theTableIsNotReadForASynNorWithLruBypass() throws Exception {
        for (int flags : new int[] {0, VipFlags.LRU_BYPASS}) {
            ProgrammedState s = state(web(flags));
            Table table = new Table()
                    .with(key("192.0.2.1", "10.1.1.1", 40000, 80, 6), new ConnTable.Entry(ConnTable.FALLBACK, 3, 0));
            FlowQuery syn = new FlowQuery(
                    Protocol.TCP,
                    IpAddress.parse("192.0.2.1"),
                    40000,
                    IpAddress.parse("10.1.1.1"),
                    80,
                    flags == 0,
                    OptionalLong.empty());
            FlowExplanation e = FlowExplainer.explain(syn, s, table, NOW).build();
            assertEquals(FlowDecision.FLOW_DECISION_RING, e.getDecision(), e.toString());
        }
    }

    @Test
    void anIdleUdpEntryHasExpired() throws Exception {
        FleetImage image = new CommandLog().apply(addVip(DNS), addReals(DNS, "10.0.0.1=1", "10.0.0.2=1"));
        ProgrammedState s = state(image);
        FlowQuery flow = udp("192.0.2.1", 5000, "10.1.1.2", 53, OptionalLong.empty());
        int ringPick = FlowExplainer.explain(flow, s, new Table(), NOW).build().getRealIndex();
        int other = ringPick == 1 ? 2 : 1;
        FlowKey k = key("192.0.2.1", "10.1.1.2", 5000, 53, 17);
        long fresh = NOW - FlowExplainer.UDP_TIMEOUT_NS;
        long stale = fresh - 1;
        assertEquals(
                other,
                FlowExplainer.explain(flow, s, new Table().with(k, new ConnTable.Entry(0, other, fresh)), NOW)
                        .build()
                        .getRealIndex());
        FlowExplanation expired = FlowExplainer.explain(
                        flow, s, new Table().with(k, new ConnTable.Entry(0, other, stale)), NOW)
                .build();
        assertEquals(FlowDecision.FLOW_DECISION_RING, expired.getDecision());
        assertEquals(ringPick, expired.getRealIndex());
    }

    @Test
    void udpFlowMigrationHashesAFlowWhoseRealIsMarkedDown() throws Exception {
        CommandLog log = new CommandLog();
        FleetImage image =
                log.apply(addVip(DNS, VipFlags.UDP_FLOW_MIGRATION), addReals(DNS, "10.0.0.1=1", "10.0.0.2=1"));
        FlowQuery flow = udp("192.0.2.1", 5000, "10.1.1.2", 53, OptionalLong.empty());
        int ringPick = FlowExplainer.explain(flow, state(image), new Table(), NOW)
                .build()
                .getRealIndex();
        int other = ringPick == 1 ? 2 : 1;
        String otherAddress = image.reals().get(other).orElseThrow().address().toString();
        FlowKey k = key("192.0.2.1", "10.1.1.2", 5000, 53, 17);
        Table table = new Table().with(k, new ConnTable.Entry(0, other, NOW));
        ProgrammedState down = state(log.apply(markDown(DNS, otherAddress)));

        FlowExplanation e = FlowExplainer.explain(flow, down, table, NOW).build();
        assertEquals(FlowDecision.FLOW_DECISION_RING, e.getDecision(), e.toString());
        assertTrue(e.getStepsList().stream().anyMatch(l -> l.contains("udp_flow_migration")), e.toString());
    }

    @Test
    void aMarkedDownRealTheRingStillPicksIsNamedDown() {
        CommandLog log = new CommandLog();
        FleetImage image =
                log.apply(addVip(DNS, VipFlags.UDP_FLOW_MIGRATION), addReals(DNS, "10.0.0.1=1", "10.0.0.2=1"));
        FlowQuery flow = udp("192.0.2.1", 5000, "10.1.1.2", 53, OptionalLong.empty());
        FlowExplanation up =
                FlowExplainer.explain(flow, state(image), new Table(), NOW).build();
        assertFalse(up.getRealMarkedDown());
        // a down mark moves remembered flows (udp_flow_migration), not the ring: new flows still land there
        ProgrammedState s = state(log.apply(markDown(DNS, up.getReal())));
        FlowExplanation e = FlowExplainer.explain(flow, s, new Table(), NOW).build();
        assertEquals(FlowDecision.FLOW_DECISION_RING, e.getDecision());
        assertEquals(up.getReal(), e.getReal());
        assertTrue(e.getRealMarkedDown(), e.toString());
        assertFalse(e.getRealHealthDown());
    }

    @Test
    void aQuicServerIdRoutesBeforeTheTableAndTheRing() throws Exception {
        FleetImage image = new CommandLog()
                .apply(
                        addVip(DNS, VipFlags.QUIC_VIP),
                        addReals(DNS, "10.0.0.1=1", "10.0.0.2=1", "10.0.0.3=1"),
                        mapQuic("77=10.0.0.3"));
        ProgrammedState s = state(image);
        Table table = new Table().with(key("192.0.2.1", "10.1.1.2", 5000, 53, 17), new ConnTable.Entry(0, 1, NOW));
        FlowExplanation e = FlowExplainer.explain(
                        udp("192.0.2.1", 5000, "10.1.1.2", 53, OptionalLong.of(77)), s, table, NOW)
                .build();
        assertEquals(FlowDecision.FLOW_DECISION_SERVER_ID, e.getDecision());
        assertEquals("10.0.0.3", e.getReal());

        FlowExplanation unknownId = FlowExplainer.explain(
                        udp("192.0.2.1", 5000, "10.1.1.2", 53, OptionalLong.of(78)), s, table, NOW)
                .build();
        assertEquals(FlowDecision.FLOW_DECISION_CONN_TABLE, unknownId.getDecision(), "an unknown id falls through");
    }

    @Test
    void aVipWithoutRealsDropsTheFlow() {
        ProgrammedState s = state(new CommandLog().apply(addVip(WEB)));
        FlowExplanation e = FlowExplainer.explain(tcp("192.0.2.1", 40000, "10.1.1.1", 80), s, new Table(), NOW)
                .build();
        assertEquals(FlowDecision.FLOW_DECISION_DROP, e.getDecision());
        assertEquals("", e.getReal());
    }

    @Test
    void badFlowsAreRefusedWithOneLineSayingWhatIsAllowed() {
        ExplainFlowRequest good = new FlowQuery(
                        Protocol.TCP,
                        IpAddress.parse("192.0.2.1"),
                        40000,
                        IpAddress.parse("10.1.1.1"),
                        80,
                        false,
                        OptionalLong.empty())
                .toRequest();
        assertEquals(good, FlowQuery.of(good).toRequest(), "a query round-trips through its request");
        List<ExplainFlowRequest> bad = List.of(
                good.toBuilder().setSourceAddress("10.0.0.300").build(),
                good.toBuilder().setVipAddress("").build(),
                good.toBuilder().setVipAddress("fd00::1").build(),
                good.toBuilder().setSourcePort(70000).build(),
                good.toBuilder().setProtocolValue(1).build(),
                good.toBuilder().setServerId(1L << 33).build());
        for (ExplainFlowRequest r : bad) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FlowQuery.of(r));
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
            assertTrue(e.getMessage().contains("allowed") || e.getMessage().contains("write IPv4"), e.getMessage());
        }
    }

    @Test
    void nodesAgreeOnlyWhenAllAnsweredWithTheSameReal() {
        FlowExplanation a = FlowExplanation.newBuilder()
                .setNodeId("lb1")
                .setAnswered(true)
                .setReal("10.0.0.1")
                .build();
        FlowExplanation b = a.toBuilder().setNodeId("lb2").build();
        assertTrue(FleetFlowExplainer.agree(List.of(a, b)));
        assertFalse(FleetFlowExplainer.agree(
                List.of(a, b.toBuilder().setReal("10.0.0.2").build())));
        assertFalse(FleetFlowExplainer.agree(
                List.of(a, b.toBuilder().setAnswered(false).build())));
        assertFalse(FleetFlowExplainer.agree(List.of()));
    }
}
