package io.ringfleet.state.maglev.bench;

import io.ringfleet.state.maglev.MaglevRing;
import io.ringfleet.state.maglev.RealHash;
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

/**
 * Maglev ring build time at Katran's ring size (65537) for N reals 10.1.x.y (hashed like Katran).
 * Sample-time mode, so the report has the median and the minimum as well as the mean: on a shared
 * machine the minimum and median are the stable figures. Run with {@code scripts/bench-state.sh};
 * see BENCHMARKS.md.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class MaglevRingBench {

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
