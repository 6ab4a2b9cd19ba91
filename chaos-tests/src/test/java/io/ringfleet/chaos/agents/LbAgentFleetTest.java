package io.ringfleet.chaos.agents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringfleet.chaos.netns.BackendNode;
import io.ringfleet.chaos.netns.BalancerNode;
import io.ringfleet.chaos.netns.DatapathState;
import io.ringfleet.chaos.netns.Topology;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Three real lb-agent processes in the LB namespaces: a change through lbctl on lb2 reaches every LB's kernel maps
 * identically; an agent killed with SIGKILL leaves its program attached and, restarted, reuses its pins without
 * changing a map.
 */
class LbAgentFleetTest {
    private static Topology topology;
    private static LbAgentFleet fleet;

    @BeforeAll
    static void setUp() {
        assertTrue(
                io.ringfleet.chaos.netns.Root.isRoot(),
                "LbAgentFleetTest needs root: network namespaces, XDP,"
                        + " BPF maps (run the tests with sudo, as scripts/test.sh does)");
        topology = Topology.builder().lbs(3).backends(2).build();
        fleet = LbAgentFleet.start(topology, 4, 64, System.out::println);
    }

    @AfterAll
    static void tearDown() {
        if (topology != null) {
            topology.close();
        }
    }

    @Test
    void aChangeThroughLb2ReachesEveryLbAndSurvivesAKill9() {
        String vip = topology.vip4().getHostAddress() + ":" + topology.echoPort();
        ok(fleet.lbctl().run(topology.lb(2), "vip", "add", "tcp", vip, "--wait"));
        List<String> add = new ArrayList<>(List.of("real", "add", "tcp", vip));
        for (BackendNode b : topology.backends()) {
            add.add(b.address4().getHostAddress());
        }
        add.add("--wait");
        ok(fleet.lbctl().run(topology.lb(2), add.toArray(String[]::new)));

        List<DatapathState> states = new ArrayList<>();
        for (BalancerNode n : fleet.observeAll()) {
            states.add(DatapathState.read(n));
        }
        assertEquals(1, states.get(0).vips().size(), "lb1 holds the VIP");
        for (DatapathState s : states) {
            assertEquals(states.get(0).ringDigestHex(), s.ringDigestHex(), "every LB's rings equal lb1's");
            assertEquals(2, s.reals().size(), "both reals are in every LB's reals map");
        }

        BalancerNode lb3 = fleet.observe(3);
        int attached = lb3.attachedProgramId();
        assertTrue(attached > 0, "lb3 has its balancer attached");
        fleet.agent(3).kill9();
        assertFalse(fleet.agent(3).alive());
        assertEquals(attached, lb3.attachedProgramId(), "the program stays attached while lb3's agent is dead");
        fleet.agent(3).start();
        fleet.awaitReady(List.of(fleet.agent(3)));
        assertEquals(attached, lb3.attachedProgramId(), "the restarted agent reuses the attached program");
        assertEquals(states.get(2).digestHex(), DatapathState.read(lb3).digestHex(), "lb3's maps are unchanged");

        LbctlProcess.Result status = fleet.lbctl().run(topology.lb(2), "status");
        ok(status);
        System.out.println(status.out());
    }

    private static void ok(LbctlProcess.Result r) {
        assertEquals(0, r.exit(), r::failure);
    }
}
