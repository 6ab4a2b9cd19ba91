package io.ringfleet.agent.datapath;

import static io.ringfleet.state.testing.Commands.TCP;
import static io.ringfleet.state.testing.Commands.UDP;
import static io.ringfleet.state.testing.Commands.addReals;
import static io.ringfleet.state.testing.Commands.addVip;
import static io.ringfleet.state.testing.Commands.mapQuic;
import static io.ringfleet.state.testing.Commands.modifyFlags;
import static io.ringfleet.state.testing.Commands.removeReals;
import static io.ringfleet.state.testing.Commands.removeVip;
import static io.ringfleet.state.testing.Commands.setMac;
import static io.ringfleet.state.testing.Commands.setWeights;
import static io.ringfleet.state.testing.Commands.unmapQuic;
import static io.ringfleet.state.testing.Commands.vip;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringfleet.api.VipKey;
import io.ringfleet.bpf.BpfMap;
import io.ringfleet.bpf.abi.Counter;
import io.ringfleet.bpf.abi.Ctl;
import io.ringfleet.bpf.abi.VipMeta;
import io.ringfleet.state.FleetImage;
import io.ringfleet.state.MacAddress;
import io.ringfleet.state.maglev.MaglevRing;
import io.ringfleet.state.maglev.RingDiff;
import io.ringfleet.state.testing.CommandLog;
import io.ringfleet.state.testing.Commands;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The programmer against a balancer loaded in the kernel (not attached): what it writes, and in which order. */
class MapProgrammerTest {
    private static final VipKey WEB = vip("10.1.0.1", 80, TCP);
    private static final VipKey DNS = vip("10.1.0.2", 53, UDP);
    private static final VipKey API = vip("10.1.0.3", 443, TCP);

    private BalancerDatapath datapath;

    private BalancerDatapath open(DatapathConfig.Builder config) {
        datapath =
                BalancerDatapath.open(config.maxVips(8).fallbackConnTableOnly().build());
        return datapath;
    }

    @AfterEach
    void close() {
        if (datapath != null) {
            datapath.close();
        }
    }

    @Test
    void addingARealWritesOnlyTheRingSlotsThatChanged() {
        open(DatapathConfig.builder());
        MapProgrammer programmer = MapProgrammer.builder(datapath).build();
        ProgrammedLog log = new ProgrammedLog(programmer);
        log.apply(addVip(WEB), addReals(WEB, "10.0.0.1=1", "10.0.0.2=1", "10.0.0.3=1"));
        assertTrue(log.lastReport().full(), "the first run compares everything");
        MaglevRing before = ring(programmer, 0);

        log.apply(addReals(WEB, "10.0.0.4=1"));
        ProgramReport report = log.lastReport();
        MaglevRing after = ring(programmer, 0);
        RingDiff diff = RingDiff.between(before, after);

        assertFalse(report.full());
        assertTrue(diff.count() > 0 && diff.count() < DatapathConfig.RING_SIZE, "" + diff);
        assertEquals(diff.count(), report.written(Table.RINGS));
        assertEquals(1, report.written("reals"));
        assertEquals(1, report.written(Table.REAL_STATS));
        assertEquals(0, report.written("vip_map"));
        assertEquals(diff.count() + 2, report.totalWritten());
        assertArrayEquals(slots(after), new MapIo(datapath).readRow(0).values());

        log.apply(setWeights(WEB, "10.0.0.4=3"));
        report = log.lastReport();
        RingDiff reweighted = RingDiff.between(after, ring(programmer, 0));
        assertTrue(reweighted.count() > 0);
        assertEquals(reweighted.count(), report.totalWritten(), "a weight change writes ring slots only");
        assertArrayEquals(
                slots(ring(programmer, 0)), new MapIo(datapath).readRow(0).values());
        assertEquals(log.image().index(), log.programmedIndex());
    }

    @Test
    void republishingTheSameImageWritesNothing() {
        open(DatapathConfig.builder());
        MapProgrammer programmer = MapProgrammer.builder(datapath).build();
        ProgrammedLog log = new ProgrammedLog(programmer);
        log.apply(
                setMac("02:00:00:00:00:01"),
                addVip(WEB),
                addVip(DNS),
                modifyFlags(DNS, 4, 0),
                addReals(WEB, "10.0.0.1=1", "10.0.0.2=2"),
                addReals(DNS, "10.0.0.2=1", "fc00::2=1"),
                mapQuic("7=10.0.0.1"),
                Commands.setHealthCheck(3, "10.0.0.9"));
        FleetImage image = log.image();
        assertTrue(log.lastReport().totalWritten() > 0);

        ProgramReport again = programmer.program(image);
        assertFalse(again.full());
        assertEquals(0, again.totalWritten(), "" + again);
        ProgramReport resync = programmer.resync(image);
        assertTrue(resync.full());
        assertEquals(0, resync.totalWritten(), "a full comparison finds nothing to write: " + resync);
        assertEquals(image.index(), resync.index());
        assertEquals(
                io.ringfleet.state.FleetRings.of(image, DatapathConfig.RING_SIZE)
                        .digestHex(),
                programmer.rings().of(image).digestHex());
    }

