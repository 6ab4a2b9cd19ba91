package io.ringfleet.state.maglev.bench;

import io.ringfleet.state.maglev.MaglevRing;
import io.ringfleet.state.maglev.RealHash;
import io.ringfleet.state.maglev.RingDiff;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/** The changed slots (what the BPF map writer rewrites) after one of N reals leaves a 65537-slot ring. */
public class RingDiffBench extends MaglevBenchDefaults {

    @Param({"10", "100", "1000"})
    public int reals;

    private MaglevRing before;
    private MaglevRing after;

    @Setup
    public void setUp() {
        int[] indexes = new int[reals];
        long[] hashes = new long[reals];
        int[] weights = new int[reals];
        for (int i = 0; i < reals; i++) {
            indexes[i] = i + 1;
            hashes[i] = RealHash.ofIpv4(0x0a01_0000 | (i + 1));
            weights[i] = 1;
        }
        before = MaglevRing.build(indexes, hashes, weights, MaglevRing.DEFAULT_SIZE, MaglevRing.Variant.V1);
        weights[reals / 2] = 0;
        after = MaglevRing.build(indexes, hashes, weights, MaglevRing.DEFAULT_SIZE, MaglevRing.Variant.V1);
    }

    @Benchmark
    public RingDiff diffAfterRemovingOneReal() {
        return RingDiff.between(before, after);
    }
}
