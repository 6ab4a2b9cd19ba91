package io.ringfleet.agent.fleet;

import com.google.protobuf.ByteString;
import io.ringfleet.agent.api.FleetGateway;
import io.ringfleet.agent.api.FleetUnavailableException;
import io.ringfleet.agent.api.Membership;
import io.ringfleet.agent.api.PeerStatusSource;
import io.ringfleet.agent.api.Statuses;
import io.ringfleet.agent.rings.RingView;
import io.ringfleet.api.BatchReply;
import io.ringfleet.api.CommandBatch;
import io.ringfleet.api.NodeStatus;
import io.ringfleet.api.PeerRole;
import io.ringfleet.api.ReadConsistency;
import io.ringfleet.state.FleetImage;
import io.ringfleet.state.FleetLimits;
import io.ringfleet.state.raft.FleetClient;
import io.ringfleet.state.raft.FleetNode;
import io.ringfleet.state.raft.FleetStateMachine;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.UnaryOperator;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.StateMachineException;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftConfiguration;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;

/**
 * The API's {@link FleetGateway} over this node's Ratis peer ({@link FleetNode}) and one {@link FleetClient}.
 *
 * <ul>
 *   <li>Writes go through the client, sent to the leader it last saw, else the leader this node's peer follows,
 *       else this node's own peer (which names the leader); the reply is the leader's apply result. The call then waits (briefly) until this node has applied
 *       the entry too, so a read on this node right after a write sees it.
 *   <li>LINEARIZABLE reads ask the leader for its applied index (a small STATUS query), wait until this
 *       node has applied that far, and answer from this node's image: every write acknowledged before the
 *       read began is in it, and no image is shipped over the network.
 *   <li>LOCAL reads answer from this node's image once it has applied {@code min_applied_index}.
 *   <li>Fleet-wide status asks the other agents through a {@link PeerStatusSource}.
 * </ul>
 * The client's blocking calls run on a small pool of this class; nothing blocks gRPC threads.
 */
public final class RaftFleetGateway implements FleetGateway, AutoCloseable {
    /** How long a write waits for this node to apply its entry before answering anyway. */
    static final Duration LOCAL_APPLY_WAIT = Duration.ofSeconds(5);
    /** What an operator must know about a write the log did not confirm. */
    private static final String OUTCOME_UNKNOWN =
            "it may or may not have been applied: read the state back before retrying";

    private final FleetNode node;
    private final FleetClient client;
    private final FleetStateMachine stateMachine;
    private final String nodeId;
    private final LongSupplier programmedIndex;
    private final RingView rings;
    private final Consumer<NodeStatus.Builder> localStatusExtras;
    private final PeerStatusSource peers;
    private final ExecutorService io;
    private final ScheduledExecutorService timer;
    private final AppliedIndexWaiter applied;
    private final FleetSettingsSeed seed;

    private RaftFleetGateway(Builder b) {
        this.node = b.node;
        this.client = b.client;
        this.stateMachine = node.stateMachine();
        this.nodeId = node.peerId().toString();
        this.programmedIndex = b.programmedIndex != null
                ? b.programmedIndex
                : () -> stateMachine.image().index();
        this.localStatusExtras = b.localStatusExtras;
        this.rings = b.rings != null ? b.rings : new RingView(FleetLimits.RING_SIZE);
        this.peers = b.peers;
        this.seed = b.seed;
        AtomicInteger n = new AtomicInteger();
        this.io = Executors.newFixedThreadPool(b.ioThreads, r -> {
            Thread t = new Thread(r, "fleet-gateway-" + nodeId + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "fleet-gateway-" + nodeId + "-timer");
            t.setDaemon(true);
            return t;
        });
        this.applied = new AppliedIndexWaiter(nodeId, stateMachine::image, timer);
        stateMachine.addPublisher(applied);
    }

    public static Builder builder(FleetNode node, FleetClient client) {
        return new Builder(node, client);
    }

    @Override
    public String nodeId() {
        return nodeId;
    }