    @Test
    void aRemovedVipsNumberIsReusedWithACleanRing() {
        open(DatapathConfig.builder());
        MapProgrammer programmer = MapProgrammer.builder(datapath).build();
        ProgrammedLog log = new ProgrammedLog(programmer);
        log.apply(
                addVip(WEB),
                addVip(DNS),
                addReals(WEB, "10.0.0.1=1"),
                addReals(DNS, "10.0.0.1=1", "10.0.0.2=1", "10.0.0.3=1"));
        int dnsNum = vipNum(log.image(), DNS);
        assertEquals(1, dnsNum);

        log.apply(removeVip(DNS));
        assertArrayEquals(
                new int[DatapathConfig.RING_SIZE],
                new MapIo(datapath).readRow(dnsNum).values(),
                "a removed VIP's row is zeroed");
        assertEquals(1, datapath.map("vip_map").keys().size());

        log.apply(addVip(API), addReals(API, "10.0.0.9=1"));
        assertEquals(dnsNum, vipNum(log.image(), API), "the lowest free vip_num is reused");
        assertArrayEquals(
                slots(ring(programmer, dnsNum)),
                new MapIo(datapath).readRow(dnsNum).values());
        assertEquals(Counter.ZERO, new DatapathStats(datapath).vip(dnsNum));
    }

    @Test
    void aVipNumberGivenToAnotherVipInOneEntryLeavesNothingOfTheOld() {
        open(DatapathConfig.builder());
        List<String> steps = new ArrayList<>();
        MapProgrammer programmer = MapProgrammer.builder(datapath)
                .stepListener((step, map, puts, deletes) -> steps.add(step))
                .build();
        ProgrammedLog log = new ProgrammedLog(programmer);
        log.apply(addVip(WEB), addVip(DNS), addReals(DNS, "10.0.0.1=1", "10.0.0.2=1", "10.0.0.3=1"));
        int dnsNum = vipNum(log.image(), DNS);
        steps.clear();

        log.apply(removeVip(DNS), addVip(API));
        assertEquals(dnsNum, vipNum(log.image(), API));
        assertArrayEquals(
                new int[DatapathConfig.RING_SIZE],
                new MapIo(datapath).readRow(dnsNum).values(),
                "the new VIP has no reals: its row (the old VIP's) is all zero");
        assertTrue(
                steps.indexOf("remove VIPs whose vip_num is given to another VIP") < steps.indexOf("write ring slots"),
                "" + steps);
        assertTrue(steps.indexOf("write ring slots") < steps.indexOf("add and change VIPs"), "" + steps);
        assertTrue(steps.indexOf("add and change VIPs") < steps.indexOf("remove reals"), "" + steps);
        assertEquals(
                0,
                datapath.map("reals").entries().stream()
                        .filter(e -> !allZero(e.value()))
                        .count());
        assertEquals(2, datapath.map("vip_map").keys().size());
    }

