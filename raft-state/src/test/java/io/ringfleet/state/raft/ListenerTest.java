package io.ringfleet.state.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringfleet.api.BatchReply;
import io.ringfleet.api.CommandBatch;
import io.ringfleet.api.StateStatus;
import io.ringfleet.state.FleetLimits;
import io.ringfleet.state.RandomBatches;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Listener peers on real Ratis (3 voters p1..p3, 2 listeners l1, l2; gRPC on loopback): a listener applies the
 * whole log (same image and ring digests as the pure core's), forwards writes sent to it to the leader, never
 * leads, and never counts toward the quorum. Two listeners, so that one voter plus the listeners would be a
 * majority of all five peers if listeners counted.
 */
class ListenerTest {
    static final FleetLimits LIMITS = RandomBatches.LIMITS;
    static final Duration CONVERGE = Duration.ofSeconds(60);

    @TempDir
    Path root;

    private final ClusterModel model = new ClusterModel(4242);

    @Test
    void listenersApplyTheLogAndForwardWritesButNeverVoteOrLead() throws Exception {
        try (TestCluster cluster = new TestCluster(root, 3, 2, LIMITS, b -> {})) {
            cluster.startAll();
            for (String id : cluster.listenerIds()) {
                assertTrue(cluster.node(id).isListener(), id);
            }

            // Writes sent to a listener: through FleetClient.submit(batch, listener) and a client that tries it first.
            submit(cluster, "l1", 40);
            try (FleetClient viaListener = FleetClient.builder(cluster.group())
                    .leaderHint(RaftPeerId.valueOf("l2"))
                    .maxAttempts(100)
                    .retrySleepMs(50)
                    .requestTimeoutMs(5000)
                    .build()) {
                for (int i = 0; i < 20; i++) {
                    CommandBatch batch = model.next();
                    expect(batch, viaListener.submit(batch));
                }
            }
            check(cluster, "every peer");

            // Without the listeners the voters keep committing; restarted, the listeners catch up.
            cluster.stop("l1");
            cluster.stop("l2");
            submit(cluster, "p1", 30);
            check(cluster, "listeners stopped");
            cluster.start("l1");
            cluster.start("l2");
            check(cluster, "listeners restarted");

            // The leader stops: another voter takes over.
            String leader = awaitLeader(cluster);
            cluster.stop(leader);
            submit(cluster, "l2", 20);
            check(cluster, "leader " + leader + " stopped");
            cluster.start(leader);
            check(cluster, leader + " restarted");

            // Two voters down, both listeners up: no leader, nothing commits.
            leader = awaitLeader(cluster);
            String other = otherVoter(cluster, leader);
            cluster.stop(leader);
            cluster.stop(other);
            Map<String, Long> committed = commitIndexes(cluster);
            try (FleetClient shortLived = FleetClient.builder(cluster.group())
                    .maxAttempts(30)
                    .retrySleepMs(100)
                    .requestTimeoutMs(1000)
                    .build()) {
                CommandBatch batch = model.draw();
                IOException e = assertThrows(
                        IOException.class,
                        () -> shortLived.submit(batch, RaftPeerId.valueOf("l1")),
                        "a write must not commit with one voter of three, however many listeners are up");
                assertTrue(e.getMessage().contains("no leader applied the batch"), e.getMessage());
            }
            assertEquals(committed, commitIndexes(cluster), "nothing was committed without a quorum of voters");
            assertNull(cluster.leaderId(), "no running peer leads");
            assertListeners(cluster);
            cluster.resetClient();
            cluster.start(leader);
            cluster.start(other);
            submit(cluster, "l1", 20);
            check(cluster, "voters back");
        }
    }

    private void submit(TestCluster cluster, String via, int n) throws IOException {
        for (int i = 0; i < n; i++) {
            CommandBatch batch = model.next();
            expect(batch, cluster.client().submit(batch, RaftPeerId.valueOf(via)));
        }
    }

    /** The reply must be the pure core's; the model then moves on. */
    private void expect(CommandBatch batch, BatchReply reply) {
        model.expect(batch, reply, "step " + model.step());
    }

    /** Every running peer at one applied index with the model's digests; listeners in role LISTENER, the leader a voter. */
    private void check(TestCluster cluster, String when) throws Exception {
        Map<String, StateStatus> statuses = cluster.awaitSameAppliedIndex(CONVERGE);
        String where = when + ":" + TestCluster.describe(statuses);
        model.assertSameState(cluster, statuses, where);
        assertEquals(running(cluster), statuses.keySet().stream().toList(), where);
        assertListeners(cluster);
        assertTrue(cluster.voterIds().contains(awaitLeader(cluster)), where);
    }

    private static void assertListeners(TestCluster cluster) throws IOException {
        for (String id : cluster.listenerIds()) {
            if (cluster.isRunning(id)) {
                assertEquals(
                        RaftPeerRole.LISTENER, division(cluster, id).getInfo().getCurrentRole(), id);
            }
        }
    }

    /** The running leader, once one is elected. */
    private static String awaitLeader(TestCluster cluster) throws InterruptedException {
        long deadline = System.nanoTime() + CONVERGE.toNanos();
        String leader;
        while ((leader = cluster.leaderId()) == null && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertNotNull(leader, "no leader elected within " + CONVERGE);
        return leader;
    }

    private static String otherVoter(TestCluster cluster, String leader) {
        return cluster.voterIds().stream()
                .filter(id -> !id.equals(leader))
                .findFirst()
                .orElseThrow();
    }

    private static List<String> running(TestCluster cluster) {
        return cluster.ids().stream().filter(cluster::isRunning).sorted().toList();
    }

    private static Map<String, Long> commitIndexes(TestCluster cluster) throws IOException {
        Map<String, Long> indexes = new TreeMap<>();
        for (String id : running(cluster)) {
            indexes.put(id, division(cluster, id).getRaftLog().getLastCommittedIndex());
        }
        return indexes;
    }

    private static RaftServer.Division division(TestCluster cluster, String id) throws IOException {
        FleetNode node = cluster.node(id);
        return node.server().getDivision(node.group().getGroupId());
    }
}
