package io.ringfleet.chaos.flowsurvival;

import io.ringfleet.chaos.netns.BrokenFlow;
import java.util.List;

/**
 * One phase of the scenario: a cohort of long-lived connections, one ring change, one drain that moves flows.
 *
 * @param name what the phase did
 * @param connections long-lived connections opened (replacements of broken ones included)
 * @param roundTrips echo round trips in the phase
 * @param broken connections that broke although their real was running
 * @param expectedBroken connections that broke whose real the scenario declared gone (none: every real runs
 *     throughout; kept so that a future phase stopping a real reports it apart)
 * @param counters the datapath's counters over the phase
 */
record PhaseReport(
        String name,
        long connections,
        long roundTrips,
        List<BrokenFlow> broken,
        int expectedBroken,
        SecondChanceCounters counters) {
    PhaseReport {
        broken = List.copyOf(broken);
    }

    @Override
    public String toString() {
        return String.format(
                "%s: %d connections, %d round trips, %d broken, %d broken with their real gone; %s",
                name, connections, roundTrips, broken.size(), expectedBroken, counters);
    }
}
