package io.ringfleet.chaos.demo;

import io.ringfleet.api.GetRealHealthResponse;
import io.ringfleet.api.RealHealthInfo;
import io.ringfleet.chaos.Pause;
import io.ringfleet.chaos.agents.LbAgentFleet;
import io.ringfleet.chaos.health.CheckTiming;
import io.ringfleet.chaos.health.FleetRingWatch;
import io.ringfleet.chaos.health.FleetRingWatch.Sample;
import io.ringfleet.chaos.health.HealthLbctl;
import io.ringfleet.chaos.netns.BackendNode;
import io.ringfleet.chaos.netns.EchoServer;
import io.ringfleet.chaos.netns.LbNode;
import io.ringfleet.chaos.netns.Topology;
import io.ringfleet.chaos.netns.Traffic;
import io.ringfleet.chaos.netns.TrafficSnapshot;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeSet;

/**
 * The demo's health step: a TCP check on the IPv4 TCP VIP (set with lbctl), then backend be2's server dies under
 * its own short traffic; every LB's kernel must drop be2 from that VIP's ring at the log index of the fleet's
 * verdict, and take it back once the server returns. Prints "backend be2 dies → the fleet marks it down at index
 * N on 3/3 LBs in T ms, 0 broken flows". Runs its own traffic (IPv4, TCP) so the demo's totals stay its own.
 */
final class HealthDemoStep {
    private static final CheckTiming TIMING = new CheckTiming(500, 300, 2, 3);
    private static final Duration SETTLE = Duration.ofSeconds(30);
    private static final int BACKEND = 2;

    private final Console console;
    private final Topology topology;
    private final LbAgentFleet agents;
    private final LbNode via;
    private final HealthLbctl lbctl;

    HealthDemoStep(Console console, Topology topology, LbAgentFleet agents, int via) {
        this.console = console;
        this.topology = topology;
        this.agents = agents;
        this.via = topology.lb(via);
        this.lbctl = new HealthLbctl(topology, agents, console::line);
    }

    /** Runs the step; throws when the fleet does not converge (the demo then fails). */
    void run() {
        BackendNode be = topology.backends().get(BACKEND - 1);
        console.step("health check: backend " + be.name() + " dies, the fleet marks it down at one log index on"
                + " every LB, then it comes back");
        lbctl.markBackends(via);
        lbctl.setCheck(via, TIMING);
        FleetRingWatch watch = FleetRingWatch.start(topology, agents, lbctl.vipInMaps());
        Traffic traffic = Traffic.builder()
                .longLived(12)
                .udpFlows(0)
                .shortPerSecond(20)
                .ipv6(false)
                .start(topology);
        try {
            traffic.awaitLongOpen(12, SETTLE.toMillis());
            awaitEveryLbVoted();
            TrafficSnapshot before = traffic.snapshot();
            traffic.realRemoved(be.name());
            long killed = System.nanoTime();
            EchoServer old = topology.echoServers().get(BACKEND - 1);
            old.close();
            SortedMap<Integer, Sample> out = watch.awaitEvery(s -> s.slotsOf(be) == 0, killed, SETTLE);
            long downIndex = sameSinceIndex(be, true);
            long millis = slowest(out, killed);
            TrafficSnapshot atVerdict = traffic.snapshot();
            Pause.millis(2000);
            TrafficSnapshot after = traffic.snapshot().since(atVerdict);
            int broken = traffic.snapshot().since(before).unexpectedBroken().size();
            console.line("backend " + be.name() + " dies → the fleet marks it down at index " + downIndex + " on "
                    + out.size() + "/" + topology.lbs().size() + " LBs in " + millis + " ms, " + broken
                    + " broken flows (check every " + TIMING.intervalMillis() + " ms, fall " + TIMING.fall()
                    + "; after the verdict " + after.shortOk() + " new connections ok, "
                    + (after.shortFailed() + after.connectFailed()) + " failed)");

            long restarted = System.nanoTime();
            EchoServer again = EchoServer.start(
                    be.ns(), be.name(), List.of(topology.vip4(), topology.vip6()), topology.echoPort());
            topology.onTeardown(again);
            SortedMap<Integer, Sample> back = watch.awaitEvery(s -> s.slotsOf(be) > 0, restarted, SETTLE);
            traffic.realRestored(be.name());
            console.line(be.name() + "'s server is back → up again at index " + sameSinceIndex(be, false) + " on "
                    + back.size() + "/" + topology.lbs().size() + " LBs in " + slowest(back, restarted)
                    + " ms (rise " + TIMING.rise() + "); rings at equal index equal on every LB: "
                    + (watch.indexConflicts().isEmpty() ? "yes" : "NO " + watch.indexConflicts()));
        } finally {
            traffic.close();
            watch.close();
        }
    }

    private void awaitEveryLbVoted() {
        long deadline = System.nanoTime() + SETTLE.toNanos();
        while (lbctl.realHealth(via).getRealsList().stream()
                .anyMatch(r -> r.getVotesCount() < topology.lbs().size())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("not every LB voted on every real within " + SETTLE.toSeconds() + " s");
            }
            Pause.millis(500);
        }
    }

    /** The since index of be's verdict, read on every LB; they must agree and say down as expected. */
    private long sameSinceIndex(BackendNode be, boolean down) {
        TreeSet<Long> since = new TreeSet<>();
        List<String> seen = new ArrayList<>();
        for (LbNode lb : topology.lbs()) {
            GetRealHealthResponse r = lbctl.realHealth(lb);
            RealHealthInfo real = HealthLbctl.real(r, be).orElseThrow();
            seen.add(lb.id() + " " + (real.getDown() ? "down" : "up") + "@" + real.getSinceIndex());
            if (real.getDown() == down) {
                since.add(real.getSinceIndex());
            }
        }
        if (since.size() != 1 || seen.size() != topology.lbs().size()) {
            throw new IllegalStateException("the LBs disagree on " + be.name() + "'s verdict: " + seen);
        }
        return since.first();
    }

    private static long slowest(SortedMap<Integer, Sample> samples, long fromNanos) {
        return samples.values().stream()
                        .mapToLong(s -> s.atNanos() - fromNanos)
                        .max()
                        .orElseThrow()
                / 1_000_000;
    }
}
