package io.ringfleet.state.health;

import io.ringfleet.state.IpAddress;
import io.ringfleet.state.VipKey;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The fleet's health verdicts, folded from the log (pure: no clock, sorted maps only, log timestamps only), so
 * every node that applied the same entries holds the same verdicts.
 *
 * <ul>
 *   <li>Votes: each node's last vote per pair. A vote counts while its node is a voter (a member, not drained):
 *       a dead LB's last votes keep counting until it votes again or leaves (its votes are then dropped), so
 *       with 3 LBs a dead one's "up" cannot keep a real the 2 live ones report down (2 = quorum), but its stale
 *       "down" plus one live "down" is a quorum. A drained LB's votes are kept but not counted.
 *   <li>Fleet verdict of a pair: down once a quorum of voters' votes are down, up again once a quorum are up;
 *       neither quorum keeps the last fleet verdict (pairs start up: nobody has said otherwise).
 *   <li>Flap damping ({@link PairDamping}): a pair whose fleet verdict changes too often is held down.
 *   <li>Panic ({@link #verdicts}): per VIP, from its reals' weights.
 * </ul>
 *
 * Immutable; each change returns a new instance (plain copies for now: the log side will move it onto the
 * image's persistent maps).
 */
public final class FleetHealth {
    private final FleetHealthSettings settings;
    private final SortedSet<String> voters;
    private final SortedMap<String, SortedMap<HealthPair, HealthVote>> votes; // node -> pair -> last vote
    private final SortedMap<HealthPair, Boolean> fleetDown;
    private final SortedMap<HealthPair, PairDamping> damping;

    private FleetHealth(
            FleetHealthSettings settings,
            SortedSet<String> voters,
            SortedMap<String, SortedMap<HealthPair, HealthVote>> votes,
            SortedMap<HealthPair, Boolean> fleetDown,
            SortedMap<HealthPair, PairDamping> damping) {
        this.settings = settings;
        this.voters = voters;
        this.votes = votes;
        this.fleetDown = fleetDown;
        this.damping = damping;
    }

    /** No votes yet, these voters. */
    public static FleetHealth empty(FleetHealthSettings settings, SortedSet<String> voters) {
        return new FleetHealth(
                Objects.requireNonNull(settings, "settings"),
                new TreeSet<>(voters),
                new TreeMap<>(),
                new TreeMap<>(),
                new TreeMap<>());
    }

    /** A node's vote, applied at its log time. */
    public FleetHealth vote(HealthVote vote) {
        TreeMap<String, SortedMap<HealthPair, HealthVote>> v = new TreeMap<>(votes);
        TreeMap<HealthPair, HealthVote> mine = new TreeMap<>(v.getOrDefault(vote.node(), new TreeMap<>()));
        mine.put(vote.pair(), vote);
        v.put(vote.node(), mine);
        FleetHealth next = new FleetHealth(settings, voters, v, fleetDown, damping);
        return next.decide(Collections.singleton(vote.pair()), vote.atMillis());
    }

    /**
     * The voting LBs changed at log time atMillis (a drain, an undrain, a join, a leave): nodes no longer
     * members ({@code members}) lose their votes; every pair is decided again with the new voters.
     */
    public FleetHealth voters(SortedSet<String> members, SortedSet<String> newVoters, long atMillis) {
        TreeMap<String, SortedMap<HealthPair, HealthVote>> v = new TreeMap<>(votes);
        v.keySet().retainAll(members);
        FleetHealth next = new FleetHealth(settings, new TreeSet<>(newVoters), v, fleetDown, damping);
        TreeSet<HealthPair> all = new TreeSet<>(fleetDown.keySet());
        v.values().forEach(m -> all.addAll(m.keySet()));
        return next.decide(all, atMillis);
    }

    private FleetHealth decide(Iterable<HealthPair> pairs, long atMillis) {
        TreeMap<HealthPair, Boolean> down = new TreeMap<>(fleetDown);
        TreeMap<HealthPair, PairDamping> damp = new TreeMap<>(damping);
        int quorum = settings.quorumOf(voters.size());
        for (HealthPair pair : pairs) {
            int ups = 0;
            int downs = 0;
            for (String node : voters) {
                HealthVote v =
                        votes.getOrDefault(node, Collections.emptySortedMap()).get(pair);
                if (v != null) {
                    ups += v.up() ? 1 : 0;
                    downs += v.up() ? 0 : 1;
                }
            }
            boolean was = down.getOrDefault(pair, false);
            boolean now = downs >= quorum || (was && ups < quorum);
            if (now != was) {
                down.put(pair, now);
                damp.put(pair, damp.getOrDefault(pair, PairDamping.NONE).changed(atMillis, settings));
            }
        }
        return new FleetHealth(settings, voters, votes, down, damp);
    }

    /** The fleet verdict of pair, before damping and panic. */
    public boolean fleetDown(HealthPair pair) {
        return fleetDown.getOrDefault(pair, false);
    }

    /** Whether pair is held down by damping at log time nowMillis. */
    public boolean held(HealthPair pair, long nowMillis) {
        return damping.getOrDefault(pair, PairDamping.NONE).heldAt(nowMillis, settings);
    }

    /**
     * What the rings should exclude at log time nowMillis, per VIP of {@code reals} (each VIP's reals with their
     * weights): a real is excluded when its fleet verdict is down or damping holds it; but a VIP whose excluded
     * weight would exceed the panic threshold excludes none (fail open) and says it panics.
     */
    public SortedMap<VipKey, VipHealth> verdicts(
            SortedMap<VipKey, SortedMap<IpAddress, Integer>> reals, long nowMillis) {
        TreeMap<VipKey, VipHealth> out = new TreeMap<>();
        reals.forEach((vip, weights) -> out.put(vip, vipHealth(vip, weights, nowMillis)));
        return Collections.unmodifiableSortedMap(out);
    }

    private VipHealth vipHealth(VipKey vip, SortedMap<IpAddress, Integer> weights, long nowMillis) {
        TreeSet<IpAddress> excluded = new TreeSet<>();
        long total = 0;
        long down = 0;
        for (Map.Entry<IpAddress, Integer> e : weights.entrySet()) {
            HealthPair pair = new HealthPair(vip, e.getKey());
            total += e.getValue();
            if (fleetDown(pair) || held(pair, nowMillis)) {
                excluded.add(e.getKey());
                down += e.getValue();
            }
        }
        // integer comparison: down / total > panic% without rounding differences between nodes
        boolean panic = total > 0 && down * 100 > (long) settings.panicPercent() * total;
        return new VipHealth(panic, panic ? new TreeSet<>() : excluded);
    }

    /**
     * One VIP's outcome.
     *
     * @param panic more than the panic threshold of its weight would be excluded: none is
     * @param excluded the reals that own no ring slots
     */
    public record VipHealth(boolean panic, SortedSet<IpAddress> excluded) {
        public VipHealth {
            excluded = Collections.unmodifiableSortedSet(new TreeSet<>(excluded));
        }
    }
}
