package io.ringfleet.state.raft;

import static io.ringfleet.state.testing.Commands.addFilterRule;
import static io.ringfleet.state.testing.Commands.deleteFilterRule;
import static io.ringfleet.state.testing.Commands.dropDns;
import static io.ringfleet.state.testing.Commands.dropFrom;
import static io.ringfleet.state.testing.Commands.setFilterRuleMode;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringfleet.api.BatchReply;
import io.ringfleet.api.CommandBatch;
import io.ringfleet.api.FilterMode;
import io.ringfleet.api.ReplyCode;
import io.ringfleet.state.FleetImage;
import io.ringfleet.state.FleetLimits;
import io.ringfleet.state.FleetVersions;
import io.ringfleet.state.testing.CommandLog;
import io.ringfleet.state.testing.Commands;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pre-filter rules on real Ratis peers (loopback gRPC, real storage): every peer holds the rules the pure core
 * computes for the same batches, with the same digest; and after a snapshot, a purge of the log that wrote them and
 * a restart of every peer, the rules (numbers and modes) can only have come from the snapshot and are still equal.
 */
class FilterRulesRatisTest {
    private static final int PADDING = 80;

    @TempDir
    Path root;

    @Test
    void everyPeerHoldsTheSameRulesBeforeAndAfterASnapshotRestart() throws Exception {
        List<CommandBatch> batches = List.of(
                Commands.batch(Commands.bootstrap(FleetLimits.DEFAULT, FleetVersions.SUPPORTED)),
                Commands.batch(
                        addFilterRule(dropFrom("chargen", "198.51.100.0/24")),
                        addFilterRule(dropDns("flood", "*.flood.example", 0).setMode(FilterMode.FILTER_OBSERVE))),
                Commands.batch(addFilterRule(dropFrom("chargen", "10.0.0.0/8"))), // ALREADY_EXISTS
                Commands.batch(addFilterRule(dropFrom("v6", "2001:db8::/32")), deleteFilterRule("chargen")),
                Commands.batch(setFilterRuleMode("flood", FilterMode.FILTER_ENFORCE)),
                Commands.batch(addFilterRule(dropFrom("reuse", "203.0.113.0/24"))));
        // Then enough other entries to close log segments, so the purge after the snapshot takes the filter writes.
        List<CommandBatch> padding = new java.util.ArrayList<>();
        for (int i = 1; i <= PADDING; i++) {
            padding.add(Commands.batch(
                    Commands.addVip(Commands.vip("10.60." + (i / 200) + "." + (i % 200 + 1), 80, Commands.TCP))));
        }
        CommandLog core = new CommandLog();
        batches.forEach(core::submit);
        padding.forEach(core::submit);
        FleetImage expected = core.image();
        assertEquals(3, expected.filters().size());

        try (TestCluster cluster = new TestCluster(
                root,
                3,
                FleetLimits.DEFAULT,
                b -> b.snapshotThreshold(1_000_000)
                        .purgeUpToSnapshotIndex(true)
                        .purgeGap(1)
                        .purgePreservation(0)
                        .segmentSizeMax(4 * 1024)
                        .raftProperties(p -> RaftServerConfigKeys.Snapshot.setTriggerWhenStopEnabled(p, false)))) {
            cluster.startAll();
            List<ReplyCode> codes = List.of(
                    ReplyCode.OK, ReplyCode.OK, ReplyCode.ALREADY_EXISTS, ReplyCode.OK, ReplyCode.OK, ReplyCode.OK);
            long lastFilterWrite = 0;
            for (int i = 0; i < batches.size(); i++) {
                BatchReply reply = cluster.client().submit(batches.get(i));
                assertEquals(codes.get(i), reply.getCode(), "batch " + i + ": " + reply.getMessage());
                lastFilterWrite = reply.getLogIndex();
            }
            for (CommandBatch b : padding) {
                assertEquals(ReplyCode.OK, cluster.client().submit(b).getCode());
            }
            cluster.awaitSameAppliedIndex(Duration.ofSeconds(30));
            assertEveryPeerHolds(cluster, expected, "after the writes");

            for (String id : cluster.ids()) {
                RaftClientReply r = cluster.client()
                        .raftClient()
                        .getSnapshotManagementApi(RaftPeerId.valueOf(id))
                        .create(true, 20_000);
                assertTrue(r.isSuccess(), "snapshot on " + id + ": " + r);
                awaitLogPurged(cluster.dir(id), lastFilterWrite);
            }
            for (String id : cluster.ids()) {
                cluster.stop(id);
            }
            for (String id : cluster.ids()) {
                cluster.start(id);
            }
            cluster.awaitSameAppliedIndex(Duration.ofSeconds(30));
            assertEveryPeerHolds(cluster, expected, "after a snapshot, a purge and a restart");
            System.out.println("filter-ratis: " + cluster.ids().size() + "/"
                    + cluster.ids().size()
                    + " peers hold the core's " + expected.filters().size()
                    + " filter rules (digest equal) before and after a snapshot restart");
        }
    }

    private static void assertEveryPeerHolds(TestCluster cluster, FleetImage expected, String when) {
        for (String id : cluster.ids()) {
            FleetImage image = cluster.node(id).stateMachine().image();
            assertEquals(expected.filters(), image.filters(), id + " " + when);
            assertTrue(image.sameStateAs(expected), id + " " + when);
            assertEquals(expected.digestHex(), image.digestHex(), id + " " + when);
            assertFalse(image.filters().isEmpty());
        }
    }

    /** Until the peer's log starts after {@code index}: what it holds up to there is in its snapshot only. */
    private static void awaitLogPurged(Path peerDir, long index) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (RatisDeterminismTest.firstLogIndex(peerDir) <= index) {
            assertTrue(
                    System.nanoTime() < deadline,
                    "the log of " + peerDir + " still starts at " + RatisDeterminismTest.firstLogIndex(peerDir)
                            + ", not after the last filter write at " + index);
            Thread.sleep(50);
        }
    }
}
