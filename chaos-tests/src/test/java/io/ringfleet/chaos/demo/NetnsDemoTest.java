package io.ringfleet.chaos.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringfleet.chaos.netns.Root;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The demo's short version on a real fleet in namespaces: 3 LBs each with a real lb-agent process and the XDP
 * balancer, 3 backends, 20 long-lived TCP connections, UDP flows and short connections; one LB drained and one
 * agent killed with SIGKILL (and restarted) under load.
 */
class NetnsDemoTest {
    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void aDrainedLbAndAKilledAgentBreakNoConnectionAndEveryLbHoldsTheSameMaps() {
        assertTrue(
                Root.isRoot(),
                "NetnsDemoTest needs root: network namespaces, XDP, BPF maps (run the tests with"
                        + " sudo, as scripts/test.sh does)");
        DemoResult r = DemoRun.run(DemoOptions.quick(), System.out);
        System.out.println("netns-demo: " + r.connections() + " connections, " + r.drains() + " drains, "
                + r.agentKills() + " agent kills, " + r.broken() + " broken");
        assertEquals(0, r.broken(), "broken connections (see the BROKEN / failed lines above)");
        assertEquals(r.nodes(), r.equalDigests(), "LBs whose kernel maps equal the image");
        assertEquals(3, r.nodes());
        assertEquals(1, r.drains());
        assertEquals(1, r.agentKills());
        assertTrue(r.restartKeptMaps(), "the killed agent's balancer stayed attached and its maps were unchanged");
        assertTrue(r.connections() >= 20, "long-lived connections opened: " + r.connections());
        assertEquals(0, r.drainedLbPackets(), "VIP packets reaching the drained LB");
        assertEquals(r.movedFlows(), r.movedSameReal(), "moved flows that kept their real");
        assertEquals(10_000, r.checkedFlows());
        assertEquals(r.checkedFlows(), r.agreedFlows(), "flows every LB's program sent to the same real");
    }
}
