package io.ringfleet.state.raft;

import com.google.protobuf.InvalidProtocolBufferException;
import io.ringfleet.api.BatchReply;
import io.ringfleet.api.CommandBatch;
import io.ringfleet.api.StateQuery;
import io.ringfleet.api.StateStatus;
import io.ringfleet.state.FleetImage;
import io.ringfleet.state.snapshot.SnapshotCodec;
import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.grpc.GrpcTlsConfig;
import org.apache.ratis.proto.RaftProtos.RaftConfigurationProto;
import org.apache.ratis.proto.RaftProtos.RaftPeerProto;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.GroupInfoReply;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.SetConfigurationRequest;
import org.apache.ratis.protocol.exceptions.LeaderNotReadyException;
import org.apache.ratis.protocol.exceptions.NotLeaderException;
import org.apache.ratis.protocol.exceptions.RaftException;
import org.apache.ratis.protocol.exceptions.StateMachineException;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.rpc.CallId;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.apache.ratis.util.TimeDuration;

/**
 * Submits {@link CommandBatch}es to the fleet log and reads state machines: a thin wrapper of one
 * {@link RaftClient}. Thread-safe.
 *
 * <h2>Retries are idempotent: how lb-agent must call this</h2>
 * A write is identified by the client's {@link ClientId} and a call id. The leader's retry cache answers a
 * request whose (ClientId, callId) it already applied with the first reply, without a second log entry (for
 * {@code raft.server.retrycache.expirytime}, 60 s by default). So:
 * <ul>
 *   <li>Keep one FleetClient per process and reuse it for every write. A new client is a new ClientId: a
 *       write re-sent through it is a new write.
 *   <li>{@link #submit(CommandBatch)} and {@link #submit(CommandBatch, RaftPeerId)} retry internally (leader
 *       changes, timeouts, unreachable peers) with the same ClientId and call id, so one call applies the batch
 *       at most once however many times it is sent.
 *   <li>If a call throws {@link IOException} after its retries, the outcome is unknown: the batch may have
 *       been applied. Do not simply call again (that is a new call id). Read the state back (the request id
 *       travels in the batch and its records), or make the batch conditional with
 *       {@code expected_state_index}: applied twice, the second is rejected FAILED_PRECONDITION.
 *   <li>A rejection is not an error: it is a {@link BatchReply} with a non-OK code, the same on every node.
 * </ul>
 */
