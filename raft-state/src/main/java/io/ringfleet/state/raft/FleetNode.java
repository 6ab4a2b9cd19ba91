package io.ringfleet.state.raft;

import io.ringfleet.state.FleetPublisher;
import io.ringfleet.state.FleetVersions;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Consumer;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.grpc.GrpcTlsConfig;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.GroupManagementRequest;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.rpc.CallId;
import org.apache.ratis.server.RaftConfiguration;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.util.LifeCycle;
import org.apache.ratis.util.NetUtils;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;

/**
 * One Ratis peer of the fleet log: a {@link RaftServer} over gRPC running a {@link FleetStateMachine}, with
 * its Raft log, Raft metadata and snapshots under one storage directory:
 * {@code <storageDir>/<group uuid>/current} (log segments, raft-meta) and {@code .../sm} (snapshots).
 *
 * <pre>{@code
 * FleetNode node = FleetNode.builder()
 *     .peerId("lb-1").peers(Map.of("lb-1", "10.0.0.1:7000", "lb-2", "10.0.0.2:7000", "lb-3", "10.0.0.3:7000"))
 *     .storageDir(Path.of("/var/lib/ringfleet/raft"))
 *     .publisher(mapProgrammer)
 *     .build();
 * node.start();
 * }</pre>
 *
 * <p>Voters ({@link Builder#peers}) elect the leader and form the quorum; listeners ({@link Builder#listeners})
 * receive the log from the leader and apply it (their publishers see every image) but never vote, never count
 * toward a commit and never lead. A write sent to a listener is answered "not leader" with the leader's id, and
 * {@link FleetClient} follows it.
 *
 * <p>Defaults: a snapshot every 10,000 applied entries, 3 snapshots kept, the log purged up to the slowest
 * follower's commit index (not past it, so a lagging follower catches up from the log) but keeping as many
 * entries as one snapshot interval, so that if the newest snapshot is ever found corrupt the previous one
 * plus the log still rebuild the state locally. A leader that stepped down for losing its majority's heartbeats
 * does not campaign again for {@value #STEP_DOWN_WAIT_ELECTION_TIMEOUTS} minimum election timeouts (Ratis's
 * {@code raft.server.leaderelection.leader.step-down.wait-time}, 10 s by default, which can leave the group
 * leaderless that long when the ex-leader holds the only longest log). TLS: {@link Builder#tls} hands a {@link GrpcTlsConfig} to
 * Ratis's server, client and admin channels (the seam; certificates come from lb-agent's config).
 */
public final class FleetNode implements Closeable {
    /**
     * The group of the fleet log unless told otherwise (tests): a fixed UUID. An agent names its group after its
     * fleet ({@link #groupIdOf}), so nodes of two fleets never join each other's log.
     */
    public static final RaftGroupId DEFAULT_GROUP_ID =
            RaftGroupId.valueOf(UUID.nameUUIDFromBytes("ringfleet-fleet-log".getBytes(StandardCharsets.UTF_8)));

    /**
     * The Raft group of fleet {@code fleetId}: a name-based (type 3) UUID of "ringfleet-fleet:" + the id, equal on
     * every node of the fleet and different for every other fleet. Ratis refuses requests and votes for another
     * group id, and the group's storage directory is named after it.
     */
    public static RaftGroupId groupIdOf(String fleetId) {
        if (fleetId == null || fleetId.isEmpty()) {
            throw new IllegalArgumentException("a fleet id is needed to name the fleet's Raft group");
        }
        return RaftGroupId.valueOf(
                UUID.nameUUIDFromBytes(("ringfleet-fleet:" + fleetId).getBytes(StandardCharsets.UTF_8)));
    }

    /** The leader step-down wait in minimum election timeouts (unless set through {@link Builder#raftProperties}). */
    public static final int STEP_DOWN_WAIT_ELECTION_TIMEOUTS = 5;

    private final RaftPeerId peerId;
    private final RaftGroup group;
    private final Path storageDir;
    private final FleetStateMachine stateMachine;
    private final RaftServer server;
    private final TimeDuration leaderStepDownWait;
    private final boolean joining;
    private final boolean joinOutsideConfiguration;
    private final RaftTimings timings;

