package io.ringfleet.agent.datapath;

import static io.ringfleet.state.testing.Commands.TCP;
import static io.ringfleet.state.testing.Commands.addReals;
import static io.ringfleet.state.testing.Commands.addVip;
import static io.ringfleet.state.testing.Commands.setHealthCheck;
import static io.ringfleet.state.testing.Commands.setMac;
import static io.ringfleet.state.testing.Commands.vip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringfleet.api.VipKey;
import io.ringfleet.bpf.Bpf;
import io.ringfleet.bpf.BpfMap;
import io.ringfleet.bpf.BpfObject;
import io.ringfleet.bpf.BpfProgram;
import io.ringfleet.bpf.NetNs;
import io.ringfleet.bpf.Tc;
import io.ringfleet.bpf.TestRun;
import io.ringfleet.bpf.Xdp;
import io.ringfleet.bpf.abi.Conn;
import io.ringfleet.bpf.abi.FlowKey;
import io.ringfleet.bpf.testing.Bpffs;
import io.ringfleet.bpf.testing.Frames;
import io.ringfleet.config.XdpMode;
import io.ringfleet.state.testing.CommandLog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Agent restarts with pinned state, on a veth inside a namespace made here: maps, connection tables and the
 * attached programs survive; the restarted agent reuses them, rewrites nothing, and never detaches.
 */
class PinnedRestartTest {
    private static final VipKey WEB = vip("10.100.0.1", 80, TCP);
    private static final String DEV = "lb0";
    private static final int XDP_TX = 3;

    private NetNs lb;
    private NetNs client;
    private Path pins;

    @BeforeEach
    void setUp() {
        lb = NetNs.create("rfra");
        client = NetNs.create("rfrc");
        NetNs.vethPair(lb, DEV, client, "cl0");
        pins = Bpffs.newDir("rf-agent-test-restart");
    }

    @AfterEach
    void tearDown() {
        lb.close();
        client.close();
        Bpffs.deleteTree(pins);
    }

    private DatapathConfig config(BalancerVariant variant) {
        return DatapathConfig.builder()
                .variant(variant)
                .maxVips(4)
                .perCpuConnTables(1024, List.of())
                .pinDir(pins)
                .build();
    }

    private static CommandLog provision(MapProgrammer programmer) {
        ProgrammedLog log = new ProgrammedLog(programmer);
        log.apply(
                setMac("02:00:00:00:00:fe"),
                addVip(WEB),
                addReals(WEB, "10.0.0.1=1", "10.0.0.2=1", "10.0.0.3=1"),
                setHealthCheck(7, "10.0.0.1"));
        return log;
    }

    @Test
    void aRestartFromPinsKeepsMapsProgramAndConnectionsAndRewritesNothing() throws Exception {
        int cpus = Math.min(Bpf.numPossibleCpus(), DatapathConfig.MAX_CONN_TABLE_CPUS);
        CommandLog log;
        int programId;
        int hcId;
        Map<String, List<String>> before;
        FlowKey flow =
                new FlowKey(InetAddress.getByName("192.0.2.10"), InetAddress.getByName("10.100.0.1"), 40000, 80, 6);
        Found conn;
        try (BalancerDatapath first = BalancerDatapath.open(config(BalancerVariant.BALANCER))) {
            assertFalse(first.mapsReused());
            assertFalse(first.programReused());
            assertEquals(cpus, first.connTablesCreated());
            lb.run(() -> {
                first.attach(XdpTarget.standalone(DEV, XdpMode.DRIVER));
                first.attachHealthCheck(DEV);
            });
            programId = first.program().id();
            hcId = first.healthCheckProgram().orElseThrow().id();
            assertEquals(programId, attachedXdp());
            log = provision(MapProgrammer.builder(first).build());

            byte[] syn = Frames.tcp4(
                    (Inet4Address) flow.source(), (Inet4Address) flow.destination(), 40000, 80, Frames.TCP_SYN);
            assertEquals(
                    XDP_TX,
                    first.program()
                            .testRun(TestRun.of(syn).dataOutCapacity(syn.length + 512))
                            .retval());
            conn = find(flow, cpus).orElseThrow(() -> new AssertionError("the SYN left no connection-table entry"));
            before = dump(first);
        }
        assertEquals(programId, attachedXdp(), "closing the agent's fds detaches nothing");

        try (BalancerDatapath second = BalancerDatapath.open(config(BalancerVariant.BALANCER))) {
            assertTrue(second.mapsReused());
            assertTrue(second.programReused());
            assertEquals(programId, second.program().id());
            assertEquals(0, second.connTablesCreated());
            assertEquals(cpus, second.connTablesKept());
            lb.run(() -> {
                second.attach(XdpTarget.standalone(DEV, XdpMode.DRIVER));
                second.attachHealthCheck(DEV);
            });
            assertEquals(programId, attachedXdp(), "the same program stayed attached");
            assertEquals(hcId, lb.call(() -> Tc.attachedId(Xdp.ifindex(DEV), Tc.Direction.EGRESS, 1, 1)));

            MapProgrammer programmer = MapProgrammer.builder(second).build();
            ProgramReport report = programmer.program(log.image());
            assertTrue(report.full(), "the first run after a start compares everything");
            assertEquals(0, report.totalWritten(), "nothing unchanged is rewritten: " + report);
            assertEquals(log.image().index(), report.index());
            assertEquals(before, dump(second));
            assertEquals(Optional.of(conn), find(flow, cpus), "the connection-table entry survived");
        } finally {
            lb.run(() -> {
                Xdp.detach(Xdp.ifindex(DEV), Xdp.Mode.DRIVER);
                Tc.destroyClsact(Xdp.ifindex(DEV));
            });
        }
    }

