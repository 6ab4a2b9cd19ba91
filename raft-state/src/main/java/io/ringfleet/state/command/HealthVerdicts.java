package io.ringfleet.state.command;

import io.ringfleet.api.Command;
import io.ringfleet.api.FleetRecord;
import io.ringfleet.api.FleetVerdictChanged;
import io.ringfleet.api.VerdictReason;
import io.ringfleet.state.FleetDelta;
import io.ringfleet.state.FleetPeer;
import io.ringfleet.state.FleetSettings;
import io.ringfleet.state.HealthImage;
import io.ringfleet.state.VipImage;
import io.ringfleet.state.VipReal;
import io.ringfleet.state.health.FlapDamping;
import io.ringfleet.state.health.FleetHealthSettings;
import io.ringfleet.state.health.PairVerdict;
import io.ringfleet.state.health.PairVote;
import io.ringfleet.state.health.RealPair;
import io.ringfleet.state.health.VipHealthCheck;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The fleet's health fold (fleet version 3), run once per batch after its commands: it decides every checked
 * pair's verdict from the votes and emits a {@code FleetVerdictChanged} record where it changed, so replay only
 * stores decisions. Pure: it reads the state after the batch's commands and the batch's timestamp (the log's
 * time), nothing else.
 *
 * <ul>
 *   <li>Voters: the peers of the fleet settings that are not drained. A vote counts while its node is a voter: a
 *       dead LB's last votes keep counting until it votes again or leaves the settings (its votes are then
 *       dropped), so with 3 LBs a dead one's stale "up" cannot keep a real that the 2 live ones report down
 *       (2 = quorum), and its stale "down" plus one live "down" is a quorum. A drained LB's votes are kept, not
 *       counted.
 *   <li>Quorum verdict: down once a quorum of the voters' votes are down, up once a quorum are up; otherwise it
 *       stays (a pair starts up: nobody said otherwise).
 *   <li>Damping ({@link FlapDamping}): a pair whose quorum verdict changes too often is held down until its merit
 *       decays; the hold ends at the first batch logged after that time (an agent re-reporting its vote is
 *       enough: it emits no vote, but runs this fold).
 *   <li>Panic: a VIP whose down weight exceeds the panic threshold keeps every real in its ring (fail open).
 *   <li>Operator: a member of weight 0 stays out of the ring whatever the votes (health never brings it back).
 * </ul>
 */
final class HealthVerdicts {
    /** Commands after which the verdicts may have moved (votes, voters, settings, members, weights, checks). */
    private static final Set<Command.KindCase> MOVES_VERDICTS = EnumSet.of(
            Command.KindCase.REPORT_REAL_HEALTH,
            Command.KindCase.SET_VIP_HEALTH_CHECK,
            Command.KindCase.REMOVE_VIP_HEALTH_CHECK,
            Command.KindCase.DRAIN_NODE,
            Command.KindCase.UNDRAIN_NODE,
            Command.KindCase.SET_FLEET_SETTINGS,
            Command.KindCase.ADD_REALS,
            Command.KindCase.REMOVE_REALS,
            Command.KindCase.SET_REAL_WEIGHTS);

    private HealthVerdicts() {}

    /** Decides the verdicts after the batch's commands; {@code batchRecords} are the records they emitted. */
    static void reconcile(CommandContext ctx, List<FleetRecord> batchRecords) {
        FleetDelta state = ctx.state();
        HealthImage health = state.healthAfter();
        if (health.checks().isEmpty() || state.settingsAfter().settings().isEmpty()) {
            return;
        }
        long now = ctx.batch().getTimestampMillis();
        if (!movesVerdicts(ctx) && !holdEnds(health, now)) {
            return; // nothing a verdict depends on changed
        }
        FleetSettings settings = state.settingsAfter().settings().get();
        SortedSet<String> voters = voters(state, settings);
        Set<RealPair> voted = votedPairs(batchRecords);
        for (Map.Entry<Integer, VipHealthCheck> e : health.checks().entrySet()) {
            VipImage vip = state.vipsAfter().get(e.getKey()).orElse(null);
            if (vip != null && e.getValue().enabled()) {
                new VipFold(ctx, health, settings.health(), voters, voted, now).fold(vip);
            }
        }
    }

    private static boolean movesVerdicts(CommandContext ctx) {
        return ctx.batch().getCommandsList().stream().anyMatch(c -> MOVES_VERDICTS.contains(c.getKindCase()));
    }

    private static boolean holdEnds(HealthImage health, long now) {
        return health.verdicts().values().stream()
                .anyMatch(v -> v.heldUntilMillis() != 0 && now >= v.heldUntilMillis());
    }

    /** The peers of the settings that are not drained, ascending. */
    static SortedSet<String> voters(FleetDelta state, FleetSettings settings) {
        TreeSet<String> out = new TreeSet<>();
        for (FleetPeer p : settings.peers()) {
            if (!state.nodesAfter().isDrained(p.id())) {
                out.add(p.id());
            }
        }
        return out;
    }