    private FleetNode(Builder b) throws IOException {
        this.peerId = RaftPeerId.valueOf(b.peerId);
        this.group = group(b.groupId, b.peers, b.listeners);
        this.joining = b.joining;
        this.timings = b.timings;
        RaftPeer self = group.getPeer(peerId);
        if (self == null) {
            throw new IllegalArgumentException("peer " + b.peerId + " is neither among the voters " + b.peers.keySet()
                    + " nor among the listeners " + b.listeners.keySet());
        }
        this.storageDir = b.storageDir;
        this.stateMachine = new FleetStateMachine(b.supportedFleetVersion);
        b.publishers.forEach(stateMachine::addPublisher);
        stateMachine.onLogFailed(b.onLogFailed);

        RaftProperties p = new RaftProperties();
        RaftServerConfigKeys.setStorageDir(p, List.of(storageDir.toFile()));
        GrpcConfigKeys.Server.setHost(
                p, NetUtils.createSocketAddr(self.getAddress()).getHostString());
        GrpcConfigKeys.Server.setPort(
                p, NetUtils.createSocketAddr(self.getAddress()).getPort());
        RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(p, true);
        RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(p, b.snapshotThreshold);
        RaftServerConfigKeys.Snapshot.setRetentionFileNum(p, b.snapshotsRetained);
        RaftServerConfigKeys.Snapshot.setCreationGap(p, b.snapshotCreationGap);
        RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(p, b.purgeUpToSnapshotIndex);
        RaftServerConfigKeys.Log.setPurgeGap(p, b.purgeGap);
        RaftServerConfigKeys.Log.setPurgePreservationLogNum(
                p, b.purgePreservation < 0 ? b.snapshotThreshold : b.purgePreservation);
        RaftServerConfigKeys.Log.setSegmentSizeMax(p, SizeInBytes.valueOf(b.segmentSizeMax));
        RaftServerConfigKeys.Log.Appender.setInstallSnapshotEnabled(p, true);
        timings.applyTo(p);
        if (b.propertiesCustomizer != null) {
            b.propertiesCustomizer.accept(p);
        }
        RatisSafety.applyTo(p);
        this.leaderStepDownWait = leaderStepDownWait(p);

        Parameters parameters = new Parameters();
        if (b.tls != null) {
            GrpcConfigKeys.Server.setTlsConf(parameters, b.tls);
            GrpcConfigKeys.Client.setTlsConf(parameters, b.tls);
            GrpcConfigKeys.Admin.setTlsConf(parameters, b.tls);
        }
        // An existing group directory is recovered (log, metadata, snapshots); a missing one is formatted.
        boolean existing = Files.isDirectory(
                storageDir.resolve(group.getGroupId().getUuid().toString()));
        // A joining peer with new storage starts with no group and adds it after start (see start()): Ratis's
        // builder refuses a group that does not hold the server, its group-add does not.
        this.joinOutsideConfiguration = joining && !existing;
        RaftServer.Builder builder = RaftServer.newBuilder().setServerId(peerId);
        if (!joinOutsideConfiguration) {
            builder.setGroup(group);
        }
        this.server = builder.setProperties(p)
                .setParameters(parameters)
                .setStateMachine(stateMachine)
                .setOption(existing ? RaftStorage.StartupOption.RECOVER : RaftStorage.StartupOption.FORMAT)
                .build();
    }

