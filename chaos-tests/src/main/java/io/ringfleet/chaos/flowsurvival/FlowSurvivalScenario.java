package io.ringfleet.chaos.flowsurvival;

import io.ringfleet.api.GetFleetSettingsResponse;
import io.ringfleet.chaos.Pause;
import io.ringfleet.chaos.agents.AgentProcess;
import io.ringfleet.chaos.agents.LbAgentFleet;
import io.ringfleet.chaos.netns.BackendNode;
import io.ringfleet.chaos.netns.BalancerNode;
import io.ringfleet.chaos.netns.Topology;
import io.ringfleet.chaos.netns.Traffic;
import io.ringfleet.chaos.netns.TrafficSnapshot;
import io.ringfleet.config.BalancerBuild;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Issue 13's proof: flows survive ring changes while they move between LBs. Three real lb-agent processes in
 * namespaces (static ECMP routes edited by the agents' route hook), four backends running {@code ringfleet-backend},
 * two clients. Two TCP VIPs (IPv4, IPv6) start with be1..be3; then three phases, each with a cohort of its own
 * long-lived connections opened under the ring of that moment, one ring change of both VIPs, and one drain that moves
 * flows to LBs without a connection-table entry for them:
 *
 * <ol>
 *   <li>be4 added, then lbA drained;
 *   <li>lbK's agent killed (-9), be2 set to weight 0 while it is dead (out of the ring, still in the VIPs and
 *       running), lbB (not K) drained, so moved flows also land on lbK's kernel, which still holds the old rings;
 *       lbK's agent restarted while the drain lasts (it programs the new ring and its previous one under those
 *       flows);
 *   <li>be4 removed from the VIPs (its server keeps running, so its connections count like any other), then lbC
 *       drained.
 * </ol>
 *
 * <p>Each drain is undone before the phase ends and each cohort is closed after it (a clean close is not a break):
 * every connection meets exactly one ring change before it moves, which is what one previous ring (ring history depth
 * 1) covers. A connection that breaks although its real runs is counted.
 */
final class FlowSurvivalScenario {
    static final int FLOWS_PER_PHASE = 24;
    private static final int MAX_VIPS = 8;
    private static final int MAX_REALS = 64;
    private static final int BACKENDS = 4;
    private static final long OPEN_MILLIS = 30_000;
    /** A phase's ring change must give at least a tenth of the slots a second chance, or few moved flows meet it. */
    private static final int MIN_SLOTS_CHANGED = BalancerNode.RING_SIZE / 10;
    /** How long a drain lasts (plus the undrain's lbctl run): each moved flow makes ≥ 40 round trips meanwhile. */
    private static final int DWELL_MILLIS = 2_000;
    /**
     * Traffic after the undrain, before the phase's reading. With the dwell it exceeds Traffic's 3 s answer timeout,
     * so a moved flow whose packets were lost during the drain is counted (as timed out) in its own phase.
     */
    private static final int TAIL_MILLIS = 1_250;

    private final Topology topology;
    private final LbAgentFleet fleet;
    private final FleetWrites writes;
    private final Consumer<String> out;
    private final boolean secondChance;

    private FlowSurvivalScenario(Topology topology, LbAgentFleet fleet, BalancerBuild balancer, Consumer<String> out) {
        this.topology = topology;
        this.fleet = fleet;
        this.writes = new FleetWrites(topology, fleet, out);
        this.out = out;
        this.secondChance = balancer == BalancerBuild.SECOND_CHANCE;
    }

    /**
     * One run with every LB on this balancer build; the seed picks the LBs ({@link FlowSurvivalPlan}). With
     * sabotage, the backends' gateway MAC is all zeros: ringfleet-backend then delivers every second-chance frame
     * locally instead of sending it on (the sabotage run: second chance on must then break flows).
     */
    static FlowSurvivalResult run(long seed, BalancerBuild balancer, boolean sabotage, Consumer<String> out) {
        FlowSurvivalPlan plan = FlowSurvivalPlan.of(seed);
        out.accept("flow-survival run, balancer " + balancer + ", " + plan);
        try (Topology topology = Topology.builder()
                .tag("fs")
                .backends(BACKENDS)
                .clients(2)
                .ringfleetBackend(true)
                .log(out)
                .build()) {
            if (sabotage) {
                topology.ringfleetBackends().forEach(b -> b.setGateway(new byte[6]));
                out.accept("SABOTAGE: every backend's gateway MAC zeroed: second-chance frames are delivered locally");
            }
            LbAgentFleet fleet = LbAgentFleet.start(topology, MAX_VIPS, MAX_REALS, balancer, out);
            return new FlowSurvivalScenario(topology, fleet, balancer, out).run(plan, balancer);
        }
    }