    private static Set<RealPair> votedPairs(List<FleetRecord> records) {
        TreeSet<RealPair> out = new TreeSet<>();
        for (FleetRecord r : records) {
            if (r.hasRealHealthReported()) {
                out.add(new RealPair(
                        r.getRealHealthReported().getVipNum(),
                        r.getRealHealthReported().getRealIndex()));
            }
        }
        return out;
    }

    /** One VIP's fold: each member's verdict, then the VIP's panic from the new verdicts. */
    private record VipFold(
            CommandContext ctx,
            HealthImage health,
            FleetHealthSettings settings,
            SortedSet<String> voters,
            Set<RealPair> voted,
            long now) {
        void fold(VipImage vip) {
            long total = 0;
            long downWeight = 0;
            for (VipReal member : vip.reals()) {
                RealPair pair = new RealPair(vip.vipNum(), member.realIndex());
                PairVerdict next = decide(pair);
                total += member.weight();
                downWeight += next.down() ? member.weight() : 0;
            }
            // integer comparison: down / total > panic% with no rounding that could differ between nodes
            boolean panic = total > 0 && downWeight * 100 > (long) settings.panicPercent() * total;
            if (panic != health.panic(vip.vipNum()).down()) {
                ctx.emit(FleetRecord.newBuilder()
                        .setFleetVerdictChanged(FleetVerdictChanged.newBuilder()
                                .setVipNum(vip.vipNum())
                                .setDown(panic)
                                .setReason(VerdictReason.PANIC)
                                .setAtMillis(now)));
            }
        }

        /** The pair's verdict after this batch; emits its record when it changed. */
        private PairVerdict decide(RealPair pair) {
            int downs = 0;
            int ups = 0;
            for (String node : voters) {
                PairVote v = health.vote(pair, node).orElse(null);
                if (v != null) {
                    downs += v.up() ? 0 : 1;
                    ups += v.up() ? 1 : 0;
                }
            }
            int quorum = settings.quorumOf(voters.size());
            PairVerdict prev = health.verdict(pair);
            boolean votedDown = downs >= quorum || (prev.votedDown() && ups < quorum);
            PairVerdict next = votedDown != prev.votedDown()
                    ? changed(pair, prev, votedDown, downs, ups)
                    : released(prev, downs, ups);
            if (next.sameDecision(prev)) {
                return prev;
            }
            emit(pair, next);
            return next;
        }

        /** The quorum verdict changed: damping counts it, and may hold the pair down. */
        private PairVerdict changed(RealPair pair, PairVerdict prev, boolean votedDown, int downs, int ups) {
            double merit = FlapDamping.meritAt(prev.merit(), prev.meritAtMillis(), now, settings) + 1;
            long heldUntil = FlapDamping.heldUntil(merit, now, prev.heldAt(now), settings);
            boolean held = heldUntil != 0;
            VerdictReason reason =
                    votedDown ? VerdictReason.QUORUM_DOWN : held ? VerdictReason.DAMPED : VerdictReason.QUORUM_UP;
            if (!voted.contains(pair) && reason != VerdictReason.DAMPED) {
                reason = VerdictReason.VOTERS_CHANGED; // a drain, undrain or peer change moved the quorum
            }
            return new PairVerdict(
                    votedDown || held, votedDown, reason, 0, now, merit, now, heldUntil, downs, ups, voters.size());
        }

        /** The quorum verdict stands; a damping hold that ended by now is released. */
        private PairVerdict released(PairVerdict prev, int downs, int ups) {
            if (prev.heldUntilMillis() == 0 || now < prev.heldUntilMillis()) {
                return prev;
            }
            return new PairVerdict(
                    prev.votedDown(),
                    prev.votedDown(),
                    VerdictReason.DAMPING_RELEASED,
                    0,
                    now,
                    prev.merit(),
                    prev.meritAtMillis(),
                    0,
                    downs,
                    ups,
                    voters.size());
        }

        private void emit(RealPair pair, PairVerdict v) {
            ctx.emit(FleetRecord.newBuilder()
                    .setFleetVerdictChanged(FleetVerdictChanged.newBuilder()
                            .setVipNum(pair.vipNum())
                            .setRealIndex(pair.realIndex())
                            .setDown(v.down())
                            .setVotedDown(v.votedDown())
                            .setReason(v.reason())
                            .setAtMillis(v.sinceMillis())
                            .setDampingMerit(v.merit())
                            .setMeritAtMillis(v.meritAtMillis())
                            .setHeldUntilMillis(v.heldUntilMillis())
                            .setVotesDown(v.votesDown())
                            .setVotesUp(v.votesUp())
                            .setVoters(v.voters())));
        }
    }
}
