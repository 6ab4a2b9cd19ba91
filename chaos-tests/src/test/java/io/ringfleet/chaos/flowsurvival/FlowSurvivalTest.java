package io.ringfleet.chaos.flowsurvival;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringfleet.chaos.netns.Root;
import io.ringfleet.config.BalancerBuild;
import org.junit.jupiter.api.Test;

/**
 * Issue 13's proof ({@link FlowSurvivalScenario}): the same seeded scenario twice, real agents in namespaces, the
 * backends running ringfleet-backend. With {@code balancer: second-chance} (fleet version 4, ring history depth ≥ 1)
 * no connection whose real runs may break; with the plain balancer (the control) some must, or the test proves
 * nothing. {@code -Dflow-survival.seed=S} picks the seed (default 1); {@code -Dflow-survival.sabotage=no-forward}
 * zeroes the backends' gateway MAC in the second-chance run, so they cannot send a segment on: that run must then
 * break flows and the test fail.
 */
class FlowSurvivalTest {
    @Test
    void flowsSurviveRingChangesWhileTheyMoveBetweenLbsOnlyWithSecondChance() {
        assertTrue(Root.isRoot(), "FlowSurvivalTest needs root: network namespaces, XDP, BPF maps");
        long seed = Long.getLong("flow-survival.seed", 1L);
        boolean sabotage = "no-forward".equals(System.getProperty("flow-survival.sabotage", ""));
        FlowSurvivalResult on =
                FlowSurvivalScenario.run(seed, BalancerBuild.SECOND_CHANCE, sabotage, System.out::println);
        if (sabotage) { // fail fast: the control run would add nothing to what the sabotage must show
            assertEquals(0, on.broken().size(), "SABOTAGED (no-forward), broken with second chance: " + on.broken());
        }
        FlowSurvivalResult off = FlowSurvivalScenario.run(seed, BalancerBuild.PLAIN, false, System.out::println);
        System.out.println("second chance on:  " + on.counters());
        System.out.println("second chance off: " + off.counters());
        System.out.printf(
                "flow-survival: %d ring changes during %d flow moves, %d connections, %d broken (%d broken with"
                        + " second chance off)%n",
                on.ringChanges(),
                on.flowMoves(),
                on.connections(),
                on.broken().size(),
                off.broken().size());
        String reproduce = "reproduce with -Dflow-survival.seed=" + seed;

        assertTrue(on.fleetVersion() >= 4, "fleet version 4 finalised (ring history), got " + on.fleetVersion());
        assertTrue(on.historyDepth() >= 1, "ring history depth ≥ 1");
        assertTrue(on.everyPhaseMovedFlows(), "every drain moved flows to LBs without a table entry: " + on.phases());
        assertTrue(off.everyPhaseMovedFlows(), "every drain moved flows (control): " + off.phases());
        assertTrue(on.counters().lbSecondChance() > 0, "the LBs sent second-chance frames: " + on.counters());
        assertEquals(0, on.broken().size(), "broken with second chance: " + on.broken() + "; " + reproduce);
        assertTrue(
                off.broken().size() > 0,
                "the control run (second chance off) broke nothing, so this scenario cannot show what second chance"
                        + " prevents; " + reproduce);
        assertTrue(on.counters().backendForwarded() > 0, "some moved flow was sent on to its previous real");
        assertEquals(0, off.counters().lbSecondChance(), "the plain balancer sends no second-chance frame");
    }
}
