package io.ringfleet.chaos.sim;

import io.ringfleet.api.BatchReply;
import io.ringfleet.api.CommandBatch;
import io.ringfleet.state.raft.FleetStateMachine;
import io.ringfleet.state.raft.RatisSafety;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.retry.RetryPolicy;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.simulation.MiniRaftClusterWithSimulatedRpc;
import org.apache.ratis.statemachine.StateMachine;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.apache.ratis.util.FileUtils;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;

/**
 * Three Ratis peers in this JVM running the production {@link FleetStateMachine} (with its RocksDB snapshot
 * store on a real file system), over Ratis's simulated RPC ({@code MiniRaftClusterWithSimulatedRpc} from the
 * ratis-server test-jar: in-memory request queues instead of gRPC sockets, so a cluster starts in tens of
 * milliseconds). Nodes are named n0..n2 here; their Ratis peer ids are unique in the JVM so that several
 * clusters can run side by side.
 *
 * <p>Per node: the current {@link RaftServer.Division} (null while stopped), the {@link Recorder} of each
 * incarnation (a start of the server: the first, each restart with disk, each restart wiped), and one
 * {@link RaftClient} that sends first to that node: the node's own agent.
 */
final class SimCluster implements AutoCloseable {
    private static final AtomicInteger CLUSTERS = new AtomicInteger();
    private static final ExecutorService BACKGROUND = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "sim-stop");
        t.setDaemon(true);
        return t;
    });
    /** An agent's write: this many attempts (same client id and call id: Ratis's retry cache dedups them). */
    static final int CLIENT_ATTEMPTS = 15;

    static final int CLIENT_RETRY_SLEEP_MS = 40;
    static final String LATENCY_KEY = "org.apache.ratis.server.simulation.SimulatedRequestReply.simulateLatencyMs";

    static {
        // MiniRaftCluster keeps its peers' storage under ${test.build.data}: a tmpfs when there is one.
        if (System.getProperty("test.build.data") == null) {
            Path shm = Path.of("/dev/shm");
            Path base = Files.isDirectory(shm) && Files.isWritable(shm)
                    ? shm
                    : Path.of(System.getProperty("java.io.tmpdir"));
            Path root = base.resolve("ringfleet-sim-" + ProcessHandle.current().pid());
            System.setProperty("test.build.data", root.toString());
            Runtime.getRuntime()
                    .addShutdownHook(new Thread(
                            () -> {
                                try {
                                    FileUtils.deleteFully(root.toFile());
                                } catch (IOException e) {
                                    // best effort: a temp dir
                                }
                            },
                            "sim-cleanup"));
        }
    }

    /** One simulated node: its peer id and what runs there now. */
    static final class Node {
        final int number;
        final RaftPeerId peerId;
        volatile RaftServer.Division division;
        volatile Recorder recorder;
        int incarnations;
        final List<Recorder> past = new ArrayList<>();
        RaftClient client;
        /** The stop of the last incarnation, running in the background (a restart waits for it). */
        CompletableFuture<Void> stopping = CompletableFuture.completedFuture(null);
        /** Cut off by a partition (a stopped node is cut off too, but that is not a partition). */
        volatile boolean partitioned;
        /** The newest snapshot on this node's disk when it was last stopped. */
        long snapshotAtStop;
        /** Its Raft term when it was last stopped (what it may have voted in). */
        long termAtStop;

        Node(int number, RaftPeerId peerId) {
            this.number = number;
            this.peerId = peerId;
        }

        String name() {
            return "n" + number;
        }

        boolean isUp() {
            return division != null;
        }
    }

    private final SimConfig config;
    private final MiniRaftClusterWithSimulatedRpc cluster;
    private final Node[] nodes;
    private final Map<StateMachine, Recorder> created = Collections.synchronizedMap(new IdentityHashMap<>());
    private final NetworkFaults faults = NetworkFaults.install();
    private final RaftClient admin;

    /**
     * The fleet version the first state machine made supports when {@code mutantReplicas} is 1: below the version
     * the generator bootstraps at, so that replica cannot apply the log (it stops at the bootstrap rather than
     * diverge). Replicas can no longer validate with other limits: limits come from the log. Used to show that
     * the checks notice a replica that falls out of the fleet; never in a normal run.
     */
    static final int MUTANT_SUPPORTED_VERSION = 1;

    private SimCluster(SimConfig config, int mutantReplicas) {
        this.config = config;
        int base = 100 + 10 * CLUSTERS.getAndIncrement();
        String[] ids = new String[Schedule.NODES];
        nodes = new Node[Schedule.NODES];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = "s" + (base + i);
            nodes[i] = new Node(i, RaftPeerId.valueOf(ids[i]));
        }
        cluster = MiniRaftClusterWithSimulatedRpc.FACTORY.newCluster(ids, new String[0], properties(config));
        AtomicInteger mutants = new AtomicInteger(mutantReplicas);
        cluster.setStateMachineRegistry(groupId -> {
            FleetStateMachine sm = new FleetStateMachine(
                    mutants.getAndDecrement() > 0
                            ? MUTANT_SUPPORTED_VERSION
                            : io.ringfleet.state.FleetVersions.SUPPORTED);
            Recorder recorder = new Recorder();
            sm.addPublisher(recorder);
            created.put(sm, recorder);
            return sm;
        });
        RetryPolicy retry = RetryPolicies.retryUpToMaximumCountWithFixedSleep(
                CLIENT_ATTEMPTS, TimeDuration.valueOf(CLIENT_RETRY_SLEEP_MS, TimeUnit.MILLISECONDS));
        for (Node n : nodes) {
            n.client = cluster.createClient(n.peerId, retry);
        }
        admin = cluster.createClient(RetryPolicies.noRetry());
    }

    static RaftProperties properties(SimConfig c) {
        RaftProperties p = new RaftProperties();
        p.setInt(LATENCY_KEY, 0);
        RaftServerConfigKeys.Rpc.setTimeoutMin(p, TimeDuration.valueOf(c.electionMinMs(), TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Rpc.setTimeoutMax(p, TimeDuration.valueOf(2L * c.electionMinMs(), TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Rpc.setRequestTimeout(p, TimeDuration.valueOf(1, TimeUnit.SECONDS));
        // Ratis keeps a leader that stepped down from campaigning for 10 s by default. Scaled down with the
        // election timeouts: otherwise a healed ex-leader holding the longest log, next to a wiped peer (whose vote
        // Ratis does not count), leaves the group leaderless for those 10 s (seen with seed 15).
        RaftServerConfigKeys.LeaderElection.setLeaderStepDownWaitTime(
                p, TimeDuration.valueOf(5L * c.electionMinMs(), TimeUnit.MILLISECONDS));
        // What FleetNode sets, with the seed's values.
        RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(p, true);
        RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(p, c.snapshotThreshold());
        RaftServerConfigKeys.Snapshot.setRetentionFileNum(p, c.snapshotsRetained());
        RaftServerConfigKeys.Snapshot.setCreationGap(p, 1);
        RaftServerConfigKeys.Snapshot.setTriggerWhenStopEnabled(p, c.snapshotOnStop());
        RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(p, c.purgeUpToSnapshot());
        RaftServerConfigKeys.Log.setPurgeGap(p, c.purgeGap());
        RaftServerConfigKeys.Log.setPurgePreservationLogNum(p, c.purgePreservation());
        RaftServerConfigKeys.Log.setSegmentSizeMax(p, SizeInBytes.valueOf(c.segmentSizeMax()));
        RaftServerConfigKeys.Log.Appender.setInstallSnapshotEnabled(p, true);
        RaftClientConfigKeys.Rpc.setRequestTimeout(p, TimeDuration.valueOf(1, TimeUnit.SECONDS));
        if (!Boolean.getBoolean("chaos.ratisDefaults")) {
            RatisSafety.applyTo(p); // what FleetNode applies; -Dchaos.ratisDefaults=true runs Ratis's defaults
        }
        return p;
    }

    /** Builds and starts the three peers. */
    static SimCluster start(SimConfig config) throws IOException {
        return start(config, 0);
    }

    static SimCluster start(SimConfig config, int mutantReplicas) throws IOException {
        SimCluster c = new SimCluster(config, mutantReplicas);
        try {
            c.cluster.start();
            for (Node n : c.nodes) {
                c.bind(n, c.cluster.getDivision(n.peerId));
            }
            return c;
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    private void bind(Node n, RaftServer.Division division) {
        Recorder r = created.remove(division.getStateMachine());
        if (r == null) {
            throw new IllegalStateException(n.name() + ": its state machine was not made by this cluster's registry");
        }
        r.bind(n.name(), ++n.incarnations);
        n.recorder = r;
        n.division = division;
    }

    SimConfig config() {
        return config;
    }

    Node node(int i) {
        return nodes[i];
    }

    List<Node> nodes() {
        return List.of(nodes);
    }

    NetworkFaults faults() {
        return faults;
    }

    /**
     * Stops a node's server (its disk stays); a no-op if it is down. Like a crash, its traffic stops at once
     * (it is cut off); the server's orderly close (a few hundred milliseconds in Ratis) runs in the background
     * and a restart waits for it.
     */
    boolean kill(Node n) {
        if (!n.isUp()) {
            return false;
        }
        faults.isolate(n.peerId.toString());
        n.snapshotAtStop =
                ((FleetStateMachine) n.division.getStateMachine()).status().getSnapshotIndex();
        n.termAtStop = n.division.getInfo().getCurrentTerm();
        n.division = null;
        n.past.add(n.recorder);
        n.stopping = CompletableFuture.runAsync(() -> cluster.killServer(n.peerId), BACKGROUND);
        return true;
    }

    /** Starts a stopped node again, with its disk or wiped. */
    void restart(Node n, boolean wipe) throws IOException {
        if (n.isUp()) {
            throw new IllegalStateException(n.name() + " is up");
        }
        n.stopping.join();
        if (!n.partitioned) {
            faults.reconnect(n.peerId.toString());
        }
        RaftServer.Division d = cluster.restartServer(n.peerId, wipe);
        bind(n, d);
        if (!wipe) {
            n.recorder.expectStartAtLeast(n.snapshotAtStop);
        }
    }

    /** Cuts a node's Raft traffic, both ways. */
    void partition(Node n) {
        n.partitioned = true;
        faults.isolate(n.peerId.toString());
    }

    /** Restores a partitioned node's links (a stopped node stays cut off until it restarts). */
    boolean heal(Node n) {
        boolean was = n.partitioned;
        n.partitioned = false;
        if (n.isUp()) {
            faults.reconnect(n.peerId.toString());
        }
        return was;
    }

    /** Sends a batch through the node's own agent client; the reply once the leader applied it. */
    BatchReply submit(Node via, CommandBatch batch) throws IOException {
        RaftClientReply reply =
                via.client.io().send(Message.valueOf(UnsafeByteOperations.unsafeWrap(batch.toByteArray())));
        if (!reply.isSuccess()) {
            throw reply.getException() != null ? reply.getException() : new IOException("write failed: " + reply);
        }
        return BatchReply.parseFrom(reply.getMessage().getContent().asReadOnlyByteBuffer());
    }

    /** Asks a node to take a snapshot now; its log is then purged as configured. */
    RaftClientReply snapshot(Node n, long timeoutMs) throws IOException {
        return admin.getSnapshotManagementApi(n.peerId).create(true, timeoutMs);
    }

    RaftClientReply transferLeadership(Node to, long timeoutMs) throws IOException {
        return admin.admin().transferLeadership(to.peerId, timeoutMs);
    }

    /** The node the connected majority follows: the leader with the highest term that is not cut off. */
    Node leader() {
        Node best = null;
        long bestTerm = -1;
        for (Node n : nodes) {
            RaftServer.Division d = n.division;
            if (d == null || n.partitioned) {
                continue;
            }
            try {
                if (d.getInfo().isLeader() && d.getInfo().getCurrentTerm() > bestTerm) {
                    best = n;
                    bestTerm = d.getInfo().getCurrentTerm();
                }
            } catch (RuntimeException e) {
                // stopping
            }
        }
        return best;
    }

    List<String> peerIds() {
        List<String> ids = new ArrayList<>();
        for (Node n : nodes) {
            ids.add(n.peerId.toString());
        }
        return ids;
    }

    /** Stops everything and deletes the peers' storage, in the background; the future fails if shutdown did. */
    CompletableFuture<Void> closeAsync() {
        return CompletableFuture.runAsync(this::close, BACKGROUND);
    }

    @Override
    public void close() {
        for (Node n : nodes) {
            closeQuietly(n.client);
        }
        closeQuietly(admin);
        File root = cluster.getStorageDir(nodes[0].peerId).getParentFile();
        try {
            for (Node n : nodes) {
                n.stopping.join();
            }
            cluster.shutdown();
        } finally {
            faults.clear(peerIds());
            try {
                FileUtils.deleteFully(root);
            } catch (IOException e) {
                // best effort: it is a temp dir
            }
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception e) {
                // best effort
            }
        }
    }
}
