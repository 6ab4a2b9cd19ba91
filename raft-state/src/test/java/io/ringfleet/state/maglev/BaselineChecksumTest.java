package io.ringfleet.state.maglev;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ringfleet.state.maglev.MaglevRing.Variant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Pins that the C baseline of BENCHMARKS.md ({@code src/test/c/maglev_baseline.c}) computes the
 * same rings as MaglevRing: FNV-1a-64 over the slots as little-endian u16, values printed by it.
 */
class BaselineChecksumTest {

    @ParameterizedTest
    @CsvSource({"10, a112f680269005cd", "100, 8c47c69896602af7", "1000, 46199a8f5854aaee"})
    void computesTheSameRingsAsTheCBaseline(int n, String checksum) {
        for (Variant variant : Variant.values()) {
            MaglevRing ring = MaglevRing.build(TestReals.equalWeights(n), MaglevRing.DEFAULT_SIZE, variant);
            long fnv = 0xcbf29ce484222325L;
            for (int i = 0; i < ring.size(); i++) {
                int slot = ring.realAt(i);
                fnv = (fnv ^ (slot & 0xff)) * 0x100000001b3L;
                fnv = (fnv ^ (slot >>> 8)) * 0x100000001b3L;
            }
            assertEquals(checksum, String.format("%016x", fnv), variant + " N=" + n);
        }
    }
}
