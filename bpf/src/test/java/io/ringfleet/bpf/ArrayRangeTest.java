package io.ringfleet.bpf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringfleet.bpf.abi.Counter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link BpfMap#lookupRange} / {@link BpfMap#lookupRangeU32} against the kernel, on maps made for the test. */
class ArrayRangeTest {
    /** Four 65,537-slot rows, like ch_rings with four VIPs. */
    private static final int ROW = 65_537;

    private static final int ENTRIES = 4 * ROW;

    private BpfMap array;

    @BeforeEach
    void fill() {
        array = BpfMap.builder(MapType.ARRAY)
                .name("t_range")
                .keySize(4)
                .valueSize(4)
                .maxEntries(ENTRIES)
                .create();
        List<byte[]> keys = new ArrayList<>();
        List<byte[]> values = new ArrayList<>();
        for (int i = 0; i < ENTRIES; i++) {
            if (i % 3 != 0) { // every third entry stays zero
                keys.add(BpfMap.u32(i));
                values.add(BpfMap.u32(valueOf(i)));
            }
        }
        assertEquals(keys.size(), array.updateBatch(keys, values, UpdateFlag.ANY));
    }

    @AfterEach
    void close() {
        array.close();
    }

    private static int valueOf(int key) {
        return (int) (key * 2_654_435_761L); // odd multiplier: distinct, non-zero but for key 0, some negative
    }

    private int[] perElement(int first, int count) {
        int[] out = new int[count];
        for (int i = 0; i < count; i++) {
            out[i] = BpfMap.u32(array.lookup(BpfMap.u32(first + i)).orElseThrow());
        }
        return out;
    }

    @Test
    void aRangedReadEqualsPerElementReads() {
        int[] all = array.lookupRangeU32(0, ENTRIES);
        assertArrayEquals(perElement(0, ENTRIES), all);
        assertEquals(0, all[0]);
        assertEquals(valueOf(1), all[1]);
        for (int row = 0; row < 4; row++) {
            assertArrayEquals(
                    Arrays.copyOfRange(all, row * ROW, (row + 1) * ROW),
                    array.lookupRangeU32(row * ROW, ROW),
                    "row " + row);
        }
        assertArrayEquals(Arrays.copyOfRange(all, 12_345, 12_345 + 777), array.lookupRangeU32(12_345, 777));
    }

    @Test
    void chunkedBatchAndTheKeyByKeyFallbackGiveTheSameBytes() {
        int first = ROW + 5;
        int count = 2 * ROW + 11;
        byte[] oneCall = new byte[count * 4];
        assertEquals(count, array.lookupRange(first, count, oneCall));
        byte[] chunked = new byte[count * 4];
        assertEquals(count, array.lookupRangeBatch(first, count, chunked, 1000)); // 132 calls, the last one short
        byte[] byElement = new byte[count * 4];
        assertEquals(count, array.lookupRangeByElement(first, count, byElement));
        assertArrayEquals(byElement, oneCall);
        assertArrayEquals(byElement, chunked);
        int[] expected = perElement(first, count);
        assertEquals(
                expected[count - 1],
                ByteBuffer.wrap(oneCall).order(ByteOrder.LITTLE_ENDIAN).getInt((count - 1) * 4));
    }

