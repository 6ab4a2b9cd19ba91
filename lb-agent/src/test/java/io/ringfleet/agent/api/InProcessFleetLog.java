package io.ringfleet.agent.api;

import io.ringfleet.agent.rings.RingView;
import io.ringfleet.api.CommandBatch;
import io.ringfleet.api.NodeStatus;
import io.ringfleet.api.PeerRole;
import io.ringfleet.api.ReadConsistency;
import io.ringfleet.state.FleetImage;
import io.ringfleet.state.FleetLimits;
import io.ringfleet.state.Provenance;
import io.ringfleet.state.command.BatchApplier;
import io.ringfleet.state.command.CommandValidator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * A TEST DOUBLE of the fleet log, not the product: one in-process "replica" that applies each submitted
 * batch with the real {@link BatchApplier} (the same validation and replay every Ratis replica runs) at
 * term 1 and consecutive indexes, on one thread, in submission order. It has no Raft, no disk and no
 * other node. It lets the API servers be tested for what they own — translation, stamping, status codes,
 * roles, waiting — while the end-to-end tests run them over a real Ratis cluster.
 *
 * <p>Programmed indexes are what the test says: by default this node programs each entry as it applies
 * it; other "nodes" and their progress are set with {@link #setProgrammed}.
 */
public final class InProcessFleetLog implements FleetGateway, FleetProgress {
    private final String nodeId;
    private final FleetLimits limits;
    private final BatchApplier applier;
    private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "in-process-fleet-log");
        t.setDaemon(true);
        return t;
    });
    private final List<CommandBatch> entries = Collections.synchronizedList(new ArrayList<>());
    private final ConcurrentSkipListMap<String, Long> programmed = new ConcurrentSkipListMap<>();
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private volatile FleetImage image = FleetImage.EMPTY;
    private volatile boolean autoProgram = true;
    private volatile String unavailable;
    private final RingView rings;
    private Membership members;

    public InProcessFleetLog(String nodeId, FleetLimits limits) {
        this.nodeId = nodeId;
        this.limits = limits;
        this.rings = new RingView(limits.ringSize());
        this.applier = new BatchApplier(new CommandValidator());
        programmed.put(nodeId, 0L);
        if (!limits.equals(FleetLimits.DEFAULT)) {
            // Validation reads limits from the log only: their bootstrap is folded in before the first entry (at
            // index 0), so the entries the tests submit keep their indexes.
            image = applier.apply(
                            image,
                            io.ringfleet.state.testing.Commands.batch(
                                    io.ringfleet.state.testing.Commands.bootstrap(limits, 1)),
                            new Provenance(1, 0))
                    .image();
        }
    }

    @Override
    public String nodeId() {
        return nodeId;
    }

    @Override
    public CompletableFuture<Committed> submit(CommandBatch batch) {
        if (unavailable != null) {
            return CompletableFuture.failedFuture(new FleetUnavailableException(unavailable));
        }
        return CompletableFuture.supplyAsync(
                () -> {
                    Provenance at = new Provenance(1, image.index() + 1);
                    BatchApplier.Applied applied = applier.apply(image, batch, at);
                    image = applied.image();
                    entries.add(batch);
                    if (autoProgram) {
                        programmed.put(nodeId, at.index());
                        notifyListeners();
                    }
                    return new Committed(
                            at.term(),
                            applied.result().toReply(at.index(), applied.image().stateIndex()));
                },
                executor);
    }

    @Override
    public CompletableFuture<FleetImage> read(ReadConsistency consistency, long minAppliedIndex, Duration timeout) {
        if (unavailable != null) {
            return CompletableFuture.failedFuture(new FleetUnavailableException(unavailable));
        }
        // Reads queue behind earlier writes, as a linearizable read would see them.
        return CompletableFuture.supplyAsync(
                () -> {
                    FleetImage now = image;
                    if (now.index() < minAppliedIndex) {
                        throw new FleetUnavailableException(
                                "node " + nodeId + " has applied " + now.index() + ", not " + minAppliedIndex);
                    }
                    return now;
                },
                executor);
    }

    /** The rings of this log's images (what the API serves ring digests from; no datapath here). */
    public RingView rings() {
        return rings;
    }

    @Override
    public NodeStatus localStatus() {
        return status(nodeId);
    }

    private NodeStatus status(String id) {
        FleetImage now = image;
        return NodeStatus.newBuilder()
                .setNodeId(id)
                .setRole(id.equals(nodeId) ? PeerRole.LEADER : PeerRole.FOLLOWER)
                .setTerm(now.term())
                .setCommitIndex(now.index())
                .setAppliedIndex(now.index())
                .setProgrammedIndex(programmed.getOrDefault(id, 0L))
                .setStateIndex(now.stateIndex())
                .setStateDigest(com.google.protobuf.ByteString.copyFrom(now.digest()))
                .setRingsDigest(
                        com.google.protobuf.ByteString.copyFrom(rings.of(now).digest()))
                .setDrained(now.nodes().isDrained(id))
                .setLive(programmed.containsKey(id))
                .build();
    }

    @Override
    public CompletableFuture<List<NodeStatus>> fleetStatus(Duration timeout) {
        List<NodeStatus> out = new ArrayList<>();
        for (String id : programmed.keySet()) {
            out.add(status(id));
        }
        return CompletableFuture.completedFuture(out);
    }

    @Override
    public Optional<String> leaderId() {
        return Optional.of(nodeId);
    }

    /** Until a change, every node this log knows (itself and those given a programmed index) is a voter. */
    @Override
    public synchronized Membership membership() {
        return members != null
                ? members
                : new Membership(new TreeSet<>(configuredPeers().keySet()), new TreeSet<>());
    }

    @Override
    public CompletableFuture<Membership> leave(String id) {
        return changeMembership(() -> membership().leaving(id, configuredPeers()));
    }

    @Override
    public CompletableFuture<Membership> join(String id) {
        return changeMembership(() -> membership().joining(id, configuredPeers()));
    }

    private synchronized CompletableFuture<Membership> changeMembership(Supplier<Membership> change) {
        if (unavailable != null) {
            return CompletableFuture.failedFuture(new FleetUnavailableException(unavailable));
        }
        try {
            members = change.get();
            return CompletableFuture.completedFuture(members);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private SortedMap<String, Boolean> configuredPeers() {
        SortedMap<String, Boolean> peers = new TreeMap<>();
        peers.put(nodeId, false);
        programmed.keySet().forEach(id -> peers.put(id, false));
        return peers;
    }

    @Override
    public SortedMap<String, Long> programmedIndexes() {
        return new TreeMap<>(programmed);
    }

    @Override
    public Subscription subscribe(Runnable listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    // ---- test controls ----

    public FleetImage image() {
        return image;
    }

    /** Every batch that reached the log, in order (accepted or rejected). */
    public List<CommandBatch> entries() {
        synchronized (entries) {
            return List.copyOf(entries);
        }
    }

    /** Whether this node programs each entry as it applies it (default true). */
    public void autoProgram(boolean on) {
        autoProgram = on;
    }

    /** Sets a node's programmed index (adding the node as live). */
    public void setProgrammed(String node, long index) {
        programmed.put(node, index);
        notifyListeners();
    }

    /** Makes the node not live (absent from progress). */
    public void setDown(String node) {
        programmed.remove(node);
        notifyListeners();
    }

    public void setProgrammedAll(Map<String, Long> nodes) {
        programmed.putAll(nodes);
        notifyListeners();
    }

    /** Every call fails with {@link FleetUnavailableException} and this message (null: available again). */
    public void setUnavailable(String message) {
        unavailable = message;
    }

    private void notifyListeners() {
        listeners.forEach(Runnable::run);
    }

    public void close() {
        executor.shutdownNow();
    }
}
