package io.ringfleet.state.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringfleet.api.BatchAudited;
import io.ringfleet.api.BatchReply;
import io.ringfleet.api.CommandBatch;
import io.ringfleet.api.ReplyCode;
import io.ringfleet.state.FleetImage;
import io.ringfleet.state.FleetLimits;
import io.ringfleet.state.testing.Commands;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit trail on real Ratis peers: every batch, applied or rejected, is in every replica's image, the same
 * everywhere; and it survives a snapshot and a restart of every peer after the log that wrote it was purged, so
 * what the peers hold then can only have come from the snapshot.
 */
class HistoryReplicationTest {
    private static final FleetLimits LIMITS = FleetLimits.DEFAULT;

    @TempDir
    Path root;

    @Test
    void theHistoryIsEqualOnEveryPeerAndSurvivesASnapshotAndARestart() throws Exception {
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
            List<BatchReply> replies = new ArrayList<>();
            List<CommandBatch> sent = new ArrayList<>();
            for (int i = 0; i < 160; i++) {
                // Every fourth batch adds a VIP that exists already: rejected, and in the history all the same.
                int vip = i % 4 == 3 ? i - 1 : i;
                CommandBatch b = Commands.batch(
                        "op" + (i % 3),
                        "req-" + i,
                        Commands.addVip(
                                Commands.vip("10.50." + (vip / 200) + "." + (vip % 200 + 1), 80, Commands.TCP)));
                sent.add(b);
                replies.add(cluster.client().submit(b));
            }
            assertEquals(ReplyCode.ALREADY_EXISTS, replies.get(3).getCode());
            cluster.awaitSameAppliedIndex(Duration.ofSeconds(30));
            List<BatchAudited> before = history(cluster, "p1");
            assertExpected(sent, replies, before);

            for (String id : cluster.ids()) {
                snapshot(cluster, id);
                awaitLogPurged(cluster.dir(id));
            }
            for (String id : cluster.ids()) {
                cluster.stop(id);
            }
            for (String id : cluster.ids()) {
                cluster.start(id);
            }
            cluster.awaitSameAppliedIndex(Duration.ofSeconds(30));
            for (String id : cluster.ids()) {
                assertEquals(before, history(cluster, id), id + " holds the same history after the restart");
            }
        }
    }

    private static void assertExpected(List<CommandBatch> sent, List<BatchReply> replies, List<BatchAudited> history) {
        assertEquals(sent.size(), history.size(), "one entry per batch");
        for (int i = 0; i < sent.size(); i++) {
            BatchAudited e = history.get(i);
            BatchReply r = replies.get(i);
            assertEquals(r.getLogIndex(), e.getLogIndex());
            assertEquals(sent.get(i).getPrincipal(), e.getPrincipal());
            assertEquals(sent.get(i).getViaNode(), e.getViaNode());
            assertEquals(sent.get(i).getRequestId(), e.getRequestId());
            assertEquals(sent.get(i).getTimestampMillis(), e.getTimestampMillis());
            assertEquals(r.getCode(), e.getCode());
            assertEquals(r.getMessage(), e.getMessage());
        }
    }

    private static List<BatchAudited> history(TestCluster cluster, String id) {
        FleetImage image = cluster.node(id).stateMachine().image();
        return image.history().all();
    }

    private static void snapshot(TestCluster cluster, String id) throws Exception {
        RaftClientReply r = cluster.client()
                .raftClient()
                .getSnapshotManagementApi(RaftPeerId.valueOf(id))
                .create(true, 20_000);
        assertTrue(r.isSuccess(), "snapshot on " + id + ": " + r);
    }

    private static void awaitLogPurged(Path peerDir) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (RatisDeterminismTest.firstLogIndex(peerDir) == 0) {
            assertTrue(System.nanoTime() < deadline, "the log of " + peerDir + " was not purged");
            Thread.sleep(50);
        }
    }
}