    @Override
    public CompletableFuture<Committed> submit(CommandBatch batch) {
        return sendSeeded(batch)
                .thenCompose(reply -> applied.await(reply.getLogIndex(), LOCAL_APPLY_WAIT)
                        .handle((image, lagging) -> new Committed(termOf(reply.getLogIndex()), reply)));
    }

    /**
     * While this node's image holds no fleet settings, the batch goes with the config's set-if-absent bootstrap in
     * front, so it is never validated against the built-in defaults ({@link FleetSettingsSeed}).
     */
    private CompletableFuture<BatchReply> sendSeeded(CommandBatch batch) {
        if (seed == null || !seed.needsBootstrap(stateMachine.image(), batch)) {
            return send(batch);
        }
        return send(seed.prepend(batch)).thenApply(FleetSettingsSeed::strip);
    }

    /** Asynchronous: no thread waits while the entry is replicated, so concurrent writers are all in flight. */
    private CompletableFuture<BatchReply> send(CommandBatch batch) {
        return client.submitAsync(batch, firstHop()).handle((reply, error) -> {
            if (error == null) {
                return reply;
            }
            Throwable cause =
                    error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            if (cause instanceof StateMachineException) {
                throw new IllegalStateException(
                        "the fleet log refused batch " + batch.getRequestId() + ": " + cause.getMessage(), cause);
            }
            String why = String.valueOf(cause.getMessage());
            throw new FleetUnavailableException(
                    "the fleet log did not confirm batch " + batch.getRequestId() + " (" + why + ")"
                            + (why.contains(OUTCOME_UNKNOWN) ? "" : "; " + OUTCOME_UNKNOWN),
                    cause);
        });
    }

    /**
     * Where a write goes first when the client has not seen a leader yet: the leader this node's peer follows
     * (known from its heartbeats), else this node's own peer, which names the leader in its not-leader reply.
     */
    private RaftPeerId firstHop() {
        try {
            RaftPeerId leader = division().getInfo().getLeaderId();
            return leader != null ? leader : node.peerId();
        } catch (FleetUnavailableException e) {
            return node.peerId();
        }
    }

    private long termOf(long index) {
        try {
            TermIndex ti = division().getRaftLog().getTermIndex(index);
            return ti == null ? 0 : ti.getTerm();
        } catch (RuntimeException e) {
            return 0;
        }
    }

    @Override
    public CompletableFuture<FleetImage> read(ReadConsistency consistency, long minAppliedIndex, Duration timeout) {
        if (consistency == ReadConsistency.LOCAL) {
            return applied.await(minAppliedIndex, timeout);
        }
        return CompletableFuture.supplyAsync(this::leaderAppliedIndex, io)
                .thenCompose(leader -> applied.await(Math.max(leader, minAppliedIndex), timeout));
    }

    private long leaderAppliedIndex() {
        try {
            return client.status().getAppliedIndex();
        } catch (IOException e) {
            throw new FleetUnavailableException(
                    "no leader answered a linearizable read (" + e.getMessage()
                            + "); a LOCAL read is served by this node alone",
                    e);
        }
    }

    @Override
    public NodeStatus localStatus() {
        RaftServer.Division d = division();
        DivisionInfo info = d.getInfo();
        FleetImage image = stateMachine.image();
        PeerRole role = membership().contains(nodeId) ? role(info) : PeerRole.NOT_MEMBER;
        NodeStatus.Builder b = NodeStatus.newBuilder()
                .setNodeId(nodeId)
                .setRole(role)
                .setTerm(info.getCurrentTerm())
                .setLeaderChanges(stateMachine.leaderChanges())
                .setCommitIndex(Math.max(0, d.getRaftLog().getLastCommittedIndex()))
                .setAppliedIndex(image.index())
                .setProgrammedIndex(programmedIndex.getAsLong())
                .setStateIndex(image.stateIndex())
                .setStateDigest(ByteString.copyFrom(image.digest()))
                .setDrained(image.nodes().isDrained(nodeId))
                .setLive(true);
        if (localStatusExtras != null) {
            // the agent sets the digest of the programmed rings; the state machine's rings of the applied image
            // are not built here (peers poll this status every 20 ms, and a ring costs ~2 ms to build)
            localStatusExtras.accept(b);
        } else {
            // no datapath: the applied image stands for the programmed one
            b.setRingsDigest(ByteString.copyFrom(rings.of(image).digest()));
        }
        return b.build();
    }

