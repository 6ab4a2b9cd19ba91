package io.ringfleet.chaos.demo;

/**
 * What a demo run measured.
 *
 * @param connections long-lived TCP connections opened (replacements included)
 * @param drains LB drains done
 * @param ringChangesDuringDrains ring changes of the TCP VIPs logged in a drain's own entry (flows moved after them)
 * @param secondChanceFrames second-chance frames the LBs sent while the drained LB's flows had moved
 * @param secondChanceForwarded of those, how many the backends sent on to the previous real (flows saved)
 * @param agentKills agents killed with SIGKILL (and restarted)
 * @param hostFailures LB hosts failed as a whole (withdrawn by BFD) and returned
 * @param restartKeptMaps whether every killed agent's balancer stayed attached and its maps were unchanged after
 *     the restart
 * @param broken long-lived flows (TCP and UDP) that broke although their real was not removed, plus short
 *     connections that failed
 * @param expectedBroken long-lived flows that broke because their real was removed
 * @param equalDigests LBs whose ring digest, as their agent reports it and as read back from their kernel maps,
 *     equals the digest of the demo's model of the same changes
 * @param nodes LBs
 * @param movedFlows long-lived TCP flows that were on the drained LB and were seen arriving at another LB
 * @param movedSameReal of those, how many the new LB pinned to the same real index as the drained LB had
 * @param drainedLbPackets VIP packets the drained LB received while drained
 * @param checkedFlows new flows run through every LB's program at the end (BPF_PROG_TEST_RUN)
 * @param agreedFlows of those, how many every LB forwarded to the same real
 */
public record DemoResult(
        long connections,
        int drains,
        int ringChangesDuringDrains,
        long secondChanceFrames,
        long secondChanceForwarded,
        int agentKills,
        int hostFailures,
        boolean restartKeptMaps,
        int broken,
        int expectedBroken,
        int equalDigests,
        int nodes,
        int movedFlows,
        int movedSameReal,
        long drainedLbPackets,
        int checkedFlows,
        int agreedFlows) {
    /** The summary line the demo ends with. */
    public String summary() {
        return "demo: broken connections " + broken + ", ring digests equal on " + equalDigests + "/" + nodes
                + " nodes";
    }

    /**
     * True when nothing broke, every LB holds what the model says, every checked flow got one real and a killed
     * agent's balancer kept its program and maps.
     */
    public boolean ok() {
        return broken == 0 && equalDigests == nodes && agreedFlows == checkedFlows && restartKeptMaps;
    }
}
