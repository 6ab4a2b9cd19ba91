package io.ringfleet.state.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringfleet.api.CommandBatch;
import io.ringfleet.state.FleetLimits;
import io.ringfleet.state.RandomBatches;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.apache.ratis.protocol.RaftPeerId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Leader-aware routing of {@link FleetClient#submit(CommandBatch, RaftPeerId)} on real Ratis peers (3 voters, gRPC on
 * loopback): writes sent "via" a follower go to the leader the client has seen, so only the first one pays the
 * not-leader round trip; when that leader goes away the client follows the new one and remembers it.
 */
class LeaderRoutingTest {
    static final FleetLimits LIMITS = RandomBatches.LIMITS;
    static final Duration CONVERGE = Duration.ofSeconds(60);

    @TempDir
    Path root;

    private final ClusterModel model = new ClusterModel(1818);

    @Test
    void writesViaAFollowerGoStraightToTheRememberedLeaderAndFollowANewOne() throws Exception {
        try (TestCluster cluster = new TestCluster(root, 3, LIMITS, b -> {});
                FleetClient client = FleetClient.builder(cluster.group())
                        .maxAttempts(100)
                        .retrySleepMs(50)
                        .requestTimeoutMs(5000)
                        .build()) {
            cluster.startAll();
            // One write through another client first: the start-up elections are over once it is committed.
            submit(cluster.client(), RaftPeerId.valueOf(awaitLeader(cluster)), 1);
            String leader = awaitLeader(cluster);
            RaftPeerId follower = RaftPeerId.valueOf(otherThan(cluster, leader));

            submit(client, follower, 1);
            assertEquals(Optional.of(RaftPeerId.valueOf(leader)), client.knownLeader(), "remembered after one write");
            long afterFirst = client.redirects();
            // At least once: a follower that has not heard from the leader yet names none, and the client tries the
            // next.
            assertTrue(afterFirst >= 1, "the first write via follower " + follower + " was redirected");

            submit(client, follower, 20);
            assertEquals(afterFirst, client.redirects(), "later writes via the follower went straight to " + leader);

            cluster.stop(leader);
            String next = awaitLeader(cluster);
            assertNotEquals(leader, next);
            submit(client, follower, 5);
            assertEquals(Optional.of(RaftPeerId.valueOf(next)), client.knownLeader(), "the new leader remembered");
            long afterMove = client.redirects();
            submit(client, follower, 10);
            assertEquals(afterMove, client.redirects(), "writes after the move went straight to " + next);
        }
    }

    private void submit(FleetClient client, RaftPeerId via, int n) throws IOException {
        for (int i = 0; i < n; i++) {
            CommandBatch batch = model.next();
            model.expect(batch, client.submit(batch, via), "step " + model.step());
        }
    }

    private static String otherThan(TestCluster cluster, String leader) {
        return cluster.voterIds().stream()
                .filter(id -> !id.equals(leader))
                .findFirst()
                .orElseThrow();
    }

    private static String awaitLeader(TestCluster cluster) throws InterruptedException {
        long deadline = System.nanoTime() + CONVERGE.toNanos();
        String leader;
        while ((leader = cluster.leaderId()) == null && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertNotNull(leader, "no leader elected within " + CONVERGE);
        return leader;
    }
}
