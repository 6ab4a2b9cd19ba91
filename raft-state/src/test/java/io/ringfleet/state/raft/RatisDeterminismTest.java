package io.ringfleet.state.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringfleet.api.BatchReply;
import io.ringfleet.api.CommandBatch;
import io.ringfleet.api.ReplyCode;
import io.ringfleet.api.StateStatus;
import io.ringfleet.state.FleetLimits;
import io.ringfleet.state.RandomBatches;
import io.ringfleet.state.store.SnapshotFile;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real 3-peer Ratis cluster (gRPC on loopback, RocksDB snapshots, temp dirs) fed over a thousand seeded
 * random commands, valid and invalid, each batch sent first to a random peer. A local model applies the same
 * batches with the pure core: every reply must equal the model's, and every peer must end with the model's
 * image digest and ring digest at the same applied index. Then: a peer is stopped while the others keep
 * changing and restarted with its disk (it catches up from the log); a peer leaves the group and is wiped, the
 * others snapshot and purge their logs, and it is restarted empty and added back (it catches up by snapshot
 * install). Digests must agree again.
 *
 * <p>The seed is {@code -Dringfleet.seed=N} (default below); a failure names it.
 */
class RatisDeterminismTest {
    private static final Logger LOG = LoggerFactory.getLogger(RatisDeterminismTest.class);
    static final long SEED = Long.getLong("ringfleet.seed", 20261121L);
    static final FleetLimits LIMITS = RandomBatches.LIMITS;
    static final Duration CONVERGE = Duration.ofSeconds(30);
    private static final Pattern LOG_SEGMENT = Pattern.compile("log_(?:inprogress_)?(\\d+)(?:-\\d+)?");

    @TempDir
    Path root;

    private final Random random = new Random(SEED);
    private final ClusterModel model = new ClusterModel(SEED);
    private final Map<ReplyCode, Integer> outcomes = new EnumMap<>(ReplyCode.class);
    private int commands;

    @Test
    void everyPeerFoldsTheLogIntoTheSameImageAndRingsThroughRestartsAndSnapshotInstall() throws Exception {
        long start = System.nanoTime();
        try (TestCluster cluster = new TestCluster(
                root,
                3,
                LIMITS,
                b -> b.snapshotThreshold(1_000_000) // snapshots only when the test asks
                        .snapshotCreationGap(1)
                        .purgeUpToSnapshotIndex(true) // a snapshot lets the log go, even past a stopped peer
                        .purgeGap(1)
                        .purgePreservation(0)
                        .segmentSizeMax(16 * 1024) // small segments, so that purging removes some
                        .raftProperties(p -> RaftServerConfigKeys.Snapshot.setTriggerWhenStopEnabled(p, false)))) {
            cluster.startAll();
            List<String> ids = cluster.ids();

            // 1. All three peers.
            submit(cluster, 300);
            check(cluster, "all peers");

            // 2. A peer stops, the others keep changing, it restarts with its disk and catches up from the log.
            String stopped = ids.get(random.nextInt(ids.size()));
            cluster.stop(stopped);
            submit(cluster, 150);
            cluster.start(stopped);
            check(cluster, stopped + " restarted with its disk");
            assertEquals(
                    0,
                    cluster.status(stopped).getSnapshotIndex(),
                    "no snapshot exists yet: " + stopped + " caught up from the log");

            // 3. A peer leaves the group and is wiped; the others snapshot and purge their logs; it restarts empty and
            // rejoins, and the leader, tracking it as a new follower, sends it a snapshot. (Wiped in place, it would
            // never get one: a leader never lowers a follower's match index.)
            String wiped = ids.get(random.nextInt(ids.size()));
            cluster.stop(wiped);
            cluster.setConfiguration(
                    ids.stream().filter(id -> !id.equals(wiped)).toList());
            cluster.wipe(wiped);
            submit(cluster, 150);
            for (String id : ids) {
                if (cluster.isRunning(id)) {
                    RaftClientReply r = cluster.client()
                            .raftClient()
                            .getSnapshotManagementApi(RaftPeerId.valueOf(id))
                            .create(true, 20_000);
                    assertTrue(r.isSuccess(), "snapshot on " + id + ": " + r);
                    long firstLogIndex = firstLogIndex(cluster.dir(id));
                    for (long deadline = System.nanoTime() + 10_000_000_000L;
                            firstLogIndex == 0 && System.nanoTime() < deadline; ) {
                        Thread.sleep(50); // the log purges in its own thread after the snapshot
                        firstLogIndex = firstLogIndex(cluster.dir(id));
                    }
                    assertTrue(
                            firstLogIndex > 0,
                            id + "'s log was purged up to its snapshot at " + r.getLogIndex() + ": it starts at "
                                    + firstLogIndex);
                }
            }
            submit(cluster, 50);
            cluster.start(wiped);
            cluster.setConfiguration(ids);
            check(cluster, wiped + " restarted empty and rejoined");
            List<SnapshotFile> received =
                    cluster.node(wiped).stateMachine().snapshotStore().list();
            assertFalse(received.isEmpty(), wiped + " never writes a snapshot itself here: it must have received one");
            assertTrue(cluster.status(wiped).getSnapshotIndex() > 0, "installed snapshot index");

            // 4. Everyone keeps going.
            submit(cluster, 100);
            Map<String, StateStatus> last = check(cluster, "final");

            assertTrue(commands >= 1000, "at least 1000 commands, sent " + commands);
            assertTrue(
                    outcomes.getOrDefault(ReplyCode.OK, 0) > 100 && outcomes.size() >= 4,
                    "a mix of accepted and rejected batches: " + outcomes);
            LOG.info(
                    "seed {}: {} batches, {} commands, outcomes {}, final applied index {}, {} s",
                    SEED,
                    model.step(),
                    commands,
                    outcomes,
                    last.values().iterator().next().getAppliedIndex(),
                    (System.nanoTime() - start) / 1_000_000_000);
            System.out.println("ratis-determinism: " + last.size() + "/" + ids.size() + " peers equal after " + commands
                    + " commands");
        }
    }

