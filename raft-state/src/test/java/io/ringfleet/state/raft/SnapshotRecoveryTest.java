package io.ringfleet.state.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringfleet.api.BatchReply;
import io.ringfleet.api.CommandBatch;
import io.ringfleet.api.StateStatus;
import io.ringfleet.state.FleetImage;
import io.ringfleet.state.FleetLimits;
import io.ringfleet.state.RandomBatches;
import io.ringfleet.state.store.SnapshotFile;
import io.ringfleet.state.testing.Commands;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A peer whose snapshot is corrupt on disk never loads it: it says so (ERROR log, the file renamed
 * {@code .corrupt-<millis>}) and recovers from what it still has, or from its peers.
 */
class SnapshotRecoveryTest {
    static final FleetLimits LIMITS = RandomBatches.LIMITS;
    static final Duration CONVERGE = Duration.ofSeconds(30);

    @TempDir
    Path root;

    private final ClusterModel model = new ClusterModel(77);

    @Test
    void aCorruptNewestSnapshotIsRefusedAndThePreviousOnePlusTheLogRebuildTheState() throws Exception {
        // Defaults for purging: the log is kept for one snapshot interval behind each snapshot.
        try (TestCluster cluster = new TestCluster(
                root,
                3,
                LIMITS,
                b -> b.snapshotThreshold(1_000_000)
                        .purgePreservation(1_000_000)
                        .raftProperties(p -> RaftServerConfigKeys.Snapshot.setTriggerWhenStopEnabled(p, false)))) {
            cluster.startAll();
            String victim = "p2";
            submit(cluster, 60);
            long older = snapshot(cluster, victim);
            submit(cluster, 40);
            long newer = snapshot(cluster, victim);
            assertTrue(newer > older);
            cluster.stop(victim);
            SnapshotFile damaged = snapshotAt(cluster, victim, newer);
            flipByte(damaged.path());
            submit(cluster, 30);

            cluster.start(victim);
            Map<String, StateStatus> statuses = checkConverged(cluster);
            FleetStateMachine sm = cluster.node(victim).stateMachine();
            List<SnapshotFile> left = sm.snapshotStore().list();
            // the genesis snapshot (the empty image at index 0, written when the storage was new) stays too
            assertEquals(
                    List.of(FleetImage.EMPTY.index(), older),
                    left.stream().map(SnapshotFile::index).toList(),
                    "the corrupt one is gone");
            assertTrue(
                    quarantined(damaged.path()), "the refused file is kept aside as " + damaged.path() + ".corrupt-*");
            assertEquals(older, statuses.get(victim).getSnapshotIndex());
        }
    }

    @Test
    void whenTheLogNoLongerCoversTheGapTheStartIsRefusedAndAnEmptiedPeerRecoversFromTheLeader() throws Exception {
        try (TestCluster cluster = new TestCluster(
                root,
                3,
                LIMITS,
                b -> b.snapshotThreshold(1_000_000)
                        .purgeUpToSnapshotIndex(true)
                        .purgeGap(1)
                        .purgePreservation(0)
                        .segmentSizeMax(8 * 1024)
                        .raftProperties(p -> RaftServerConfigKeys.Snapshot.setTriggerWhenStopEnabled(p, false)))) {
            cluster.startAll();
            String victim = "p3";
            submit(cluster, 120);
            long only = snapshot(cluster, victim);
            awaitLogPurged(cluster.dir(victim));
            cluster.stop(victim);
            SnapshotFile damaged = snapshotAt(cluster, victim, only);
            flipByte(damaged.path());
            submit(cluster, 20);

            FleetNode refused = cluster.builder(victim).build();
            Exception e = assertThrows(Exception.class, refused::start);
            String message = causes(e);
            assertTrue(
                    message.contains("a corrupt snapshot was refused")
                            && message.contains("clear its storage directory"),
                    message);
            refused.close();
            assertTrue(quarantined(damaged.path()));

            // What the message says to do: leave the group, clear the directory, start, rejoin; the leader then
            // tracks it as a new follower and installs its snapshot.
            cluster.setConfiguration(
                    cluster.ids().stream().filter(id -> !id.equals(victim)).toList());
            for (String id : cluster.ids()) {
                if (cluster.isRunning(id)) {
                    snapshot(cluster, id);
                    awaitLogPurged(cluster.dir(id));
                }
            }
            cluster.wipe(victim);
            cluster.start(victim);
            cluster.setConfiguration(cluster.ids());
            Map<String, StateStatus> statuses = checkConverged(cluster);
            assertTrue(
                    statuses.get(victim).getSnapshotIndex() > only,
                    "installed from the leader: " + statuses.get(victim));
        }
    }

