package io.ringfleet.chaos.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringfleet.chaos.netns.Root;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The demo's short version on a real fleet in namespaces: 3 LBs each with a real lb-agent process and the XDP
 * balancer, routed by real BGP (FRR in the router, BIRD with BFD in each LB), 3 backends, 20 long-lived TCP
 * connections, UDP flows and short connections; under load one LB drained with a ring change in the drain's own log
 * entry (every LB on the second-chance balancer, the backends running ringfleet-backend), one agent killed with SIGKILL
 * (and restarted), one LB's host failed (withdrawn by BFD) and returned. FlowSurvivalTest is the control: the same
 * kind of move on the plain balancer breaks flows.
 */
class NetnsDemoTest {
    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void aDrainWithARingChangeAKilledAgentAndAFailedHostBreakNoConnectionAndEveryLbHoldsTheSameMaps() {
        assertTrue(
                Root.isRoot(),
                "NetnsDemoTest needs root: network namespaces, XDP, BPF maps (run the tests with"
                        + " sudo, as scripts/test.sh does)");
        DemoResult r = DemoRun.run(DemoOptions.quick(), System.out);
        System.out.println("netns-demo: " + r.connections() + " connections, " + r.drains() + " drains, "
                + r.ringChangesDuringDrains() + " ring changes during drains, " + r.agentKills() + " agent kills, "
                + r.hostFailures() + " host failures, " + r.broken() + " broken");
        assertEquals(0, r.broken(), "broken connections (see the BROKEN / failed lines above)");
        assertEquals(r.nodes(), r.equalDigests(), "LBs whose kernel maps equal the image");
        assertEquals(3, r.nodes());
        assertEquals(1, r.drains());
        assertEquals(1, r.ringChangesDuringDrains());
        assertTrue(
                r.secondChanceForwarded() > 0,
                "second-chance frames sent on to the previous real: " + r.secondChanceForwarded() + " of "
                        + r.secondChanceFrames() + " sent (the moved connections of the real set to weight 0 must"
                        + " meet the change)");
        assertEquals(1, r.agentKills());
        assertEquals(1, r.hostFailures());
        assertTrue(r.restartKeptMaps(), "the killed agent's balancer stayed attached and its maps were unchanged");
        assertTrue(r.connections() >= 20, "long-lived connections opened: " + r.connections());
        assertEquals(0, r.drainedLbPackets(), "VIP packets reaching the drained LB");
        assertEquals(r.movedFlows(), r.movedSameReal(), "moved flows that kept their real");
        assertEquals(10_000, r.checkedFlows());
        assertEquals(r.checkedFlows(), r.agreedFlows(), "flows every LB's program sent to the same real");
    }
}
