package io.ringfleet.state.health;

import java.util.Comparator;

/**
 * A (VIP, real) pair by the ids the log allocated: vip_num and the member's real index. The image keys votes and
 * verdicts by it (a pair's entries go when the member or the VIP goes, so a reused index starts clean).
 */
public record RealPair(int vipNum, int realIndex) implements Comparable<RealPair> {
    private static final Comparator<RealPair> ORDER =
            Comparator.comparingInt(RealPair::vipNum).thenComparingInt(RealPair::realIndex);

    @Override
    public int compareTo(RealPair other) {
        return ORDER.compare(this, other);
    }

    @Override
    public String toString() {
        return "vip#" + vipNum + "/real#" + realIndex;
    }
}