    private static PeerRole role(DivisionInfo info) {
        switch (info.getCurrentRole()) {
            case LEADER:
                return PeerRole.LEADER;
            case FOLLOWER:
                return PeerRole.FOLLOWER;
            case CANDIDATE:
                return PeerRole.CANDIDATE;
            case LISTENER:
                return PeerRole.LISTENER;
            default:
                return PeerRole.PEER_ROLE_UNKNOWN;
        }
    }

    @Override
    public CompletableFuture<List<NodeStatus>> fleetStatus(Duration timeout) {
        TreeSet<String> ids = new TreeSet<>();
        for (RaftPeer p : node.group().getPeers()) {
            ids.add(p.getId().toString());
        }
        List<CompletableFuture<NodeStatus>> each = new ArrayList<>();
        for (String id : ids) {
            if (id.equals(nodeId)) {
                each.add(CompletableFuture.supplyAsync(this::localStatus, io));
            } else if (peers == null) {
                each.add(CompletableFuture.completedFuture(NodeStatus.newBuilder()
                        .setNodeId(id)
                        .setLive(false)
                        .setError("this node was started without a way to ask its peers")
                        .build()));
            } else {
                each.add(peers.status(id, timeout)
                        .orTimeout(timeout.toMillis() + 100, TimeUnit.MILLISECONDS)
                        .exceptionally(e -> NodeStatus.newBuilder()
                                .setNodeId(id)
                                .setLive(false)
                                .setError("no answer: "
                                        + Statuses.of(e, "status of " + id)
                                                .getStatus()
                                                .getDescription())
                                .build()));
            }
        }
        Membership members = membership();
        return CompletableFuture.allOf(each.toArray(new CompletableFuture<?>[0]))
                .thenApply(v -> each.stream()
                        .map(CompletableFuture::join)
                        .map(s -> asSeenHere(s, members))
                        .toList());
    }

    /** A node outside this node's Raft configuration shows NOT_MEMBER, whatever it says of itself. */
    private static NodeStatus asSeenHere(NodeStatus status, Membership members) {
        return members.contains(status.getNodeId())
                ? status
                : status.toBuilder().setRole(PeerRole.NOT_MEMBER).build();
    }

    @Override
    public Membership membership() {
        RaftConfiguration conf = configuration();
        return new Membership(
                ids(conf.getCurrentPeers(RaftPeerRole.FOLLOWER)), ids(conf.getCurrentPeers(RaftPeerRole.LISTENER)));
    }

    @Override
    public CompletableFuture<Membership> leave(String id) {
        return CompletableFuture.supplyAsync(
                () -> changeMembership(id, current -> current.leaving(id, configuredPeers())), io);
    }

    @Override
    public CompletableFuture<Membership> join(String id) {
        return CompletableFuture.supplyAsync(
                () -> changeMembership(id, current -> current.joining(id, configuredPeers())), io);
    }

    /** Checks the change against this node's configuration; the leader sets it only if that still is the current one. */
    private Membership changeMembership(String id, UnaryOperator<Membership> change) {
        RaftConfiguration conf = configuration();
        List<RaftPeer> voters = List.copyOf(conf.getCurrentPeers(RaftPeerRole.FOLLOWER));
        List<RaftPeer> listeners = List.copyOf(conf.getCurrentPeers(RaftPeerRole.LISTENER));
        Membership next = change.apply(new Membership(ids(voters), ids(listeners)));
        try {
            client.setConfiguration(
                    configuredPeers(next.voters()), configuredPeers(next.listeners()), voters, listeners);
        } catch (IOException e) {
            throw new FleetUnavailableException(
                    "the Raft configuration was not changed to " + next + " (" + e.getMessage()
                            + "); a node joining must be running; see GetStatus before retrying",
                    e);
        }
        return next;
    }

