package io.ringfleet.state.raft;

import io.ringfleet.api.StateStatus;
import io.ringfleet.state.FleetLimits;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;

/**
 * Real Ratis peers in this JVM: gRPC over loopback on free ports, one storage directory per peer under a
 * temp root, real RocksDB snapshots. Voters are {@code p1..pN}, listeners {@code l1..lM}. Peers can be stopped,
 * restarted with their disk, or wiped, and the group's configuration changed.
 */
final class TestCluster implements AutoCloseable {
    private static final int FIRST_PORT = 20_000;
    private static final int LAST_PORT = 32_000;
    private static final Random PORTS = new Random();
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();
    private final Path root;
    private final Map<String, String> peers = new LinkedHashMap<>();
    private final Map<String, String> listeners = new LinkedHashMap<>();
    private final FleetLimits limits;
    private final Consumer<FleetNode.Builder> options;
    private final Map<String, FleetNode> running = new TreeMap<>();
    private final Map<String, FollowedRings> followedRings = new TreeMap<>();
    private final RaftGroup group;
    private FleetClient client;

    TestCluster(Path root, int voters, FleetLimits limits, Consumer<FleetNode.Builder> options) throws IOException {
        this(root, voters, 0, limits, options);
    }

    TestCluster(Path root, int voters, int listenerCount, FleetLimits limits, Consumer<FleetNode.Builder> options)
            throws IOException {
        this.root = root;
        this.limits = limits;
        this.options = options;
        for (int i = 1; i <= voters; i++) {
            peers.put("p" + i, "127.0.0.1:" + freePort());
        }
        for (int i = 1; i <= listenerCount; i++) {
            listeners.put("l" + i, "127.0.0.1:" + freePort());
        }
        this.group = FleetNode.group(FleetNode.DEFAULT_GROUP_ID, peers, listeners);
    }

