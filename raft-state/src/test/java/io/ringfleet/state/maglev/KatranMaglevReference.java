package io.ringfleet.state.maglev;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * A deliberately plain transcription of Katran's Maglev as described in FACTS.md: the position of
 * every probe is computed from scratch in unsigned 32-bit arithmetic, slots start at -1. Slow and
 * obviously right; the optimised {@link MaglevRing} is checked against it. Where Katran would
 * loop forever it throws {@link NeverTerminates} instead.
 */
final class KatranMaglevReference {

    private KatranMaglevReference() {}

    /** Katran's loop would spin forever on this input. */
    static final class NeverTerminates extends RuntimeException {
        NeverTerminates(String message) {
            super(message);
        }
    }

    static int[] ring(List<MaglevReal> input, int m, MaglevRing.Variant variant) {
        List<MaglevReal> reals = new ArrayList<>();
        for (MaglevReal r : input) {
            if (r.weight() > 0) {
                reals.add(r);
            }
        }
        reals.sort(Comparator.comparing(MaglevReal::hash, Long::compareUnsigned).thenComparingInt(MaglevReal::index));
        int[] result = new int[m];
        Arrays.fill(result, -1);
        int n = reals.size();
        if (n == 0) {
            Arrays.fill(result, 0);
            return result;
        }
        if (n == 1) {
            Arrays.fill(result, reals.get(0).index());
            return result;
        }
        int[] offset = new int[n];
        int[] skip = new int[n];
        int[] next = new int[n];
        long[] weight = new long[n];
        long maxWeight = 0;
        for (int i = 0; i < n; i++) {
            long h = reals.get(i).hash();
            offset[i] = (int) Long.remainderUnsigned(MurmurHash3.hash64(h, 42, 0), m);
            skip[i] = (int) Long.remainderUnsigned(MurmurHash3.hash64(h, 2718281828L, 2307), m - 1) + 1;
            weight[i] = reals.get(i).weight();
            maxWeight = Math.max(maxWeight, weight[i]);
        }
        long[] cum = new long[n];
        int runs = 0;
        for (; ; ) {
            for (int i = 0; i < n; i++) {
                long claims;
                if (variant == MaglevRing.Variant.V1) {
                    claims = weight[i];
                    weight[i] = 1;
                } else {
                    cum[i] += weight[i];
                    claims = 0;
                    if (cum[i] >= maxWeight) {
                        cum[i] -= maxWeight;
                        claims = 1;
                    }
                }
                for (long j = 0; j < claims; j++) {
                    // int arithmetic wraps exactly like C's uint32_t
                    int cur = Integer.remainderUnsigned(offset[i] + next[i] * skip[i], m);
                    long probes = 0;
                    long period = 1L << (32 - Integer.numberOfTrailingZeros(skip[i]));
                    while (result[cur] >= 0) {
                        next[i]++;
                        cur = Integer.remainderUnsigned(offset[i] + next[i] * skip[i], m);
                        if (++probes >= period) {
                            // next * skip mod 2^32 repeats with this period: every reachable slot is taken.
                            throw new NeverTerminates("real " + reals.get(i).index() + " cannot reach a free slot");
                        }
                    }
                    result[cur] = reals.get(i).index();
                    next[i]++;
                    if (++runs == m) {
                        return result;
                    }
                }
            }
        }
    }
}
