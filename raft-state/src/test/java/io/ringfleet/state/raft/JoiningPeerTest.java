package io.ringfleet.state.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringfleet.state.RandomBatches;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.apache.ratis.util.LifeCycle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A peer that left the configuration and lost its storage comes back on real Ratis (3 voters, gRPC on loopback):
 * started with {@code joining(true)} it waits outside the configuration (STARTING, no election timer) until the
 * leader adds it, then runs as a member with the others' state, and the remaining peers' terms do not move. The
 * control: the same peer started the old way (a member of its own startup group) is told to shut down by the
 * leader at its first pre-vote, and {@link FleetNode#raftState()} says so although the server still runs.
 */
class JoiningPeerTest {
    private static final Duration CONVERGE = Duration.ofSeconds(60);

    @TempDir
    Path root;

    private final ClusterModel model = new ClusterModel(17);

    @Test
    void aClearedPeerStartedJoiningWaitsThenJoinsWithoutMovingTheTerm() throws Exception {
        try (TestCluster cluster = new TestCluster(root, 3, RandomBatches.LIMITS, b -> {})) {
            cluster.startAll();
            String away = takeOutAFollowerAndClearIt(cluster);
            long[] terms = terms(cluster, away);

            FleetNode joining = cluster.start(cluster.builder(away).joining(true));
            assertEquals(LifeCycle.State.STARTING, joining.raftState(), "not a member yet: waits, never campaigns");
            write(cluster, 5); // the fleet goes on while it waits
            assertEquals(LifeCycle.State.STARTING, joining.raftState());

            cluster.setConfiguration(List.of("p1", "p2", "p3")); // returns once the leader caught it up and committed
            await(() -> joining.raftState() == LifeCycle.State.RUNNING, away + " runs as a member");
            write(cluster, 5);
            cluster.awaitSameAppliedIndex(CONVERGE);
            String leader = cluster.leaderId();
            assertEquals(
                    cluster.status(leader).getImageDigest(),
                    cluster.status(away).getImageDigest(),
                    away + " has the others' state");
            long[] after = terms(cluster, away);
            assertEquals(terms[0], after[0], "no term bump on the remaining peers");
            assertEquals(terms[1], after[1], "no term bump on the remaining peers");
        }
    }

    @Test
    void controlAClearedPeerStartedAsAMemberIsToldToShutDown() throws Exception {
        try (TestCluster cluster = new TestCluster(root, 3, RandomBatches.LIMITS, b -> {})) {
            cluster.startAll();
            String away = takeOutAFollowerAndClearIt(cluster);
            FleetNode plain = cluster.start(away);
            await(() -> plain.raftState().isClosingOrClosed(), away + "'s division closed by the leader's answer");
            assertEquals(
                    LifeCycle.State.RUNNING,
                    plain.server().getLifeCycleState(),
                    "the server itself still runs: what /healthz used to read");
        }
    }

    /** A follower taken out of the configuration, stopped and wiped; returns its id. */
    private String takeOutAFollowerAndClearIt(TestCluster cluster) throws Exception {
        write(cluster, 10);
        await(() -> cluster.leaderId() != null, "a leader");
        String leader = cluster.leaderId();
        String away = leader.equals("p3") ? "p2" : "p3";
        List<String> rest =
                cluster.voterIds().stream().filter(id -> !id.equals(away)).toList();
        cluster.setConfiguration(rest);
        cluster.stop(away);
        cluster.wipe(away);
        write(cluster, 10);
        return away;
    }

    private long[] terms(TestCluster cluster, String except) throws Exception {
        List<String> rest =
                cluster.voterIds().stream().filter(id -> !id.equals(except)).toList();
        long[] t = new long[rest.size()];
        for (int i = 0; i < rest.size(); i++) {
            t[i] = cluster.node(rest.get(i))
                    .server()
                    .getDivision(cluster.group().getGroupId())
                    .getInfo()
                    .getCurrentTerm();
        }
        return t;
    }

    private void write(TestCluster cluster, int batches) throws Exception {
        for (int i = 0; i < batches; i++) {
            assertNotNull(cluster.client().submit(model.next()));
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long end = System.nanoTime() + CONVERGE.toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < end, "not within " + CONVERGE.toSeconds() + " s: " + what);
            Thread.sleep(50);
        }
    }
}