    @Test
    void anotherObjectReplacesTheAttachedProgramAtomicallyAndKeepsTheMaps() {
        int oldId;
        CommandLog log;
        try (BalancerDatapath first = BalancerDatapath.open(config(BalancerVariant.BALANCER))) {
            lb.run(() -> first.attach(XdpTarget.standalone(DEV, XdpMode.DRIVER)));
            oldId = first.program().id();
            log = provision(MapProgrammer.builder(first).build());
        }
        try (BalancerDatapath upgraded = BalancerDatapath.open(config(BalancerVariant.TOO_BIG))) {
            assertTrue(upgraded.mapsReused());
            assertFalse(upgraded.programReused());
            assertNotEquals(oldId, upgraded.program().id());
            assertEquals(oldId, attachedXdp(), "opening alone changes nothing on the interface");
            lb.run(() -> upgraded.attach(XdpTarget.standalone(DEV, XdpMode.DRIVER)));
            assertEquals(upgraded.program().id(), attachedXdp());
            assertEquals(
                    List.of("prog_xdp_balancer_toobig_"),
                    programPins("prog_xdp_"),
                    "the old program's pin is gone once it is replaced");
            assertEquals(
                    0,
                    MapProgrammer.builder(upgraded).build().program(log.image()).totalWritten());
        } finally {
            lb.run(() -> Xdp.detach(Xdp.ifindex(DEV), Xdp.Mode.DRIVER));
        }
    }

    @Test
    void withoutAPinDirTheBalancerAttachesAndPinsNothing() {
        DatapathConfig unpinned = DatapathConfig.builder()
                .variant(BalancerVariant.BALANCER)
                .maxVips(4)
                .perCpuConnTables(1024, List.of())
                .build();
        try (BalancerDatapath datapath = BalancerDatapath.open(unpinned)) {
            lb.run(() -> datapath.attach(XdpTarget.standalone(DEV, XdpMode.DRIVER)));
            assertEquals(datapath.program().id(), attachedXdp());
            assertFalse(Files.exists(pins), "nothing is pinned without a pin dir");
        } finally {
            lb.run(() -> Xdp.detach(Xdp.ifindex(DEV), Xdp.Mode.DRIVER));
        }
    }

    @Test
    void aForeignProgramOnTheInterfaceIsNeverReplaced() {
        try (BpfObject root = BpfObject.open(Bpf.shippedObject("xdp_root")).load();
                BpfProgram foreign = root.program("xdp_root");
                BalancerDatapath datapath = BalancerDatapath.open(config(BalancerVariant.BALANCER))) {
            lb.run(() -> Xdp.attach(Xdp.ifindex(DEV), foreign, Xdp.Mode.DRIVER));
            DatapathException e = assertThrows(
                    DatapathException.class,
                    () -> lb.run(() -> datapath.attach(XdpTarget.standalone(DEV, XdpMode.DRIVER))));
            assertTrue(e.getMessage().contains("not a Ringfleet program"), e.getMessage());
            assertEquals(foreign.id(), attachedXdp());
            DatapathException mode = assertThrows(
                    DatapathException.class,
                    () -> lb.run(() -> datapath.attach(XdpTarget.standalone(DEV, XdpMode.GENERIC))));
            assertTrue(
                    mode.getMessage().contains("attached in driver mode, but the config says generic"),
                    mode.getMessage());
        } finally {
            lb.run(() -> Xdp.detach(Xdp.ifindex(DEV), Xdp.Mode.DRIVER));
        }
    }

