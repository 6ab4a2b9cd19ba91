package io.ringfleet.state.maglev;

import java.util.ArrayList;
import java.util.List;

/** Synthetic reals: index i (1-based) is 10.1.(i / 256).(i % 256), hashed like Katran would. */
final class TestReals {

    private TestReals() {}

    static MaglevReal ipv4(int index, int weight) {
        return new MaglevReal(index, RealHash.ofIpv4(0x0a01_0000 | index), weight);
    }

    /** Reals 1..n, all of weight 1. */
    static List<MaglevReal> equalWeights(int n) {
        List<MaglevReal> reals = new ArrayList<>(n);
        for (int i = 1; i <= n; i++) {
            reals.add(ipv4(i, 1));
        }
        return reals;
    }

    /** Reals 1..n with weights cycling 1, 2, 3, 4, 1, 2, ... */
    static List<MaglevReal> weightsOneToFour(int n) {
        List<MaglevReal> reals = new ArrayList<>(n);
        for (int i = 1; i <= n; i++) {
            reals.add(ipv4(i, 1 + (i - 1) % 4));
        }
        return reals;
    }
}