    /**
     * The group a joining peer formats its storage with: every other peer, not itself. Ratis starts a peer that
     * is not in its own configuration without an election timer (its life cycle stays STARTING): it never
     * campaigns and so can neither disrupt the fleet nor be told to shut down for asking for votes. It waits for
     * the leader, which catches it up (log or snapshot) while adding it, and runs once it is a member.
     */
    private static RaftGroup withoutSelf(RaftGroup group, RaftPeerId self) {
        List<RaftPeer> others =
                group.getPeers().stream().filter(p -> !p.getId().equals(self)).toList();
        return RaftGroup.valueOf(group.getGroupId(), others);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Sets the step-down wait to {@value #STEP_DOWN_WAIT_ELECTION_TIMEOUTS} minimum election timeouts unless it was
     * set explicitly, after the customizer, so that it follows a customized election timeout.
     */
    private static TimeDuration leaderStepDownWait(RaftProperties p) {
        if (p.get(RaftServerConfigKeys.LeaderElection.LEADER_STEP_DOWN_WAIT_TIME_KEY) == null) {
            RaftServerConfigKeys.LeaderElection.setLeaderStepDownWaitTime(
                    p, RaftServerConfigKeys.Rpc.timeoutMin(p).multiply(STEP_DOWN_WAIT_ELECTION_TIMEOUTS));
        }
        return RaftServerConfigKeys.LeaderElection.leaderStepDownWaitTime(p);
    }

    /** The Raft group of these voters ({@code id -> host:port}, in the given order). */
    public static RaftGroup group(RaftGroupId groupId, Map<String, String> voters) {
        return group(groupId, voters, Map.of());
    }

    /** The Raft group of these voters and listeners ({@code id -> host:port}; voters first, each in the given order). */
    public static RaftGroup group(RaftGroupId groupId, Map<String, String> voters, Map<String, String> listeners) {
        List<RaftPeer> list = new ArrayList<>();
        voters.forEach((id, address) -> list.add(peer(id, address, RaftPeerRole.FOLLOWER)));
        listeners.forEach((id, address) -> list.add(peer(id, address, RaftPeerRole.LISTENER)));
        return RaftGroup.valueOf(groupId, list);
    }

    private static RaftPeer peer(String id, String address, RaftPeerRole startupRole) {
        return RaftPeer.newBuilder()
                .setId(id)
                .setAddress(address)
                .setStartupRole(startupRole)
                .build();
    }

    /** Starts the server (loads the newest valid snapshot, then replays the log and joins the group). */
    public void start() throws IOException {
        server.start();
        if (joinOutsideConfiguration) {
            RaftClientReply added = server.groupManagement(GroupManagementRequest.newAdd(
                    ClientId.randomId(), peerId, CallId.getAndIncrement(), withoutSelf(group, peerId), true));
            if (!added.isSuccess()) {
                throw new IOException("adding the fleet log's group (without " + peerId + ") to " + peerId + " failed: "
                        + added.getException());
            }
        }
    }

    public RaftPeerId peerId() {
        return peerId;
    }

    public RaftGroup group() {
        return group;
    }

    public Path storageDir() {
        return storageDir;
    }

    public FleetStateMachine stateMachine() {
        return stateMachine;
    }

    public RaftServer server() {
        return server;
    }

    /** Whether this peer is a listener of its group (receives and applies the log, never votes or leads). */
    public boolean isListener() {
        return group.getPeer(peerId).getStartupRole() == RaftPeerRole.LISTENER;
    }

    /** Whether this peer was built to join the fleet (started outside its own configuration when its storage is new). */
    public boolean isJoining() {
        return joining;
    }

    public RaftTimings timings() {
        return timings;
    }

    /**
     * The life cycle of this peer's division of the fleet log (not of the server process: when the leader tells a
     * removed peer to shut down, Ratis closes the division while the server stays RUNNING). STARTING while a
     * joining peer waits to be added, RUNNING as a member, CLOSING/CLOSED/EXCEPTION once it stopped; CLOSED too
     * when the server has no such division.
     */
    public LifeCycle.State raftState() {
        try {
            return server.getDivision(group.getGroupId()).getInfo().getLifeCycleState();
        } catch (IOException e) {
            return LifeCycle.State.CLOSED;
        }
    }

    /** How long a leader that lost its majority's heartbeats waits before it may campaign again. */
    public TimeDuration leaderStepDownWait() {
        return leaderStepDownWait;
    }

    /** Whether this peer is the leader now (a hint: leadership can change any time). */
    public boolean isLeader() {
        try {
            return server.getDivision(group.getGroupId()).getInfo().isLeader();
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The Raft configuration this peer knows (its last configuration entry, committed or not): voters are
     * {@code getCurrentPeers(FOLLOWER)}, listeners {@code getCurrentPeers(LISTENER)}. Changed through the leader
     * ({@link FleetClient#setConfiguration}); {@link #group()} stays what the peer was built with.
     */
    public RaftConfiguration configuration() throws IOException {
        return server.getDivision(group.getGroupId()).getRaftConf();
    }

    /** Stops the server: applies what is committed, then closes the log and the state machine. */
    @Override
    public void close() throws IOException {
        server.close();
    }

    @Override
    public String toString() {
        return "FleetNode{" + peerId + "@" + group.getPeer(peerId).getAddress() + ", " + storageDir + "}";
    }

    /** Options of a {@link FleetNode}; each setter checks its argument and says what is allowed. */
    public static final class Builder {
        private String peerId;
        private final Map<String, String> peers = new LinkedHashMap<>();
        private final Map<String, String> listeners = new LinkedHashMap<>();
        private RaftGroupId groupId = DEFAULT_GROUP_ID;
        private Path storageDir;
        private int supportedFleetVersion = FleetVersions.SUPPORTED;
        private long snapshotThreshold = 10_000;
        private int snapshotsRetained = 3;
        private long snapshotCreationGap = 1024;
        private boolean purgeUpToSnapshotIndex;
        private int purgeGap = 1024;
        private long purgePreservation = -1;
        private long segmentSizeMax = 8L << 20;
        private GrpcTlsConfig tls;
        private Consumer<RaftProperties> propertiesCustomizer;
        private RaftTimings timings = RaftTimings.DEFAULT;
        private boolean joining;
        private final List<FleetPublisher> publishers = new ArrayList<>();
        private Consumer<String> onLogFailed = reason -> {};

        private Builder() {}

        /** This peer's id: one of {@link #peers} or {@link #listeners}. */
        public Builder peerId(String peerId) {
            this.peerId = requireText(peerId, "peerId");
            return this;
        }

        /** Every voter: id to {@code host:port}; this peer listens on its own entry's address. */
        public Builder peers(Map<String, String> peers) {
            if (peers.isEmpty()) {
                throw new IllegalArgumentException("peers must name at least this peer");
            }
            peers.forEach((id, address) ->
                    this.peers.put(requireText(id, "peer id"), requireText(address, "address of " + id)));
            return this;
        }

        /** Every listener (receives the log, never votes or leads): id to {@code host:port}; none by default. */
        public Builder listeners(Map<String, String> listeners) {
            listeners.forEach((id, address) ->
                    this.listeners.put(requireText(id, "listener id"), requireText(address, "address of " + id)));
            return this;
        }

        public Builder groupId(RaftGroupId groupId) {
            this.groupId = Objects.requireNonNull(groupId, "groupId");
            return this;
        }

        /** Where the Raft log, Raft metadata and snapshots of this peer live (one directory per peer). */
        public Builder storageDir(Path storageDir) {
            this.storageDir = Objects.requireNonNull(storageDir, "storageDir");
            return this;
        }

        /**
         * The highest fleet version this peer's state machine applies; default {@link FleetVersions#SUPPORTED}.
         * Lower only to simulate a node on older software (tests). Limits are not a peer option: validation
         * reads them from the fleet settings in the log.
         */
        public Builder supportedFleetVersion(int version) {
            this.supportedFleetVersion = version;
            return this;
        }

        /** A snapshot is taken every {@code entries} applied entries; 1 or more, default 10,000. */
        public Builder snapshotThreshold(long entries) {
            if (entries < 1) {
                throw new IllegalArgumentException("snapshotThreshold must be >= 1 entry, got " + entries);
            }
            this.snapshotThreshold = entries;
            return this;
        }

        /** Snapshots kept on disk; 1 or more, default 3. */
        public Builder snapshotsRetained(int count) {
            if (count < 1) {
                throw new IllegalArgumentException("snapshotsRetained must be >= 1, got " + count);
            }
            this.snapshotsRetained = count;
            return this;
        }

        /** Least entries between two snapshots asked for through the admin API (unless forced); default 1024. */
        public Builder snapshotCreationGap(long entries) {
            if (entries < 0) {
                throw new IllegalArgumentException("snapshotCreationGap must be >= 0, got " + entries);
            }
            this.snapshotCreationGap = entries;
            return this;
        }

        /**
         * Purge the log up to the snapshot even if a follower has not got that far (it then receives the
         * snapshot). Default false: the log is kept for the slowest follower.
         */
        public Builder purgeUpToSnapshotIndex(boolean purge) {
            this.purgeUpToSnapshotIndex = purge;
            return this;
        }

        /** Least entries purged at once; 1 or more, default 1024. */
        public Builder purgeGap(int entries) {
            if (entries < 1) {
                throw new IllegalArgumentException("purgeGap must be >= 1, got " + entries);
            }
            this.purgeGap = entries;
            return this;
        }

        /** Entries kept behind the snapshot when purging; 0 or more, default = the snapshot threshold. */
        public Builder purgePreservation(long entries) {
            if (entries < 0) {
                throw new IllegalArgumentException("purgePreservation must be >= 0, got " + entries);
            }
            this.purgePreservation = entries;
            return this;
        }

        /** Size at which a log segment is closed (only closed segments are purged); 1 KiB..1 GiB, default 8 MiB. */
        public Builder segmentSizeMax(long bytes) {
            if (bytes < 1024 || bytes > 1L << 30) {
                throw new IllegalArgumentException("segmentSizeMax must be 1024..1073741824 bytes, got " + bytes);
            }
            this.segmentSizeMax = bytes;
            return this;
        }

        /** TLS for Ratis's gRPC server, client and admin channels; none by default (loopback/tests only). */
        public Builder tls(GrpcTlsConfig tls) {
            this.tls = Objects.requireNonNull(tls, "tls");
            return this;
        }

        /** Election and request timeouts and pre-vote; default {@link RaftTimings#DEFAULT}. */
        public Builder timings(RaftTimings timings) {
            this.timings = Objects.requireNonNull(timings, "timings");
            return this;
        }

        /**
         * Join an existing fleet: if this peer's storage is new, it starts outside its own configuration and
         * waits, without campaigning, until the leader adds it (see {@link FleetClient#setConfiguration}). A
         * peer with existing storage recovers it as usual. Default false (a new fleet's peers all start as members).
         */
        public Builder joining(boolean joining) {
            this.joining = joining;
            return this;
        }

        /** Last word on any other Ratis property (timeouts, thread pools); applied after the options above. */
        public Builder raftProperties(Consumer<RaftProperties> customizer) {
            this.propertiesCustomizer = Objects.requireNonNull(customizer, "customizer");
            return this;
        }

        /** A publisher registered before the server starts, so it sees every image. */
        public Builder publisher(FleetPublisher publisher) {
            this.publishers.add(Objects.requireNonNull(publisher, "publisher"));
            return this;
        }

        /**
         * The fail-stop for a log that cannot be written (see {@link FleetStateMachine#onLogFailed}): a process
         * should halt in it. By default the failure is only logged (tests that run many peers in one JVM).
         */
        public Builder onLogFailed(Consumer<String> failStop) {
            this.onLogFailed = Objects.requireNonNull(failStop, "failStop");
            return this;
        }

        /** Builds the node (not started). */
        public FleetNode build() throws IOException {
            if (peerId == null) {
                throw new IllegalStateException("peerId is required");
            }
            if (peers.isEmpty()) {
                throw new IllegalStateException("peers are required (at least one voter)");
            }
            List<String> both =
                    listeners.keySet().stream().filter(peers::containsKey).toList();
            if (!both.isEmpty()) {
                throw new IllegalStateException(
                        "peers " + both + " are both voters and listeners; each peer is one or the other");
            }
            if (storageDir == null) {
                throw new IllegalStateException("storageDir is required");
            }
            return new FleetNode(this);
        }

        private static String requireText(String s, String what) {
            if (s == null || s.isBlank()) {
                throw new IllegalArgumentException(what + " must be a non-empty string");
            }
            return s;
        }
    }
}
