package io.ringfleet.state;

import io.ringfleet.state.health.PairVerdict;
import io.ringfleet.state.health.PairVote;
import io.ringfleet.state.health.RealPair;
import io.ringfleet.state.health.VipHealthCheck;
import io.ringfleet.state.health.VoteKey;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Changes to the health domain in one {@link FleetDelta}. Cascades are done here, never as separate records: a
 * VIP whose check goes (or is disabled) or which is removed loses its votes and verdicts; a member that leaves its
 * VIP loses its pair's; a node that is no longer a peer loses its votes. Live records carry log index 0 (their own
 * entry): {@link #apply} stamps them with the entry's index.
 */
public final class HealthDelta {
    private final HealthImage base;
    private final MapDelta<Integer, VipHealthCheck> checks;
    private final MapDelta<VoteKey, PairVote> votes;
    private final MapDelta<RealPair, PairVerdict> verdicts;
    private final MapDelta<Integer, PairVerdict> panics;
    private final TreeSet<Integer> touchedVips = new TreeSet<>();

    HealthDelta(HealthImage base) {
        this.base = base;
        this.checks = new MapDelta<>(base.checkMap());
        this.votes = new MapDelta<>(base.voteMap());
        this.verdicts = new MapDelta<>(base.verdictMap());
        this.panics = new MapDelta<>(base.panicMap());
    }

    /** VIPs whose check, votes, verdicts or panic changed, ascending. */
    public SortedSet<Integer> touchedVips() {
        return Collections.unmodifiableSortedSet(touchedVips);
    }

    void setCheck(int vipNum, VipHealthCheck check) {
        if (!check.enabled()) {
            dropVerdicts(vipNum);
        }
        checks.put(vipNum, check);
        touchedVips.add(vipNum);
    }

    void removeCheck(int vipNum) {
        if (checks.get(vipNum).isEmpty()) {
            throw new ReplayException("vip_num " + vipNum + " has no health check");
        }
        checks.remove(vipNum);
        dropVerdicts(vipNum);
    }

    void vote(VoteKey key, PairVote vote) {
        if (!checks.get(key.pair().vipNum()).map(VipHealthCheck::enabled).orElse(false)) {
            throw new ReplayException("vote on " + key.pair() + " but its VIP has no enabled health check");
        }
        votes.put(key, vote);
        touchedVips.add(key.pair().vipNum());
    }

    void verdict(RealPair pair, PairVerdict verdict) {
        verdicts.put(pair, verdict);
        touchedVips.add(pair.vipNum());
    }

    void panic(int vipNum, PairVerdict verdict) {
        panics.put(vipNum, verdict);
        touchedVips.add(vipNum);
    }

    /** The VIP is gone, or its check is gone or disabled: its votes, verdicts and panic go. */
    void dropVerdicts(int vipNum) {
        RealPair from = new RealPair(vipNum, 0);
        RealPair to = new RealPair(vipNum + 1, 0);
        removeAll(
                votes,
                List.copyOf(votes.current()
                        .subMap(VoteKey.first(from), VoteKey.first(to))
                        .keySet()));
        removeAll(verdicts, List.copyOf(verdicts.current().subMap(from, to).keySet()));
        if (panics.get(vipNum).isPresent()) {
            panics.remove(vipNum);
        }
        touchedVips.add(vipNum);
    }

    void dropVip(int vipNum) {
        dropVerdicts(vipNum);
        if (checks.get(vipNum).isPresent()) {
            checks.remove(vipNum);
        }
    }

    /** The member left its VIP: its pair's votes and verdict go. */
    void dropPair(RealPair pair) {
        removeAll(votes, List.copyOf(current().votes(pair).keySet()));
        if (verdicts.get(pair).isPresent()) {
            verdicts.remove(pair);
            touchedVips.add(pair.vipNum());
        }
    }

    /** The node is no longer a peer: its votes go (a dead LB's votes count until then). */
    void dropNode(String node) {
        List<VoteKey> mine = new ArrayList<>();
        for (VoteKey k : votes.current().keySet()) {
            if (k.node().equals(node)) {
                mine.add(k);
                touchedVips.add(k.pair().vipNum());
            }
        }
        removeAll(votes, mine);
    }

    private static <K extends Comparable<? super K>, V> void removeAll(MapDelta<K, V> map, List<K> keys) {
        keys.forEach(map::remove);
    }

    /** The state after the changes so far (entries not stamped yet carry log index 0). */
    HealthImage current() {
        if (touchedVips.isEmpty() && checks.isEmpty() && votes.isEmpty() && verdicts.isEmpty() && panics.isEmpty()) {
            return base;
        }
        var verdictMap = verdicts.current();
        var panicMap = panics.current();
        var excluded = base.ringExcludedMap();
        for (int vip : touchedVips) {
            SortedSet<Integer> now =
                    HealthImage.excludedOf(vip, verdictMap, panicMap.getOrDefault(vip, PairVerdict.UP));
            SortedSet<Integer> was = excluded.get(vip);
            if (now.isEmpty()) {
                excluded = was == null ? excluded : excluded.minus(vip);
            } else if (!now.equals(was)) {
                excluded = excluded.plus(vip, Collections.unmodifiableSortedSet(now));
            }
        }
        return new HealthImage(checks.current(), votes.current(), verdictMap, panicMap, excluded);
    }

    /** The image after the delta, live records stamped with {@code logIndex}. */
    HealthImage apply(long logIndex) {
        for (VoteKey k : votes.touched()) {
            Optional<PairVote> v = votes.get(k);
            if (v.isPresent() && v.get().logIndex() == 0) {
                votes.put(k, new PairVote(v.get().up(), v.get().atMillis(), logIndex));
            }
        }
        for (RealPair p : verdicts.touched()) {
            Optional<PairVerdict> v = verdicts.get(p);
            if (v.isPresent() && v.get().sinceIndex() == 0) {
                verdicts.put(p, v.get().at(logIndex));
            }
        }
        for (Integer vip : panics.touched()) {
            Optional<PairVerdict> v = panics.get(vip);
            if (v.isPresent() && v.get().sinceIndex() == 0) {
                panics.put(vip, v.get().at(logIndex));
            }
        }
        return current();
    }
}