    /**
     * After every write step of every entry, checked by reading the kernel's maps: no ring slot (of any row used
     * here) and no QUIC id points at a real index whose reals entry is empty, and every slot of a VIP in vip_map
     * leads to an address that VIP has before or after the entry (no flow of one VIP reaches another's real, even
     * when an index is freed and reused for another VIP's real within one entry).
     */
    @Test
    void noRingSlotEverPointsAtAMissingOrForeignReal() {
        open(DatapathConfig.builder());
        Set<Integer> rows = Set.of(0, 1, 2);
        List<String> violations = new ArrayList<>();
        List<String> steps = new ArrayList<>();
        Map<Integer, Set<String>> allowed = new HashMap<>();
        MapProgrammer programmer = MapProgrammer.builder(datapath)
                .stepListener((step, map, puts, deletes) -> {
                    steps.add(step);
                    if (Set.of("reals", Table.RINGS, "vip_map", "quic_ids").contains(map)) {
                        violations.addAll(danglingReferences(rows, allowed, step));
                    }
                })
                .build();
        ProgrammedLog log = new ProgrammedLog(programmer);
        CommandLog preview = new CommandLog();
        Consumer<io.ringfleet.api.Command[]> apply = commands -> {
            allowed.clear();
            addMembers(allowed, preview.image());
            addMembers(allowed, preview.apply(commands));
            log.apply(commands);
        };

        apply.accept(new io.ringfleet.api.Command[] {
            addVip(WEB),
            addVip(DNS),
            modifyFlags(DNS, 4, 0),
            addReals(WEB, "10.0.0.1=1", "10.0.0.2=1", "10.0.0.3=1"),
            addReals(DNS, "10.0.0.3=1", "10.0.0.4=1"),
            mapQuic("100=10.0.0.1", "101=10.0.0.4")
        });
        // 10.0.0.2 leaves WEB and its index is taken by 10.0.0.5, a new real of DNS, within one entry.
        int twoIndex = realIndex(log.image(), "10.0.0.2");
        steps.clear();
        apply.accept(new io.ringfleet.api.Command[] {removeReals(WEB, "10.0.0.2"), addReals(DNS, "10.0.0.5=1")});
        assertEquals(twoIndex, realIndex(log.image(), "10.0.0.5"));
        assertTrue(steps.contains("re-address reused real indexes"), "" + steps);
        assertTrue(steps.indexOf("write ring slots") < steps.indexOf("re-address reused real indexes"), "" + steps);
        // A real mapped by a QUIC id goes and its index is reused by the id's new real.
        apply.accept(new io.ringfleet.api.Command[] {
            removeReals(DNS, "10.0.0.4"), unmapQuic(101), addReals(WEB, "10.0.0.6=1"), mapQuic("101=10.0.0.6")
        });
        apply.accept(new io.ringfleet.api.Command[] {addVip(API), addReals(API, "10.0.0.1=1", "10.0.0.7=2")});
        apply.accept(new io.ringfleet.api.Command[] {removeVip(WEB)});
        apply.accept(
                new io.ringfleet.api.Command[] {removeVip(DNS), unmapQuic(100, 101), removeReals(API, "10.0.0.7")});
        apply.accept(new io.ringfleet.api.Command[] {removeVip(API)});

        assertEquals(List.of(), violations);
        assertEquals(0, datapath.map("vip_map").keys().size());
        assertEquals(0, datapath.map("quic_ids").keys().size());
        assertEquals(
                0,
                datapath.map("reals").entries().stream()
                        .filter(e -> !allZero(e.value()))
                        .count());
        for (int row : rows) {
            assertArrayEquals(
                    new int[DatapathConfig.RING_SIZE],
                    new MapIo(datapath).readRow(row).values());
        }
    }

    private static void addMembers(Map<Integer, Set<String>> allowed, FleetImage image) {
        for (var vip : image.vips().all()) {
            for (var r : vip.reals()) {
                allowed.computeIfAbsent(vip.vipNum(), n -> new HashSet<>())
                        .add(r.address().toString());
            }
        }
    }

    private List<String> danglingReferences(Set<Integer> rows, Map<Integer, Set<String>> allowed, String step) {
        Map<Integer, String> reals = new HashMap<>();
        for (BpfMap.Entry e : datapath.map("reals").entries()) {
            if (!allZero(e.value())) {
                reals.put(
                        BpfMap.u32(e.key()),
                        io.ringfleet.state.IpAddress.fromBytes(io.ringfleet.bpf.abi.Real.decode(e.value())
                                        .address()
                                        .getAddress())
                                .toString());
            }
        }
        Set<Integer> reachable = new HashSet<>();
        for (BpfMap.Entry e : datapath.map("vip_map").entries()) {
            reachable.add(VipMeta.decode(e.value()).vipNum());
        }
        List<String> out = new ArrayList<>();
        MapIo io = new MapIo(datapath);
        for (int row : rows) {
            TreeSet<Integer> missing = new TreeSet<>();
            TreeSet<String> foreign = new TreeSet<>();
            for (int real : io.readRow(row).values()) {
                if (real != 0 && !reals.containsKey(real)) {
                    missing.add(real);
                } else if (real != 0
                        && reachable.contains(row)
                        && !allowed.getOrDefault(row, Set.of()).contains(reals.get(real))) {
                    foreign.add(real + "=" + reals.get(real));
                }
            }
            if (!missing.isEmpty()) {
                out.add("after '" + step + "': row " + row + " points at missing reals " + missing);
            }
            if (!foreign.isEmpty()) {
                out.add("after '" + step + "': row " + row + " leads to reals not of its VIP " + foreign);
            }
        }
        for (BpfMap.Entry e : datapath.map("quic_ids").entries()) {
            if (!reals.containsKey(BpfMap.u32(e.value()))) {
                out.add("after '" + step + "': QUIC id " + BpfMap.u32(e.key()) + " points at missing real "
                        + BpfMap.u32(e.value()));
            }
        }
        return out;
    }

