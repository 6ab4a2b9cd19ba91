package io.ringfleet.chaos.flowsurvival;

import java.util.Random;

/**
 * Which LBs a seed picks: the LB drained after the first ring change, the LB whose agent is killed (-9) across the
 * second ring change, the LB drained while it is dead (never the killed one: its flows must move onto the LB that
 * restarts), and the LB drained after the third ring change. The same seed gives the same plan, so the control run
 * (second chance off) meets the same moves.
 */
record FlowSurvivalPlan(long seed, int firstDrain, int killed, int secondDrain, int thirdDrain) {
    static FlowSurvivalPlan of(long seed) {
        Random random = new Random(seed);
        int first = 1 + random.nextInt(3);
        int killed = 1 + random.nextInt(3);
        int second = 1 + (killed + random.nextInt(2)) % 3; // one of the two others
        int third = 1 + random.nextInt(3);
        return new FlowSurvivalPlan(seed, first, killed, second, third);
    }

    @Override
    public String toString() {
        return "seed " + seed + ": add be4 + drain lb" + firstDrain + "; kill -9 lb" + killed
                + " + be2 weight 0 + drain lb" + secondDrain + " + restart lb" + killed + "; remove be4 + drain lb"
                + thirdDrain;
    }
}
