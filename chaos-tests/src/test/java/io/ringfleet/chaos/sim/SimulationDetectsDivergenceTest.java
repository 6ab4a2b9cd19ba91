package io.ringfleet.chaos.sim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringfleet.chaos.sim.Simulation.Options;
import io.ringfleet.chaos.sim.Simulation.Outcome;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/**
 * The simulation is not blind: with one replica validating against other limits (one VIP at most), the first
 * write that adds a second VIP makes it diverge, and the schedule fails with the seed that reproduces it
 * (seeds 1..5 run side by side; one caught is enough).
 */
class SimulationDetectsDivergenceTest {
    @Test
    void aReplicaThatValidatesDifferentlyIsCaughtWithItsSeed() {
        Quiet.ratisLogs();
        List<String> seen = new ArrayList<>();
        List<CompletableFuture<Outcome>> runs = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(5, r -> {
            Thread t = new Thread(r, "sim-mutant");
            t.setDaemon(true);
            return t;
        });
        for (long seed = 1; seed <= 5; seed++) {
            long s = seed;
            runs.add(CompletableFuture.supplyAsync(
                    () -> Simulation.start(s, new Options(false, 1)).join(), pool));
        }
        for (CompletableFuture<Outcome> run : runs) {
            Outcome o = run.join();
            long seed = o.schedule().seed();
            if (!o.ok()) {
                String report = o.report();
                assertTrue(report.contains("reproduce with seed=" + seed), report);
                assertTrue(
                        o.violations().stream()
                                .anyMatch(v -> v.invariant().equals("equal index, equal state")
                                        || v.invariant().equals("acknowledged")),
                        report);
                System.out.println("chaos: the divergent replica was caught: "
                        + o.violations().get(0));
                return;
            }
            seen.add("seed " + seed + ": " + o.stats());
        }
        throw new AssertionError("a divergent replica went unnoticed in 5 schedules: " + seen);
    }
}