    @Test
    void aRetriedWriteWithTheSameClientAndCallIdIsAppliedOnce() throws Exception {
        try (TestCluster cluster = new TestCluster(root, 1, LIMITS, b -> {})) {
            cluster.startAll();
            FleetClient client = cluster.client();
            client.status(); // waits for the leader
            CommandBatch add = Commands.batch(Commands.addVip(Commands.vip("10.200.0.1", 80, Commands.TCP)));
            org.apache.ratis.protocol.RaftClientRequest request =
                    org.apache.ratis.protocol.RaftClientRequest.newBuilder()
                            .setClientId(client.clientId())
                            .setServerId(RaftPeerId.valueOf("p1"))
                            .setGroupId(cluster.group().getGroupId())
                            .setCallId(org.apache.ratis.rpc.CallId.getAndIncrement())
                            .setMessage(org.apache.ratis.protocol.Message.valueOf(
                                    org.apache.ratis.thirdparty.com.google.protobuf.ByteString.copyFrom(
                                            add.toByteArray())))
                            .setType(org.apache.ratis.protocol.RaftClientRequest.writeRequestType())
                            .build();
            RaftClientReply first = client.raftClient().getClientRpc().sendRequest(request);
            RaftClientReply retry = client.raftClient().getClientRpc().sendRequest(request);
            BatchReply a = BatchReply.parseFrom(first.getMessage().getContent().toByteArray());
            BatchReply b = BatchReply.parseFrom(retry.getMessage().getContent().toByteArray());
            assertEquals(io.ringfleet.api.ReplyCode.OK, a.getCode());
            assertEquals(a, b, "the retry cache answers the retry with the first reply");
            assertEquals(first.getLogIndex(), retry.getLogIndex());
            StateStatus status = client.status();
            assertEquals(1, status.getBatchesApplied());
            assertEquals(0, status.getBatchesRejected());

            // The same batch under a new call id is a new write: it is validated again (and rejected).
            BatchReply again = client.submit(add);
            assertEquals(io.ringfleet.api.ReplyCode.ALREADY_EXISTS, again.getCode());
            assertEquals(1, client.status().getBatchesRejected());
        }
    }

    // ---- helpers ----

    private void submit(TestCluster cluster, int n) throws IOException {
        for (int i = 0; i < n; i++) {
            CommandBatch batch = model.next();
            model.expect(batch, cluster.client().submit(batch), null);
        }
    }

    private Map<String, StateStatus> checkConverged(TestCluster cluster) throws Exception {
        Map<String, StateStatus> statuses = cluster.awaitSameAppliedIndex(CONVERGE);
        model.assertDigests(cluster, statuses, TestCluster.describe(statuses));
        assertEquals(cluster.ids().size(), statuses.size());
        return statuses;
    }

    private static long snapshot(TestCluster cluster, String id) throws IOException {
        RaftClientReply r = cluster.client()
                .raftClient()
                .getSnapshotManagementApi(RaftPeerId.valueOf(id))
                .create(true, 20_000);
        assertTrue(r.isSuccess(), "snapshot on " + id + ": " + r);
        return r.getLogIndex();
    }

    private static SnapshotFile snapshotAt(TestCluster cluster, String id, long index) throws IOException {
        try (Stream<Path> walk = Files.walk(cluster.dir(id))) {
            return walk.map(SnapshotFile::parse)
                    .flatMap(Optional::stream)
                    .filter(f -> f.index() == index)
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no snapshot at " + index + " under " + cluster.dir(id)));
        }
    }

    private static void awaitLogPurged(Path peerDir) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (RatisDeterminismTest.firstLogIndex(peerDir) == 0) {
            assertTrue(System.nanoTime() < deadline, "the log of " + peerDir + " was not purged");
            Thread.sleep(50);
        }
    }

    private static void flipByte(Path file) throws IOException {
        byte[] b = Files.readAllBytes(file);
        b[b.length / 2] ^= 0x5a;
        Files.write(file, b);
    }

    private static boolean quarantined(Path file) throws IOException {
        try (Stream<Path> s = Files.list(file.getParent())) {
            return s.anyMatch(p -> p.getFileName().toString().startsWith(file.getFileName() + ".corrupt-"));
        }
    }

    private static String causes(Throwable t) {
        StringBuilder b = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            b.append(c).append(" / ");
        }
        assertFalse(b.isEmpty());
        return b.toString();
    }
}