    @Test
    void theKernelResumesAnArrayBatchAfterTheInBatchKey() {
        // The contract lookupRange builds on (and proof that this kernel takes the batch path, not the fallback).
        byte[] keys = new byte[12];
        byte[] values = new byte[12];
        long r = NativeBpf.mapLookupBatch(array.fd(), BpfMap.u32(ROW - 1), new byte[4], keys, 4, values, 4, 3);
        assertEquals(3, (int) r);
        ByteBuffer k = ByteBuffer.wrap(keys).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer v = ByteBuffer.wrap(values).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 3; i++) {
            assertEquals(ROW + i, k.getInt(i * 4));
            assertEquals(BpfMap.u32(array.lookup(BpfMap.u32(ROW + i)).orElseThrow()), v.getInt(i * 4));
        }
    }

    @Test
    void edgesFirstAndLastEntryAndEmptyRanges() {
        assertArrayEquals(new int[] {valueOf(ENTRIES - 1)}, array.lookupRangeU32(ENTRIES - 1, 1), "the last entry");
        assertArrayEquals(
                perElement(ENTRIES - ROW, ROW),
                array.lookupRangeU32(ENTRIES - ROW, ROW),
                "a range ending exactly at max_entries");
        assertArrayEquals(new int[] {0}, array.lookupRangeU32(0, 1), "key 0 (no in_batch token)");
        assertArrayEquals(new int[] {valueOf(1), valueOf(2)}, array.lookupRangeU32(1, 2));
        assertArrayEquals(new int[0], array.lookupRangeU32(7, 0));
        assertArrayEquals(new int[0], array.lookupRangeU32(ENTRIES, 0), "an empty range at the end");
        byte[] untouched = new byte[12];
        Arrays.fill(untouched, (byte) 0x77);
        assertEquals(2, array.lookupRange(1, 2, untouched));
        assertEquals(0x77, untouched[8], "bytes past count * valueSize are left alone");
    }

    @Test
    void aRangePastTheEndIsRefusedNotClamped() {
        BpfException e = assertThrows(BpfException.class, () -> array.lookupRangeU32(ENTRIES - 10, 11));
        assertEquals(BpfException.EINVAL, e.errno());
        assertTrue(e.getMessage().contains("not within its " + ENTRIES + " entries"), e.getMessage());
        e = assertThrows(BpfException.class, () -> array.lookupRangeU32(ENTRIES, 1));
        assertEquals(BpfException.EINVAL, e.errno());
        e = assertThrows(BpfException.class, () -> array.lookupRangeU32(1, Integer.MAX_VALUE));
        assertEquals(BpfException.EINVAL, e.errno(), "no int overflow");
        // refused before any call: nothing was written to the output
        byte[] out = new byte[8];
        Arrays.fill(out, (byte) 1);
        assertThrows(BpfException.class, () -> array.lookupRange(ENTRIES - 1, 2, out));
        assertArrayEquals(new byte[] {1, 1, 1, 1, 1, 1, 1, 1}, out);
    }

    @Test
    void badArgumentsAreExceptionsWithErrno() {
        assertEquals(
                BpfException.EINVAL,
                assertThrows(BpfException.class, () -> array.lookupRangeU32(-1, 2))
                        .errno());
        assertEquals(
                BpfException.EINVAL,
                assertThrows(BpfException.class, () -> array.lookupRangeU32(0, -1))
                        .errno());
        BpfException e = assertThrows(BpfException.class, () -> array.lookupRange(0, 3, new byte[11]));
        assertEquals(BpfException.EINVAL, e.errno());
        assertTrue(e.getMessage().contains("need 12 bytes"), e.getMessage());
        assertEquals(
                BpfException.EINVAL,
                assertThrows(BpfException.class, () -> array.lookupRange(0, 1, null))
                        .errno());
        try (BpfMap hash = BpfMap.builder(MapType.HASH)
                        .keySize(4)
                        .valueSize(4)
                        .maxEntries(8)
                        .create();
                BpfMap wide = BpfMap.builder(MapType.ARRAY)
                        .keySize(4)
                        .valueSize(8)
                        .maxEntries(8)
                        .create()) {
            e = assertThrows(BpfException.class, () -> hash.lookupRange(0, 1, new byte[4]));
            assertEquals(BpfException.EINVAL, e.errno());
            assertTrue(e.getMessage().contains("not an ARRAY"), e.getMessage());
            e = assertThrows(BpfException.class, () -> wide.lookupRangeU32(0, 1));
            assertEquals(BpfException.EINVAL, e.errno());
            assertEquals(2, wide.lookupRange(0, 2, new byte[16]), "8-byte values through the byte[] form");
        }
        BpfMap closed = BpfMap.builder(MapType.ARRAY)
                .keySize(4)
                .valueSize(4)
                .maxEntries(8)
                .create();
        closed.close();
        assertEquals(
                BpfException.EBADF,
                assertThrows(BpfException.class, () -> closed.lookupRangeU32(0, 1))
                        .errno());
    }

    @Test
    void aPerCpuArrayGivesEveryCpusValuePerKey() {
        int cpus = Bpf.numPossibleCpus();
        try (BpfMap pc = BpfMap.builder(MapType.PERCPU_ARRAY)
                .keySize(4)
                .valueSize(Counter.SIZE)
                .maxEntries(5)
                .create()) {
            for (int k = 0; k < 5; k++) {
                List<byte[]> vals = new ArrayList<>();
                for (int cpu = 0; cpu < cpus; cpu++) {
                    vals.add(new Counter(k * 10 + cpu, k * 1000L + cpu).encode());
                }
                pc.updatePerCpu(BpfMap.u32(k), vals, UpdateFlag.ANY);
            }
            int stride = pc.rangeValueBytes();
            assertEquals(pc.perCpuStride() * cpus, stride);
            byte[] out = new byte[3 * stride];
            assertEquals(3, pc.lookupRange(2, 3, out));
            for (int i = 0; i < 3; i++) {
                List<byte[]> split = pc.splitPerCpuValue(Arrays.copyOfRange(out, i * stride, (i + 1) * stride));
                List<byte[]> one = pc.lookupPerCpu(BpfMap.u32(2 + i)).orElseThrow();
                for (int cpu = 0; cpu < cpus; cpu++) {
                    assertArrayEquals(one.get(cpu), split.get(cpu), "key " + (2 + i) + " cpu " + cpu);
                }
            }
            assertThrows(BpfException.class, () -> pc.lookupRangeU32(0, 1), "per-CPU values are not u32s");
        }
    }
}
