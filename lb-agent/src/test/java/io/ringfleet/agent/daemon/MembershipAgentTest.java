package io.ringfleet.agent.daemon;

import static io.ringfleet.state.testing.Commands.TCP;
import static io.ringfleet.state.testing.Commands.addReals;
import static io.ringfleet.state.testing.Commands.addVip;
import static io.ringfleet.state.testing.Commands.vip;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.ringfleet.agent.security.TestPki;
import io.ringfleet.api.ApplyRequest;
import io.ringfleet.api.ApplyResponse;
import io.ringfleet.api.ControlServiceGrpc;
import io.ringfleet.api.GetStatusRequest;
import io.ringfleet.api.JoinFleetRequest;
import io.ringfleet.api.LeaveFleetRequest;
import io.ringfleet.api.MembershipResponse;
import io.ringfleet.api.NodeStatus;
import io.ringfleet.api.PeerRole;
import io.ringfleet.api.VipKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The operator's procedure for a node whose Raft storage must be cleared, on three real agents (lb1..lb3, mutual
 * TLS, BPF objects in the kernel, not attached): {@code LeaveFleet lb3} through lb1, lb1 + lb2 keep committing, lb3
 * stopped, its data dir deleted, started again, {@code JoinFleet lb3}: lb3 catches up and programs the very maps
 * lb1 has. And the refusals, which change nothing.
 */
class MembershipAgentTest {
    static final VipKey WEB = vip("10.202.0.1", 80, TCP);
    static final List<String> NODES = List.of("lb1", "lb2", "lb3");
    static Path pkiRoot;
    static AgentFleet fleet;

