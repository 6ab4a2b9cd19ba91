package io.ringfleet.state.health;

import java.util.Comparator;
import java.util.Objects;

/** Where one LB's vote on one pair is kept: by pair, then node id (a pair's votes are one range). */
public record VoteKey(RealPair pair, String node) implements Comparable<VoteKey> {
    private static final Comparator<VoteKey> ORDER =
            Comparator.comparing(VoteKey::pair).thenComparing(VoteKey::node);

    public VoteKey {
        Objects.requireNonNull(pair, "pair");
        Objects.requireNonNull(node, "node");
    }

    /** The first key of the pair's range (the empty node id sorts before every id). */
    public static VoteKey first(RealPair pair) {
        return new VoteKey(pair, "");
    }

    @Override
    public int compareTo(VoteKey other) {
        return ORDER.compare(this, other);
    }
}
