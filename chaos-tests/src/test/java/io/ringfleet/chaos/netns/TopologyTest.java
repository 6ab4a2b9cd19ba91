package io.ringfleet.chaos.netns;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringfleet.agent.datapath.ProgramReport;
import io.ringfleet.api.AddReals;
import io.ringfleet.api.AddVip;
import io.ringfleet.api.Command;
import io.ringfleet.api.Protocol;
import io.ringfleet.api.RealSpec;
import io.ringfleet.api.RemoveReals;
import io.ringfleet.api.VipKey;
import io.ringfleet.bpf.BpfMap;
import io.ringfleet.bpf.UpdateFlag;
import io.ringfleet.state.FleetImage;
import io.ringfleet.state.FleetLimits;
import io.ringfleet.state.FleetRings;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.DatagramPacket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The namespace fleet itself: routes, the DSR path through real balancers, maps, teardown. */
class TopologyTest {
    private static Topology topology;
    private static DatapathFleet fleet;
    private static LocalFleetLog log;
    private static final List<VipKey> VIPS = new ArrayList<>();

    @BeforeAll
    static void setUp() {
        Assumptions.assumeTrue(Root.isRoot(), "needs root: network namespaces, XDP, BPF maps");
        topology = Topology.builder().lbs(2).backends(3).build();
        fleet = DatapathFleet.attach(topology, 4, 64, s -> {});
        log = new LocalFleetLog(FleetLimits.builder().maxVips(4).maxReals(64).build());
        List<Command> commands = new ArrayList<>();
        for (InetAddress vip : List.of(topology.vip4(), topology.vip6())) {
            for (Protocol p : List.of(Protocol.TCP, Protocol.UDP)) {
                VipKey key = VipKey.newBuilder()
                        .setAddress(Addresses.text(vip))
                        .setPort(topology.echoPort())
                        .setProtocol(p)
                        .build();
                VIPS.add(key);
                commands.add(Command.newBuilder()
                        .setAddVip(AddVip.newBuilder().setVip(key))
                        .build());
                AddReals.Builder add = AddReals.newBuilder().setVip(key);
                for (BackendNode b : topology.backends()) {
                    add.addReals(RealSpec.newBuilder()
                            .setWeight(1)
                            .setAddress(Addresses.text(vip.getAddress().length == 4 ? b.address4() : b.address6())));
                }
                commands.add(Command.newBuilder().setAddReals(add).build());
            }
        }
        fleet.program(log.submit("setup", commands));
    }

    @AfterAll
    static void tearDown() {
        if (topology != null) {
            topology.close();
        }
    }

    @Test
    void newTcpConnectionsToBothVipsReachEveryBackendAndGetTheirBytesBack() throws Exception {
        ClientNode c = topology.clients().get(0);
        for (InetAddress vip : List.of(topology.vip4(), topology.vip6())) {
            Set<String> reals = new TreeSet<>();
            for (int i = 0; i < 40 && reals.size() < 3; i++) {
                String sent = "probe " + i;
                String reply = c.ns().call(() -> {
                    try (SocketChannel ch = SocketChannel.open()) {
                        ch.socket().connect(new InetSocketAddress(vip, topology.echoPort()), 3000);
                        ch.socket().setSoTimeout(3000);
                        ch.socket().getOutputStream().write((sent + "\n").getBytes(StandardCharsets.US_ASCII));
                        return new BufferedReader(
                                        new InputStreamReader(ch.socket().getInputStream(), StandardCharsets.US_ASCII))
                                .readLine();
                    }
                });
                assertTrue(reply.endsWith(" " + sent), "echo of '" + sent + "': " + reply);
                reals.add(reply.substring(0, reply.indexOf(' ')));
            }
            assertEquals(Set.of("be1", "be2", "be3"), reals, "backends answering " + Addresses.text(vip));
        }
    }

    @Test
    void udpToBothVipsIsAnsweredByABackend() throws Exception {
        ClientNode c = topology.clients().get(0);
        for (InetAddress vip : List.of(topology.vip4(), topology.vip6())) {
            String reply = c.ns().call(() -> {
                try (DatagramChannel ch = DatagramChannel.open()) {
                    ch.connect(new InetSocketAddress(vip, topology.echoPort()));
                    ch.socket().setSoTimeout(3000);
                    byte[] out = "ping".getBytes(StandardCharsets.US_ASCII);
                    ch.socket().send(new DatagramPacket(out, out.length));
                    byte[] buf = new byte[256];
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    ch.socket().receive(p);
                    return new String(buf, 0, p.getLength(), StandardCharsets.US_ASCII);
                }
            });
            assertTrue(reply.matches("be[123] ping"), "UDP answer via " + Addresses.text(vip) + ": " + reply);
        }
    }

    @Test
    void withdrawAndAnnounceEditTheRoutersNextHops() {
        assertEquals(Set.of(1, 2), topology.nextHops4());
        topology.withdraw(1);
        assertEquals(Set.of(2), topology.nextHops4());
        assertEquals(Set.of(2), topology.nextHops6());
        topology.withdraw(2);
        assertEquals(Set.of(), topology.nextHops4(), "no LB announced: the route is unreachable");
        topology.announce(1);
        topology.announce(2);
        topology.announce(2);
        assertEquals(Set.of(1, 2), topology.nextHops4());
        assertEquals(Set.of(1, 2), topology.nextHops6());
    }

