package io.ringfleet.chaos.netnschaos;

import java.util.List;

/**
 * What one scenario did and found.
 *
 * @param seed the scenario's seed
 * @param faults faults injected, each of an overlapping pair counted (fewer than scheduled when the scenario
 *     stopped on an error)
 * @param hostFailures LB host failures injected
 * @param overlapping pairs of faults that were on at once
 * @param disk disk-full faults injected
 * @param link lossy-link faults injected
 * @param connections long-lived TCP connections opened during the run (replacements included)
 * @param broken flows (TCP or UDP) that broke although their real was never removed
 * @param expectedBroken flows that broke because their real was removed (real churn)
 * @param checkedFlows flows run through every LB's program at the end (BPF_PROG_TEST_RUN)
 * @param violations every failed check; empty when the scenario passed
 * @param seconds wall time
 */
public record NetnsChaosResult(
        long seed,
        int faults,
        int hostFailures,
        int overlapping,
        int disk,
        int link,
        long connections,
        int broken,
        int expectedBroken,
        int checkedFlows,
        List<String> violations,
        double seconds) {
    public NetnsChaosResult {
        violations = List.copyOf(violations);
    }

    public boolean passed() {
        return violations.isEmpty() && broken == 0;
    }

    /**
     * The summary line: {@code netns-chaos: F faults (H host failures, O overlapping, D disk, L link), C connections,
     * B broken}.
     */
    public String summary() {
        return summary(faults, hostFailures, overlapping, disk, link, connections, broken);
    }

    static String summary(
            long faults, long hostFailures, long overlapping, long disk, long link, long connections, long broken) {
        return "netns-chaos: " + faults + " faults (" + hostFailures + " host failures, " + overlapping
                + " overlapping, " + disk + " disk, " + link + " link), " + connections + " connections, " + broken
                + " broken";
    }
}
