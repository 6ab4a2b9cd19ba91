package io.ringfleet.chaos.sim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringfleet.chaos.sim.Simulation.Options;
import io.ringfleet.chaos.sim.Simulation.Outcome;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The simulation is not blind: with one replica validating against other limits (one VIP at most), the first
 * write that adds a second VIP makes it diverge, and the schedule fails with the seed that reproduces it.
 */
class SimulationDetectsDivergenceTest {
  @Test
  void aReplicaThatValidatesDifferentlyIsCaughtWithItsSeed() {
    Quiet.ratisLogs();
    List<String> seen = new ArrayList<>();
    for (long seed = 1; seed <= 5; seed++) {
      Outcome o = Simulation.start(seed, new Options(false, 1)).join();
      if (!o.ok()) {
        String report = o.report();
        assertTrue(report.contains("reproduce with seed=" + seed), report);
        assertTrue(o.violations().stream().anyMatch(v -> v.invariant().equals("equal index, equal state")
            || v.invariant().equals("acknowledged")), report);
        System.out.println("chaos: the divergent replica was caught: " + o.violations().get(0));
        return;
      }
      seen.add("seed " + seed + ": " + o.stats());
    }
    throw new AssertionError("a divergent replica went unnoticed in 5 schedules: " + seen);
  }
}