    @Test
    void everyLbsKernelMapsEqualTheImageAndAChangeWritesOnlyTheSlotsThatDiffer() {
        FleetImage before = log.image();
        DatapathState want = DatapathState.of(before);
        String rings = FleetRings.of(before, BalancerNode.RING_SIZE).digestHex();
        for (BalancerNode n : fleet.nodes()) {
            DatapathState has = DatapathState.read(n);
            assertEquals(want.digestHex(), has.digestHex(), n.lb().id());
            assertEquals(rings, has.ringDigestHex(), n.lb().id() + ": ring digest read back = FleetRings'");
            assertEquals(
                    rings, fleet.programmer(n.lb().number()).rings().of(before).digestHex());
        }
        VipKey vip = VIPS.get(0);
        FleetImage without = log.submit(
                "rm",
                List.of(Command.newBuilder()
                        .setRemoveReals(RemoveReals.newBuilder()
                                .setVip(vip)
                                .addAddresses(Addresses.text(
                                        topology.backends().get(0).address4())))
                        .build()));
        List<ProgramReport> reports = fleet.program(without);
        DatapathState after = DatapathState.of(without);
        int vipNum = without.vips().byKey().keySet().stream()
                .filter(k -> k.port() == vip.getPort()
                        && k.protocol().number() == 6
                        && k.address().isV4())
                .map(k -> without.vips().byKey().get(k))
                .findFirst()
                .orElseThrow();
        int changed = want.slotsDiffering(after, vipNum);
        assertTrue(changed > 20_000 && changed < 22_500, "a third of the ring changes owner: " + changed);
        for (int i = 0; i < reports.size(); i++) {
            assertEquals(changed, reports.get(i).written("ch_rings"), "ring slots written on lb" + (i + 1));
            assertEquals(
                    after.digestHex(), DatapathState.read(fleet.node(i + 1)).digestHex());
        }
        fleet.program(log.submit(
                "add",
                List.of(Command.newBuilder()
                        .setAddReals(AddReals.newBuilder()
                                .setVip(vip)
                                .addReals(RealSpec.newBuilder()
                                        .setWeight(1)
                                        .setAddress(Addresses.text(
                                                topology.backends().get(0).address4()))))
                        .build())));
        assertEquals(want.digestHex(), DatapathState.of(log.image()).digestHex(), "re-added: the same maps again");
        for (BalancerNode n : fleet.nodes()) {
            assertEquals(want.digestHex(), DatapathState.read(n).digestHex(), n.lb().id());
        }
    }

    @Test
    void theForwardingCheckAgreesOnEqualRingsAndFindsAnLbWhoseRingDiffers() {
        int port = topology.echoPort();
        ForwardingCheck ok = ForwardingCheck.run(fleet.nodes(), topology.vip4(), port, 6, 600, 1, Addresses::text);
        assertEquals(600, ok.agreed(), ok.firstDisagreement());
        assertEquals(3, ok.byReal().size(), "every real gets flows: " + ok.byReal());

        FleetImage image = log.image();
        int vipNum = image.vips().byKey().entrySet().stream()
                .filter(e -> e.getKey().port() == port
                        && e.getKey().protocol().number() == 6
                        && e.getKey().address().isV4())
                .map(Map.Entry::getValue)
                .findFirst()
                .orElseThrow();
        int oneReal = image.reals().indexes().first();
        List<byte[]> keys = new ArrayList<>();
        List<byte[]> values = new ArrayList<>();
        for (int slot = 0; slot < BalancerNode.RING_SIZE; slot++) {
            keys.add(BpfMap.u32(vipNum * BalancerNode.RING_SIZE + slot));
            values.add(BpfMap.u32(oneReal));
        }
        fleet.node(2).map("ch_rings").updateBatch(keys, values, UpdateFlag.ANY);
        try {
            ForwardingCheck bad = ForwardingCheck.run(fleet.nodes(), topology.vip4(), port, 6, 600, 1, Addresses::text);
            assertTrue(bad.agreed() < 400, "lb2 sends every flow to one real; agreed: " + bad.agreed());
            assertTrue(bad.firstDisagreement().contains(" / "), bad.firstDisagreement());
        } finally {
            fleet.programmer(2).resync(image);
        }
        assertEquals(DatapathState.of(image).digestHex(), fleet.kernelState(2).digestHex(), "resync repaired lb2");
    }

    @Test
    void closeDeletesEveryNamespaceOfTheRunAndCanBeRepeated() {
        Topology small = Topology.builder().lbs(1).backends(1).build();
        String prefix = small.prefix();
        assertEquals(4, small.namespaceNames().size(), "router, lb1, be1, cl1");
        assertTrue(Namespaces.list().containsAll(small.namespaceNames()));
        small.close();
        assertTrue(Namespaces.list().stream().noneMatch(n -> n.startsWith(prefix)), "left: " + Namespaces.list());
        assertDoesNotThrow(small::close);
    }
}
