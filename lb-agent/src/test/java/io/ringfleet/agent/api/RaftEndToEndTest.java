package io.ringfleet.agent.api;

import static io.ringfleet.state.testing.Commands.TCP;
import static io.ringfleet.state.testing.Commands.addReals;
import static io.ringfleet.state.testing.Commands.addVip;
import static io.ringfleet.state.testing.Commands.applyRequest;
import static io.ringfleet.state.testing.Commands.removeVip;
import static io.ringfleet.state.testing.Commands.setWeights;
import static io.ringfleet.state.testing.Commands.vip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.ringfleet.agent.cli.LbctlRunner;
import io.ringfleet.agent.security.TestPki;
import io.ringfleet.api.ApplyRequest;
import io.ringfleet.api.ApplyResponse;
import io.ringfleet.api.Command;
import io.ringfleet.api.CommandBatch;
import io.ringfleet.api.ControlServiceGrpc.ControlServiceBlockingStub;
import io.ringfleet.api.DrainNode;
import io.ringfleet.api.GetDigestsRequest;
import io.ringfleet.api.GetDigestsResponse;
import io.ringfleet.api.GetStatusRequest;
import io.ringfleet.api.GetStatusResponse;
import io.ringfleet.api.GetVipRequest;
import io.ringfleet.api.GetVipResponse;
import io.ringfleet.api.ListNodesRequest;
import io.ringfleet.api.NodeInfo;
import io.ringfleet.api.NodeStatus;
import io.ringfleet.api.ReadConsistency;
import io.ringfleet.api.ReadOptions;
import io.ringfleet.api.VipKey;
import io.ringfleet.api.katran.KatranServiceGrpc.KatranServiceBlockingStub;
import io.ringfleet.api.katran.OneRealForVip;
import io.ringfleet.api.katran.RealWithWeight;
import io.ringfleet.api.katran.VipId;
import io.ringfleet.api.katran.VipWithFlags;
import io.ringfleet.state.raft.FleetClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * End to end over a real 3-peer Ratis cluster on loopback (mutual TLS everywhere: API and Raft), through
 * the agents' APIs and lbctl: writes through any node, reads on every node, rejections identical on
 * every replica, roles, the principal in the log, fleet-wide waits and status. The test that stops a node
 * runs last.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RaftEndToEndTest {
    static Path storage;
    static LoopbackFleet fleet;
    static final AtomicInteger NEXT_VIP = new AtomicInteger(1);

    @BeforeAll
    static void startFleet() throws Exception {
        storage = Files.createTempDirectory("ringfleet-api-e2e-");
        fleet = LoopbackFleet.start(TestPki.shared(), 3, storage);
    }

    @AfterAll
    static void stopFleet() throws IOException {
        if (fleet != null) {
            fleet.close();
        }
        try (var walk = Files.walk(storage)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** A VIP no other test uses (the fleet is shared by the tests of this class). */
    private static VipKey freshVip() {
        return vip("10.77.0." + NEXT_VIP.getAndIncrement(), 80, TCP);
    }

    private static ControlServiceBlockingStub as(String agent, String cert) throws Exception {
        return fleet.control(agent, cert);
    }

    private static GetDigestsResponse digests(String agent, long minApplied) throws Exception {
        return as(agent, "bob")
                .getDigests(GetDigestsRequest.newBuilder()
                        .setRead(ReadOptions.newBuilder()
                                .setConsistency(ReadConsistency.LOCAL)
                                .setMinAppliedIndex(minApplied))
                        .build());
    }

    /** Every node at (at least) the index, with the same state and the same rings. */
    private static GetDigestsResponse assertSameEverywhere(long index) throws Exception {
        GetDigestsResponse first = null;
        for (LoopbackFleet.Agent a : fleet.agents()) {
            if (!a.running) {
                continue;
            }
            GetDigestsResponse d = digests(a.id, index);
            if (first == null) {
                first = d;
            } else {
                assertEquals(first.getStateDigest(), d.getStateDigest(), a.id + " state differs");
                assertEquals(first.getRingsDigest(), d.getRingsDigest(), a.id + " rings differ");
                assertEquals(first.getStamp().getStateIndex(), d.getStamp().getStateIndex());
            }
        }
        return first;
    }

    @Test
    @Order(1)
    void aWriteThroughAnyNodeIsReadOnEveryNodeWithEqualDigests() throws Exception {
        VipKey vip = freshVip();
        String follower = fleet.agents().stream()
                .map(a -> a.id)
                .filter(id -> !id.equals(fleet.leaderId()))
                .findFirst()
                .orElseThrow();
        ApplyResponse r = as(follower, "alice")
                .apply(applyRequest(addVip(vip), addReals(vip, "10.1.0.1=3"), addReals(vip, "10.1.0.2=4")));
        assertTrue(r.getLogIndex() > 0);
        assertTrue(r.getTerm() > 0, "the term of the entry is known");
        for (LoopbackFleet.Agent a : fleet.agents()) {
            GetVipResponse v = as(a.id, "bob")
                    .getVip(GetVipRequest.newBuilder().setVip(vip).build());
            assertEquals(a.id, v.getStamp().getNodeId());
            assertTrue(v.getStamp().getAppliedIndex() >= r.getLogIndex(), "a linearizable read sees the write");
            assertEquals(
                    List.of(3, 4),
                    v.getVip().getRealsList().stream().map(x -> x.getWeight()).toList());
            assertFalse(v.getVip().getRingDigest().isEmpty());
        }
        GetDigestsResponse d = assertSameEverywhere(r.getLogIndex());
        assertNotEquals(ByteString.EMPTY, d.getRingsDigest());
    }

    @Test
    @Order(2)
    void badInputIsRejectedWithTheSameMessageAndNoReplicaChanges() throws Exception {
        VipKey vip = freshVip();
        ApplyResponse ok = as("lb1", "alice").apply(applyRequest(addVip(vip), addReals(vip, "10.2.0.1=1")));
        GetDigestsResponse before = assertSameEverywhere(ok.getLogIndex());

        record Case(Status.Code code, String message, Command command) {}
        List<Case> cases = List.of(
                new Case(
                        Status.Code.INVALID_ARGUMENT,
                        "command 0 (add_reals): real address \"10.2.0.999\" is not a valid IP"
                                + " address (IPv4 octet 999 is above 255): write IPv4 as a.b.c.d and IPv6 as e.g. 2001:db8::1, without"
                                + " zone or brackets",
                        addReals(vip, "10.2.0.999=1")),
                new Case(
                        Status.Code.NOT_FOUND,
                        "command 0 (remove_vip): vip 10.99.99.99:80/tcp does not exist",
                        removeVip(vip("10.99.99.99", 80, TCP))),
                new Case(
                        Status.Code.INVALID_ARGUMENT,
                        "command 0 (set_real_weights): weight 65536 of real 10.2.0.1 is out of"
                                + " range: allowed 0..65535 (0 keeps the real in the vip but out of its ring)",
                        setWeights(vip, "10.2.0.1=65536")),
                new Case(
                        Status.Code.ALREADY_EXISTS,
                        "command 0 (add_vip): vip " + vip.getAddress() + ":80/tcp already exists",
                        addVip(vip)));
        int i = 0;
        for (Case c : cases) {
            String through = "lb" + (i++ % 3 + 1);
            StatusRuntimeException e = assertThrows(
                    StatusRuntimeException.class, () -> as(through, "alice").apply(applyRequest(c.command())));
            assertEquals(c.code(), e.getStatus().getCode(), through + ": " + e.getStatus());
            assertTrue(
                    e.getStatus().getDescription().startsWith(c.message()),
                    e.getStatus().getDescription());
        }
        ApplyRequest.Builder oversize = ApplyRequest.newBuilder();
        for (int n = 0; n <= BatchWriter.MAX_COMMANDS; n++) {
            oversize.addCommands(removeVip(vip));
        }
        StatusRuntimeException big = assertThrows(
                StatusRuntimeException.class, () -> as("lb2", "alice").apply(oversize.build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, big.getStatus().getCode());

        // Rejected entries still take log indexes; the state and the rings do not move on any replica.
        long applied = as("lb1", "bob")
                .getStatus(GetStatusRequest.getDefaultInstance())
                .getSelf()
                .getAppliedIndex();
        GetDigestsResponse after = assertSameEverywhere(applied);
        assertEquals(before.getStateDigest(), after.getStateDigest());
        assertEquals(before.getRingsDigest(), after.getRingsDigest());
        assertEquals(before.getStamp().getStateIndex(), after.getStamp().getStateIndex());
    }

    @Test
    @Order(3)
    void theCallersPrincipalTravelsInTheLogToEveryReplica() throws Exception {
        ApplyResponse r = as("lb3", "alice")
                .apply(applyRequest(Command.newBuilder()
                        .setDrainNode(DrainNode.newBuilder().setNodeId("lb-x").setReason("maintenance"))
                        .build()));
        for (LoopbackFleet.Agent a : fleet.agents()) {
            NodeInfo n = as(a.id, "bob")
                    .listNodes(ListNodesRequest.newBuilder()
                            .setRead(ReadOptions.newBuilder()
                                    .setConsistency(ReadConsistency.LOCAL)
                                    .setMinAppliedIndex(r.getLogIndex()))
                            .build())
                    .getNodes(0);
            assertEquals("alice", n.getDrainedBy());
            assertEquals("maintenance", n.getDrainReason());
            assertTrue(Math.abs(n.getDrainedAtMillis() - System.currentTimeMillis()) < 60_000);
        }
    }

    @Test
    @Order(4)
    void readOnlyCertificateCannotWriteThroughAnyNode() throws Exception {
        long stateBefore = digests("lb1", 0).getStamp().getStateIndex();
        for (LoopbackFleet.Agent a : fleet.agents()) {
            StatusRuntimeException e = assertThrows(
                    StatusRuntimeException.class, () -> as(a.id, "bob").apply(applyRequest(addVip(freshVip()))));
            assertEquals(Status.Code.PERMISSION_DENIED, e.getStatus().getCode());
        }
        assertEquals(stateBefore, digests("lb1", 0).getStamp().getStateIndex());
    }

    @Test
    @Order(5)
    void anOperatorCertificateCannotSpeakRaft() throws Exception {
        try (FleetClient node = FleetClient.builder(fleet.group())
                .tls(fleet.pki.material("lb2").raftTlsConfig(fleet.raftHosts()))
                .maxAttempts(20)
                .retrySleepMs(50)
                .requestTimeoutMs(3000)
                .build()) {
            CommandBatch batch = CommandBatch.newBuilder()
                    .addCommands(addVip(freshVip()))
                    .setPrincipal("lb2")
                    .setViaNode("lb2")
                    .setTimestampMillis(System.currentTimeMillis())
                    .setRequestId("direct-lb2")
                    .build();
            assertEquals(
                    io.ringfleet.api.ReplyCode.OK, node.submit(batch).getCode(), "a node certificate does speak Raft");
        }
        try (FleetClient intruder = FleetClient.builder(fleet.group())
                .tls(fleet.pki.material("alice").raftTlsConfig(fleet.raftHosts()))
                .maxAttempts(2)
                .retrySleepMs(10)
                .requestTimeoutMs(2000)
                .build()) {
            CommandBatch batch = CommandBatch.newBuilder()
                    .addCommands(addVip(freshVip()))
                    .setPrincipal("alice")
                    .build();
            assertThrows(IOException.class, () -> intruder.submit(batch));
        }
    }

    @Test
    @Order(6)
    void waitFleetWideReturnsWhenEveryNodeHasTheEntry() throws Exception {
        VipKey vip = freshVip();
        ApplyResponse r = as("lb2", "alice")
                .apply(ApplyRequest.newBuilder()
                        .addCommands(addVip(vip))
                        .setWaitProgrammedFleetWide(true)
                        .setWaitTimeoutMs(20_000)
                        .build());
        assertFalse(r.getProgrammed().getTimedOut(), r.getProgrammed().toString());
        assertEquals(3, r.getProgrammed().getNodesLive());
        assertEquals(3, r.getProgrammed().getNodesProgrammed());
        for (LoopbackFleet.Agent a : fleet.agents()) {
            assertTrue(a.node().stateMachine().image().index() >= r.getLogIndex(), a.id + " had not applied it");
        }
    }

    @Test
    @Order(7)
    void fleetStatusListsEveryNodeWithOneLeader() throws Exception {
        GetStatusResponse s = as("lb1", "bob")
                .getStatus(GetStatusRequest.newBuilder().setFleetWide(true).build());
        assertEquals(
                List.of("lb1", "lb2", "lb3"),
                s.getNodesList().stream().map(NodeStatus::getNodeId).toList());
        assertTrue(s.getNodesList().stream().allMatch(NodeStatus::getLive), s.toString());
        assertEquals(
                1,
                s.getNodesList().stream()
                        .filter(n -> n.getRole() == io.ringfleet.api.PeerRole.LEADER)
                        .count());
        assertEquals(fleet.leaderId(), s.getLeaderId());
        Set<Long> terms = new HashSet<>();
        s.getNodesList().forEach(n -> terms.add(n.getTerm()));
        assertEquals(1, terms.size());
    }

    @Test
    @Order(8)
    void katranWritesThroughOneNodeShowInControlServiceReadsOfAnother() throws Exception {
        KatranServiceBlockingStub katran = fleet.katran("lb3", "alice");
        VipId vip = VipId.newBuilder()
                .setAddress("10.78.0.1")
                .setPort(443)
                .setProtocol(6)
                .build();
        assertTrue(katran.addVip(VipWithFlags.newBuilder().setVip(vip).build()).getSuccess());
        assertTrue(katran.addRealForVip(OneRealForVip.newBuilder()
                        .setVip(vip)
                        .setReal(RealWithWeight.newBuilder()
                                .setAddress("10.3.0.1")
                                .setWeight(2))
                        .build())
                .getSuccess());
        StatusRuntimeException again = assertThrows(
                StatusRuntimeException.class,
                () -> katran.addVip(VipWithFlags.newBuilder().setVip(vip).build()));
        assertEquals(Status.Code.CANCELLED, again.getStatus().getCode(), "Katran answers a refused write CANCELLED");
        assertTrue(again.getStatus().getDescription().contains("already exists"), again.getMessage());
        GetVipResponse v = as("lb1", "bob")
                .getVip(GetVipRequest.newBuilder()
                        .setVip(vip("10.78.0.1", 443, TCP))
                        .build());
        assertEquals("10.3.0.1", v.getVip().getReals(0).getAddress());
        assertEquals(2, v.getVip().getReals(0).getWeight());
    }

    @Test
    @Order(9)
    void lbctlAgainstTheFleet() throws Exception {
        LbctlRunner lb1 = new LbctlRunner(fleet.agent("lb1").target(), fleet.pki.ca(), fleet.pki.dir);
        LbctlRunner lb2 = new LbctlRunner(fleet.agent("lb2").target(), fleet.pki.ca(), fleet.pki.dir);
        LbctlRunner.Result add = lb1.as("alice", "vip", "add", "udp", "[fc00::9]:443", "--flag", "quic_vip", "--wait");
        assertEquals(0, add.exit(), add.toString());
        assertTrue(add.out().contains("programmed: 3/3 live nodes"), add.out());
        LbctlRunner.Result real = lb2.as("alice", "real", "add", "udp", "[fc00::9]:443", "fc00::100", "-w", "7");
        assertEquals(0, real.exit(), real.toString());
        LbctlRunner.Result show = lb2.as("bob", "real", "list", "udp", "[fc00::9]:443");
        assertEquals(0, show.exit(), show.toString());
        assertTrue(show.outLines().get(1).matches("fc00::100\\s+\\d+\\s+7"), show.out());

        LbctlRunner.Result rejected = lb2.as("alice", "real", "add", "udp", "[fc00::9]:443", "10.0.0.1");
        assertEquals(3, rejected.exit(), rejected.toString());
        assertEquals(
                "lbctl: invalid argument: command 0 (add_reals): real 10.0.0.1 is IPv4 but vip [fc00::9]:443/udp is"
                        + " IPv6: an IPv6 vip takes only IPv6 reals (an IPv4 vip takes both)\n",
                rejected.err());
        LbctlRunner.Result denied = lb1.as("bob", "vip", "delete", "udp", "[fc00::9]:443");
        assertEquals(5, denied.exit(), denied.toString());

        LbctlRunner.Result status = lb2.as("bob", "status", "-o", "json");
        assertEquals(0, status.exit(), status.toString());
        GetStatusResponse.Builder parsed = GetStatusResponse.newBuilder();
        io.ringfleet.agent.cli.LbctlJson.merge(status.out(), parsed);
        assertEquals(3, parsed.getNodesCount());
        LbctlRunner.Result table = lb2.as("bob", "status");
        assertEquals(4, table.outLines().size(), table.out());
    }

    @Test
    @Order(100)
    void aStoppedNodeIsReportedDownAndNoLongerHoldsFleetWideWaits() throws Exception {
        String stopped = fleet.agents().stream()
                .map(a -> a.id)
                .filter(id -> !id.equals(fleet.leaderId()))
                .reduce((a, b) -> b)
                .orElseThrow();
        fleet.agent(stopped).stop();
        String through = fleet.agents().stream()
                .map(a -> a.id)
                .filter(id -> !id.equals(stopped))
                .findFirst()
                .orElseThrow();
        Thread.sleep(200);
        GetStatusResponse s = as(through, "bob")
                .getStatus(GetStatusRequest.newBuilder().setFleetWide(true).build());
        NodeStatus down = s.getNodesList().stream()
                .filter(n -> n.getNodeId().equals(stopped))
                .findFirst()
                .orElseThrow();
        assertFalse(down.getLive());
        assertTrue(down.getError().startsWith("no answer: "), down.getError());

        ApplyResponse r = as(through, "alice")
                .apply(ApplyRequest.newBuilder()
                        .addCommands(addVip(freshVip()))
                        .setWaitProgrammedFleetWide(true)
                        .setWaitTimeoutMs(20_000)
                        .build());
        assertFalse(r.getProgrammed().getTimedOut(), r.getProgrammed().toString());
        assertEquals(2, r.getProgrammed().getNodesLive());
        List<String> ids = new ArrayList<>();
        r.getProgrammed().getLaggingNodesList().forEach(ids::add);
        assertTrue(ids.isEmpty());
    }
}
