package io.ringfleet.state.maglev;

import java.util.Arrays;
import java.util.Objects;

/**
 * The slots that differ between two rings of the same size, as Katran hands them to the BPF map
 * writer: ascending positions and the new real index at each. Immutable and compact (4 + 2 bytes
 * per changed slot).
 *
 * <p>The first programming of a zero-filled map is {@code between(MaglevRing.empty(size), ring)}.
 */
public final class RingDiff {

    private final int ringSize;
    private final int[] positions;
    private final char[] values;

    private RingDiff(int ringSize, int[] positions, char[] values) {
        this.ringSize = ringSize;
        this.positions = positions;
        this.values = values;
    }

    /**
     * The slots whose value in {@code newer} differs from {@code older}.
     *
     * @throws IllegalArgumentException if the rings differ in size
     */
    public static RingDiff between(MaglevRing older, MaglevRing newer) {
        Objects.requireNonNull(older, "older");
        Objects.requireNonNull(newer, "newer");
        char[] a = older.slotsView();
        char[] b = newer.slotsView();
        if (a.length != b.length) {
            throw new IllegalArgumentException(
                    "rings must have the same size to be diffed, got " + a.length + " and " + b.length);
        }
        // Arrays.mismatch compares many slots per instruction, so unchanged runs are skipped fast.
        int n = a.length;
        int count = 0;
        for (int i = nextMismatch(a, b, 0); i < n; i = nextMismatch(a, b, i + 1)) {
            count++;
        }
        int[] positions = new int[count];
        char[] values = new char[count];
        int j = 0;
        for (int i = nextMismatch(a, b, 0); i < n; i = nextMismatch(a, b, i + 1)) {
            positions[j] = i;
            values[j] = b[i];
            j++;
        }
        return new RingDiff(n, positions, values);
    }

    /** The first position ≥ {@code from} where the slots differ, or the length if none. */
    private static int nextMismatch(char[] a, char[] b, int from) {
        int n = a.length;
        if (from >= n) {
            return n;
        }
        int d = Arrays.mismatch(a, from, n, b, from, n);
        return d < 0 ? n : from + d;
    }

    /** Size of the rings this diff is between. */
    public int ringSize() {
        return ringSize;
    }

    /** Number of changed slots. */
    public int count() {
        return positions.length;
    }

    public boolean isEmpty() {
        return positions.length == 0;
    }

    /** Position of the {@code i}-th changed slot (ascending in {@code i}). */
    public int position(int i) {
        return positions[i];
    }

    /** New real index of the {@code i}-th changed slot (0 = no real). */
    public int value(int i) {
        return values[i];
    }

    /** A copy of the changed positions, ascending. */
    public int[] positions() {
        return positions.clone();
    }

    /** A copy of the new values, parallel to {@link #positions()}. */
    public char[] values() {
        return values.clone();
    }

    /**
     * Writes the changes into {@code slots} in place.
     *
     * @throws IllegalArgumentException if {@code slots} is not {@link #ringSize()} long
     */
    public void applyTo(char[] slots) {
        Objects.requireNonNull(slots, "slots");
        if (slots.length != ringSize) {
            throw new IllegalArgumentException("diff is for rings of " + ringSize + " slots, got " + slots.length);
        }
        for (int i = 0; i < positions.length; i++) {
            slots[positions[i]] = values[i];
        }
    }

    /** {@code older} with the changes applied; {@code between(a, b).applyTo(a).equals(b)}. */
    public MaglevRing applyTo(MaglevRing older) {
        Objects.requireNonNull(older, "older");
        char[] slots = older.slots();
        applyTo(slots);
        return MaglevRing.wrap(slots);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RingDiff other
                && ringSize == other.ringSize
                && Arrays.equals(positions, other.positions)
                && Arrays.equals(values, other.values);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * ringSize + Arrays.hashCode(positions)) + Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        return "RingDiff[ringSize=" + ringSize + ", changed=" + positions.length + "]";
    }
}
