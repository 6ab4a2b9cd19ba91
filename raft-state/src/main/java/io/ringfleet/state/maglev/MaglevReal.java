package io.ringfleet.state.maglev;

import java.net.InetAddress;

/**
 * One real as Maglev sees it: its index (the value written into ring slots), its 64-bit hash
 * ({@link RealHash}) and its weight.
 *
 * @param index the real's index, 1..{@value MaglevRing#MAX_REAL_INDEX}; 0 means "no real" in a ring
 * @param hash the real's 64-bit hash, compared as unsigned
 * @param weight 0 (left out of the ring) or more
 */
public record MaglevReal(int index, long hash, int weight) {

    public MaglevReal {
        MaglevRing.checkIndex(index);
        MaglevRing.checkWeight(index, weight);
    }

    /** A real whose hash is {@link RealHash#of(InetAddress)} of its address. */
    public static MaglevReal of(int index, InetAddress address, int weight) {
        return new MaglevReal(index, RealHash.of(address), weight);
    }
}
