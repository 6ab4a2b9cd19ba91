package io.ringfleet.chaos.sim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringfleet.chaos.sim.Simulation.Outcome;
import io.ringfleet.chaos.sim.Simulation.Stats;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * Health in the seeded simulation: the schedules' batches carry LB votes (as each agent stamps them), checks set,
 * disabled and removed, forged votes, drains and partitions; the invariants (equal index, equal image digest, so
 * equal votes and verdicts, and equal ring digest) hold at every index. The schedules must really have moved
 * verdicts, or the test proves nothing. Prints {@code chaos-health: N schedules, V votes, C verdict changes, 0
 * violations}. Seeds {@code -Dchaos.health.from} (default 1), {@code -Dchaos.health.seeds} (default 4).
 */
@Execution(ExecutionMode.CONCURRENT) // beside the real-process tests: junit-platform.properties
@ResourceLock(Simulation.ONE_AT_A_TIME)
class SimulationHealthTest {
    @Test
    void verdictsAndRingsAreEqualAtEveryIndexWhileVotesDrainsAndPartitionsInterleave() {
        Quiet.ratisLogs();
        long from = Long.getLong("chaos.health.from", 1);
        int seeds = Integer.getInteger("chaos.health.seeds", 4);
        Stats total = new Stats();
        for (long seed = from; seed < from + seeds; seed++) {
            Outcome o = Simulation.run(seed);
            assertTrue(o.ok(), o::report);
            total.add(o.stats());
        }
        assertTrue(total.verdicts.get() > 0, "no verdict changed in " + seeds + " schedules: " + total);
        System.out.println("chaos-health: " + seeds + " schedules, " + total.votes + " votes, " + total.verdicts
                + " verdict changes, 0 violations; " + total);
    }
}