    @Test
    void anImageThatDoesNotFitWritesNothing() {
        open(DatapathConfig.builder().maxQuicIds(2));
        MapProgrammer programmer = MapProgrammer.builder(datapath).build();
        ProgrammedLog log = new ProgrammedLog(programmer);
        log.apply(addVip(WEB), addReals(WEB, "10.0.0.1=1"));
        long programmed = log.programmedIndex();
        EncodedMaps written = programmer.lastWritten();

        ProgrammingException e = assertThrows(
                ProgrammingException.class,
                () -> log.apply(addVip(DNS), mapQuic("1=10.0.0.1", "2=10.0.0.1", "3=10.0.0.1")));
        assertTrue(e.wroteNothing());
        assertTrue(e.getMessage().contains("3 QUIC server ids, quic_ids holds 2"), e.getMessage());
        assertEquals(programmed, log.programmedIndex());
        assertSame(written, programmer.lastWritten(), "the next run still diffs from the last image written");
        assertEquals(1, datapath.map("vip_map").keys().size(), "the new VIP was not written either");
        assertEquals(0, datapath.map("quic_ids").keys().size());
    }

    @Test
    void aResyncRepairsWhatWasChangedBehindTheProgrammersBack() {
        open(DatapathConfig.builder());
        MapProgrammer programmer = MapProgrammer.builder(datapath).build();
        ProgrammedLog log = new ProgrammedLog(programmer);
        log.apply(addVip(WEB), addVip(DNS), addReals(WEB, "10.0.0.1=1", "10.0.0.2=1"), addReals(DNS, "10.0.0.3=1"));
        FleetImage image = log.image();

        byte[] dnsKey = new io.ringfleet.bpf.abi.VipKey(
                        EncodedMaps.inet(io.ringfleet.state.IpAddress.parse("10.1.0.2")), 53, 17)
                .encode();
        datapath.map("vip_map").delete(dnsKey);
        datapath.map("ch_rings").update(BpfMap.u32(5), BpfMap.u32(0));
        datapath.map("quic_ids").update(BpfMap.u32(9), BpfMap.u32(1));
        datapath.map("vip_map")
                .update(
                        new io.ringfleet.bpf.abi.VipKey(
                                        EncodedMaps.inet(io.ringfleet.state.IpAddress.parse("10.9.9.9")), 1, 6)
                                .encode(),
                        new VipMeta(0, 7).encode());

        ProgramReport notLooked = programmer.program(image);
        assertEquals(0, notLooked.totalWritten(), "an unchanged image reads nothing, so repairs nothing");
        ProgramReport repaired = programmer.resync(image);
        assertEquals(2, repaired.written("vip_map"), "DNS back, the stray VIP gone: " + repaired);
        assertEquals(1, repaired.written(Table.RINGS));
        assertEquals(1, repaired.written("quic_ids"));
        assertEquals(1, repaired.written(Table.VIP_STATS), "the restored VIP's counters start from zero");
        assertEquals(0, programmer.resync(image).totalWritten());
    }

    @Test
    void theNodesGatewayMacServesUntilTheLogSetsOne() {
        open(DatapathConfig.builder());
        MacAddress node = MacAddress.parse("02:00:00:00:00:0a");
        MapProgrammer programmer =
                MapProgrammer.builder(datapath).defaultGatewayMac(node).build();
        ProgrammedLog log = new ProgrammedLog(programmer);
        log.apply(addVip(WEB));
        assertEquals(new Ctl(node.bytes()), ctl());
        log.apply(setMac("02:00:00:00:00:0b"));
        assertEquals(new Ctl(MacAddress.parse("02:00:00:00:00:0b").bytes()), ctl());
        assertEquals(1, log.lastReport().totalWritten());
    }

    private Ctl ctl() {
        return Ctl.decode(
                datapath.map("ctl_array").lookup(BpfMap.u32(Ctl.GATEWAY_MAC)).orElseThrow());
    }

    private static MaglevRing ring(MapProgrammer programmer, int vipNum) {
        return programmer.lastWritten().rings().get(vipNum);
    }

    private static int[] slots(MaglevRing ring) {
        int[] out = new int[ring.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = ring.realAt(i);
        }
        return out;
    }

    private static int vipNum(FleetImage image, VipKey key) {
        return image.vips().all().stream()
                .filter(v -> v.key()
                        .toString()
                        .equals(key.getAddress() + ":" + key.getPort() + "/"
                                + (key.getProtocol() == TCP ? "tcp" : "udp")))
                .findFirst()
                .orElseThrow()
                .vipNum();
    }

    private static int realIndex(FleetImage image, String address) {
        return image.reals()
                .get(io.ringfleet.state.IpAddress.parse(address))
                .orElseThrow()
                .index();
    }

    private static boolean allZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }
}
