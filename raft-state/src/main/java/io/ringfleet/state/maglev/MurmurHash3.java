package io.ringfleet.state.maglev;

/**
 * MurmurHash3 x64_128, specialised to the one input Maglev feeds it: the 16 bytes
 * {@code le64(a) ‖ le64(b)}.
 *
 * <p>Katran derives each real's Maglev offset and skip from the first 64-bit word ({@code h1}) of
 * this hash; {@link #hash64} returns exactly that word. Written from the published description of
 * the algorithm (two 64-bit lanes, one 16-byte block, no tail, length 16, {@code fmix64}).
 */
public final class MurmurHash3 {

    private static final long C1 = 0x87c37b91114253d5L;
    private static final long C2 = 0x4cf5ad432745937fL;

    private MurmurHash3() {}

    /**
     * First 64-bit word of MurmurHash3_x64_128 over {@code le64(a) ‖ le64(b)}.
     *
     * @param a the first 8 bytes, read little-endian (for Maglev: the real's 64-bit hash)
     * @param b the second 8 bytes, read little-endian
     * @param seed the 32-bit seed, taken as unsigned
     */
    public static long hash64(long a, long b, int seed) {
        long h1 = seed & 0xFFFF_FFFFL;
        long h2 = h1;

        long k1 = a * C1;
        k1 = Long.rotateLeft(k1, 31);
        k1 *= C2;
        h1 ^= k1;
        h1 = Long.rotateLeft(h1, 27);
        h1 += h2;
        h1 = h1 * 5 + 0x52dce729L;

        long k2 = b * C2;
        k2 = Long.rotateLeft(k2, 33);
        k2 *= C1;
        h2 ^= k2;
        h2 = Long.rotateLeft(h2, 31);
        h2 += h1;
        h2 = h2 * 5 + 0x38495ab5L;

        h1 ^= 16;
        h2 ^= 16;
        h1 += h2;
        h2 += h1;
        h1 = fmix64(h1);
        h2 = fmix64(h2);
        h1 += h2;
        return h1;
    }

    private static long fmix64(long k) {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb9fe1a85ec53L;
        k ^= k >>> 33;
        return k;
    }
}
