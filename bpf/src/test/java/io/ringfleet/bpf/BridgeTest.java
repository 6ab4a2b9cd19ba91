package io.ringfleet.bpf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringfleet.bpf.abi.Conn;
import io.ringfleet.bpf.abi.Counter;
import io.ringfleet.bpf.abi.FlowKey;
import io.ringfleet.bpf.testing.Bpffs;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The bridge against the kernel, through a test object of its own (src/test/c/bridge_test.bpf.c). */
class BridgeTest {
    private BpfObject obj;

    @BeforeEach
    void load() {
        obj = BpfObject.open(TestSupport.testObject("bridge_test"), Map.of("t_hash", 1000))
                .load();
    }

    @AfterEach
    void close() {
        obj.close();
    }

    private static byte[] u64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
    }

    private static long u64(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    @Test
    void reportsMapsProgramsAndTheMaxEntriesSetBeforeLoad() {
        assertTrue(obj.mapNames().containsAll(List.of("t_hash", "t_array", "t_percpu", "t_lru", "t_outer")));
        assertTrue(obj.programNames().containsAll(List.of("bridge_xdp", "xdp_pass_prog", "xdp_drop_prog")));
        try (BpfMap hash = obj.map("t_hash")) {
            assertEquals(1000, hash.maxEntries());
            assertEquals(MapType.HASH, hash.type());
            assertEquals(4, hash.keySize());
            assertEquals(8, hash.valueSize());
            assertTrue(hash.id() > 0);
        }
    }

    @Test
    void updateLookupDeleteAndIterate() {
        try (BpfMap m = obj.map("t_hash")) {
            assertTrue(m.lookup(BpfMap.u32(7)).isEmpty());
            m.update(BpfMap.u32(7), u64(70));
            m.update(BpfMap.u32(8), u64(80));
            assertEquals(70, u64(m.lookup(BpfMap.u32(7)).orElseThrow()));
            Set<Integer> keys = new HashSet<>();
            m.keys().forEach(k -> keys.add(BpfMap.u32(k)));
            assertEquals(Set.of(7, 8), keys);
            assertTrue(m.delete(BpfMap.u32(7)));
            assertFalse(m.delete(BpfMap.u32(7)));
            assertEquals(List.of(8), m.keys().stream().map(BpfMap::u32).toList());
        }
    }

    @Test
    void updateFlagsReportTheKernelsErrno() {
        try (BpfMap m = obj.map("t_hash")) {
            m.update(BpfMap.u32(1), u64(1), UpdateFlag.NOEXIST);
            BpfException e =
                    assertThrows(BpfException.class, () -> m.update(BpfMap.u32(1), u64(2), UpdateFlag.NOEXIST));
            assertEquals(BpfException.EEXIST, e.errno());
            e = assertThrows(BpfException.class, () -> m.update(BpfMap.u32(2), u64(2), UpdateFlag.EXIST));
            assertEquals(BpfException.ENOENT, e.errno());
        }
    }

    @Test
    void wrongSizesAndNullsAreExceptionsNotCrashes() {
        try (BpfMap m = obj.map("t_hash")) {
            BpfException e = assertThrows(BpfException.class, () -> m.update(new byte[3], u64(1)));
            assertEquals(BpfException.EINVAL, e.errno());
            assertTrue(e.getMessage().contains("4-byte keys, got 3 bytes"), e.getMessage());
            assertThrows(BpfException.class, () -> m.update(BpfMap.u32(1), new byte[7]));
            assertThrows(BpfException.class, () -> m.lookup(null));
            assertThrows(BpfException.class, () -> m.delete(new byte[100]));
            // the raw shim checks too, even when called with a lying size
            e = assertThrows(BpfException.class, () -> NativeBpf.mapUpdate(m.fd(), new byte[2], 4, u64(1), 8, 0));
            assertEquals(BpfException.EINVAL, e.errno());
            e = assertThrows(BpfException.class, () -> NativeBpf.mapLookup(m.fd(), null, 4, 8));
            assertEquals(BpfException.EINVAL, e.errno());
            // a bad fd is the kernel's EBADF
            e = assertThrows(BpfException.class, () -> NativeBpf.mapLookup(987654, BpfMap.u32(1), 4, 8));
            assertEquals(BpfException.EBADF, e.errno());
        }
    }

    @Test
    void aClosedMapRefusesOperations() {
        BpfMap m = obj.map("t_hash");
        m.close();
        BpfException e = assertThrows(BpfException.class, () -> m.lookup(BpfMap.u32(1)));
        assertEquals(BpfException.EBADF, e.errno());
    }

    @Test
    void batchUpdateAndBatchLookupOnHashAndArray() {
        try (BpfMap hash = obj.map("t_hash");
                BpfMap array = obj.map("t_array")) {
            List<byte[]> keys = new ArrayList<>();
            List<byte[]> values = new ArrayList<>();
            for (int i = 0; i < 600; i++) {
                keys.add(BpfMap.u32(i));
                values.add(u64(i * 10L));
            }
            assertEquals(600, hash.updateBatch(keys, values, UpdateFlag.ANY));
            Map<Integer, Long> seen = new HashMap<>();
            for (BpfMap.Entry e : hash.entries(64)) {
                seen.put(BpfMap.u32(e.key()), u64(e.value()));
            }
            assertEquals(600, seen.size());
            for (int i = 0; i < 600; i++) {
                assertEquals(i * 10L, seen.get(i));
            }

            List<byte[]> ak = List.of(BpfMap.u32(2), BpfMap.u32(3));
            List<byte[]> av = List.of(BpfMap.u32(22), BpfMap.u32(33));
            assertEquals(2, array.updateBatch(ak, av, UpdateFlag.ANY));
            List<BpfMap.Entry> entries = array.entries(3);
            assertEquals(8, entries.size());
            assertEquals(33, BpfMap.u32(entries.get(3).value()));
        }
    }

    @Test
    void batchFallsBackPerElementForMapTypesWithoutBatchOps() {
        try (BpfMap lpm = obj.map("t_lpm")) {
            byte[] k1 = ByteBuffer.allocate(8)
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .putInt(24)
                    .put(new byte[] {10, 77, 1, 0})
                    .array();
            byte[] k2 = ByteBuffer.allocate(8)
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .putInt(16)
                    .put(new byte[] {10, 78, 0, 0})
                    .array();
            assertEquals(2, lpm.updateBatch(List.of(k1, k2), List.of(BpfMap.u32(1), BpfMap.u32(2)), UpdateFlag.ANY));
            assertEquals(2, lpm.entries().size());
        }
    }

    @Test
    void perCpuValuesPerCpuAndSummed() {
        int cpus = Bpf.numPossibleCpus();
        assertTrue(cpus >= 1);
        try (BpfMap pc = obj.map("t_percpu");
                BpfProgram prog = obj.program("bridge_xdp")) {
            assertEquals(MapType.PERCPU_ARRAY, pc.type());
            List<byte[]> vals = new ArrayList<>();
            for (int cpu = 0; cpu < cpus; cpu++) {
                vals.add(new Counter(cpu + 1, 100L * (cpu + 1)).encode());
            }
            pc.updatePerCpu(BpfMap.u32(1), vals, UpdateFlag.ANY);
            List<byte[]> back = pc.lookupPerCpu(BpfMap.u32(1)).orElseThrow();
            assertEquals(cpus, back.size());
            for (int cpu = 0; cpu < cpus; cpu++) {
                assertEquals(new Counter(cpu + 1, 100L * (cpu + 1)), Counter.decode(back.get(cpu)));
            }
            long n = (long) cpus * (cpus + 1) / 2;
            assertEquals(new Counter(n, 100 * n), Counter.sum(back));

            byte[] frame = TestSupport.udpFrame(64);
            prog.testRun(TestRun.of(frame).repeat(5));
            assertEquals(
                    new Counter(5, 5 * 64),
                    Counter.sum(pc.lookupPerCpu(BpfMap.u32(0)).orElseThrow()));
            pc.updateAllCpus(BpfMap.u32(0), Counter.ZERO.encode());
            assertEquals(
                    Counter.ZERO, Counter.sum(pc.lookupPerCpu(BpfMap.u32(0)).orElseThrow()));

            // entries() of a per-CPU map: all CPUs' values per key
            List<BpfMap.Entry> all = pc.entries();
            assertEquals(2, all.size());
            assertEquals(
                    new Counter(n, 100 * n),
                    Counter.sum(pc.splitPerCpuValue(all.get(1).value())));

            assertThrows(BpfException.class, () -> pc.lookup(BpfMap.u32(0)));
            assertThrows(
                    BpfException.class,
                    () -> pc.updatePerCpu(BpfMap.u32(0), List.of(new byte[16]), UpdateFlag.ANY),
                    "one value for " + cpus + " CPUs");
        }
    }

    @Test
    void testRunReturnsVerdictOutputAndDuration() {
        try (BpfMap array = obj.map("t_array");
                BpfProgram prog = obj.program("bridge_xdp")) {
            assertEquals(BpfProgram.TYPE_XDP, prog.typeCode());
            byte[] frame = TestSupport.udpFrame(60);
            TestRun.Result pass = prog.testRun(TestRun.of(frame));
            assertEquals(2, pass.retval()); // XDP_PASS
            assertArrayEquals(frame, pass.data());

            array.update(BpfMap.u32(0), BpfMap.u32(1)); // verdict XDP_DROP
            array.update(BpfMap.u32(1), BpfMap.u32(0xAA)); // first byte
            TestRun.Result r = prog.testRun(TestRun.of(frame).repeat(100));
            assertEquals(1, r.retval());
            assertEquals((byte) 0xAA, r.data()[0]);
            assertEquals(frame.length, r.data().length);
            assertTrue(r.durationNs() >= 0);

            BpfException e = assertThrows(
                    BpfException.class, () -> prog.testRun(TestRun.of(frame).dataOutCapacity(10)));
            assertEquals(BpfException.ENOSPC, e.errno());
        }
    }

    @Test
    void standaloneInnerMapsGoIntoAnArrayOfMaps() {
        try (BpfMap outer = obj.map("t_outer");
                BpfMap inner = BpfMap.builder(MapType.LRU_HASH)
                        .name("conn_cpu0")
                        .keySize(FlowKey.SIZE)
                        .valueSize(Conn.SIZE)
                        .maxEntries(64)
                        .flags(BpfMap.F_NO_COMMON_LRU)
                        .create()) {
            assertEquals(MapType.ARRAY_OF_MAPS, outer.type());
            assertEquals(BpfMap.F_NO_COMMON_LRU, inner.flags());
            FlowKey k =
                    new FlowKey(InetAddress.getByName("10.77.0.1"), InetAddress.getByName("10.77.1.1"), 1234, 80, 6);
            inner.update(k.encode(), new Conn(3, 0).encode());
            outer.setInnerMap(BpfMap.u32(1), inner);
            assertEquals(inner.id(), BpfMap.u32(outer.lookup(BpfMap.u32(1)).orElseThrow()));
            assertEquals(new Conn(3, 0), Conn.decode(inner.lookup(k.encode()).orElseThrow()));
            assertEquals(k, FlowKey.decode(inner.keys().get(0)));
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void createRejectsAnIncompatibleInnerMapWithErrno() {
        try (BpfMap outer = obj.map("t_outer");
                BpfMap wrong = BpfMap.builder(MapType.HASH)
                        .keySize(4)
                        .valueSize(4)
                        .maxEntries(4)
                        .create()) {
            BpfException e = assertThrows(BpfException.class, () -> outer.setInnerMap(BpfMap.u32(0), wrong));
            assertEquals(BpfException.EINVAL, e.errno());
        }
    }

    @Test
    void pinnedMapsAreReusedAcrossLoads() {
        Path dir = TestSupport.bpffsDir("pin");
        try {
            try (BpfObject first = BpfObject.open(TestSupport.testObject("bridge_test"), Map.of("t_hash", 1000))
                            .pinMapsIn(dir)
                            .load();
                    BpfMap m = first.map("t_hash")) {
                m.update(BpfMap.u32(42), u64(4242));
            }
            assertTrue(Files.exists(dir.resolve("t_hash")));
            assertFalse(Files.exists(dir.resolve(".bss")));
            // an agent restart: a new load reuses the pinned map and its state
            try (BpfObject second = BpfObject.open(TestSupport.testObject("bridge_test"), Map.of("t_hash", 1000))
                            .pinMapsIn(dir)
                            .load();
                    BpfMap m = second.map("t_hash");
                    BpfMap byPath = BpfMap.openPinned(dir.resolve("t_hash"))) {
                assertEquals(4242, u64(m.lookup(BpfMap.u32(42)).orElseThrow()));
                assertEquals(m.id(), byPath.id());
            }
            // an incompatible pinned map (other max_entries) fails the load, it is not replaced
            BpfObject third = BpfObject.open(TestSupport.testObject("bridge_test"), Map.of("t_hash", 999))
                    .pinMapsIn(dir);
            try {
                BpfException e = assertThrows(BpfException.class, third::load);
                assertEquals(BpfException.EINVAL, e.errno());
                assertTrue(e.libbpfLog().contains("t_hash"), e.libbpfLog());
            } finally {
                third.close();
            }
        } finally {
            Bpffs.deleteTree(dir);
        }
    }

    @Test
    void programsPinUnpinAndReopen() {
        Path dir = TestSupport.bpffsDir("prog");
        try (BpfProgram p = obj.program("xdp_drop_prog")) {
            Path pin = dir.resolve("drop");
            p.pin(pin);
            try (BpfProgram again = BpfProgram.openPinned(pin)) {
                assertEquals(p.id(), again.id());
                assertEquals("xdp_drop_prog", again.name());
                assertEquals(
                        1, again.testRun(TestRun.of(TestSupport.udpFrame(60))).retval());
            }
            BpfException e = assertThrows(BpfException.class, () -> p.pin(pin));
            assertEquals(BpfException.EEXIST, e.errno());
            assertTrue(BpfProgram.unpin(pin));
            assertFalse(BpfProgram.unpin(pin));
            e = assertThrows(BpfException.class, () -> BpfProgram.openPinned(pin));
            assertEquals(BpfException.ENOENT, e.errno());
            assertThrows(BpfException.class, () -> BpfMap.openPinned(dir));
        } finally {
            Bpffs.deleteTree(dir);
        }
    }

    @Test
    void aProgramFdIsNotAMap() {
        try (BpfProgram p = obj.program("xdp_pass_prog")) {
            Path dir = TestSupport.bpffsDir("notmap");
            try {
                p.pin(dir.resolve("p"));
                BpfException e = assertThrows(BpfException.class, () -> BpfMap.openPinned(dir.resolve("p")));
                assertEquals(BpfException.EINVAL, e.errno());
            } finally {
                Bpffs.deleteTree(dir);
            }
        }
    }

    @Test
    void openAndLoadFailuresCarryErrnoAndLibbpfsLog() throws Exception {
        BpfException e = assertThrows(BpfException.class, () -> BpfObject.open(Path.of("/nonexistent/x.bpf.o")));
        assertEquals(BpfException.ENOENT, e.errno());
        assertTrue(e.getMessage().contains("/nonexistent/x.bpf.o"), e.getMessage());

        Path junk = Files.createTempFile("junk", ".bpf.o");
        try {
            Files.write(junk, new byte[] {1, 2, 3, 4, 5});
            e = assertThrows(BpfException.class, () -> BpfObject.open(junk));
            assertNotEquals(0, e.errno());
        } finally {
            Files.delete(junk);
        }

        e = assertThrows(
                BpfException.class,
                () -> BpfObject.open(TestSupport.testObject("bridge_test"), Map.of("no_such_map", 4)));
        assertEquals(BpfException.ENOENT, e.errno());
        assertTrue(e.getMessage().contains("no_such_map"), e.getMessage());

        try (BpfObject bad = BpfObject.open(TestSupport.testObject("verifier_reject"))) {
            e = assertThrows(BpfException.class, bad::load);
            assertEquals("load", e.operation());
            assertTrue(e.libbpfLog().contains("invalid access to packet"), e.libbpfLog());
        }
        assertThrows(BpfException.class, () -> obj.map("no_such_map"));
        assertThrows(BpfException.class, () -> obj.setMaxEntries("t_hash", 5), "already loaded");
    }

    @Test
    void reportsLibraryFacts() {
        assertTrue(Bpf.libbpfVersion().startsWith("v1."), Bpf.libbpfVersion());
        assertEquals(Runtime.getRuntime().availableProcessors() <= Bpf.numPossibleCpus(), true);
    }
}
