package io.ringfleet.state.maglev;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class RingDigestTest {

    @Test
    void hashesSlotsAsBigEndian16BitValues() {
        // python: hashlib.sha256(bytes([0, 1, 0, 2, 255, 255])).hexdigest()
        assertEquals(
                "786b1635f6ddac3b7f9b0a96b84b00520f2e2dddaf2da39d64b3390534c288b3",
                RingDigest.sha256Hex(new char[] {1, 2, 0xffff}));
    }

    @Test
    void matchesTheDigestOfKatransRing0() {
        MaglevRing ring = MaglevRing.build(List.of(
                new MaglevReal(1, 0xd671359dbaa15954L, 1),
                new MaglevReal(2, 0x2cd426d008b90279L, 1),
                new MaglevReal(3, 0x6eb4a2989236785dL, 1)));
        // python: sha256(struct.pack('>65537H', *provision['rings']['ring0']))
        assertEquals("aa0c473f15d082ea252f24c521147b3eb0e19d239ead24f9b5079cb6cd048cd9", RingDigest.sha256Hex(ring));
        assertEquals(RingDigest.sha256Hex(ring.slots()), ring.sha256Hex());
    }

    @Test
    void changesWhenOneSlotChanges() {
        MaglevRing ring = MaglevRing.build(TestReals.equalWeights(10));
        char[] slots = ring.slots();
        slots[40000] = (char) (slots[40000] == 1 ? 2 : 1);
        assertNotEquals(ring.sha256Hex(), RingDigest.sha256Hex(slots));
    }

    @Test
    void differsBetweenEmptyRingsOfDifferentSizes() {
        assertNotEquals(
                MaglevRing.empty(65521).sha256Hex(), MaglevRing.empty(65537).sha256Hex());
    }
}
