package io.ringfleet.chaos.netnschaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringfleet.chaos.fault.Harness;
import io.ringfleet.chaos.netns.Root;
import org.junit.jupiter.api.Test;

/**
 * One seeded scenario of real-process chaos (the CI budget; the soak is {@code scripts/chaos.sh --netns-scenarios}):
 * eight faults, one of each kind (an LB host failure among them), one of them overlapped by a second (see {@link
 * ChaosSchedule#overlapFor}), against three lb-agent processes in network namespaces with live traffic, routed by
 * real BGP (FRR in the router, BIRD with BFD in each LB, driven by the agents' {@code route-hook-bird}).
 * {@code -Dnetns-chaos.seed=S} picks the seed (default 1), {@code -Dnetns-chaos.faults=K} the number of faults;
 * {@code -Dnetns-chaos.bfd=false} is the control run (BFD off: a failed host stays routed to until the BGP hold
 * timer expires, and the test must fail).
 */
class NetnsChaosTest {
    @Test
    void aSeededScenarioBreaksNoFlowAndLosesNoAcknowledgedWrite() {
        assertTrue(
                Root.isRoot(),
                "NetnsChaosTest needs root: network namespaces, XDP, BPF maps, iptables (run the"
                        + " tests with sudo, as scripts/test.sh does)");
        long seed = Long.getLong("netns-chaos.seed", 1L);
        int faults =
                Integer.getInteger("netns-chaos.faults", Harness.NETNS.kinds().size());
        boolean bfd = Boolean.parseBoolean(System.getProperty("netns-chaos.bfd", "true"));
        NetnsChaosResult r = NetnsChaosScenario.run(seed, faults, bfd, System.out::println);
        String reproduce = "reproduce with seed=" + seed + ": mvn -pl chaos-tests test -Dtest=NetnsChaosTest"
                + " -Dnetns-chaos.seed=" + seed + " -Dnetns-chaos.faults=" + faults + "; violations: " + r.violations();
        assertTrue(r.violations().isEmpty(), reproduce);
        assertEquals(0, r.broken(), reproduce);
        ChaosSchedule schedule = ChaosSchedule.of(seed, faults);
        assertEquals(faults + schedule.overlapping(), r.faults(), "every fault injected, each of a pair counted");
        assertEquals(schedule.overlapping(), r.overlapping());
        assertEquals(schedule.hostFailures(), r.hostFailures());
        assertTrue(r.hostFailures() >= 1, "at least one LB host failure");
        if (faults >= Harness.NETNS.kinds().size()) {
            assertTrue(r.overlapping() >= 1 && r.disk() >= 1 && r.link() >= 1, "overlapping, disk and link faults");
        }
        assertTrue(r.connections() >= NetnsChaosScenario.LONG_LIVED, "every long-lived connection opened");
        assertTrue(r.checkedFlows() >= 10_000, "at least 10,000 flows through every LB's program");
    }
}