    /** Sends {@code n} batches, each first to a random running peer, and checks each reply against the model. */
    private void submit(TestCluster cluster, int n) throws IOException {
        List<String> running = new ArrayList<>();
        for (String id : cluster.ids()) {
            if (cluster.isRunning(id)) {
                running.add(id);
            }
        }
        for (int i = 0; i < n; i++) {
            CommandBatch batch = model.next();
            String via = running.get(random.nextInt(running.size()));
            BatchReply reply = cluster.client().submit(batch, RaftPeerId.valueOf(via));
            model.expect(
                    batch,
                    reply,
                    "seed " + SEED + " step " + model.step() + ": the cluster's reply differs from the pure core's");
            commands += batch.getCommandsCount();
            outcomes.merge(reply.getCode(), 1, Integer::sum);
        }
    }

    /** Every running peer at one applied index with the model's image digest and ring digest. */
    private Map<String, StateStatus> check(TestCluster cluster, String when) throws Exception {
        Map<String, StateStatus> statuses = cluster.awaitSameAppliedIndex(CONVERGE);
        String where = "seed " + SEED + ", " + when + ":" + TestCluster.describe(statuses);
        model.assertSameState(cluster, statuses, where);
        assertEquals(cluster.ids().size(), statuses.size(), where);
        LOG.info(
                "{}: {} peers at applied index {}, state index {}, image {}, rings {}",
                when,
                statuses.size(),
                statuses.values().iterator().next().getAppliedIndex(),
                model.image().stateIndex(),
                model.image().digestHex().substring(0, 16),
                TestCluster.hex(model.ringDigest()).substring(0, 16));
        return statuses;
    }

    /** The first index of the Raft log segments under a peer's storage directory (its log may be purging). */
    static long firstLogIndex(Path peerDir) {
        long first = Long.MAX_VALUE;
        String[] groups = peerDir.toFile().list();
        for (String group : groups == null ? new String[0] : groups) {
            String[] names = peerDir.resolve(group).resolve("current").toFile().list();
            for (String name : names == null ? new String[0] : names) {
                Matcher m = LOG_SEGMENT.matcher(name);
                if (m.matches()) {
                    first = Math.min(first, Long.parseLong(m.group(1)));
                }
            }
        }
        return first;
    }
}
