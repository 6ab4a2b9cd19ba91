package io.ringfleet.state.maglev.bench;

import io.ringfleet.state.maglev.MaglevRing;
import io.ringfleet.state.maglev.RealHash;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;

/**
 * Ring build CPU time, measured exactly like {@code src/test/c/maglev_baseline.c} (12 windows of
 * 100 ms thread CPU time, 3 of warm-up; best and median window mean), so that Java and the C
 * baseline can be compared on a machine shared with other jobs: thread CPU time does not count the
 * time the thread waits for a core. Run by {@code scripts/bench-state.sh --vs-c}.
 */
public final class BuildCpuTime {

    private BuildCpuTime() {}

    public static void main(String[] args) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        for (MaglevRing.Variant variant : MaglevRing.Variant.values()) {
            for (int n : new int[] {10, 100, 1000}) {
                int[] indexes = new int[n];
                long[] hashes = new long[n];
                int[] weights = new int[n];
                for (int i = 0; i < n; i++) {
                    indexes[i] = i + 1;
                    hashes[i] = RealHash.ofIpv4(0x0a01_0000 | (i + 1));
                    weights[i] = 1;
                }
                for (int i = 0; i < 2000; i++) { // JIT warm-up
                    MaglevRing.build(indexes, hashes, weights, MaglevRing.DEFAULT_SIZE, variant);
                }
                double[] windows = new double[12];
                int sink = 0;
                for (int w = 0; w < windows.length; w++) {
                    long c0 = threads.getCurrentThreadCpuTime();
                    long builds = 0;
                    while (threads.getCurrentThreadCpuTime() - c0 < 100_000_000L) {
                        sink += MaglevRing.build(indexes, hashes, weights, MaglevRing.DEFAULT_SIZE, variant)
                                .realAt(0);
                        builds++;
                    }
                    windows[w] = (threads.getCurrentThreadCpuTime() - c0) / 1e3 / builds;
                }
                double[] sorted = Arrays.copyOfRange(windows, 3, windows.length);
                Arrays.sort(sorted);
                System.out.printf(
                        "java %s N=%-4d cpu-us/build: best %7.0f  median %7.0f  (sink %d)%n",
                        variant, n, sorted[0], sorted[4], sink % 10);
            }
        }
    }
}
