package io.ringfleet.agent.api;

import static io.ringfleet.state.testing.Commands.TCP;
import static io.ringfleet.state.testing.Commands.addVip;
import static io.ringfleet.state.testing.Commands.applyRequest;
import static io.ringfleet.state.testing.Commands.vip;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringfleet.agent.fleet.FleetSettingsSeed;
import io.ringfleet.agent.security.DevCertificateAuthority;
import io.ringfleet.agent.security.RateLimitedLog;
import io.ringfleet.agent.security.Role;
import io.ringfleet.agent.security.TestPki;
import io.ringfleet.agent.security.TlsMaterial;
import io.ringfleet.agent.security.probes.SecurityProbeSummary;
import io.ringfleet.api.ApplyResponse;
import io.ringfleet.api.BatchAudited;
import io.ringfleet.api.BatchReply;
import io.ringfleet.api.Command;
import io.ringfleet.api.CommandBatch;
import io.ringfleet.api.ReplyCode;
import io.ringfleet.api.VipKey;
import io.ringfleet.state.FleetImage;
import io.ringfleet.state.FleetLimits;
import io.ringfleet.state.FleetPeer;
import io.ringfleet.state.FleetSettings;
import io.ringfleet.state.FleetVersions;
import io.ringfleet.state.command.BatchLimits;
import io.ringfleet.state.raft.FleetClient;
import io.ringfleet.state.raft.FleetNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Who may speak on the Raft port, and what an entry records about who wrote it. A real three-node fleet on
 * loopback (Ratis over gRPC with mutual TLS), attacked with a certificate the fleet CA really signed for
 * {@code OU=node, CN=rogue}: a node certificate, but not a configured peer's.
 */
class RaftPeerIdentityTest {
    private static final String FORGED = "admin@corp (forged)";
    private static Path storage;
    private static LoopbackFleet fleet;
    private static TlsMaterial rogue;
    private static final AtomicInteger VIPS = new AtomicInteger();

    @BeforeAll
    static void start() throws Exception {
        storage = Files.createTempDirectory("ringfleet-peer-identity-");
        TestPki pki = TestPki.create(storage.resolve("pki"));
        new DevCertificateAuthority(pki.dir).issue(Role.NODE, "rogue", List.of(), 30, false);
        rogue = pki.material("rogue");
        fleet = LoopbackFleet.start(pki, 3, storage.resolve("data"));
    }

