package io.ringfleet.state.maglev.bench;

import io.ringfleet.state.maglev.MaglevRing;
import io.ringfleet.state.maglev.RealHash;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * Maglev ring build time at Katran's ring size (65537) for N reals 10.1.x.y (hashed like Katran).
 * Sample-time mode, so the report has the median and the minimum as well as the mean: on a shared
 * machine the minimum and median are the stable figures. Run with {@code scripts/bench-state.sh};
 * see BENCHMARKS.md.
 */
public class MaglevRingBench extends MaglevBenchDefaults {

    @Param({"V1", "V2"})
    public MaglevRing.Variant variant;

    @Param({"10", "100", "1000"})
    public int reals;

    @Param({"65537"})
    public int size;

    /** "equal": every weight 1 (Katran's usual case); "1to4": weights cycling 1, 2, 3, 4. */
    @Param({"equal"})
    public String weights;

    private int[] indexes;
    private long[] hashes;
    private int[] weightArray;

    @Setup
    public void setUp() {
        indexes = new int[reals];
        hashes = new long[reals];
        weightArray = new int[reals];
        for (int i = 0; i < reals; i++) {
            indexes[i] = i + 1;
            hashes[i] = RealHash.ofIpv4(0x0a01_0000 | (i + 1));
            weightArray[i] = weights.equals("equal") ? 1 : 1 + i % 4;
        }
    }

    /** Build a whole ring from the reals (allocates the 128 KiB ring and a few N-sized arrays). */
    @Benchmark
    public MaglevRing build() {
        return MaglevRing.build(indexes, hashes, weightArray, size, variant);
    }
}