    @Test
    void inSharedModeTheBalancerTakesItsRootSlotAndKeepsItAcrossRestarts() {
        Path rootPin = pins.resolveSibling(pins.getFileName() + "-root_array");
        try (BpfObject root = BpfObject.open(Bpf.shippedObject("xdp_root")).load();
                BpfProgram rootProg = root.program("xdp_root");
                BpfMap rootArray = root.map("root_array")) {
            rootArray.pin(rootPin);
            lb.run(() -> Xdp.attach(Xdp.ifindex(DEV), rootProg, Xdp.Mode.DRIVER));
            int id;
            try (BalancerDatapath first = BalancerDatapath.open(config(BalancerVariant.BALANCER))) {
                first.attach(XdpTarget.shared(rootPin, 1));
                id = first.program().id();
                assertEquals(id, BpfMap.u32(rootArray.lookup(BpfMap.u32(1)).orElseThrow()));
            }
            try (BalancerDatapath second = BalancerDatapath.open(config(BalancerVariant.BALANCER))) {
                second.attach(XdpTarget.shared(rootPin, 1));
                assertEquals(id, BpfMap.u32(rootArray.lookup(BpfMap.u32(1)).orElseThrow()));
            }
            assertEquals(rootProg.id(), attachedXdp(), "the root program stays the interface's program");
        } finally {
            lb.run(() -> Xdp.detach(Xdp.ifindex(DEV), Xdp.Mode.DRIVER));
            BpfProgram.unpin(rootPin);
        }
    }

    private int attachedXdp() {
        return lb.call(() -> Xdp.attachedId(Xdp.ifindex(DEV), Xdp.Mode.DRIVER));
    }

    private List<String> programPins(String prefix) {
        try (var s = Files.list(pins)) {
            return s.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith(prefix))
                    .map(n -> n.substring(0, n.lastIndexOf('_') + 1))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Where a flow is remembered: which table, and the entry. */
    private record Found(String table, Conn conn) {}

    private Optional<Found> find(FlowKey flow, int cpus) {
        List<Found> found = new ArrayList<>();
        for (int cpu = 0; cpu < cpus; cpu++) {
            String name = "cpu" + cpu;
            try (BpfMap table = BpfMap.openPinned(BalancerDatapath.connTablePin(pins, cpu))) {
                table.lookup(flow.encode()).ifPresent(v -> found.add(new Found(name, Conn.decode(v))));
            }
        }
        try (BpfMap fallback = BpfMap.openPinned(pins.resolve("conn_fallback"))) {
            fallback.lookup(flow.encode()).ifPresent(v -> found.add(new Found("fallback", Conn.decode(v))));
        }
        assertTrue(found.size() <= 1, "a flow is in one table: " + found);
        return found.stream().findFirst();
    }

    /** Every entry of the maps the programmer writes (arrays: non-zero entries), and the VIP's ring row. */
    private static Map<String, List<String>> dump(BalancerDatapath dp) {
        Map<String, List<String>> out = new TreeMap<>();
        HexFormat hex = HexFormat.of();
        for (Table t : Table.values()) {
            List<String> entries = new ArrayList<>();
            for (BpfMap.Entry e : dp.map(t.mapName()).entries()) {
                if (!t.isArray() || !new String(e.value()).equals(new String(new byte[e.value().length]))) {
                    entries.add(hex.formatHex(e.key()) + "=" + hex.formatHex(e.value()));
                }
            }
            entries.sort(null);
            out.put(t.mapName(), entries);
        }
        int[] row = new MapIo(dp).readRow(0).values();
        out.put("ch_rings row 0", List.of(Arrays.toString(row)));
        List<String> tables = new ArrayList<>();
        BpfMap outer = dp.map(BalancerDatapath.CONN_LRU_MAPS);
        for (int cpu = 0; cpu < outer.maxEntries(); cpu++) {
            int c = cpu;
            outer.lookup(BpfMap.u32(cpu)).ifPresent(id -> tables.add(c + "->" + BpfMap.u32(id)));
        }
        out.put(BalancerDatapath.CONN_LRU_MAPS, tables);
        return out;
    }
}
