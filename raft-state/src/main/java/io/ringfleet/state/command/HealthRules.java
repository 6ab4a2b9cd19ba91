package io.ringfleet.state.command;

import static io.ringfleet.state.command.Reject.invalid;
import static io.ringfleet.state.health.HealthReports.AGENT_PRINCIPAL;

import io.ringfleet.api.FleetRecord;
import io.ringfleet.api.RealHealth;
import io.ringfleet.api.RealHealthReported;
import io.ringfleet.api.RemoveVipHealthCheck;
import io.ringfleet.api.ReportRealHealth;
import io.ringfleet.api.SetVipHealthCheck;
import io.ringfleet.api.VipHealthCheckRemoved;
import io.ringfleet.api.VipHealthCheckSet;
import io.ringfleet.state.FleetPeer;
import io.ringfleet.state.VipImage;
import io.ringfleet.state.VipReal;
import io.ringfleet.state.health.InvalidHealthCheckException;
import io.ringfleet.state.health.PairVote;
import io.ringfleet.state.health.RealPair;
import io.ringfleet.state.health.VipHealthCheck;
import java.util.Optional;

/**
 * Health checks and votes (fleet version 3): set_vip_health_check, remove_vip_health_check, report_real_health.
 * A check's rules are {@code HealthCheckSpec}'s (the message names the rule broken). A vote comes only from a peer
 * of the fleet settings, about itself: node_id = the batch's via_node, and principal = {@code agent:}
 * + node_id (the agent writes through its own Raft client; operators, whose principal is their certificate's,
 * cannot vote for an LB, and the API refuses the command from them anyway). The fleet verdicts the votes lead to
 * are {@link HealthVerdicts}'.
 */
final class HealthRules {
    private HealthRules() {}

    static void setCheck(CommandContext ctx, SetVipHealthCheck c) throws Reject {
        VipImage vip = VipRules.existing(ctx, c.hasVip(), c.getVip());
        if (!c.hasCheck()) {
            throw invalid("set_vip_health_check needs a check (kind tcp or http, port, ...)");
        }
        VipHealthCheck check;
        try {
            check = VipHealthCheck.fromProto(c.getCheck());
        } catch (InvalidHealthCheckException e) {
            throw invalid("health check of vip " + vip.key() + ": " + e.getMessage());
        }
        if (!ctx.state().healthAfter().check(vip.vipNum()).equals(Optional.of(check))) {
            ctx.emit(FleetRecord.newBuilder()
                    .setVipHealthCheckSet(VipHealthCheckSet.newBuilder()
                            .setVipNum(vip.vipNum())
                            .setCheck(check.toProto())));
        }
    }

    static void removeCheck(CommandContext ctx, RemoveVipHealthCheck c) throws Reject {
        VipImage vip = VipRules.existing(ctx, c.hasVip(), c.getVip());
        if (ctx.state().healthAfter().check(vip.vipNum()).isEmpty()) {
            throw Reject.notFound("vip " + vip.key() + " has no health check");
        }
        ctx.emit(FleetRecord.newBuilder()
                .setVipHealthCheckRemoved(VipHealthCheckRemoved.newBuilder().setVipNum(vip.vipNum())));
    }

    static void report(CommandContext ctx, ReportRealHealth c) throws Reject {
        checkReporter(ctx, c.getNodeId());
        if (c.getHealth() != RealHealth.REAL_UP && c.getHealth() != RealHealth.REAL_DOWN) {
            throw invalid("health must be REAL_UP or REAL_DOWN, got " + c.getHealth());
        }
        VipImage vip = VipRules.existing(ctx, c.hasVip(), c.getVip());
        if (!ctx.state()
                .healthAfter()
                .check(vip.vipNum())
                .map(VipHealthCheck::enabled)
                .orElse(false)) {
            throw new Reject(
                    ErrorCode.FAILED_PRECONDITION,
                    "vip " + vip.key() + " has no enabled health check: votes are taken only for checked vips");
        }
        VipReal member = RealRules.requireMember(ctx, vip, c.getAddress());
        boolean up = c.getHealth() == RealHealth.REAL_UP;
        Optional<PairVote> last =
                ctx.state().healthAfter().vote(new RealPair(vip.vipNum(), member.realIndex()), c.getNodeId());
        if (last.isPresent() && last.get().up() == up) {
            return; // edge-triggered: the log holds this verdict already
        }
        ctx.emit(FleetRecord.newBuilder()
                .setRealHealthReported(RealHealthReported.newBuilder()
                        .setNodeId(c.getNodeId())
                        .setVipNum(vip.vipNum())
                        .setRealIndex(member.realIndex())
                        .setUp(up)
                        .setAtMillis(ctx.batch().getTimestampMillis())));
    }

    /** Only a peer votes, only for itself, only through its own agent. */
    private static void checkReporter(CommandContext ctx, String node) throws Reject {
        if (!FleetPeer.NODE_ID.matcher(node).matches()) {
            throw invalid("node id " + Reject.quote(node) + " is not 1..128 characters of [A-Za-z0-9._-]");
        }
        boolean peer =
                ctx.state().settingsAfter().settings().map(s -> s.hasPeer(node)).orElse(false);
        if (!peer) {
            throw new Reject(
                    ErrorCode.FAILED_PRECONDITION,
                    "node " + node + " is not a peer of the fleet settings: only the fleet's LBs report health");
        }
        if (!node.equals(ctx.batch().getViaNode())
                || !ctx.batch().getPrincipal().equals(AGENT_PRINCIPAL + node)) {
            throw new Reject(
                    ErrorCode.FAILED_PRECONDITION,
                    "report_real_health for node " + node + " must be written by that node's own agent (via_node "
                            + node + ", principal " + AGENT_PRINCIPAL + node + "), got via_node "
                            + Reject.quote(ctx.batch().getViaNode()) + " and principal "
                            + Reject.quote(ctx.batch().getPrincipal()) + ": an LB votes only for itself");
        }
    }
}
