package io.ringfleet.state.raft;

import io.ringfleet.state.FleetLimits;
import io.ringfleet.state.FleetPublisher;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.util.NetUtils;
import org.apache.ratis.util.SizeInBytes;

/**
 * One Ratis peer of the fleet log: a {@link RaftServer} over gRPC running a {@link FleetStateMachine}, with
 * its Raft log, Raft metadata and snapshots under one storage directory:
 * {@code <storageDir>/<group uuid>/current} (log segments, raft-meta) and {@code .../sm} (snapshots).
 *
 * <pre>{@code
 * FleetNode node = FleetNode.builder()
 *     .peerId("lb-1").peers(Map.of("lb-1", "10.0.0.1:7000", "lb-2", "10.0.0.2:7000", "lb-3", "10.0.0.3:7000"))
 *     .storageDir(Path.of("/var/lib/ringfleet/raft")).limits(limits)
 *     .publisher(mapProgrammer)
 *     .build();
 * node.start();
 * }</pre>
 *
 * <p>Defaults: a snapshot every 10,000 applied entries, 3 snapshots kept, the log purged up to the slowest
 * follower's commit index (not past it, so a lagging follower catches up from the log) but keeping as many
 * entries as one snapshot interval, so that if the newest snapshot is ever found corrupt the previous one
 * plus the log still rebuild the state locally. TLS: {@link Builder#tls} hands a {@link GrpcTlsConfig} to
 * Ratis's server, client and admin channels (the seam; certificates come from lb-agent's config).
 */
public final class FleetNode implements Closeable {
  /** The group of the fleet log unless told otherwise: a fixed UUID, so every node names the same group. */
  public static final RaftGroupId DEFAULT_GROUP_ID =
      RaftGroupId.valueOf(UUID.nameUUIDFromBytes("ringfleet-fleet-log".getBytes(StandardCharsets.UTF_8)));

  private final RaftPeerId peerId;
  private final RaftGroup group;
  private final Path storageDir;
  private final FleetStateMachine stateMachine;
  private final RaftServer server;

  private FleetNode(Builder b) throws IOException {
    this.peerId = RaftPeerId.valueOf(b.peerId);
    this.group = group(b.groupId, b.peers);
    RaftPeer self = group.getPeer(peerId);
    if (self == null) {
      throw new IllegalArgumentException("peer " + b.peerId + " is not among the peers " + b.peers.keySet());
    }
    this.storageDir = b.storageDir;
    this.stateMachine = new FleetStateMachine(b.limits);
    b.publishers.forEach(stateMachine::addPublisher);

    RaftProperties p = new RaftProperties();
    RaftServerConfigKeys.setStorageDir(p, List.of(storageDir.toFile()));
    GrpcConfigKeys.Server.setHost(p, NetUtils.createSocketAddr(self.getAddress()).getHostString());
    GrpcConfigKeys.Server.setPort(p, NetUtils.createSocketAddr(self.getAddress()).getPort());
    RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(p, true);
    RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(p, b.snapshotThreshold);
    RaftServerConfigKeys.Snapshot.setRetentionFileNum(p, b.snapshotsRetained);
    RaftServerConfigKeys.Snapshot.setCreationGap(p, b.snapshotCreationGap);
    RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(p, b.purgeUpToSnapshotIndex);
    RaftServerConfigKeys.Log.setPurgeGap(p, b.purgeGap);
    RaftServerConfigKeys.Log.setPurgePreservationLogNum(p, b.purgePreservation < 0 ? b.snapshotThreshold : b.purgePreservation);
    RaftServerConfigKeys.Log.setSegmentSizeMax(p, SizeInBytes.valueOf(b.segmentSizeMax));
    RaftServerConfigKeys.Log.Appender.setInstallSnapshotEnabled(p, true);
    if (b.propertiesCustomizer != null) {
      b.propertiesCustomizer.accept(p);
    }

    Parameters parameters = new Parameters();
    if (b.tls != null) {
      GrpcConfigKeys.Server.setTlsConf(parameters, b.tls);
      GrpcConfigKeys.Client.setTlsConf(parameters, b.tls);
      GrpcConfigKeys.Admin.setTlsConf(parameters, b.tls);
    }
    // An existing group directory is recovered (log, metadata, snapshots); a missing one is formatted.
    boolean existing = java.nio.file.Files.isDirectory(storageDir.resolve(group.getGroupId().getUuid().toString()));
    this.server = RaftServer.newBuilder()
        .setServerId(peerId)
        .setGroup(group)
        .setProperties(p)
        .setParameters(parameters)
        .setStateMachine(stateMachine)
        .setOption(existing ? RaftStorage.StartupOption.RECOVER : RaftStorage.StartupOption.FORMAT)
        .build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The Raft group of these peers ({@code id -> host:port}, in the given order). */
  public static RaftGroup group(RaftGroupId groupId, Map<String, String> peers) {
    List<RaftPeer> list = new ArrayList<>();
    for (Map.Entry<String, String> e : peers.entrySet()) {
      list.add(RaftPeer.newBuilder().setId(e.getKey()).setAddress(e.getValue()).build());
    }
    return RaftGroup.valueOf(groupId, list);
  }

  /** Starts the server (loads the newest valid snapshot, then replays the log and joins the group). */
  public void start() throws IOException {
    server.start();
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

  /** Whether this peer is the leader now (a hint: leadership can change any time). */
  public boolean isLeader() {
    try {
      return server.getDivision(group.getGroupId()).getInfo().isLeader();
    } catch (IOException e) {
      return false;
    }
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
    private RaftGroupId groupId = DEFAULT_GROUP_ID;
    private Path storageDir;
    private FleetLimits limits = FleetLimits.DEFAULT;
    private long snapshotThreshold = 10_000;
    private int snapshotsRetained = 3;
    private long snapshotCreationGap = 1024;
    private boolean purgeUpToSnapshotIndex;
    private int purgeGap = 1024;
    private long purgePreservation = -1;
    private long segmentSizeMax = 8L << 20;
    private GrpcTlsConfig tls;
    private Consumer<RaftProperties> propertiesCustomizer;
    private final List<FleetPublisher> publishers = new ArrayList<>();

    private Builder() {}

    /** This peer's id: one of {@link #peers}. */
    public Builder peerId(String peerId) {
      this.peerId = requireText(peerId, "peerId");
      return this;
    }

    /** Every voter: id to {@code host:port}; this peer listens on its own entry's address. */
    public Builder peers(Map<String, String> peers) {
      if (peers.isEmpty()) {
        throw new IllegalArgumentException("peers must name at least this peer");
      }
      peers.forEach((id, address) -> this.peers.put(requireText(id, "peer id"), requireText(address, "address of " + id)));
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

    /** Must be equal on every peer (validation depends on it); default {@link FleetLimits#DEFAULT}. */
    public Builder limits(FleetLimits limits) {
      this.limits = Objects.requireNonNull(limits, "limits");
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

    /** Builds the node (not started). */
    public FleetNode build() throws IOException {
      if (peerId == null) {
        throw new IllegalStateException("peerId is required");
      }
      if (peers.isEmpty()) {
        throw new IllegalStateException("peers are required");
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