    /**
     * A port free now, below Linux's ephemeral range (32768..60999): a port from that range can be taken by an
     * outgoing connection (the first peers' gRPC clients dialling the others) before its peer binds it, and Ratis
     * then ends the JVM.
     */
    static int freePort() throws IOException {
        for (int attempt = 0; attempt < 1000; attempt++) {
            int port = FIRST_PORT + PORTS.nextInt(LAST_PORT - FIRST_PORT);
            if (!HANDED_OUT.add(port)) {
                continue;
            }
            try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                s.setReuseAddress(true);
                return port;
            } catch (IOException taken) {
                // try another
            }
        }
        throw new IOException("no free port in " + FIRST_PORT + ".." + LAST_PORT + " after 1000 attempts");
    }

    /** Every peer: voters, then listeners. */
    List<String> ids() {
        List<String> ids = new ArrayList<>(peers.keySet());
        ids.addAll(listeners.keySet());
        return ids;
    }

    /** A voter's or listener's Raft address ("127.0.0.1:port"). */
    String raftAddress(String id) {
        return peers.containsKey(id) ? peers.get(id) : listeners.get(id);
    }

    List<String> voterIds() {
        return new ArrayList<>(peers.keySet());
    }

    List<String> listenerIds() {
        return new ArrayList<>(listeners.keySet());
    }

    RaftGroup group() {
        return group;
    }

    Path dir(String id) {
        return root.resolve(id);
    }

    FleetNode node(String id) {
        FleetNode n = running.get(id);
        if (n == null) {
            throw new IllegalStateException(id + " is not running");
        }
        return n;
    }

    boolean isRunning(String id) {
        return running.containsKey(id);
    }

    FleetNode.Builder builder(String id) {
        FollowedRings rings = new FollowedRings(limits.ringSize());
        followedRings.put(id, rings);
        FleetNode.Builder b = FleetNode.builder()
                .peerId(id)
                .peers(peers)
                .listeners(listeners)
                .storageDir(dir(id))
                .publisher(rings);
        options.accept(b);
        return b;
    }

    void startAll() throws IOException {
        for (String id : ids()) {
            start(id);
        }
    }

    FleetNode start(String id) throws IOException {
        return start(builder(id));
    }

    FleetNode start(FleetNode.Builder builder) throws IOException {
        FleetNode node = builder.build();
        String id = node.peerId().toString();
        if (running.containsKey(id)) {
            throw new IllegalStateException(id + " is already running");
        }
        node.start();
        running.put(id, node);
        return node;
    }

    /** Stops a peer (its disk stays). */
    void stop(String id) throws IOException {
        FleetNode n = running.remove(id);
        if (n != null) {
            n.close();
        }
    }

    /** Deletes a stopped peer's whole storage directory: Raft log, Raft metadata, snapshots. */
    void wipe(String id) throws IOException {
        if (running.containsKey(id)) {
            throw new IllegalStateException("stop " + id + " before wiping it");
        }
        deleteTree(dir(id));
    }

    /**
     * Sets the group's configuration to these members (each keeping its role), through the leader; e.g. to take a
     * peer out before clearing its storage and put it back after it restarted empty: a leader never lowers a
     * follower's match index, so a member cleared in place would never be sent a snapshot.
     */
    void setConfiguration(List<String> members) throws IOException {
        List<RaftPeer> voters = group.getPeers().stream()
                .filter(p -> peers.containsKey(p.getId().toString())
                        && members.contains(p.getId().toString()))
                .toList();
        List<RaftPeer> listening = group.getPeers().stream()
                .filter(p -> listeners.containsKey(p.getId().toString())
                        && members.contains(p.getId().toString()))
                .toList();
        RaftClientReply r = client().raftClient().admin().setConfiguration(voters, listening);
        if (!r.isSuccess()) {
            throw new AssertionError("configuration " + members + ": " + r);
        }
    }

    String leaderId() {
        for (Map.Entry<String, FleetNode> e : running.entrySet()) {
            if (e.getValue().isLeader()) {
                return e.getKey();
            }
        }
        return null;
    }

    synchronized FleetClient client() {
        if (client == null) {
            client = FleetClient.builder(group)
                    .maxAttempts(100)
                    .retrySleepMs(50)
                    .requestTimeoutMs(5000)
                    .build();
        }
        return client;
    }

    /**
     * The digest of a running peer's rings, followed from the images it published (the state machine holds none),
     * once they are those of {@code appliedIndex} or later.
     */
    byte[] ringDigest(String id, long appliedIndex) throws InterruptedException {
        return followedRings.get(id).at(appliedIndex).digest();
    }

    StateStatus status(String id) throws IOException {
        return client().status(RaftPeerId.valueOf(id));
    }

    /** Drops the shared client: a new one gets new gRPC channels (an old channel to a restarted peer may back off). */
    synchronized void resetClient() {
        if (client != null) {
            try {
                client.close();
            } catch (IOException e) {
                // best effort
            }
            client = null;
        }
    }

    /**
     * Waits until every running peer reports the same applied index twice in a row, and returns their
     * statuses (by peer id).
     */
    Map<String, StateStatus> awaitSameAppliedIndex(Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long lastIndex = -1;
        Map<String, StateStatus> statuses = new TreeMap<>();
        String lastError = "";
        while (true) {
            statuses.clear();
            for (String id : running.keySet()) {
                try {
                    statuses.put(id, status(id));
                } catch (IOException e) {
                    lastError = "; last error from " + id + ": " + e;
                    statuses.clear();
                    resetClient();
                    break;
                }
            }
            long index = statuses.isEmpty()
                    ? -1
                    : statuses.values().iterator().next().getAppliedIndex();
            boolean same = !statuses.isEmpty()
                    && statuses.size() == running.size()
                    && statuses.values().stream().allMatch(s -> s.getAppliedIndex() == index);
            if (same && index == lastIndex) {
                return statuses;
            }
            lastIndex = same ? index : -1;
            if (System.nanoTime() > deadline) {
                throw new AssertionError(
                        "peers did not converge within " + timeout + ": " + describe(statuses) + lastError);
            }
            Thread.sleep(100);
        }
    }

    static String describe(Map<String, StateStatus> statuses) {
        StringBuilder b = new StringBuilder();
        statuses.forEach((id, s) -> b.append("\n  ")
                .append(id)
                .append(": applied (t")
                .append(s.getAppliedTerm())
                .append(", i")
                .append(s.getAppliedIndex())
                .append(") state ")
                .append(s.getStateIndex())
                .append(" image ")
                .append(hex(s.getImageDigest().toByteArray()).substring(0, 16))
                .append(" snapshot ")
                .append(s.getSnapshotIndex()));
        return b.toString();
    }

    static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    @Override
    public void close() {
        try {
            if (client != null) {
                client.close();
            }
        } catch (IOException e) {
            // best effort
        }
        for (String id : new ArrayList<>(running.keySet())) {
            try {
                stop(id);
            } catch (IOException e) {
                // best effort
            }
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