    @AfterAll
    static void stop() throws IOException {
        if (fleet != null) {
            fleet.close();
        }
        try (Stream<Path> walk = Files.walk(storage)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    @Tag(SecurityProbeSummary.TAG)
    void aRogueNodeCertificateCannotWriteToTheLog() throws Exception {
        long before = stateIndex("lb1");
        fleet.raftRefusals.clear();
        CommandBatch forged = CommandBatch.newBuilder()
                .addCommands(addVip(freshVip()))
                .setPrincipal(FORGED)
                .setViaNode("lb1")
                .setTimestampMillis(1)
                .setRequestId("forged-1")
                .build();
        try (FleetClient intruder = client(rogue, fleet.group(), fleet.refusalLog("rogue-client"))) {
            assertThrows(IOException.class, () -> intruder.submit(forged));
        }
        assertEquals(before, stateIndex("lb1"), "nothing the rogue sent was applied");
        assertTrue(
                refusalNaming("the client certificate CN=rogue (node) is not a configured peer's"),
                "a peer logged the refused handshake: " + fleet.raftRefusals);
    }

    @Test
    @Tag(SecurityProbeSummary.TAG)
    void aRogueNodeCannotJoinAsAPeer() throws Exception {
        fleet.raftRefusals.clear();
        long termBefore =
                fleet.agent(fleet.leaderId()).node().stateMachine().image().term();
        Map<String, String> peers = new LinkedHashMap<>(fleet.raftAddresses());
        peers.put("rogue", "127.0.0.1:" + LoopbackFleet.freePort());
        Map<String, String> hosts = new LinkedHashMap<>(fleet.raftHosts());
        hosts.put("rogue", "127.0.0.1");
        try (FleetNode wouldBe = FleetNode.builder()
                .peerId("rogue")
                .peers(peers)
                .storageDir(Files.createDirectories(storage.resolve("rogue")))
                .tls(rogue.raftTlsConfig(hosts))
                .build()) {
            wouldBe.start();
            // The rogue campaigns (its group has four voters and no leader): every vote request it sends is a
            // handshake a peer refuses. Wait for the first refusal, however long the machine takes.
            awaitRefusal("the client certificate CN=rogue (node) is not a configured peer's");
        }
        BatchReply ok = write("lb1");
        assertEquals(ReplyCode.OK, ok.getCode(), "the fleet still writes after the rogue's attempts");
    }

    @Test
    @Tag(SecurityProbeSummary.TAG)
    void aPeerRefusesAServerThatIsNotAConfiguredPeer() throws Exception {
        // lb1's client dials "lb2" at an address where the rogue answers: the client side refuses it.
        int port = LoopbackFleet.freePort();
        Map<String, String> rogueOnly = Map.of("lb2", "127.0.0.1:" + port);
        List<String> lb1Refusals = Collections.synchronizedList(new ArrayList<>());
        RateLimitedLog lb1Log = new RateLimitedLog(lb1Refusals::add, Duration.ZERO, System::nanoTime);
        try (FleetNode impostor = FleetNode.builder()
                        .peerId("lb2")
                        .peers(rogueOnly)
                        .storageDir(Files.createDirectories(storage.resolve("impostor")))
                        .tls(rogue.raftTlsConfig(Map.of("lb2", "127.0.0.1", "rogue", "127.0.0.1")))
                        .build();
                FleetClient lb1 = client(
                        fleet.pki.material("lb1"), FleetNode.group(FleetNode.DEFAULT_GROUP_ID, rogueOnly), lb1Log)) {
            impostor.start();
            assertThrows(IOException.class, () -> lb1.submit(batch("lb1", 1)));
        }
        assertTrue(
                lb1Refusals.stream().anyMatch(l -> l.contains("the server certificate CN=rogue (node)")),
                "lb1 logged the refused server: " + lb1Refusals);
    }

    @Test
    void aConfiguredPeerCertificateStillWrites() throws Exception {
        assertEquals(ReplyCode.OK, write("lb2").getCode());
    }

    @Test
    @Tag(SecurityProbeSummary.TAG)
    void anotherFleetsGroupIsNotServed() throws Exception {
        RaftGroup otherFleet = FleetNode.group(FleetNode.groupIdOf("other-fleet"), fleet.raftAddresses());
        assertNotEquals(FleetNode.groupIdOf("fleet-a"), FleetNode.groupIdOf("fleet-b"));
        assertEquals(FleetNode.groupIdOf("fleet-a"), FleetNode.groupIdOf("fleet-a"));
        long before = stateIndex("lb1");
        try (FleetClient stranger = client(fleet.pki.material("lb2"), otherFleet, fleet.refusalLog("lb2-client"))) {
            assertThrows(IOException.class, () -> stranger.submit(batch("lb2", 1)));
        }
        assertEquals(before, stateIndex("lb1"));
    }

    @Test
    @Tag(SecurityProbeSummary.TAG)
    void theEntryRecordsTheAuthenticatedCallerAndTheNodeItCameThrough() throws Exception {
        // The API takes no principal: alice's certificate is the principal, lb3 the node it came through.
        ApplyResponse r = fleet.control("lb3", "alice").apply(applyRequest(addVip(freshVip())));
        for (LoopbackFleet.Agent a : fleet.agents()) {
            awaitApplied(a, r.getLogIndex());
            CommandBatch entry = entryAt(a, r.getLogIndex());
            assertEquals("alice", entry.getPrincipal(), a.id);
            assertEquals("lb3", entry.getViaNode(), a.id);
            assertTrue(entry.getTimestampMillis() > 0, a.id);
        }
    }

    @Test
    @Tag(SecurityProbeSummary.TAG)
    void anOversizedBatchWrittenStraightToTheLogIsRejectedByEveryReplica() throws Exception {
        BatchReply reply;
        try (FleetClient node = client(fleet.pki.material("lb2"), fleet.group(), fleet.refusalLog("lb2-client"))) {
            // The size check is a rule of fleet version 2: the fleet's settings at that version come first (a
            // set-if-absent bootstrap, as every agent sends at start).
            BatchReply settings = node.submit(withCommand("lb2", bootstrapAtSupportedVersion()));
            assertEquals(ReplyCode.OK, settings.getCode(), settings.toString());
            for (LoopbackFleet.Agent a : fleet.agents()) {
                awaitApplied(a, settings.getLogIndex());
            }
            long stateBefore = stateIndex("lb1");
            reply = node.submit(batch("lb2", 3 * BatchLimits.MAX_COMMANDS));
            assertOversizedRejectedEverywhere(reply, stateBefore);
        }
    }

    private static Command bootstrapAtSupportedVersion() {
        List<FleetPeer> peers = new ArrayList<>();
        for (RaftPeer p : fleet.group().getPeers()) {
            peers.add(new FleetPeer(p.getId().toString(), p.getAddress(), p.getAddress(), ""));
        }
        peers.sort(Comparator.comparing(FleetPeer::id));
        return new FleetSettingsSeed(FleetSettings.of(FleetLimits.DEFAULT, peers), FleetVersions.SUPPORTED).bootstrap();
    }

    private static CommandBatch withCommand(String via, Command command) {
        return batch(via, 0).toBuilder().addCommands(command).build();
    }

    private static void assertOversizedRejectedEverywhere(BatchReply reply, long stateBefore) throws Exception {
        assertEquals(ReplyCode.INVALID_ARGUMENT, reply.getCode(), reply.toString());
        assertTrue(
                reply.getMessage().contains("at most " + BatchLimits.MAX_COMMANDS + " per batch"), reply.getMessage());
        byte[] digest = null;
        for (LoopbackFleet.Agent a : fleet.agents()) {
            FleetImage image = awaitApplied(a, reply.getLogIndex());
            assertEquals(stateBefore, image.stateIndex(), a.id + " applied none of it");
            if (digest == null) {
                digest = image.digest();
            }
            assertArrayEquals(digest, image.digest(), a.id + " has the same state as the others");
            BatchAudited audited = image.history().newest(1).get(0);
            assertEquals(reply.getLogIndex(), audited.getLogIndex(), a.id);
            assertEquals(ReplyCode.INVALID_ARGUMENT, audited.getCode(), a.id + " recorded the rejection");
            assertEquals(reply.getMessage(), audited.getMessage(), a.id + " recorded the same rejection");
        }
    }

    // ---- helpers ----

    private static FleetClient client(TlsMaterial tls, RaftGroup group, RateLimitedLog refusals) {
        return FleetClient.builder(group)
                .tls(tls.raftTlsConfig(fleet.raftHosts(), refusals))
                .leaderHint(RaftPeerId.valueOf(
                        group.getPeers().iterator().next().getId().toString()))
                .maxAttempts(3)
                .retrySleepMs(50)
                .requestTimeoutMs(3000)
                .build();
    }

    private static BatchReply write(String via) throws Exception {
        try (FleetClient node = client(fleet.pki.material(via), fleet.group(), fleet.refusalLog(via + "-client"))) {
            return node.submit(batch(via, 1));
        }
    }

    /** A well-formed batch of {@code commands} new VIPs, written by node {@code via} itself. */
    private static CommandBatch batch(String via, int commands) {
        CommandBatch.Builder b = CommandBatch.newBuilder()
                .setPrincipal(via)
                .setViaNode(via)
                .setTimestampMillis(System.currentTimeMillis())
                .setRequestId("direct-" + via + "-" + VIPS.incrementAndGet());
        for (int i = 0; i < commands; i++) {
            b.addCommands(addVip(freshVip()));
        }
        return b.build();
    }

    private static VipKey freshVip() {
        int n = VIPS.incrementAndGet();
        return vip("10.99." + (n / 250) + "." + (n % 250 + 1), 80, TCP);
    }

    private static long stateIndex(String id) {
        return fleet.agent(id).node().stateMachine().image().stateIndex();
    }

    private static boolean refusalNaming(String text) {
        synchronized (fleet.raftRefusals) {
            return fleet.raftRefusals.stream().anyMatch(l -> l.contains(text));
        }
    }

    /** Waits (up to a minute, never asserting on time) until some peer logged a refusal naming {@code text}. */
    private static void awaitRefusal(String text) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (!refusalNaming(text)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no peer refused the handshake; refusals: " + fleet.raftRefusals);
            }
            Thread.sleep(50);
        }
    }

    private static FleetImage awaitApplied(LoopbackFleet.Agent a, long index) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        FleetImage image = a.node().stateMachine().image();
        while (image.index() < index) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(a.id + " did not apply index " + index + " (at " + image.index() + ")");
            }
            Thread.sleep(20);
            image = a.node().stateMachine().image();
        }
        return image;
    }

    private static CommandBatch entryAt(LoopbackFleet.Agent a, long index) throws Exception {
        LogEntryProto entry = a.node()
                .server()
                .getDivision(fleet.group().getGroupId())
                .getRaftLog()
                .get(index);
        return CommandBatch.parseFrom(
                entry.getStateMachineLogEntry().getLogData().toByteArray());
    }
}