    @BeforeAll
    static void startFleet() throws Exception {
        pkiRoot = Files.createTempDirectory("ringfleet-membership-pki-");
        fleet = new AgentFleet(TestPki.create(pkiRoot, 3), NODES, 8, Map.of());
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
    void aNodeLeavesIsClearedAndJoinsBackWithTheSameMaps() throws Exception {
        ControlServiceGrpc.ControlServiceBlockingStub lb1 = fleet.control("lb1", "alice");
        ApplyResponse first = lb1.apply(ApplyRequest.newBuilder()
                .addCommands(addVip(WEB))
                .addCommands(addReals(WEB, "10.0.2.1=1", "10.0.2.2=1"))
                .setWaitProgrammedFleetWide(true)
                .setWaitTimeoutMs(30_000)
                .build());
        assertFalse(first.getProgrammed().getTimedOut(), first.getProgrammed().toString());

        MembershipResponse left =
                lb1.leaveFleet(LeaveFleetRequest.newBuilder().setNodeId("lb3").build());
        assertEquals(List.of("lb1", "lb2"), left.getVotersList());
        assertEquals(PeerRole.NOT_MEMBER, fleetStatus("lb1").get("lb3").getRole());
        refused(
                Status.Code.FAILED_PRECONDITION,
                "removing voter lb2 would leave 1 voter [lb1]; at least 2 must stay" + " (join another node first)",
                () -> lb1.leaveFleet(
                        LeaveFleetRequest.newBuilder().setNodeId("lb2").build()));
        refused(
                Status.Code.FAILED_PRECONDITION,
                "node lb3 is not in the Raft configuration (voters [lb1, lb2]," + " listeners []); nothing to remove",
                () -> lb1.leaveFleet(
                        LeaveFleetRequest.newBuilder().setNodeId("lb3").build()));

        // lb3 out, stopped and cleared: lb1 + lb2 commit alone.
        fleet.stop("lb3");
        Path lb3Data = fleet.config.self("lb3").settings().dataDir();
        AgentFleet.deleteTree(lb3Data);
        assertFalse(Files.exists(lb3Data));
        ApplyResponse whileOut = lb1.apply(ApplyRequest.newBuilder()
                .addCommands(addReals(WEB, "10.0.2.3=1"))
                .build());
        assertTrue(whileOut.getLogIndex() > first.getLogIndex(), whileOut.toString());
        assertEquals(
                List.of("lb1", "lb2"),
                List.copyOf(fleetStatus("lb1").entrySet().stream()
                        .filter(e -> e.getValue().getRole() != PeerRole.NOT_MEMBER)
                        .map(Map.Entry::getKey)
                        .toList()));

        // Started empty, then joined: the leader brings it up to date before the configuration commits.
        fleet.start("lb3");
        MembershipResponse joined =
                lb1.joinFleet(JoinFleetRequest.newBuilder().setNodeId("lb3").build());
        assertEquals(NODES, joined.getVotersList());
        fleet.awaitReady(Duration.ofSeconds(90));
        fleet.awaitProgrammed(whileOut.getLogIndex(), Duration.ofSeconds(60));
        SortedMap<String, String> maps = sameMapsEverywhere();
        assertEquals(3, AgentFleetTest.count(maps, "reals"));
        assertEquals(
                fleet.agent("lb1").image().stateIndex(),
                fleet.agent("lb3").image().stateIndex());
        assertArrayEquals(
                fleet.agent("lb1").image().digest(), fleet.agent("lb3").image().digest());

        // lb3 counts again: a write through it commits and every node programs it.
        ApplyResponse after = fleet.control("lb3", "alice")
                .apply(ApplyRequest.newBuilder()
                        .addCommands(addReals(WEB, "10.0.2.4=1"))
                        .setWaitProgrammedFleetWide(true)
                        .setWaitTimeoutMs(30_000)
                        .build());
        assertEquals(
                3,
                after.getProgrammed().getNodesProgrammed(),
                after.getProgrammed().toString());
        assertEquals(4, AgentFleetTest.count(sameMapsEverywhere(), "reals"));
        fleetStatus("lb1")
                .forEach((id, n) ->
                        assertTrue(n.getRole() == PeerRole.LEADER || n.getRole() == PeerRole.FOLLOWER, id + ": " + n));
    }

    @Test
    void refusalsChangeNothing() throws Exception {
        ControlServiceGrpc.ControlServiceBlockingStub lb2 = fleet.control("lb2", "alice");
        refused(
                Status.Code.INVALID_ARGUMENT,
                "node lb9 is not a peer of the fleet config [lb1, lb2, lb3]",
                () -> lb2.leaveFleet(
                        LeaveFleetRequest.newBuilder().setNodeId("lb9").build()));
        refused(
                Status.Code.INVALID_ARGUMENT,
                "node lb9 is not a peer of the fleet config [lb1, lb2, lb3]",
                () -> lb2.joinFleet(
                        JoinFleetRequest.newBuilder().setNodeId("lb9").build()));
        StatusRuntimeException denied = assertThrows(
                StatusRuntimeException.class,
                () -> fleet.control("lb2", "bob")
                        .leaveFleet(
                                LeaveFleetRequest.newBuilder().setNodeId("lb3").build()));
        assertEquals(Status.Code.PERMISSION_DENIED, denied.getStatus().getCode(), denied.toString());
        Map<String, NodeStatus> status = fleetStatus("lb2");
        assertEquals(NODES, List.copyOf(status.keySet()));
        status.forEach((id, n) -> assertTrue(n.getRole() != PeerRole.NOT_MEMBER, id + ": " + n));
        refused(
                Status.Code.FAILED_PRECONDITION,
                "node lb1 is already in the Raft configuration",
                () -> lb2.joinFleet(
                        JoinFleetRequest.newBuilder().setNodeId("lb1").build()));
    }

    private static void refused(Status.Code code, String message, Runnable call) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call::run);
        assertEquals(code, e.getStatus().getCode(), e.toString());
        assertTrue(
                e.getStatus().getDescription().startsWith(message),
                e.getStatus().getDescription());
    }

    private static Map<String, NodeStatus> fleetStatus(String via) throws Exception {
        Map<String, NodeStatus> out = new TreeMap<>();
        for (NodeStatus n : fleet.control(via, "bob")
                .getStatus(GetStatusRequest.newBuilder().setFleetWide(true).build())
                .getNodesList()) {
            out.put(n.getNodeId(), n);
        }
        return out;
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