public final class FleetClient implements Closeable {
    /** Runs retries after their pause: one daemon thread for all clients (sending is asynchronous, it never blocks). */
    private static final Executor RETRY = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "fleet-client-retry");
        t.setDaemon(true);
        return t;
    });

    private final RaftGroup group;
    private final RaftClient client;
    private final int maxAttempts;
    private final TimeDuration retrySleep;
    private final long requestTimeoutMs;
    private final long writeTimeoutNanos;
    /** The peer that last acknowledged a write as leader or was named leader by a peer; null until then. */
    private final AtomicReference<RaftPeerId> knownLeader = new AtomicReference<>();
    /** Not-leader replies followed by {@link #submit(CommandBatch, RaftPeerId)}: each one is an extra round trip. */
    private final AtomicLong redirects = new AtomicLong();

    private FleetClient(Builder b) {
        this.group = b.group;
        this.maxAttempts = b.maxAttempts;
        this.retrySleep = TimeDuration.valueOf(b.retrySleepMs, TimeUnit.MILLISECONDS);
        this.requestTimeoutMs = b.requestTimeoutMs;
        this.writeTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(b.writeTimeoutMs);
        RaftProperties p = new RaftProperties();
        RaftClientConfigKeys.Rpc.setRequestTimeout(p, TimeDuration.valueOf(b.requestTimeoutMs, TimeUnit.MILLISECONDS));
        Parameters parameters = new Parameters();
        if (b.tls != null) {
            GrpcConfigKeys.Client.setTlsConf(parameters, b.tls);
            GrpcConfigKeys.Admin.setTlsConf(parameters, b.tls);
        }
        RaftClient.Builder rb = RaftClient.newBuilder()
                .setRaftGroup(group)
                .setProperties(p)
                .setParameters(parameters)
                .setClientId(b.clientId != null ? b.clientId : ClientId.randomId())
                .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(b.maxAttempts, retrySleep));
        if (b.leaderHint != null) {
            rb.setLeaderId(b.leaderHint);
        }
        this.client = rb.build();
    }

    public static Builder builder(RaftGroup group) {
        return new Builder(group);
    }

    /** The id under which the leader's retry cache knows this client's writes. */
    public ClientId clientId() {
        return client.getId();
    }

    public RaftGroup group() {
        return group;
    }

    /** The underlying client, for admin calls (snapshots, leadership). */
    public RaftClient raftClient() {
        return client;
    }

    // ---- writes ----

    /**
     * Appends {@code batch} to the log through the leader and returns its reply once applied on the leader.
     *
     * @throws IOException if no leader accepted it within the retries (outcome unknown: see the class comment),
     *     or the leader refused the bytes (StateMachineException)
     */
    public BatchReply submit(CommandBatch batch) throws IOException {
        RaftClientReply reply = client.io().send(Message.valueOf(UnsafeByteOperations.unsafeWrap(batch.toByteArray())));
        return batchReply(reply);
    }

    /**
     * As {@link #submit(CommandBatch)}, sent first to the leader this client last saw (see {@link #knownLeader()}),
     * else to {@code via} (any peer: an agent's own), following the leader a peer names. Every attempt re-sends the
     * same request: same ClientId, same call id.
     */
    public BatchReply submit(CommandBatch batch, RaftPeerId via) throws IOException {
        try {
            return submitAsync(batch, via).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the batch's reply");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io
                    ? io
                    : new IOException(e.getCause().getMessage(), e.getCause());
        }
    }

    /**
     * {@link #submit(CommandBatch, RaftPeerId)} without holding a thread while the entry is replicated, so any number
     * of writes can be in flight (the leader's log worker then makes them durable together). The future fails with
     * the {@link IOException} the blocking call would throw.
     */
    public CompletableFuture<BatchReply> submitAsync(CommandBatch batch, RaftPeerId via) {
        Objects.requireNonNull(via, "via");
        List<RaftPeerId> peers = new ArrayList<>();
        group.getPeers().forEach(p -> peers.add(p.getId()));
        RaftPeerId remembered = knownLeader.get();
        Submission submission = new Submission(
                Message.valueOf(UnsafeByteOperations.unsafeWrap(batch.toByteArray())), CallId.getAndIncrement(), peers);
        submission.send(remembered != null && peers.contains(remembered) ? remembered : via);
        return submission.result;
    }

    /**
     * One write's attempts: the same request (ClientId, call id) to the leader, following not-leader replies, until
     * it is applied, {@code maxAttempts} were sent or {@code writeTimeoutMs} passed. The time bound is what matters
     * while a leader is being elected: refused connections and not-leader replies come back in milliseconds, so a
     * count alone can run out long before the followers' election timeout has even expired.
     */
    private final class Submission {
        final CompletableFuture<BatchReply> result = new CompletableFuture<>();
        private final Message message;
        private final long callId;
        private final List<RaftPeerId> peers;
        private final long startNanos = System.nanoTime();
        private final AtomicInteger attempts = new AtomicInteger();
        private volatile Throwable last;

        Submission(Message message, long callId, List<RaftPeerId> peers) {
            this.message = message;
            this.callId = callId;
            this.peers = peers;
        }

        void send(RaftPeerId target) {
            long elapsedNanos = System.nanoTime() - startNanos;
            int attempt = attempts.incrementAndGet();
            if (attempt > maxAttempts || elapsedNanos > writeTimeoutNanos) {
                result.completeExceptionally(new IOException(
                        "no leader applied the batch in " + TimeUnit.NANOSECONDS.toMillis(elapsedNanos) + " ms ("
                                + (attempt - 1) + " attempts, call id " + callId
                                + "); it may or may not have been applied: read the state back before retrying",
                        last));
                return;
            }
            RaftClientRequest request = RaftClientRequest.newBuilder()
                    .setClientId(client.getId())
                    .setServerId(target)
                    .setGroupId(group.getGroupId())
                    .setCallId(callId)
                    .setMessage(message)
                    .setType(RaftClientRequest.writeRequestType())
                    .setTimeoutMs(requestTimeoutMs)
                    .build();
            CompletableFuture<RaftClientReply> reply;
            try {
                // Unordered: each write stands alone (its own call id), so no sliding window orders it behind others.
                reply = client.getClientRpc().sendRequestAsyncUnordered(request);
            } catch (RuntimeException e) {
                reply = CompletableFuture.failedFuture(e);
            }
            reply.whenComplete((r, error) -> onReply(target, r, error));
        }

        private void onReply(RaftPeerId target, RaftClientReply reply, Throwable error) {
            Throwable cause =
                    error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            // The gRPC client completes a not-leader reply exceptionally; a reply may carry one too.
            NotLeaderException notLeader =
                    cause instanceof NotLeaderException e ? e : reply != null ? reply.getNotLeaderException() : null;
            if (notLeader != null) {
                followNotLeader(target, notLeader);
            } else if (cause instanceof LeaderNotReadyException) {
                last = cause;
                later(target);
            } else if (cause != null) {
                last = cause;
                // A failed stream stays closed: drop the peer's proxy so the next send to it reconnects.
                client.getClientRpc().handleException(target, cause, true);
                knownLeader.compareAndSet(target, null);
                later(next(target));
            } else if (reply.isSuccess() || reply.getStateMachineException() != null) {
                knownLeader.set(target); // it appended the entry: the leader, until a peer says otherwise
                try {
                    result.complete(batchReply(reply));
                } catch (IOException e) {
                    result.completeExceptionally(e);
                }
            } else {
                last = reply.getException();
                later(target);
            }
        }

        private void followNotLeader(RaftPeerId target, NotLeaderException notLeader) {
            redirects.incrementAndGet();
            last = notLeader;
            RaftPeer suggested = notLeader.getSuggestedLeader();
            if (suggested != null) {
                knownLeader.set(suggested.getId());
                send(suggested.getId());
            } else {
                knownLeader.compareAndSet(target, null);
                later(next(target));
            }
        }

        private RaftPeerId next(RaftPeerId target) {
            return peers.get((peers.indexOf(target) + 1) % peers.size());
        }

        private void later(RaftPeerId target) {
            CompletableFuture.delayedExecutor(retrySleep.toLong(TimeUnit.MILLISECONDS), TimeUnit.MILLISECONDS, RETRY)
                    .execute(() -> send(target));
        }
    }

    /** The leader the next {@link #submit(CommandBatch, RaftPeerId)} goes to first, if this client has seen one. */
    public Optional<RaftPeerId> knownLeader() {
        return Optional.ofNullable(knownLeader.get());
    }

    /** How many not-leader replies {@link #submit(CommandBatch, RaftPeerId)} has followed so far. */
    public long redirects() {
        return redirects.get();
    }

    private static BatchReply batchReply(RaftClientReply reply) throws IOException {
        if (!reply.isSuccess()) {
            StateMachineException sme = reply.getStateMachineException();
            RaftException e = sme != null ? sme : reply.getException();
            throw e != null ? e : new IOException("the write failed: " + reply);
        }
        try {
            return BatchReply.parseFrom(reply.getMessage().getContent().asReadOnlyByteBuffer());
        } catch (InvalidProtocolBufferException e) {
            throw new IOException("the reply is not a BatchReply: " + e.getMessage(), e);
        }
    }

    // ---- membership ----

    /**
     * Sets the group's configuration to {@code voters} and {@code listeners} through the leader, provided it still
     * is {@code currentVoters} and {@code currentListeners} (by peer id; Ratis's compare-and-set), and returns once
     * the new configuration is committed: a peer added is first brought up to date by the leader (the log, or a
     * snapshot where the leader's log was purged). Take a peer out before clearing its storage and add it back once it restarted empty: a leader
     * never lowers a follower's match index, so a member cleared in place would never be sent a snapshot.
     *
     * @throws IOException if the leader refused the change (the configuration differs from the current one given,
     *     a change is in progress) or no leader committed it within the retries
     */
    public void setConfiguration(
            List<RaftPeer> voters,
            List<RaftPeer> listeners,
            List<RaftPeer> currentVoters,
            List<RaftPeer> currentListeners)
            throws IOException {
        RaftClientReply reply = client.admin()
                .setConfiguration(SetConfigurationRequest.Arguments.newBuilder()
                        .setServersInNewConf(voters)
                        .setListenersInNewConf(listeners)
                        .setServersInCurrentConf(currentVoters)
                        .setListenersInCurrentConf(currentListeners)
                        .setMode(SetConfigurationRequest.Mode.COMPARE_AND_SET)
                        .build());
        if (!reply.isSuccess()) {
            RaftException e = reply.getException();
            throw e != null ? e : new IOException("the configuration change failed: " + reply);
        }
    }

    /** The ids of a stable Raft configuration's voters and listeners, as the leader holds it. */
    public record Members(Set<String> voters, Set<String> listeners) {
        public boolean contains(String id) {
            return voters.contains(id) || listeners.contains(id);
        }
    }

    /**
     * The configuration the leader holds, asked of each peer of the group but {@code except} in turn (a group-info
     * call; the leader is the one that answers as LEADER). Empty if no peer answers as leader with a stable
     * configuration (none elected, or a change in progress): ask again later.
     */
    public Optional<Members> leaderMembers(RaftPeerId except) {
        for (RaftPeer p : group.getPeers()) {
            if (p.getId().equals(except)) {
                continue;
            }
            try {
                GroupInfoReply info = client.getGroupManagementApi(p.getId()).info(group.getGroupId());
                if (info.getRoleInfoProto().getRole() == RaftPeerRole.LEADER
                        && info.getConf().isPresent()
                        && info.getConf().get().getOldPeersCount() == 0
                        && info.getConf().get().getOldListenersCount() == 0) {
                    RaftConfigurationProto conf = info.getConf().get();
                    return Optional.of(new Members(ids(conf.getPeersList()), ids(conf.getListenersList())));
                }
            } catch (IOException | RuntimeException e) {
                // this peer is down or not reachable: ask the next
            }
        }
        return Optional.empty();
    }

    private static Set<String> ids(List<RaftPeerProto> peers) {
        Set<String> ids = new TreeSet<>();
        peers.forEach(p -> ids.add(RaftPeerId.valueOf(p.getId()).toString()));
        return ids;
    }

    // ---- reads ----

    /** The leader's status (a linearizable read). */
    public StateStatus status() throws IOException {
        return parseStatus(client.io().sendReadOnly(query(StateQuery.Kind.STATUS)));
    }

    /** One peer's own status as it stands (a stale read: no leader round trip). */
    public StateStatus status(RaftPeerId peer) throws IOException {
        return parseStatus(client.io().sendStaleRead(query(StateQuery.Kind.STATUS), 0, peer));
    }

    /** The leader's image (a linearizable read). */
    public FleetImage image() throws IOException {
        return parseImage(client.io().sendReadOnly(query(StateQuery.Kind.IMAGE)));
    }

    /** One peer's image as it stands, once it has applied at least {@code minIndex}. */
    public FleetImage image(RaftPeerId peer, long minIndex) throws IOException {
        return parseImage(client.io().sendStaleRead(query(StateQuery.Kind.IMAGE), minIndex, peer));
    }

    private static Message query(StateQuery.Kind kind) {
        return Message.valueOf(UnsafeByteOperations.unsafeWrap(
                StateQuery.newBuilder().setKind(kind).build().toByteArray()));
    }

    private static StateStatus parseStatus(RaftClientReply reply) throws IOException {
        checkRead(reply);
        try {
            return StateStatus.parseFrom(reply.getMessage().getContent().asReadOnlyByteBuffer());
        } catch (InvalidProtocolBufferException e) {
            throw new IOException("the reply is not a StateStatus: " + e.getMessage(), e);
        }
    }

    private static FleetImage parseImage(RaftClientReply reply) throws IOException {
        checkRead(reply);
        return SnapshotCodec.decode(reply.getMessage().getContent().toByteArray());
    }

    private static void checkRead(RaftClientReply reply) throws IOException {
        if (!reply.isSuccess()) {
            RaftException e = reply.getException();
            throw e != null ? e : new IOException("the read failed: " + reply);
        }
    }

    @Override
    public void close() throws IOException {
        client.close();
    }

    /** Options of a {@link FleetClient}. */
    public static final class Builder {
        private final RaftGroup group;
        private ClientId clientId;
        private RaftPeerId leaderHint;
        private int maxAttempts = 20;
        private long retrySleepMs = 100;
        private long requestTimeoutMs = 3000;
        private long writeTimeoutMs = 15_000;
        private GrpcTlsConfig tls;

        private Builder(RaftGroup group) {
            this.group = Objects.requireNonNull(group, "group");
            if (group.getPeers().isEmpty()) {
                throw new IllegalArgumentException("the group must have at least one peer");
            }
        }

        /** A fixed client id (default random). Two live clients must never share one. */
        public Builder clientId(ClientId clientId) {
            this.clientId = Objects.requireNonNull(clientId, "clientId");
            return this;
        }

        /** The peer tried first (e.g. the local agent's); default: the client picks one. */
        public Builder leaderHint(RaftPeerId peer) {
            this.leaderHint = Objects.requireNonNull(peer, "peer");
            return this;
        }

        /** Attempts per call, 1..1000; default 20. */
        public Builder maxAttempts(int attempts) {
            if (attempts < 1 || attempts > 1000) {
                throw new IllegalArgumentException("maxAttempts must be 1..1000, got " + attempts);
            }
            this.maxAttempts = attempts;
            return this;
        }

        /** Pause between attempts, 0..60000 ms; default 100. */
        public Builder retrySleepMs(long ms) {
            if (ms < 0 || ms > 60_000) {
                throw new IllegalArgumentException("retrySleepMs must be 0..60000, got " + ms);
            }
            this.retrySleepMs = ms;
            return this;
        }

        /** Timeout of one attempt, 100..600000 ms; default 3000. */
        public Builder requestTimeoutMs(long ms) {
            if (ms < 100 || ms > 600_000) {
                throw new IllegalArgumentException("requestTimeoutMs must be 100..600000, got " + ms);
            }
            this.requestTimeoutMs = ms;
            return this;
        }

        /**
         * How long one write keeps retrying, 100..600000 ms; default 15000 (several election timeouts: a write sent
         * while the leader is lost waits for the next one). Whichever of this and {@link #maxAttempts} ends first.
         */
        public Builder writeTimeoutMs(long ms) {
            if (ms < 100 || ms > 600_000) {
                throw new IllegalArgumentException("writeTimeoutMs must be 100..600000, got " + ms);
            }
            this.writeTimeoutMs = ms;
            return this;
        }

        /** TLS for the client and admin channels (the seam; none by default). */
        public Builder tls(GrpcTlsConfig tls) {
            this.tls = Objects.requireNonNull(tls, "tls");
            return this;
        }

        public FleetClient build() {
            return new FleetClient(this);
        }
    }
}
