package io.ringfleet.agent.daemon;

import static io.ringfleet.state.testing.Commands.TCP;
import static io.ringfleet.state.testing.Commands.addReals;
import static io.ringfleet.state.testing.Commands.addVip;
import static io.ringfleet.state.testing.Commands.vip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringfleet.agent.security.TestPki;
import io.ringfleet.api.ApplyRequest;
import io.ringfleet.api.ApplyResponse;
import io.ringfleet.api.GetStatusRequest;
import io.ringfleet.api.NodeStatus;
import io.ringfleet.api.PeerRole;
import io.ringfleet.api.VipKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A fleet of three voters (lb1..lb3) and one listener (lb4), each a real {@link LbAgent} in this JVM started from
 * a written fleet config (mutual TLS, BPF objects in the kernel, not attached): the listener starts, takes writes
 * through its own API (its peer forwards them to the leader), programs the same maps as the voters, reports role
 * {@code listener} in its status and metrics, and the voters keep committing while it is down.
 */
class ListenerAgentTest {
    static final VipKey WEB = vip("10.201.0.1", 80, TCP);
    static final List<String> NODES = List.of("lb1", "lb2", "lb3", "lb4");
    static Path pkiRoot;
    static AgentFleet fleet;

    @BeforeAll
    static void startFleet() throws Exception {
        pkiRoot = Files.createTempDirectory("ringfleet-listener-pki-");
        fleet = new AgentFleet(TestPki.create(pkiRoot, 4), NODES, Set.of("lb4"), 8, Map.of(), "");
        fleet.startAll(Duration.ofSeconds(90));
    }

    @AfterAll
    static void stopFleet() {
        if (fleet != null) {
            fleet.close();
        }
        AgentFleet.deleteTree(pkiRoot);
    }

    @Test
    void aListenerAgentTakesWritesProgramsItsMapsAndNeverCountsTowardTheQuorum() throws Exception {
        assertTrue(fleet.agent("lb4").node().isListener());
        ApplyResponse r = fleet.control("lb4", "alice")
                .apply(ApplyRequest.newBuilder()
                        .addCommands(addVip(WEB))
                        .addCommands(addReals(WEB, "10.0.1.1=1", "10.0.1.2=1"))
                        .setWaitProgrammedFleetWide(true)
                        .setWaitTimeoutMs(30_000)
                        .build());
        assertFalse(r.getProgrammed().getTimedOut(), r.getProgrammed().toString());
        assertEquals(
                4, r.getProgrammed().getNodesProgrammed(), r.getProgrammed().toString());
        SortedMap<String, String> maps = sameMapsEverywhere();
        assertEquals(1, AgentFleetTest.count(maps, "vip_map"));
        assertEquals(2, AgentFleetTest.count(maps, "reals"));

        Map<String, NodeStatus> statuses = new TreeMap<>();
        for (NodeStatus n : fleet.control("lb1", "bob")
                .getStatus(GetStatusRequest.newBuilder().setFleetWide(true).build())
                .getNodesList()) {
            statuses.put(n.getNodeId(), n);
        }
        assertEquals(NODES, List.copyOf(statuses.keySet()));
        assertEquals(
                PeerRole.LISTENER,
                statuses.get("lb4").getRole(),
                statuses.get("lb4").toString());
        for (String voter : List.of("lb1", "lb2", "lb3")) {
            assertNotEquals(
                    PeerRole.LISTENER,
                    statuses.get(voter).getRole(),
                    statuses.get(voter).toString());
        }
        String metrics = fleet.get("lb4", "/metrics").body();
        assertEquals(1.0, AgentFleetTest.metric(metrics, "ringfleet_raft_role", "role=\"listener\""), metrics);
        assertEquals(0.0, AgentFleetTest.metric(metrics, "ringfleet_raft_leader", "node=\"lb4\""), metrics);

        // The listener down: the voters still commit; back, it catches up and programs the same maps.
        fleet.stop("lb4");
        ApplyResponse whileDown = fleet.control("lb1", "alice")
                .apply(ApplyRequest.newBuilder()
                        .addCommands(addReals(WEB, "10.0.1.3=1"))
                        .build());
        assertTrue(whileDown.getLogIndex() > r.getLogIndex(), whileDown.toString());
        fleet.start("lb4");
        fleet.awaitReady(Duration.ofSeconds(60));
        fleet.awaitProgrammed(whileDown.getLogIndex(), Duration.ofSeconds(30));
        assertEquals(3, AgentFleetTest.count(sameMapsEverywhere(), "reals"));
    }

    private static SortedMap<String, String> sameMapsEverywhere() {
        Map<String, SortedMap<String, String>> dumps = new TreeMap<>();
        for (LbAgent a : fleet.running()) {
            dumps.put(a.nodeId(), MapDump.of(a.datapath()));
        }
        assertEquals(NODES, List.copyOf(dumps.keySet()));
        SortedMap<String, String> lb1 = dumps.get("lb1");
        dumps.forEach((id, dump) -> assertEquals(lb1, dump, id + "'s maps differ from lb1's"));
        return lb1;
    }
}
