package io.ringfleet.state.maglev;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringfleet.state.maglev.MaglevRing.Variant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RingDiffTest {

    private static final int M = MaglevRing.DEFAULT_SIZE;

    @Test
    void turnsTheOldRingIntoTheNewOneWhenApplied() {
        List<MaglevReal> reals = new ArrayList<>(TestReals.weightsOneToFour(100));
        MaglevRing older = MaglevRing.build(reals, M, Variant.V2);
        reals.remove(17);
        reals.add(TestReals.ipv4(500, 3));
        reals.set(3, new MaglevReal(reals.get(3).index(), reals.get(3).hash(), 9));
        MaglevRing newer = MaglevRing.build(reals, M, Variant.V2);

        RingDiff diff = RingDiff.between(older, newer);
        assertEquals(newer, diff.applyTo(older));
        char[] slots = older.slots();
        diff.applyTo(slots);
        assertArrayEquals(newer.slots(), slots);
        assertEquals(M, diff.ringSize());
    }

    @Test
    void listsExactlyTheChangedSlotsInAscendingOrder() {
        MaglevRing older = MaglevRing.build(TestReals.equalWeights(10));
        MaglevRing newer = MaglevRing.build(TestReals.equalWeights(11));
        RingDiff diff = RingDiff.between(older, newer);
        int changed = 0;
        for (int s = 0; s < M; s++) {
            if (older.realAt(s) != newer.realAt(s)) {
                changed++;
            }
        }
        assertEquals(changed, diff.count());
        int[] positions = diff.positions();
        char[] values = diff.values();
        for (int i = 0; i < positions.length; i++) {
            assertTrue(i == 0 || positions[i - 1] < positions[i]);
            assertTrue(older.realAt(positions[i]) != values[i]);
            assertEquals(newer.realAt(positions[i]), values[i]);
            assertEquals(positions[i], diff.position(i));
            assertEquals(values[i], diff.value(i));
        }
    }

    @Test
    void isEmptyBetweenEqualRings() {
        MaglevRing ring = MaglevRing.build(TestReals.equalWeights(5));
        RingDiff diff = RingDiff.between(ring, MaglevRing.build(TestReals.equalWeights(5)));
        assertTrue(diff.isEmpty());
        assertEquals(0, diff.count());
        assertEquals(ring, diff.applyTo(ring));
    }

    @Test
    void programsAZeroFilledMapWithEverySlotOfTheFirstRing() {
        MaglevRing ring = MaglevRing.build(TestReals.equalWeights(3));
        RingDiff diff = RingDiff.between(MaglevRing.empty(M), ring);
        assertEquals(M, diff.count());
        assertEquals(ring, diff.applyTo(MaglevRing.empty(M)));
    }

    @Test
    void rejectsRingsOfDifferentSizes() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> RingDiff.between(MaglevRing.empty(65521), MaglevRing.empty(M)));
        assertEquals("rings must have the same size to be diffed, got 65521 and 65537", e.getMessage());
        RingDiff diff = RingDiff.between(MaglevRing.empty(13), MaglevRing.empty(13));
        e = assertThrows(IllegalArgumentException.class, () -> diff.applyTo(new char[14]));
        assertEquals("diff is for rings of 13 slots, got 14", e.getMessage());
    }

    @Test
    void copiesOutItsArrays() {
        RingDiff diff = RingDiff.between(MaglevRing.empty(M), MaglevRing.build(TestReals.equalWeights(2)));
        diff.positions()[0] = -1;
        diff.values()[0] = 0;
        assertEquals(0, diff.position(0));
        assertTrue(diff.value(0) != 0);
    }
}
