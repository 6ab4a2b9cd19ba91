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
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * The simulation is not blind: with one replica that cannot follow the fleet, the schedule fails with the seed
 * that reproduces it (seeds 1..5 run side by side; one caught is enough). Limits now come from the log, so no
 * replica can validate with other limits any more; the mutant is a replica on software older than the fleet
 * version the log bootstraps at ({@code SimCluster.MUTANT_SUPPORTED_VERSION}): it stops at the bootstrap entry
 * and is caught as not converging (liveness), never as a silent divergence.
 */
@Execution(ExecutionMode.CONCURRENT) // beside the real-process tests: junit-platform.properties
@ResourceLock(Simulation.ONE_AT_A_TIME)
class SimulationDetectsDivergenceTest {
    @Test
    void aReplicaThatCannotFollowTheFleetIsCaughtWithItsSeed() {
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
                                        || v.invariant().equals("acknowledged")
                                        // a replica on older software stops at the bootstrap: it never converges
                                        || v.invariant().equals("liveness")),
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
