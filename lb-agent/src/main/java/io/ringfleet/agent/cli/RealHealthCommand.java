package io.ringfleet.agent.cli;

import io.ringfleet.api.GetRealHealthRequest;
import io.ringfleet.api.GetRealHealthResponse;
import io.ringfleet.api.HealthVoteInfo;
import io.ringfleet.api.RealHealthInfo;
import io.ringfleet.api.VerdictReason;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Mixin;

/**
 * {@code lbctl real health PROTO VIP}: per real of the VIP, each LB's vote, the fleet verdict, since when (log
 * index and time) and why; {@code -o json} prints the GetRealHealth answer.
 */
@picocli.CommandLine.Command(
        name = "health",
        description = "Show the fleet's health verdicts of a VIP's reals: per-LB votes, verdict, since, why.")
final class RealHealthCommand extends ApiCommand {
    @Mixin
    VipArgs vip;

    @Override
    int run(ApiConnection api, Output out) {
        GetRealHealthResponse r = api.control()
                .getRealHealth(
                        GetRealHealthRequest.newBuilder().setVip(vip.key()).build());
        if (out.json()) {
            out.json(r);
            return ExitCodes.OK;
        }
        out.line(Args.vipText(vip.key()) + "  check " + (r.hasCheck() ? checkText(r) : "none") + "  voters "
                + String.join(",", r.getVotersList()) + "  quorum " + r.getQuorum()
                + (r.getPanic() ? "  PANIC since index " + r.getPanicSinceIndex() + " (all reals kept)" : ""));
        Output.Table t = out.table("REAL", "INDEX", "WEIGHT", "VERDICT", "RING", "WHY", "SINCE", "VOTES");
        for (RealHealthInfo real : r.getRealsList()) {
            t.row(
                    real.getAddress(),
                    real.getRealIndex(),
                    real.getWeight(),
                    real.getDown() ? "down" : "up",
                    real.getInRing() ? "in" : "out",
                    why(real),
                    since(real.getSinceIndex(), real.getSinceMillis()),
                    votes(real.getVotesList()));
        }
        t.print();
        return ExitCodes.OK;
    }

    private static String checkText(GetRealHealthResponse r) {
        var c = r.getCheck();
        String kind = c.getKindValue() == 2 ? "http " + c.getHttpPath() + " " + c.getExpectedStatus() : "tcp";
        return kind + " :" + c.getPort() + " every " + c.getIntervalMs() + "ms rise " + c.getRise() + " fall "
                + c.getFall() + (c.getEnabled() ? "" : " (disabled)");
    }

    private static String why(RealHealthInfo real) {
        if (real.getReason() == VerdictReason.VERDICT_REASON_UNSPECIFIED) {
            return "-";
        }
        String why = real.getReason().name().toLowerCase(Locale.ROOT);
        return real.getHeldUntilMillis() != 0
                ? why + " (held until " + Instant.ofEpochMilli(real.getHeldUntilMillis()) + ")"
                : why;
    }

    private static String since(long index, long millis) {
        return index == 0 ? "-" : index + " (" + Instant.ofEpochMilli(millis) + ")";
    }

    /** {@code lb1:down lb2:up lb3:down*} (a star: kept but not counted, the LB is drained or gone). */
    private static String votes(List<HealthVoteInfo> votes) {
        List<String> out = new ArrayList<>();
        for (HealthVoteInfo v : votes) {
            out.add(v.getNodeId() + ":" + (v.getUp() ? "up" : "down") + (v.getCounted() ? "" : "*"));
        }
        return out.isEmpty() ? "-" : String.join(" ", out);
    }
}
