package io.ringfleet.state.maglev;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * An immutable Maglev lookup ring, computed exactly as Katran computes it, stored compactly
 * (one {@code char} = 2 bytes per slot; slot value = real index, 0 = no real).
 *
 * <h2>Algorithm (Katran's, from the conformance notes)</h2>
 * <ul>
 *   <li>Reals with weight 0 are left out; the rest are sorted by hash, ascending, unsigned (ties,
 *       which Katran leaves to an unstable sort, are broken by real index here).
 *   <li>0 reals: every slot is 0. 1 real: every slot is that real.
 *   <li>Per real: {@code offset = murmur(hash, 42, seed 0) % M}, {@code skip = murmur(hash,
 *       2718281828, seed 2307) % (M - 1) + 1} ({@link #offset}, {@link #skip}).
 *   <li>Rounds over the sorted reals; a real claims a slot by walking {@code (offset + next * skip)
 *       % M} past taken slots. Katran does this arithmetic in unsigned 32 bits and so does this
 *       class, bit for bit (see {@link #MAX_SIZE}).
 *   <li>{@link Variant#V1} (Katran's default): in the first round a real claims {@code weight}
 *       slots in a row, afterwards one per round. {@link Variant#V2}: each round a real adds its
 *       weight to an accumulator and claims one slot whenever the accumulator reaches the largest
 *       weight (which is then subtracted).
 * </ul>
 *
 * <h2>Sizes</h2>
 * {@code M} must be a prime between {@value #MIN_SIZE} and {@value #MAX_SIZE}; the datapath uses
 * {@value #DEFAULT_SIZE}. Up to 65537 Katran's 32-bit position arithmetic overflows at most on a
 * real's very last probes, so each real walks a (near) true permutation of the slots. Above that
 * {@code offset + next * skip} overflows routinely and Katran's probe sequence stops being a
 * permutation; this class reproduces that bit for bit (slot counts stay round-robin balanced, but
 * builds need more probes: ~0.1 s at 1,000,003 slots, seconds at the maximum).
 *
 * <h2>Where Katran never terminates</h2>
 * Because of that 32-bit arithmetic, a real whose skip is even only ever reaches the positions of
 * one period of {@code k * skip mod 2^32}; if all of those are taken while a slot is still free,
 * Katran's loop spins forever. This happens even at 65537: a skip of 65536 (1 real in 65536)
 * reaches only 65536 of the 65537 slots, and e.g. two reals with hashes 156164 and 216991 hang
 * Katran's V1 and V2. Here the claim detects the full period and instead takes the first free
 * slot of the real's true permutation {@code (offset + j * skip) mod M}, j = 0, 1, ...; the ring
 * is complete and deterministic, and {@link #deviatesFromKatran()} reports it. (A real needing
 * 2^31 probes, not reachable in practice, fails with {@link IllegalStateException}.)
 *
 * <p>V1 and V2 give the same ring when every weight is 1 (Katran's usual case), not for equal
 * weights above 1: V1 then claims {@code weight} slots in a row per real in the first round.
 */
public final class MaglevRing {

    /** The ring size Katran and the datapath use. */
    public static final int DEFAULT_SIZE = 65537;
    /** Smallest allowed ring size. */
    public static final int MIN_SIZE = 2;
    /** Largest allowed ring size: the largest prime below 2^24 (a 32 MiB ring). */
    public static final int MAX_SIZE = 16_777_213;
    /** Largest real index a slot can hold (slots are 16-bit; 0 means "no real"). */
    public static final int MAX_REAL_INDEX = 0xFFFF;

    private static final int KATRAN_OFFSET_B = 42;
    private static final int KATRAN_OFFSET_SEED = 0;
    private static final long KATRAN_SKIP_B = 2718281828L;
    private static final int KATRAN_SKIP_SEED = 2307;

    /** How weights are honoured. Both give the same ring when every weight is 1. */
    public enum Variant {
        /** Katran's default: the first round claims {@code weight} slots in a row, then 1 per round. */
        V1,
        /** Cumulative weights: shares proportional to weights. */
        V2
    }

    private final char[] slots;
    private final boolean deviatesFromKatran;

    private MaglevRing(char[] slots) {
        this(slots, false);
    }

    private MaglevRing(char[] slots, boolean deviatesFromKatran) {
        this.slots = slots;
        this.deviatesFromKatran = deviatesFromKatran;
    }

    // ---------------------------------------------------------------------------------------------
    // Building

    /** Katran's default ring: V1, {@value #DEFAULT_SIZE} slots. */
    public static MaglevRing build(List<MaglevReal> reals) {
        return build(reals, DEFAULT_SIZE, Variant.V1);
    }

    /** A ring of {@code size} slots for {@code reals} (any order; indexes must be distinct). */
    public static MaglevRing build(List<MaglevReal> reals, int size, Variant variant) {
        Objects.requireNonNull(reals, "reals");
        int n = reals.size();
        int[] indexes = new int[n];
        long[] hashes = new long[n];
        int[] weights = new int[n];
        for (int i = 0; i < n; i++) {
            MaglevReal r = Objects.requireNonNull(reals.get(i), "reals contains null");
            indexes[i] = r.index();
            hashes[i] = r.hash();
            weights[i] = r.weight();
        }
        return build(indexes, hashes, weights, size, variant);
    }

    /**
     * A ring from parallel arrays (no boxing): real {@code i} has index {@code indexes[i]}, hash
     * {@code hashes[i]} and weight {@code weights[i]}. The arrays are not modified or retained.
     *
     * @throws IllegalArgumentException for an invalid size, index, weight, a repeated index or
     *     arrays of different lengths
     */
    public static MaglevRing build(int[] indexes, long[] hashes, int[] weights, int size, Variant variant) {
        checkSize(size);
        Objects.requireNonNull(variant, "variant");
        Objects.requireNonNull(indexes, "indexes");
        Objects.requireNonNull(hashes, "hashes");
        Objects.requireNonNull(weights, "weights");
        int total = indexes.length;
        if (hashes.length != total || weights.length != total) {
            throw new IllegalArgumentException("indexes, hashes and weights must have the same length, got " + total
                    + ", " + hashes.length + ", " + weights.length);
        }
        long[] seen = new long[(MAX_REAL_INDEX + 1) >>> 6];
        int n = 0;
        for (int i = 0; i < total; i++) {
            int index = indexes[i];
            checkIndex(index);
            checkWeight(index, weights[i]);
            if ((seen[index >>> 6] & (1L << index)) != 0) {
                throw new IllegalArgumentException("real index " + index + " appears more than once");
            }
            seen[index >>> 6] |= 1L << index;
            if (weights[i] > 0) {
                n++;
            }
        }

        char[] ring = new char[size];
        if (n == 0) {
            return new MaglevRing(ring);
        }

        // The reals taking part, sorted by (hash unsigned, index).
        int[] order = new int[n];
        for (int i = 0, j = 0; i < total; i++) {
            if (weights[i] > 0) {
                order[j++] = i;
            }
        }
        sortByHashThenIndex(order, hashes, indexes);

        if (n == 1) {
            Arrays.fill(ring, (char) indexes[order[0]]);
            return new MaglevRing(ring);
        }

        char[] id = new char[n];
        int[] w = new int[n];
        int[] offset = new int[n];
        int[] skip = new int[n];
        int[] wrapAt = new int[n];
        int[] pos = new int[n];
        int[] next = new int[n];
        for (int j = 0; j < n; j++) {
            int i = order[j];
            id[j] = (char) indexes[i];
            w[j] = weights[i];
            offset[j] = offsetUnchecked(hashes[i], size); // size checked above; checking is a trial division
            skip[j] = skipUnchecked(hashes[i], size);
            pos[j] = offset[j];
            // The first k for which Katran's unsigned 32-bit (offset + k * skip) overflows; below it the
            // position can be advanced incrementally by skip.
            long firstWrap = ((1L << 32) - offset[j] + skip[j] - 1) / skip[j];
            wrapAt[j] = (int) Math.min(firstWrap, Integer.MAX_VALUE);
        }

        Filler f = new Filler(ring, size, id, offset, skip, wrapAt, pos, next);
        if (variant == Variant.V1) {
            f.fillV1(w);
        } else if (allEqual(w)) {
            // V2 with one common weight claims once per real per round: V1 with every weight 1.
            Arrays.fill(w, 1);
            f.fillV1(w);
        } else {
            f.fillV2(w);
        }
        return new MaglevRing(ring, f.deviated);
    }

    /** A ring of {@code size} slots, all 0 (no real). */
    public static MaglevRing empty(int size) {
        checkSize(size);
        return new MaglevRing(new char[size]);
    }

    /**
     * A ring holding a copy of {@code slots}, e.g. read back from a BPF map or a fixture.
     *
     * @throws IllegalArgumentException if the length is not an allowed size
     */
    public static MaglevRing ofSlots(char[] slots) {
        Objects.requireNonNull(slots, "slots");
        checkSize(slots.length);
        return new MaglevRing(slots.clone());
    }

    /** A builder for callers that collect reals one by one (no boxing). */
    public static Builder builder() {
        return new Builder();
    }

    /** Collects reals and options, then {@link #build()}s a ring. Not thread-safe; reusable. */
    public static final class Builder {
        private int size = DEFAULT_SIZE;
        private Variant variant = Variant.V1;
        private int count;
        private int[] indexes = new int[16];
        private long[] hashes = new long[16];
        private int[] weights = new int[16];

        private Builder() {}

        /** Ring size, a prime between {@value #MIN_SIZE} and {@value #MAX_SIZE}; default {@value #DEFAULT_SIZE}. */
        public Builder size(int size) {
            checkSize(size);
            this.size = size;
            return this;
        }

        /** Weight handling; default {@link Variant#V1} (Katran's default). */
        public Builder variant(Variant variant) {
            this.variant = Objects.requireNonNull(variant, "variant");
            return this;
        }

        /** Adds a real; validated when added, repeated indexes rejected at {@link #build()}. */
        public Builder add(int index, long hash, int weight) {
            checkIndex(index);
            checkWeight(index, weight);
            if (count == indexes.length) {
                int cap = count * 2;
                indexes = Arrays.copyOf(indexes, cap);
                hashes = Arrays.copyOf(hashes, cap);
                weights = Arrays.copyOf(weights, cap);
            }
            indexes[count] = index;
            hashes[count] = hash;
            weights[count] = weight;
            count++;
            return this;
        }

        public Builder add(MaglevReal real) {
            return add(real.index(), real.hash(), real.weight());
        }

        /** Forgets the reals added so far (size and variant stay). */
        public Builder clearReals() {
            count = 0;
            return this;
        }

        public MaglevRing build() {
            return MaglevRing.build(
                    Arrays.copyOf(indexes, count),
                    Arrays.copyOf(hashes, count),
                    Arrays.copyOf(weights, count),
                    size,
                    variant);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Katran's per-real permutation

    /** Katran's Maglev offset of a real with this hash in a ring of {@code size} slots. */
    public static int offset(long realHash, int size) {
        checkSize(size);
        return offsetUnchecked(realHash, size);
    }

    /** Katran's Maglev skip (1..size-1) of a real with this hash in a ring of {@code size} slots. */
    public static int skip(long realHash, int size) {
        checkSize(size);
        return skipUnchecked(realHash, size);
    }

    private static int offsetUnchecked(long realHash, int size) {
        return (int) Long.remainderUnsigned(MurmurHash3.hash64(realHash, KATRAN_OFFSET_B, KATRAN_OFFSET_SEED), size);
    }

    private static int skipUnchecked(long realHash, int size) {
        return (int) Long.remainderUnsigned(MurmurHash3.hash64(realHash, KATRAN_SKIP_B, KATRAN_SKIP_SEED), size - 1)
                + 1;
    }

    // ---------------------------------------------------------------------------------------------
    // Validation

    /** Whether {@code size} is an allowed ring size: a prime in [{@value #MIN_SIZE}, {@value #MAX_SIZE}]. */
    public static boolean isValidSize(int size) {
        return size >= MIN_SIZE && size <= MAX_SIZE && isPrime(size);
    }

    /** @throws IllegalArgumentException naming what is allowed, unless {@link #isValidSize}. */
    public static void checkSize(int size) {
        if (size < MIN_SIZE || size > MAX_SIZE) {
            throw new IllegalArgumentException("Maglev ring size must be a prime between " + MIN_SIZE + " and "
                    + MAX_SIZE + " (Katran's default is " + DEFAULT_SIZE + "), got " + size);
        }
        if (!isPrime(size)) {
            throw new IllegalArgumentException("Maglev ring size must be a prime between " + MIN_SIZE
                    + " and " + MAX_SIZE + " (Katran's default is " + DEFAULT_SIZE + "), got " + size
                    + ", which is not prime");
        }
    }

    static void checkIndex(int index) {
        if (index < 1 || index > MAX_REAL_INDEX) {
            throw new IllegalArgumentException(
                    "real index must be between 1 and " + MAX_REAL_INDEX + " (0 means no real), got " + index);
        }
    }

    static void checkWeight(int index, int weight) {
        if (weight < 0) {
            throw new IllegalArgumentException(
                    "weight of real " + index + " must be 0 (left out of the ring) or more, got " + weight);
        }
    }

    private static boolean isPrime(int v) {
        if (v < 2) {
            return false;
        }
        if (v % 2 == 0) {
            return v == 2;
        }
        for (int d = 3; (long) d * d <= v; d += 2) {
            if (v % d == 0) {
                return false;
            }
        }
        return true;
    }

    // ---------------------------------------------------------------------------------------------
    // Reading

    /** Number of slots. */
    public int size() {
        return slots.length;
    }

    /** The real index in {@code slot}, 0 if none. */
    public int realAt(int slot) {
        return slots[slot];
    }

    /** A copy of the slots. */
    public char[] slots() {
        return slots.clone();
    }

    /** Copies the slots into {@code dst} from {@code dstOffset}. */
    public void copySlotsTo(char[] dst, int dstOffset) {
        System.arraycopy(slots, 0, dst, dstOffset, slots.length);
    }

    /** How many slots hold {@code realIndex}. */
    public int slotsOwnedBy(int realIndex) {
        int c = 0;
        for (char s : slots) {
            if (s == realIndex) {
                c++;
            }
        }
        return c;
    }

    /** Slot counts per real index: {@code result[r]} = slots holding real r (length = largest index + 1). */
    public int[] slotCounts() {
        int max = 0;
        for (char s : slots) {
            if (s > max) {
                max = s;
            }
        }
        int[] counts = new int[max + 1];
        for (char s : slots) {
            counts[s]++;
        }
        return counts;
    }

    /**
     * Whether building this ring hit a case where Katran never terminates, so it holds our
     * deterministic continuation instead of a Katran ring (see the class comment). Always false for
     * rings from {@link #ofSlots} and {@link #empty}.
     */
    public boolean deviatesFromKatran() {
        return deviatesFromKatran;
    }

    /** SHA-256 of the ring; see {@link RingDigest}. */
    public String sha256Hex() {
        return RingDigest.sha256Hex(this);
    }

    char[] slotsView() {
        return slots;
    }

    /** Takes ownership of {@code slots} (no copy); the caller must not keep or change it. */
    static MaglevRing wrap(char[] slots) {
        checkSize(slots.length);
        return new MaglevRing(slots);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MaglevRing other && Arrays.equals(slots, other.slots);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(slots);
    }

    @Override
    public String toString() {
        return "MaglevRing[size=" + slots.length + ", sha256=" + sha256Hex().substring(0, 16) + "…]";
    }

    // ---------------------------------------------------------------------------------------------
    // Internals

    /**
     * The population loop; state per real in parallel int arrays, allocated once per build.
     *
     * <p>Katran computes probe {@code k} of a real as {@code (offset + k * skip) % M} in unsigned 32
     * bits. Below the real's {@code wrapAt} (the first {@code k} for which that sum overflows) this is
     * the true value, so the position can be advanced by {@code skip} modulo M without a division,
     * and {@code k} need not even be counted: a real's examined positions are distinct taken slots,
     * so with {@code runs} slots taken a claim never examines a probe index above {@code runs}. While
     * {@code runs} is below every real's {@code wrapAt} ({@code fastUntil}) the counter-free
     * {@link #claimFast} is exact. At M = 65537 that holds for all but (at most) the last few
     * claims; at M ≤ 65521 for all. From then on {@code next[]} is recovered from the positions
     * ({@code k = (pos - offset) / skip mod M}) and {@link #claimExact} counts probes and switches
     * to Katran's overflowing formula where it applies.
     */
    private static final class Filler {
        private final char[] ring;
        private final int m;
        private final char[] id;
        private final int[] offset;
        private final int[] skip;
        private final int[] wrapAt;
        private final int[] pos;
        private final int[] next;
        private final int fastUntil;
        private boolean counting;
        boolean deviated;

        Filler(char[] ring, int m, char[] id, int[] offset, int[] skip, int[] wrapAt, int[] pos, int[] next) {
            this.ring = ring;
            this.m = m;
            this.id = id;
            this.offset = offset;
            this.skip = skip;
            this.wrapAt = wrapAt;
            this.pos = pos;
            this.next = next;
            int min = Integer.MAX_VALUE;
            for (int w : wrapAt) {
                min = Math.min(min, w);
            }
            this.fastUntil = min;
        }

        void fillV1(int[] weights) {
            final int n = id.length;
            int runs = 0;
            for (int i = 0; i < n; i++) {
                for (int j = weights[i]; j > 0; j--) {
                    claim(i, runs);
                    if (++runs == m) {
                        return;
                    }
                }
            }
            for (; ; ) {
                for (int i = 0; i < n; i++) {
                    claim(i, runs);
                    if (++runs == m) {
                        return;
                    }
                }
            }
        }

        void fillV2(int[] weights) {
            final int n = id.length;
            long max = 0;
            for (int w : weights) {
                max = Math.max(max, w);
            }
            long[] acc = new long[n];
            int runs = 0;
            for (; ; ) {
                for (int i = 0; i < n; i++) {
                    long a = acc[i] + weights[i];
                    if (a >= max) {
                        a -= max;
                        claim(i, runs);
                        if (++runs == m) {
                            return;
                        }
                    }
                    acc[i] = a;
                }
            }
        }

        /** Real {@code i} takes the first free slot of its permutation from where it stopped. */
        private void claim(int i, int runs) {
            if (runs < fastUntil) {
                claimFast(i);
            } else {
                claimExact(i);
            }
        }

        /**
         * Probes without a division, a probe counter or a wrap branch (taken about half the time, so
         * mispredicted): {@code c + (skip - m)} is negative exactly when {@code c + skip < m}.
         */
        private void claimFast(int i) {
            final char[] ring = this.ring;
            final int m = this.m;
            final int step = skip[i] - m;
            int c = pos[i];
            while (ring[c] != 0) {
                c += step;
                c += (c >> 31) & m;
            }
            ring[c] = id[i];
            c += step;
            c += (c >> 31) & m;
            pos[i] = c;
        }

        private void claimExact(int i) {
            if (!counting) {
                recoverNext();
                counting = true;
            }
            final char[] ring = this.ring;
            final int m = this.m;
            final int s = skip[i];
            final int step = s - m;
            final int limit = wrapAt[i];
            // Katran's positions repeat every 2^(32 - trailing zeros of skip) probes (k * skip mod 2^32).
            final long period = 1L << (32 - Integer.numberOfTrailingZeros(s));
            final int start = next[i];
            int c = pos[i];
            int k = start;
            while (ring[c] != 0) {
                if (++k < limit) {
                    c += step;
                    c += (c >> 31) & m;
                } else {
                    c = wrapped(i, k);
                }
                if (k - start >= period) {
                    // A whole period examined and every reachable slot taken: Katran loops forever here.
                    c = firstFreeOnTruePermutation(i);
                    deviated = true;
                    break;
                }
            }
            ring[c] = id[i];
            ++k;
            pos[i] = k < limit ? (int) ((offset[i] + (long) k * s) % m) : wrapped(i, k);
            next[i] = k;
        }

        /** The fallback where Katran hangs: the first free slot of (offset + j * skip) mod m, j = 0, 1, ... */
        private int firstFreeOnTruePermutation(int i) {
            int c = offset[i];
            final int step = skip[i] - m;
            while (ring[c] != 0) {
                c += step;
                c += (c >> 31) & m;
            }
            return c;
        }

        /**
         * Fills {@code next[]} after the counter-free phase: each real's next probe index k satisfies
         * {@code pos = (offset + k * skip) mod m} (true arithmetic) with k ≤ runs < m, so
         * k = (pos − offset)·skip⁻¹ mod m. A k that has just reached {@code wrapAt} gets Katran's
         * overflowed position instead.
         */
        private void recoverNext() {
            for (int i = 0; i < id.length; i++) {
                long d = Math.floorMod(pos[i] - offset[i], m);
                int k = (int) (d * inverse(skip[i], m) % m);
                next[i] = k;
                if (k >= wrapAt[i]) {
                    pos[i] = wrapped(i, k);
                }
            }
        }

        /** skip⁻¹ mod m for prime m (Fermat: skip^(m−2)); m < 2^24 keeps products below 2^48. */
        private static long inverse(long skip, int m) {
            long result = 1;
            long base = skip % m;
            for (int e = m - 2; e > 0; e >>>= 1) {
                if ((e & 1) != 0) {
                    result = result * base % m;
                }
                base = base * base % m;
            }
            return result;
        }

        /** Katran's position for probe {@code k} once {@code offset + k * skip} overflows 32 bits. */
        private int wrapped(int i, int k) {
            if (k == Integer.MAX_VALUE) {
                throw new IllegalStateException("Maglev ring of size " + m + ": real " + (int) id[i]
                        + " probed 2^31 positions without finding a free slot (Katran's 32-bit permutation"
                        + " arithmetic does not cover the ring); use a smaller ring size such as " + DEFAULT_SIZE);
            }
            return Integer.remainderUnsigned(offset[i] + k * skip[i], m);
        }
    }

    private static boolean allEqual(int[] w) {
        for (int v : w) {
            if (v != w[0]) {
                return false;
            }
        }
        return true;
    }

    /** Stable merge sort of {@code order} by (hashes unsigned, indexes). */
    private static void sortByHashThenIndex(int[] order, long[] hashes, int[] indexes) {
        int n = order.length;
        if (n < 2) {
            return;
        }
        int[] buf = new int[n];
        int[] src = order;
        int[] dst = buf;
        for (int width = 1; width < n; width <<= 1) {
            for (int lo = 0; lo < n; lo += width << 1) {
                int mid = Math.min(lo + width, n);
                int hi = Math.min(lo + (width << 1), n);
                int a = lo;
                int b = mid;
                for (int t = lo; t < hi; t++) {
                    if (a < mid && (b >= hi || !less(src[b], src[a], hashes, indexes))) {
                        dst[t] = src[a++];
                    } else {
                        dst[t] = src[b++];
                    }
                }
            }
            int[] tmp = src;
            src = dst;
            dst = tmp;
        }
        if (src != order) {
            System.arraycopy(src, 0, order, 0, n);
        }
    }

    private static boolean less(int x, int y, long[] hashes, int[] indexes) {
        int c = Long.compareUnsigned(hashes[x], hashes[y]);
        return c < 0 || (c == 0 && indexes[x] < indexes[y]);
    }
}