    private FlowSurvivalResult run(FlowSurvivalPlan plan, BalancerBuild balancer) {
        GetFleetSettingsResponse settings = writes.settings();
        int depth = Math.max(1, settings.getSettings().getRingHistoryDepth());
        out.accept("fleet version " + settings.getFleetVersion() + ", ring history depth " + depth);
        List<BackendNode> be = topology.backends();
        writes.apply("two TCP VIPs with be1..be3", new Batch(topology).addVips().addReals(be.subList(0, 3), 1));
        Runnable nothing = () -> {};
        List<PhaseReport> phases = new ArrayList<>();
        phases.add(phase(new Step(
                "add be4, drain lb" + plan.firstDrain(),
                nothing,
                () -> writes.apply("add be4", new Batch(topology).addReals(List.of(be.get(3)), 1)),
                plan.firstDrain(),
                nothing)));
        AgentProcess killed = fleet.agent(plan.killed());
        phases.add(phase(new Step(
                "kill -9 lb" + plan.killed() + ", be2 weight 0, drain lb" + plan.secondDrain() + ", restart lb"
                        + plan.killed(),
                killed::kill9,
                // weight 0, not a higher weight: Katran's Maglev (V1, the default) honours a weight above 1 in its
                // first round only, so 1 -> 3 moved 10 of 65,537 slots and no moved flow met it (KernelRings)
                () -> writes.apply("be2 weight 0", new Batch(topology).setWeights(List.of(be.get(1)), 0)),
                plan.secondDrain(),
                () -> restart(killed))));
        // be4 leaves the VIPs but keeps running: its connections must not break (the table keeps those that stay,
        // second chance those that move: the previous ring still names be4, whose real index the history holds)
        phases.add(phase(new Step(
                "remove be4, drain lb" + plan.thirdDrain(),
                nothing,
                () -> writes.apply("remove be4", new Batch(topology).removeReals(List.of(be.get(3)))),
                plan.thirdDrain(),
                nothing)));
        return new FlowSurvivalResult(balancer, settings.getFleetVersion(), depth, phases);
    }

    /**
     * One phase, in the order its steps run: before (with the cohort open), the ring change (programmed on every
     * live LB), the drain of LB drained (its flows move), whileDrained, then a hold and the undrain.
     */
    private record Step(String name, Runnable before, Runnable ringChange, int drained, Runnable whileDrained) {}

    /** Opens a cohort of connections, runs the step, closes the cohort; returns what broke. */
    private PhaseReport phase(Step step) {
        String name = step.name();
        out.accept("phase: " + name);
        Traffic traffic = Traffic.builder()
                .longLived(FLOWS_PER_PHASE)
                .udpFlows(0)
                .shortPerSecond(0)
                .start(topology);
        try {
            if (!traffic.awaitLongOpen(FLOWS_PER_PHASE, OPEN_MILLIS)) {
                throw new IllegalStateException("not " + FLOWS_PER_PHASE + " connections open within " + OPEN_MILLIS
                        + " ms: " + traffic.failures());
            }
            out.accept("  " + FLOWS_PER_PHASE + " connections open, by real "
                    + traffic.snapshot().longByReal());
            SecondChanceCounters c0 = SecondChanceCounters.read(topology, fleet);
            step.before().run();
            step.ringChange().run();
            writes.drain(step.drained());
            step.whileDrained().run();
            if (secondChance) { // after the restart too: the agent that missed the change programmed both rings
                KernelRings rings = KernelRings.readEqualOnEvery(fleet);
                out.accept("  " + rings);
                rings.requireChangedOnEveryVip(MIN_SLOTS_CHANGED, name);
            }
            Pause.millis(DWELL_MILLIS);
            writes.undrain(step.drained());
            Pause.millis(TAIL_MILLIS);
            SecondChanceCounters counters =
                    SecondChanceCounters.read(topology, fleet).since(c0);
            TrafficSnapshot s = traffic.snapshot();
            PhaseReport report = new PhaseReport(
                    name, s.longOpened(), s.roundTrips(), s.unexpectedBroken(), s.expectedBroken(), counters);
            out.accept("  " + report);
            s.unexpectedBroken().stream().limit(5).forEach(b -> out.accept("    broken: " + b));
            return report;
        } finally {
            traffic.close();
        }
    }

    private void restart(AgentProcess agent) {
        agent.start();
        fleet.awaitReady(List.of(agent));
        out.accept("  " + agent.id() + "'s agent restarted and ready (programmed what it missed)");
    }
}
