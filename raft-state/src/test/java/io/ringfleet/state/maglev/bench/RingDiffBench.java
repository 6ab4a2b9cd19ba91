package io.ringfleet.state.maglev.bench;

import io.ringfleet.state.maglev.MaglevRing;
import io.ringfleet.state.maglev.RealHash;
import io.ringfleet.state.maglev.RingDiff;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** The changed slots (what the BPF map writer rewrites) after one of N reals leaves a 65537-slot ring. */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class RingDiffBench {

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