    /** The fleet config's peers (the group this node was built with): id → true for a listener. */
    private Map<String, Boolean> configuredPeers() {
        Map<String, Boolean> roles = new TreeMap<>();
        for (RaftPeer p : node.group().getPeers()) {
            roles.put(p.getId().toString(), p.getStartupRole() == RaftPeerRole.LISTENER);
        }
        return roles;
    }

    private List<RaftPeer> configuredPeers(Set<String> ids) {
        return node.group().getPeers().stream()
                .filter(p -> ids.contains(p.getId().toString()))
                .toList();
    }

    private static SortedSet<String> ids(Collection<RaftPeer> peers) {
        SortedSet<String> ids = new TreeSet<>();
        peers.forEach(p -> ids.add(p.getId().toString()));
        return ids;
    }

    private RaftConfiguration configuration() {
        try {
            return node.configuration();
        } catch (IOException e) {
            throw new FleetUnavailableException("this node's Raft peer is not running: " + e.getMessage(), e);
        }
    }

    @Override
    public Optional<String> leaderId() {
        RaftPeerId leader = division().getInfo().getLeaderId();
        return Optional.ofNullable(leader).map(RaftPeerId::toString);
    }

    private RaftServer.Division division() {
        try {
            return node.server().getDivision(node.group().getGroupId());
        } catch (IOException e) {
            throw new FleetUnavailableException("this node's Raft peer is not running: " + e.getMessage(), e);
        }
    }

    /** Stops the gateway's threads (not the node or the client, which the caller owns). */
    @Override
    public void close() {
        stateMachine.removePublisher(applied);
        io.shutdownNow();
        timer.shutdownNow();
    }

    public static final class Builder {
        private final FleetNode node;
        private final FleetClient client;
        private LongSupplier programmedIndex;
        private Consumer<NodeStatus.Builder> localStatusExtras;
        private RingView rings;
        private PeerStatusSource peers;
        private int ioThreads = 4;
        private FleetSettingsSeed seed;

        private Builder(FleetNode node, FleetClient client) {
            this.node = Objects.requireNonNull(node, "node");
            this.client = Objects.requireNonNull(client, "client");
        }

        /**
         * This node's programmed index (the map programmer's). Without one, the applied index stands in: for a
         * node without a datapath only.
         */
        /** The config's settings: prepended as a bootstrap to writes while the log holds none. */
        public Builder seed(FleetSettingsSeed seed) {
            this.seed = seed;
            return this;
        }

        public Builder programmedIndex(LongSupplier programmedIndex) {
            this.programmedIndex = Objects.requireNonNull(programmedIndex, "programmedIndex");
            return this;
        }

        /**
         * Called last whenever this node's status is built: the agent sets what only it knows (programmed index
         * and the rings digest of what is programmed, from one reading; announcing; why it is stuck).
         */
        public Builder localStatus(Consumer<NodeStatus.Builder> extras) {
            this.localStatusExtras = Objects.requireNonNull(extras, "extras");
            return this;
        }

        /**
         * The node's ring view, for the rings digest of a node without a datapath (no {@link #localStatus} extras:
         * the applied image stands for the programmed one); default: a view of this gateway's own.
         */
        public Builder rings(RingView rings) {
            this.rings = Objects.requireNonNull(rings, "rings");
            return this;
        }

        /** How to ask the other nodes for their status (fleet-wide GetStatus). */
        public Builder peers(PeerStatusSource peers) {
            this.peers = Objects.requireNonNull(peers, "peers");
            return this;
        }

        /** Threads for the client's blocking calls; 1..64, default 4. */
        public Builder ioThreads(int threads) {
            if (threads < 1 || threads > 64) {
                throw new IllegalArgumentException("ioThreads must be 1..64, got " + threads);
            }
            this.ioThreads = threads;
            return this;
        }

        public RaftFleetGateway build() {
            return new RaftFleetGateway(this);
        }
    }
}
