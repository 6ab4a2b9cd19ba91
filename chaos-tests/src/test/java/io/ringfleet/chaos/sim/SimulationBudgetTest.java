package io.ringfleet.chaos.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * The CI budget of the seeded simulation: schedules {@code chaos.from} .. (default 1..200), six clusters at a
 * time, within {@code chaos.budgetSeconds} (default 240); prints {@code chaos: N schedules, 0 violations}.
 * A failure prints each violating seed with its schedule and trace ({@code reproduce with seed=...}).
 */
@Execution(ExecutionMode.CONCURRENT) // beside the real-process tests: junit-platform.properties
@ResourceLock(Simulation.ONE_AT_A_TIME)
class SimulationBudgetTest {
    @Test
    void everyScheduleKeepsTheInvariantsAndConvergesAfterHealing() throws Exception {
        long from = Long.getLong("chaos.from", 1);
        int seeds = Integer.getInteger("chaos.seeds", 200);
        int parallel = Integer.getInteger("chaos.parallel", 6);
        long budgetSeconds = Long.getLong("chaos.budgetSeconds", 240);
        boolean verbose = Boolean.getBoolean("chaos.verbose");
        ChaosRunner.Summary s = new ChaosRunner(from, seeds, parallel, budgetSeconds * 1000, System.out, verbose).run();
        ChaosRunner.print(s, from, seeds, System.out);
        assertEquals(0, s.violating(), "violating seeds " + s.failingSeeds() + ": see the reports above");
    }
}
