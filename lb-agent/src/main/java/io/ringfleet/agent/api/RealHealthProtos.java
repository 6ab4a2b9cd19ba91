package io.ringfleet.agent.api;

import io.ringfleet.api.GetRealHealthResponse;
import io.ringfleet.api.HealthVoteInfo;
import io.ringfleet.api.RealHealthInfo;
import io.ringfleet.api.VerdictReason;
import io.ringfleet.state.FleetImage;
import io.ringfleet.state.HealthImage;
import io.ringfleet.state.VipImage;
import io.ringfleet.state.VipReal;
import io.ringfleet.state.health.PairVerdict;
import io.ringfleet.state.health.RealPair;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * GetRealHealth's answer, read from one image: per member of the VIP each LB's last vote (and whether it counts),
 * the fleet verdict, since when and why. "Why" shows what decides the ring now: the operator's weight 0 first,
 * then panic (down but kept), then the last verdict change.
 */
final class RealHealthProtos {
    private RealHealthProtos() {}

    static GetRealHealthResponse.Builder of(FleetImage image, VipImage vip) {
        HealthImage health = image.health();
        SortedSet<String> voters = voters(image);
        PairVerdict panic = health.panic(vip.vipNum());
        GetRealHealthResponse.Builder b = GetRealHealthResponse.newBuilder()
                .setPanic(panic.down())
                .setPanicSinceIndex(panic.sinceIndex())
                .setPanicSinceMillis(panic.sinceMillis())
                .addAllVoters(voters)
                .setQuorum(image.settings()
                        .settings()
                        .map(s -> s.health().quorumOf(voters.size()))
                        .orElse(0));
        health.check(vip.vipNum()).ifPresent(c -> b.setCheck(c.toProto()));
        SortedSet<Integer> excluded = health.ringExcluded(vip.vipNum());
        for (VipReal member : vip.reals()) {
            b.addReals(real(health, vip, member, voters, excluded, panic.down()));
        }
        return b;
    }

    private static RealHealthInfo real(
            HealthImage health,
            VipImage vip,
            VipReal member,
            SortedSet<String> voters,
            SortedSet<Integer> excluded,
            boolean panic) {
        RealPair pair = new RealPair(vip.vipNum(), member.realIndex());
        PairVerdict v = health.verdict(pair);
        RealHealthInfo.Builder r = RealHealthInfo.newBuilder()
                .setAddress(member.address().toString())
                .setRealIndex(member.realIndex())
                .setWeight(member.weight())
                .setDown(v.down())
                .setInRing(member.weight() > 0 && !excluded.contains(member.realIndex()))
                .setReason(reason(member, v, panic))
                .setSinceIndex(v.sinceIndex())
                .setSinceMillis(v.sinceMillis())
                .setHeldUntilMillis(v.heldUntilMillis());
        health.votes(pair)
                .forEach((key, vote) -> r.addVotes(HealthVoteInfo.newBuilder()
                        .setNodeId(key.node())
                        .setUp(vote.up())
                        .setAtMillis(vote.atMillis())
                        .setLogIndex(vote.logIndex())
                        .setCounted(voters.contains(key.node()))));
        return r.build();
    }

    private static VerdictReason reason(VipReal member, PairVerdict v, boolean panic) {
        if (member.weight() == 0) {
            return VerdictReason.OPERATOR_DOWN;
        }
        if (v.down() && panic) {
            return VerdictReason.PANIC;
        }
        return v.reason();
    }

    /** Peers of the settings that are not drained: whose votes count. */
    private static SortedSet<String> voters(FleetImage image) {
        TreeSet<String> out = new TreeSet<>();
        image.settings()
                .settings()
                .ifPresent(s -> s.peers().forEach(p -> {
                    if (!image.nodes().isDrained(p.id())) {
                        out.add(p.id());
                    }
                }));
        return out;
    }
}
