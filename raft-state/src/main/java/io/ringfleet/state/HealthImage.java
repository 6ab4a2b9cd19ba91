package io.ringfleet.state;

import io.ringfleet.state.collect.PersistentSortedMap;
import io.ringfleet.state.health.PairVerdict;
import io.ringfleet.state.health.PairVote;
import io.ringfleet.state.health.RealPair;
import io.ringfleet.state.health.VipHealthCheck;
import io.ringfleet.state.health.VoteKey;
import java.util.Collections;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The health domain of an image (fleet version 3): each VIP's check, each LB's last vote per (VIP, real) pair,
 * the fleet's verdict per pair and per VIP (panic), all as the log's records set them, and what they mean for the
 * rings: {@link #ringExcluded}, per VIP the members that own no ring slot. Immutable; persistent maps throughout,
 * so an image after one vote shares everything else with the one before.
 */
public final class HealthImage {
    public static final HealthImage EMPTY = new HealthImage(
            PersistentSortedMap.empty(),
            PersistentSortedMap.empty(),
            PersistentSortedMap.empty(),
            PersistentSortedMap.empty(),
            PersistentSortedMap.empty());

    private final PersistentSortedMap<Integer, VipHealthCheck> checks;
    private final PersistentSortedMap<VoteKey, PairVote> votes;
    private final PersistentSortedMap<RealPair, PairVerdict> verdicts;
    private final PersistentSortedMap<Integer, PairVerdict> panics;
    private final PersistentSortedMap<Integer, SortedSet<Integer>> excluded;

    HealthImage(
            PersistentSortedMap<Integer, VipHealthCheck> checks,
            PersistentSortedMap<VoteKey, PairVote> votes,
            PersistentSortedMap<RealPair, PairVerdict> verdicts,
            PersistentSortedMap<Integer, PairVerdict> panics,
            PersistentSortedMap<Integer, SortedSet<Integer>> excluded) {
        this.checks = checks;
        this.votes = votes;
        this.verdicts = verdicts;
        this.panics = panics;
        this.excluded = excluded;
    }

    PersistentSortedMap<Integer, VipHealthCheck> checkMap() {
        return checks;
    }

    PersistentSortedMap<VoteKey, PairVote> voteMap() {
        return votes;
    }

    PersistentSortedMap<RealPair, PairVerdict> verdictMap() {
        return verdicts;
    }

    PersistentSortedMap<Integer, PairVerdict> panicMap() {
        return panics;
    }

    /** vip_num → the members health keeps out of its ring (only non-empty sets), for ring diffs. */
    public PersistentSortedMap<Integer, SortedSet<Integer>> ringExcludedMap() {
        return excluded;
    }

    /** The members of the VIP that own no ring slot because the fleet verdict says down (none in panic). */
    public SortedSet<Integer> ringExcluded(int vipNum) {
        SortedSet<Integer> s = excluded.get(vipNum);
        return s == null ? Collections.emptySortedSet() : s;
    }

    /** vip_num → its check, ascending. */
    public SortedMap<Integer, VipHealthCheck> checks() {
        return checks;
    }

    public Optional<VipHealthCheck> check(int vipNum) {
        return Optional.ofNullable(checks.get(vipNum));
    }

    /** Every LB's last vote, by pair then node. */
    public SortedMap<VoteKey, PairVote> votes() {
        return votes;
    }

    /** The LBs' last votes on one pair, by node id. */
    public SortedMap<VoteKey, PairVote> votes(RealPair pair) {
        return votes.subMap(VoteKey.first(pair), VoteKey.first(new RealPair(pair.vipNum(), pair.realIndex() + 1)));
    }

    public Optional<PairVote> vote(RealPair pair, String node) {
        return Optional.ofNullable(votes.get(new VoteKey(pair, node)));
    }

    /** The fleet verdict of a pair; {@link PairVerdict#UP} if it never changed. */
    public PairVerdict verdict(RealPair pair) {
        return verdicts.getOrDefault(pair, PairVerdict.UP);
    }

    /** Pairs whose verdict changed at least once (and whose member and check are still there), ascending. */
    public SortedMap<RealPair, PairVerdict> verdicts() {
        return verdicts;
    }

    /** The VIP's panic state; {@link PairVerdict#UP} (not in panic) if it never panicked. */
    public PairVerdict panic(int vipNum) {
        return panics.getOrDefault(vipNum, PairVerdict.UP);
    }

    public SortedMap<Integer, PairVerdict> panics() {
        return panics;
    }

    public boolean isEmpty() {
        return checks.isEmpty() && votes.isEmpty() && verdicts.isEmpty() && panics.isEmpty();
    }

    /** What a VIP's ring excludes, from its verdicts and its panic: the one rule (fail open in panic). */
    static SortedSet<Integer> excludedOf(int vipNum, SortedMap<RealPair, PairVerdict> verdicts, PairVerdict panic) {
        TreeSet<Integer> out = new TreeSet<>();
        if (panic.down()) {
            return out;
        }
        verdicts.subMap(new RealPair(vipNum, 0), new RealPair(vipNum + 1, 0)).forEach((pair, v) -> {
            if (v.down()) {
                out.add(pair.realIndex());
            }
        });
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HealthImage h
                && checks.equals(h.checks)
                && votes.equals(h.votes)
                && verdicts.equals(h.verdicts)
                && panics.equals(h.panics);
    }

    @Override
    public int hashCode() {
        return Objects.hash(checks, votes, verdicts, panics);
    }

    @Override
    public String toString() {
        return "HealthImage{checks=" + checks + ", votes=" + votes.size() + ", verdicts=" + verdicts + ", panics="
                + panics + "}";
    }
}
