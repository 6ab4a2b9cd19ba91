package io.ringfleet.chaos.flowsurvival;

import io.ringfleet.chaos.netns.BrokenFlow;
import io.ringfleet.config.BalancerBuild;
import java.util.ArrayList;
import java.util.List;

/**
 * One run of {@link FlowSurvivalScenario}: the balancer build its LBs ran, the fleet version and ring history depth
 * the log held, and its phases.
 *
 * @param historyDepth the log's {@code ring_history_depth} as in force (0 in the log stands for the default 1)
 */
record FlowSurvivalResult(BalancerBuild balancer, int fleetVersion, int historyDepth, List<PhaseReport> phases) {
    FlowSurvivalResult {
        phases = List.copyOf(phases);
    }

    /** Ring changes of the traffic VIPs (one per phase, each changing both VIPs' rings in one batch). */
    int ringChanges() {
        return phases.size();
    }

    /** LB drains, each moving the drained LB's flows (and, by the router's re-hashing, some others) elsewhere. */
    int flowMoves() {
        return phases.size();
    }

    long connections() {
        return phases.stream().mapToLong(PhaseReport::connections).sum();
    }

    /** Broken connections whose real was alive and still in the VIP. */
    List<BrokenFlow> broken() {
        List<BrokenFlow> out = new ArrayList<>();
        phases.forEach(p -> out.addAll(p.broken()));
        return out;
    }

    int expectedBroken() {
        return phases.stream().mapToInt(PhaseReport::expectedBroken).sum();
    }

    SecondChanceCounters counters() {
        SecondChanceCounters sum = SecondChanceCounters.ZERO;
        for (PhaseReport p : phases) {
            sum = sum.plus(p.counters());
        }
        return sum;
    }

    /** Whether every phase moved flows: some LB met non-SYN packets it had no table entry for. */
    boolean everyPhaseMovedFlows() {
        return phases.stream().allMatch(p -> p.counters().lbMissesNonSyn() > 0);
    }
}
