package io.ringfleet.state.maglev;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringfleet.state.maglev.MaglevRing.Variant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class MaglevRingTest {

    /** Katran's ring0 (reals 10.0.0.1-3, hashes from real_hashes.json), digest of provision.json's ring0. */
    private static final List<MaglevReal> RING0_REALS = List.of(
            new MaglevReal(1, 0xd671359dbaa15954L, 1),
            new MaglevReal(2, 0x2cd426d008b90279L, 1),
            new MaglevReal(3, 0x6eb4a2989236785dL, 1));

    private static final String RING0_SHA256 = "aa0c473f15d082ea252f24c521147b3eb0e19d239ead24f9b5079cb6cd048cd9";
    /** Katran's ring1 (fc00::1-3). */
    private static final List<MaglevReal> RING1_REALS = List.of(
            new MaglevReal(4, 0x64e74a25b986d744L, 1),
            new MaglevReal(5, 0x87d247835b02295bL, 1),
            new MaglevReal(6, 0x0b2e5ea98827f017L, 1));

    private static final String RING1_SHA256 = "82cd9d12fd76851bc8e69d13f604af59e8d9741995954a35308475bcf2d73214";

    @Test
    void reproducesKatransTestRingsFromTheirHashesAlone() {
        // The same check as KatranRingsTest, pinned by digest so it runs without the shared data.
        assertEquals(RING0_SHA256, MaglevRing.build(RING0_REALS).sha256Hex());
        assertEquals(RING1_SHA256, MaglevRing.build(RING1_REALS).sha256Hex());
        assertEquals(
                RING0_SHA256, MaglevRing.build(RING0_REALS, 65537, Variant.V2).sha256Hex());
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void leavesEverySlotEmptyWithoutReals(Variant variant) {
        MaglevRing ring = MaglevRing.build(List.of(), 65537, variant);
        assertEquals(65537, ring.size());
        assertEquals(65537, ring.slotsOwnedBy(0));
        assertEquals(MaglevRing.empty(65537), ring);
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void givesEverySlotToASingleReal(Variant variant) {
        MaglevRing ring = MaglevRing.build(List.of(TestReals.ipv4(7, 3), TestReals.ipv4(9, 0)), 65537, variant);
        assertEquals(65537, ring.slotsOwnedBy(7));
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void leavesWeightZeroRealsOut(Variant variant) {
        List<MaglevReal> with = List.of(TestReals.ipv4(1, 2), TestReals.ipv4(2, 0), TestReals.ipv4(3, 1));
        List<MaglevReal> without = List.of(TestReals.ipv4(1, 2), TestReals.ipv4(3, 1));
        assertEquals(MaglevRing.build(without, 65537, variant), MaglevRing.build(with, 65537, variant));
        assertEquals(0, MaglevRing.build(with, 65537, variant).slotsOwnedBy(2));
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void ignoresTheOrderRealsAreGivenIn(Variant variant) {
        List<MaglevReal> reals = new ArrayList<>(TestReals.weightsOneToFour(50));
        MaglevRing expected = MaglevRing.build(reals, 65537, variant);
        Random random = new Random(42);
        for (int i = 0; i < 5; i++) {
            Collections.shuffle(reals, random);
            assertEquals(expected, MaglevRing.build(reals, 65537, variant));
        }
    }

    @Test
    void ordersRealsByUnsignedHash() {
        // Signed order would put the negative (top-bit) hash first; Katran compares unsigned.
        List<MaglevReal> reals = List.of(new MaglevReal(1, 0x8000_0000_0000_0000L, 1000), new MaglevReal(2, 1L, 1));
        MaglevRing ring = MaglevRing.build(reals, 65537, Variant.V1);
        // V1's first round goes in sorted order: real 2 (hash 1) claims its first slot, its offset,
        // before real 1 claims 1000 in a row.
        assertEquals(2, ring.realAt(MaglevRing.offset(1L, 65537)));
        assertArrayEquals(KatranMaglevReference.ring(reals, 65537, Variant.V1), toInts(ring));
    }

    @Test
    void breaksHashTiesByRealIndex() {
        List<MaglevReal> a = List.of(new MaglevReal(5, 77L, 1), new MaglevReal(3, 77L, 1), new MaglevReal(4, 9L, 1));
        List<MaglevReal> b = List.of(new MaglevReal(3, 77L, 1), new MaglevReal(4, 9L, 1), new MaglevReal(5, 77L, 1));
        assertEquals(MaglevRing.build(a), MaglevRing.build(b));
    }

    @Test
    void buildsTheSameRingFromListsArraysAndTheBuilder() {
        List<MaglevReal> reals = TestReals.weightsOneToFour(100);
        int[] idx = reals.stream().mapToInt(MaglevReal::index).toArray();
        long[] hashes = reals.stream().mapToLong(MaglevReal::hash).toArray();
        int[] weights = reals.stream().mapToInt(MaglevReal::weight).toArray();
        MaglevRing.Builder builder = MaglevRing.builder().size(65521).variant(Variant.V2);
        reals.forEach(builder::add);
        MaglevRing fromList = MaglevRing.build(reals, 65521, Variant.V2);
        assertEquals(fromList, MaglevRing.build(idx, hashes, weights, 65521, Variant.V2));
        assertEquals(fromList, builder.build());
        assertEquals(
                MaglevRing.build(reals.subList(0, 1), 65521, Variant.V2),
                builder.clearReals().add(reals.get(0)).build());
    }

    /** The optimised build is Katran's algorithm: identical to the plain transcription, everywhere. */
    @Test
    void matchesThePlainKatranTranscriptionOnRandomInputs() {
        int[] sizes = {2, 3, 5, 13, 101, 1009, 65521, 65537};
        Random random = new Random(20261121);
        for (int trial = 0; trial < 300; trial++) {
            long seed = random.nextLong();
            Random r = new Random(seed);
            int size = sizes[r.nextInt(sizes.length)];
            int n = r.nextInt(r.nextBoolean() ? 8 : 300);
            List<MaglevReal> reals = new ArrayList<>();
            int common = r.nextInt(4) == 0 ? 1 + r.nextInt(5) : 0; // sometimes one weight for all
            for (int i = 1; i <= n; i++) {
                int weight = common > 0
                        ? common
                        : switch (r.nextInt(10)) {
                            case 0 -> 0;
                            case 1 -> r.nextInt(5000);
                            default -> 1 + r.nextInt(4);
                        };
                reals.add(new MaglevReal(i * 13 % 65521 + 1, r.nextLong(), weight));
            }
            Variant variant = r.nextBoolean() ? Variant.V1 : Variant.V2;
            MaglevRing ring = MaglevRing.build(reals, size, variant);
            assertArrayEquals(
                    KatranMaglevReference.ring(reals, size, variant),
                    toInts(ring),
                    () -> "seed " + seed + ": size " + size + ", " + n + " reals, " + variant);
            assertFalse(ring.deviatesFromKatran());
        }
    }

    /**
     * At 65537 Katran's {@code offset + k * skip} can overflow only for skip 65536 (or 65535) and
     * k ≥ 65535. A skip of 65536 (hashes 156164, 216991, 230912) reaches only 65536 of the 65537
     * slots, so Katran can spin forever; where it terminates we are identical, where it does not we
     * fill the ring deterministically and say so.
     */
    @ParameterizedTest
    @EnumSource(Variant.class)
    void matchesKatranAroundTheOverflowAt65537AndFinishesWhereKatranHangs(Variant variant) {
        for (long hash : new long[] {156164L, 216991L, 230912L}) {
            assertEquals(65536, MaglevRing.skip(hash, 65537));
        }
        List<List<MaglevReal>> cases = List.of(
                List.of(new MaglevReal(1, 156164L, 1), new MaglevReal(2, 216991L, 1)),
                List.of(new MaglevReal(1, 156164L, 1), new MaglevReal(2, 216991L, 1), new MaglevReal(3, 230912L, 1)),
                List.of(new MaglevReal(1, 156164L, 3), TestReals.ipv4(2, 1), TestReals.ipv4(3, 2)),
                List.of(new MaglevReal(1, 156164L, 1), TestReals.ipv4(2, 1)));
        int hangs = 0;
        for (List<MaglevReal> reals : cases) {
            MaglevRing ring = MaglevRing.build(reals, 65537, variant);
            assertEquals(0, ring.slotsOwnedBy(0), "every slot taken");
            assertEquals(ring, MaglevRing.build(reals, 65537, variant), "deterministic");
            int[] katran;
            try {
                katran = KatranMaglevReference.ring(reals, 65537, variant);
            } catch (KatranMaglevReference.NeverTerminates e) {
                hangs++;
                assertTrue(ring.deviatesFromKatran(), reals::toString);
                continue;
            }
            assertFalse(ring.deviatesFromKatran(), reals::toString);
            assertArrayEquals(katran, toInts(ring), reals::toString);
        }
        assertEquals(1, hangs, "the two skip-65536 reals alone hang Katran");
    }

    /**
     * Above 65537 Katran's 32-bit positions overflow; we reproduce that too and still fill the ring.
     * 131071 switches from the counter-free to the counting probe loop late in the fill, 1000003
     * early; 3 and 40 reals, V1 and V2, cover both phases.
     */
    @ParameterizedTest
    @CsvSource({
        "131071, 3, V1",
        "131071, 40, V2",
        "262139, 40, V1",
        "1000003, 3, V2",
        "1000003, 40, V1",
        "1000003, 40, V2"
    })
    void reproducesKatransOverflowingArithmeticOnLargeRings(int size, int n, Variant variant) {
        List<MaglevReal> reals = TestReals.weightsOneToFour(n);
        MaglevRing ring = MaglevRing.build(reals, size, variant);
        assertEquals(0, ring.slotsOwnedBy(0), "every slot taken");
        assertArrayEquals(KatranMaglevReference.ring(reals, size, variant), toInts(ring));
        assertFalse(ring.deviatesFromKatran());
    }

    @ParameterizedTest
    @ValueSource(ints = {Integer.MIN_VALUE, -65537, -1, 0, 1})
    void rejectsSizesBelowTwo(int size) {
        assertSizeRejected(size, "got " + size);
    }

    @ParameterizedTest
    @ValueSource(ints = {4, 65535, 65536, 65538, 1_000_000, 16_777_212})
    void rejectsSizesThatAreNotPrime(int size) {
        assertSizeRejected(size, "got " + size + ", which is not prime");
    }

    @ParameterizedTest
    @ValueSource(ints = {16_777_259, Integer.MAX_VALUE})
    void rejectsPrimesAboveTheMaximum(int size) {
        assertSizeRejected(size, "got " + size);
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3, 13, 65521, 65537, 16_777_213})
    void acceptsPrimesInRange(int size) {
        assertTrue(MaglevRing.isValidSize(size));
        MaglevRing.checkSize(size);
        assertEquals(size, MaglevRing.empty(size).size());
    }

    @Test
    void rejectsInvalidRealsWithMessagesThatSayWhatIsAllowed() {
        assertMessage(() -> new MaglevReal(0, 1, 1), "real index must be between 1 and 65535 (0 means no real), got 0");
        assertMessage(
                () -> new MaglevReal(65536, 1, 1),
                "real index must be between 1 and 65535 (0 means no real), got 65536");
        assertMessage(
                () -> new MaglevReal(3, 1, -1), "weight of real 3 must be 0 (left out of the ring) or more, got -1");
        assertMessage(
                () -> MaglevRing.build(List.of(new MaglevReal(3, 1, 1), new MaglevReal(3, 2, 1))),
                "real index 3 appears more than once");
        assertMessage(
                () -> MaglevRing.build(new int[] {1}, new long[0], new int[] {1}, 65537, Variant.V1),
                "indexes, hashes and weights must have the same length, got 1, 0, 1");
    }

    @Test
    void isAnImmutableValue() {
        MaglevRing ring = MaglevRing.build(RING0_REALS);
        char[] copy = ring.slots();
        copy[0] = 99;
        assertNotEquals(99, ring.realAt(0));
        assertEquals(MaglevRing.build(RING0_REALS), ring);
        assertEquals(MaglevRing.build(RING0_REALS).hashCode(), ring.hashCode());
        MaglevRing wrapped = MaglevRing.ofSlots(copy);
        copy[1] = 98;
        assertNotEquals(98, wrapped.realAt(1));
        assertFalse(ring.equals(wrapped));
    }

    @Test
    void countsSlotsPerReal() {
        MaglevRing ring = MaglevRing.build(RING0_REALS);
        int[] counts = ring.slotCounts();
        // provision.json's ring_slot_counts for ring0
        assertArrayEquals(new int[] {0, 21845, 21846, 21846}, counts);
        assertEquals(21846, ring.slotsOwnedBy(3));
    }

    private static void assertSizeRejected(int size, String detail) {
        assertFalse(MaglevRing.isValidSize(size));
        assertMessage(
                () -> MaglevRing.empty(size),
                "Maglev ring size must be a prime between 2 and 16777213 (Katran's default is 65537), " + detail);
        assertThrows(IllegalArgumentException.class, () -> MaglevRing.build(RING0_REALS, size, Variant.V1));
        assertThrows(IllegalArgumentException.class, () -> MaglevRing.builder().size(size));
    }

    private static void assertMessage(org.junit.jupiter.api.function.Executable e, String message) {
        IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class, e);
        assertEquals(message, thrown.getMessage());
    }

    static int[] toInts(MaglevRing ring) {
        int[] a = new int[ring.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = ring.realAt(i);
        }
        return a;
    }
}
