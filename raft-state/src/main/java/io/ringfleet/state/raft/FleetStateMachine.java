package io.ringfleet.state.raft;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.ringfleet.api.BatchReply;
import io.ringfleet.api.Command;
import io.ringfleet.api.CommandBatch;
import io.ringfleet.api.ReplyCode;
import io.ringfleet.api.StateQuery;
import io.ringfleet.api.StateStatus;
import io.ringfleet.state.FleetDelta;
import io.ringfleet.state.FleetImage;
import io.ringfleet.state.FleetLimits;
import io.ringfleet.state.FleetPublisher;
import io.ringfleet.state.FleetVersions;
import io.ringfleet.state.Provenance;
import io.ringfleet.state.UnsupportedFleetVersionException;
import io.ringfleet.state.command.BatchApplier;
import io.ringfleet.state.command.CommandValidator;
import io.ringfleet.state.snapshot.SnapshotCodec;
import io.ringfleet.state.store.CorruptSnapshotException;
import io.ringfleet.state.store.SnapshotFile;
import io.ringfleet.state.store.SnapshotStore;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.apache.ratis.util.LifeCycle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Ratis state machine of the fleet log. Thin on purpose: a log entry is a {@link CommandBatch}; applying
 * it is {@link BatchApplier#apply} against the current image at the entry's (term, index), a swap of the
 * (immutable) image, and a hand-off of (delta, image) to the registered {@link FleetPublisher}s. The reply is
 * the {@link BatchReply} bytes. Everything that decides state lives in the pure core.
 *
 * <ul>
 *   <li>A rejected batch changes no state but still moves the image to the entry's index (and is published
 *       with an empty delta). Raft's own entries (configuration, leader no-ops) do the same, so the image's
 *       provenance is always the last applied (term, index) and publishers see every applied index, in order.
 *   <li>The leader parses the batch once in {@link #startTransaction} and keeps it in the transaction
 *       context; bytes that are not a CommandBatch, or that hold a command kind this software does not know,
 *       are refused there and never enter the log. Limits and defaults (the hash function of an AddVip
 *       without one) come from the fleet settings in the image at apply time, never from a replica's config,
 *       so the entry is logged as sent. A follower (or a
 *       replay) parses the entry again; an unparsable entry (impossible unless written by another build) is
 *       answered INVALID_ARGUMENT, deterministically, and changes nothing.
 *   <li>A record that does not replay ({@code ReplayException}: a corrupt log or a bug) is thrown out of
 *       {@link #applyTransaction}: Ratis then stops this server rather than let it diverge. So is an entry
 *       this software cannot apply ({@link UnsupportedFleetVersionException}: an unknown command kind, or a
 *       fleet version above {@link #supportedVersion()}); {@link #halted()} then says why, and a snapshot at
 *       such a version is refused at start.
 *   <li>Reads: {@link #query} answers a {@link StateQuery}: STATUS ({@link StateStatus}: applied term/index,
 *       state index, image digest) or IMAGE (the image as snapshot bytes). It holds no Maglev rings: they are
 *       a pure function of the image, built by whoever programs them (lb-agent's ring view).
 *   <li>Snapshots: {@link #takeSnapshot} writes the image to the {@link SnapshotStore} in the Raft storage's
 *       {@code sm} directory, named by (term, index), atomically. At start the newest snapshot that verifies is
 *       loaded; a corrupt one is logged at ERROR with its file and reason, quarantined (renamed
 *       {@code .corrupt-<millis>}) and an older one (or the empty image) is used; the log or the leader's
 *       snapshot install brings the replica up to date. If the local log cannot cover the gap, the start is
 *       refused with a message saying how to recover (see {@link #initialize}).
 * </ul>
 *
 * <p>Idempotent retries: Ratis's retry cache answers a request whose (ClientId, callId) it has seen with the
 * first reply, without a second log entry. {@link FleetClient} retries inside one RaftClient, which keeps both.
 *
 * <p>Threads: Ratis calls apply, snapshot and reinitialize from one thread; queries come from others and read
 * the current image through a volatile field. Publishers run on the apply thread and must be quick.
 */
public final class FleetStateMachine extends BaseStateMachine {
    private static final Logger LOG = LoggerFactory.getLogger(FleetStateMachine.class);
    private static final Pattern LOG_SEGMENT = Pattern.compile("log_(?:inprogress_)?(\\d+)(?:-\\d+)?");

    private final int supportedVersion;
    private final BatchApplier applier;
    private volatile String halted;
    private final AtomicReference<String> logFailed = new AtomicReference<>();
    private volatile Consumer<String> failStop = reason -> {};
    private final FleetSnapshotStorage storage = new FleetSnapshotStorage();
    private final List<FleetPublisher> publishers = new CopyOnWriteArrayList<>();
    private final AtomicLong batchesApplied = new AtomicLong();
    private final AtomicLong batchesRejected = new AtomicLong();
    private volatile FleetImage image = FleetImage.EMPTY;
    private final AtomicLong leaderChanges = new AtomicLong();
    private volatile RaftPeerId knownLeader;

    /** A state machine of this software: it supports fleet versions up to {@link FleetVersions#SUPPORTED}. */
    public FleetStateMachine() {
        this(FleetVersions.SUPPORTED);
    }

    /**
     * A state machine that supports fleet versions up to {@code supportedVersion} (below {@link
     * FleetVersions#SUPPORTED} only to simulate an older node in tests).
     */
    public FleetStateMachine(int supportedVersion) {
        CommandValidator validator = new CommandValidator(supportedVersion);
        this.supportedVersion = validator.supportedVersion();
        this.applier = new BatchApplier(validator);
    }

    /** The highest fleet version this replica can apply. */
    public int supportedVersion() {
        return supportedVersion;
    }

    /**
     * Why this replica stopped applying the log (an entry or snapshot it cannot apply; one line), or empty while
     * it applies. Once set, every later apply throws again: the replica never skips an entry.
     */
    public Optional<String> halted() {
        return Optional.ofNullable(halted);
    }

    /**
     * Sets what runs when this peer's log cannot be written ({@link #notifyLogFailed}): once, on Ratis's log worker
     * thread, before the failed write is reported to anyone. It should stop the process: Ratis keeps the entries it
     * could not write in memory and, when the leader sends them again, acknowledges them as if they were on disk.
     * After a restart the leader then believes this peer holds entries it lost, and never sends them again (the
     * follower answers every heartbeat "inconsistent" and never catches up). Stopping at once acknowledges nothing
     * that is not written.
     */
    public void onLogFailed(Consumer<String> failStop) {
        this.failStop = Objects.requireNonNull(failStop, "failStop");
    }

    /**
     * Registers a publisher. Register before the server starts to see every image from the loaded snapshot
     * on; one added later sees the images after the next applied entry ({@link #image()} has the current one).
     */
    public void addPublisher(FleetPublisher publisher) {
        Objects.requireNonNull(publisher, "publisher");
        publishers.add(publisher);
    }

    public void removePublisher(FleetPublisher publisher) {
        publishers.remove(publisher);
    }

    /** The current image (immutable; its provenance is the last applied term and index). */
    public FleetImage image() {
        return image;
    }

    /**
     * This replica's status (what a STATUS query answers). No ring digest: the state machine holds no rings (they
     * are a pure function of the image; lb-agent's ring view owns them, fed by its programming pipeline).
     */
    public StateStatus status() {
        FleetImage current = image;
        return StateStatus.newBuilder()
                .setAppliedTerm(current.term())
                .setAppliedIndex(current.index())
                .setStateIndex(current.stateIndex())
                .setImageDigest(ByteString.copyFrom(current.digest()))
                .setVipCount(current.vips().size())
                .setRealCount(current.reals().size())
                .setRingSize(FleetLimits.RING_SIZE)
                .setSnapshotIndex(storage.latest().map(SnapshotFile::index).orElse(0L))
                .setBatchesApplied(batchesApplied.get())
                .setBatchesRejected(batchesRejected.get())
                .build();
    }

    /** The snapshot store of this replica (after {@link #initialize}). */
    public SnapshotStore snapshotStore() {
        return storage.store();
    }

    // ---- lifecycle ----

    /**
     * Loads the newest snapshot that verifies. Refused (corrupt) files are logged at ERROR and quarantined.
     *
     * @throws IOException if the local Raft log does not reach back to the loaded snapshot, so this replica
     *     could never catch up by itself (the log was purged past a snapshot that turned out corrupt). The
     *     message names the directory to clear. The peer must leave the configuration before it is cleared and
     *     rejoin after: a leader never lowers a follower's match index, so it would keep treating a cleared
     *     member as caught up and never send it a snapshot (and a cleared voter can vote twice in a term).
     */
    @Override
    public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
        super.initialize(server, groupId, raftStorage);
        storage.init(raftStorage);
        getLifeCycle().startAndTransition(() -> {
            Loaded loaded = loadNewestValidSnapshot();
            if (loaded.refused()) {
                checkLogCoversFrom(loaded.nextIndex(), raftStorage);
            }
        });
    }

    @Override
    public void pause() {
        LifeCycle lifeCycle = getLifeCycle();
        if (lifeCycle.getCurrentState() == LifeCycle.State.RUNNING) {
            lifeCycle.transition(LifeCycle.State.PAUSING);
            lifeCycle.transition(LifeCycle.State.PAUSED);
        }
    }

    /**
     * Reloads from the snapshot directory: called by Ratis after a snapshot from the leader was installed
     * (the directory then holds the leader's files). A received snapshot that does not verify is refused:
     * this throws, and Ratis stops the server instead of running on garbage.
     */
    @Override
    public void reinitialize() throws IOException {
        LifeCycle lifeCycle = getLifeCycle();
        if (lifeCycle.getCurrentState() == LifeCycle.State.PAUSED) {
            lifeCycle.transition(LifeCycle.State.STARTING);
        }
        storage.setLatest(null);
        loadNewestValidSnapshot();
        if (lifeCycle.getCurrentState() == LifeCycle.State.STARTING) {
            lifeCycle.transition(LifeCycle.State.RUNNING);
        }
    }

    /** What loading gave: whether a corrupt snapshot was refused, and the first log index still needed. */
    private record Loaded(boolean refused, long nextIndex) {}

    private Loaded loadNewestValidSnapshot() throws IOException {
        SnapshotStore store = storage.store();
        List<SnapshotFile> files = store.list();
        boolean refused = false;
        for (int i = files.size() - 1; i >= 0; i--) {
            SnapshotFile file = files.get(i);
            FleetImage loaded;
            try {
                loaded = store.read(file);
            } catch (CorruptSnapshotException e) {
                refused = true;
                Path moved = store.quarantine(file);
                LOG.error(
                        "{}: REFUSED snapshot {}: {}. Quarantined as {}; trying an older snapshot, then the log and "
                                + "the leader to catch up",
                        getId(),
                        file,
                        e.reason(),
                        moved,
                        e);
                continue;
            }
            adopt(loaded, file);
            LOG.info(
                    "{}: loaded snapshot {} at {}: {} vips, {} reals, state index {}, digest {}",
                    getId(),
                    file,
                    loaded.provenance(),
                    loaded.vips().size(),
                    loaded.reals().size(),
                    loaded.stateIndex(),
                    loaded.digestHex());
            return new Loaded(refused, loaded.index() + 1);
        }
        if (refused) {
            LOG.error("{}: no snapshot in {} verifies: starting from the empty image", getId(), store.dir());
        }
        if (firstLogIndex(storage.raftStorage()) != RaftLog.LEAST_VALID_LOG_INDEX) {
            return startFromGenesis(store, refused);
        }
        // Storage formatted before the genesis snapshot existed: its log starts with a Raft entry at index 0.
        FleetImage empty = FleetImage.EMPTY;
        image = empty;
        setLastAppliedTermIndex(TermIndex.valueOf(0, RaftLog.INVALID_LOG_INDEX));
        storage.setLatest(null);
        publish(new FleetDelta(empty), empty);
        return new Loaded(refused, 0);
    }

    /**
     * Writes (or rewrites) the genesis snapshot, the empty image at (term 0, index 0), and starts from it, so
     * that this replica's Raft log starts at index 1 and no log anywhere holds an entry at index 0.
     *
     * <p>Why: Ratis 3.3's {@code ServerImplUtils.effectiveCommitIndex} takes a heartbeat without a previous entry
     * (the leader probing a follower from index 0) as covering index 0, so a follower that holds an uncommitted
     * entry of its own there marks it committed and applies it, and can then never take the leader's entry at 0
     * (chaos seed 193: a first leader's configuration entry, stopped before it was replicated; its successor
     * committed its own at index 0; the restarted ex-leader applied (1, 0) and looped on "previous (2, 0) not
     * found" for good). Raft only lets a follower commit up to the last entry the leader's request has shown to
     * match, so this is Ratis's off-by-one. With every log starting above an identical snapshot at index 0, the
     * leader's previous entry is never missing (it is the snapshot's (0, 0)) and the off-by-one cannot arise.
     * The genesis snapshot is the same on every replica by construction: the state before any entry.
     */
    private Loaded startFromGenesis(SnapshotStore store, boolean refused) throws IOException {
        SnapshotFile genesis = store.write(FleetImage.EMPTY);
        adopt(FleetImage.EMPTY, genesis);
        LOG.info(
                "{}: no snapshot yet: wrote the genesis snapshot {} (the empty image); the log starts at 1",
                getId(),
                genesis);
        return new Loaded(refused, FleetImage.EMPTY.index() + 1);
    }

    /** The first index of the local Raft log's segments, or -1 when it has none (fresh storage). */
    private static long firstLogIndex(RaftStorage raftStorage) {
        File current = raftStorage.getStorageDir().getCurrentDir();
        String[] names = current.list();
        long first = Long.MAX_VALUE;
        for (String name : names == null ? new String[0] : names) {
            Matcher m = LOG_SEGMENT.matcher(name);
            if (m.matches()) {
                first = Math.min(first, Long.parseLong(m.group(1)));
            }
        }
        return first == Long.MAX_VALUE ? RaftLog.INVALID_LOG_INDEX : first;
    }

    private void adopt(FleetImage loaded, SnapshotFile file) throws IOException {
        if (loaded.settings().fleetVersion() > supportedVersion) {
            halt("snapshot " + file + " is at fleet version "
                    + loaded.settings().fleetVersion()
                    + ", but this software supports fleet versions up to " + supportedVersion
                    + "; upgrade this node's software before it starts");
            throw new IOException(halted);
        }
        image = loaded;
        setLastAppliedTermIndex(TermIndex.valueOf(loaded.term(), loaded.index()));
        storage.setLatest(file);
        if (publishers.isEmpty()) {
            return;
        }
        // A snapshot is a jump: publishers get the image as a delta from the empty image (a full resync).
        FleetDelta delta = new FleetDelta(FleetImage.EMPTY);
        delta.replayAll(SnapshotCodec.toRecords(loaded));
        delta.apply(loaded.provenance(), loaded.stateIndex());
        publish(delta, loaded);
    }

    private void checkLogCoversFrom(long needed, RaftStorage raftStorage) throws IOException {
        long first = firstLogIndex(raftStorage);
        if (first > needed) {
            String message = getId()
                    + ": a corrupt snapshot was refused and the state could only be rebuilt from index "
                    + needed + ", but the local Raft log starts at " + first
                    + " (purged). This replica cannot catch up by "
                    + "itself and will not run with a hole. To recover from the peers: remove it from the group "
                    + "(set the configuration to the other peers), clear its storage directory "
                    + raftStorage.getStorageDir().getRoot().getParentFile() + ", start it and add it back; the leader "
                    + "installs its snapshot and sends the log after it.";
            LOG.error(message);
            throw new IOException(message);
        }
    }

    @Override
    public StateMachineStorage getStateMachineStorage() {
        return storage;
    }

    // ---- writes ----

    @Override
    public TransactionContext startTransaction(RaftClientRequest request) throws IOException {
        TransactionContext.Builder b =
                TransactionContext.newBuilder().setStateMachine(this).setClientRequest(request);
        try {
            CommandBatch sent =
                    CommandBatch.parseFrom(request.getMessage().getContent().asReadOnlyByteBuffer());
            for (int i = 0; i < sent.getCommandsCount(); i++) {
                if (sent.getCommands(i).getKindCase() == Command.KindCase.KIND_NOT_SET
                        && !sent.getCommands(i).getUnknownFields().asMap().isEmpty()) {
                    TransactionContext trx = b.build();
                    trx.setException(new IllegalArgumentException("command " + i + " has a kind this leader's"
                            + " software does not know (it supports fleet versions up to " + supportedVersion
                            + "): nothing was logged"));
                    return trx;
                }
            }
            b.setStateMachineContext(sent);
            return b.build();
        } catch (InvalidProtocolBufferException e) {
            TransactionContext trx = b.build();
            trx.setException(new IllegalArgumentException("the request is not a CommandBatch: " + e.getMessage()));
            return trx;
        }
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        LogEntryProto entry = trx.getLogEntry();
        Provenance at = new Provenance(entry.getTerm(), entry.getIndex());
        FleetImage current = image;
        Object cached = trx.getStateMachineContext();
        CommandBatch batch = cached instanceof CommandBatch ? (CommandBatch) cached : null;
        String malformed = null;
        if (batch == null) {
            try {
                batch = CommandBatch.parseFrom(
                        entry.getStateMachineLogEntry().getLogData().asReadOnlyByteBuffer());
            } catch (InvalidProtocolBufferException e) {
                malformed = e.getMessage();
            }
        }
        BatchReply reply;
        FleetDelta delta;
        FleetImage next;
        if (batch == null) {
            delta = new FleetDelta(current);
            next = delta.apply(at);
            reply = BatchReply.newBuilder()
                    .setCode(ReplyCode.INVALID_ARGUMENT)
                    .setFailedCommandIndex(-1)
                    .setMessage("log entry " + at + " is not a CommandBatch (" + malformed + "): nothing applied")
                    .setLogIndex(at.index())
                    .setStateIndex(next.stateIndex())
                    .build();
            batchesRejected.incrementAndGet();
        } else {
            // A ReplayException (corrupt log or a bug) or an entry this software cannot apply propagates: Ratis
            // stops applying instead of diverging.
            BatchApplier.Applied applied = applyOrHalt(current, batch, at);
            delta = applied.delta();
            next = applied.image();
            reply = applied.result().toReply(at.index(), next.stateIndex());
            if (applied.result().isOk()) {
                batchesApplied.incrementAndGet();
            } else {
                batchesRejected.incrementAndGet();
            }
        }
        image = next;
        updateLastAppliedTermIndex(at.term(), at.index());
        publish(delta, next);
        return CompletableFuture.completedFuture(Message.valueOf(UnsafeByteOperations.unsafeWrap(reply.toByteArray())));
    }

    private BatchApplier.Applied applyOrHalt(FleetImage current, CommandBatch batch, Provenance at) {
        String stopped = halted;
        if (stopped != null) {
            throw new UnsupportedFleetVersionException(stopped);
        }
        try {
            return applier.apply(current, batch, at);
        } catch (UnsupportedFleetVersionException e) {
            halt(e.getMessage());
            throw e;
        }
    }

    private void halt(String reason) {
        if (halted == null) {
            halted = reason;
            LOG.error("{}: STOPPED applying the log: {}", getId(), reason);
        }
    }

    /**
     * Ratis's log worker failed to write (a full disk, an IO error): the log stays failed for the life of this
     * server. Said once; the fail-stop set with {@link #onLogFailed} runs before the write's failure is reported.
     */
    @Override
    public void notifyLogFailed(Throwable cause, LogEntryProto failedEntry) {
        String reason = "the Raft log could not be written"
                + (failedEntry != null ? " at index " + failedEntry.getIndex() : "")
                + " (" + rootMessage(cause) + ")";
        if (!logFailed.compareAndSet(null, reason)) {
            return; // every later write fails too; the first one says why
        }
        LOG.error("{}: {}", getId(), reason);
        failStop.accept(reason);
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.toString() : t.getMessage().strip();
    }

    /**
     * Counts each time this peer learns of a leader other than the one it knew (Ratis reports "no leader" while
     * an election runs; the leader found after it counts, even if it is the same peer again).
     */
    @Override
    public void notifyLeaderChanged(RaftGroupMemberId groupMemberId, RaftPeerId newLeaderId) {
        if (newLeaderId != null && !newLeaderId.equals(knownLeader)) {
            leaderChanges.incrementAndGet();
        }
        knownLeader = newLeaderId;
    }

    /** How many times this peer learnt of a new leader since it started (the first leader counts as one). */
    public long leaderChanges() {
        return leaderChanges.get();
    }

    /** Raft's own entries (configuration, leader no-op): the image moves to the index, the state does not. */
    @Override
    public void notifyTermIndexUpdated(long term, long index) {
        FleetImage current = image;
        if (index > current.index() || (index == 0 && current.provenance().equals(Provenance.EMPTY) && term > 0)) {
            FleetDelta delta = new FleetDelta(current);
            FleetImage next = current.withProvenance(new Provenance(term, index));
            image = next;
            super.notifyTermIndexUpdated(term, index);
            publish(delta, next);
        } else {
            super.notifyTermIndexUpdated(term, index);
        }
    }

    private void publish(FleetDelta delta, FleetImage next) {
        for (FleetPublisher p : publishers) {
            try {
                p.publish(delta, next);
            } catch (RuntimeException e) {
                LOG.error(
                        "{}: publisher {} failed on image {}; it is responsible for catching up",
                        getId(),
                        p.name(),
                        next.provenance(),
                        e);
            }
        }
    }

    // ---- reads ----

    @Override
    public CompletableFuture<Message> query(Message request) {
        StateQuery q;
        try {
            q = StateQuery.parseFrom(request.getContent().asReadOnlyByteBuffer());
        } catch (InvalidProtocolBufferException e) {
            return CompletableFuture.failedFuture(
                    new IllegalArgumentException("the query is not a StateQuery: " + e.getMessage()));
        }
        switch (q.getKind()) {
            case STATUS:
                return CompletableFuture.completedFuture(
                        Message.valueOf(UnsafeByteOperations.unsafeWrap(status().toByteArray())));
            case IMAGE:
                return CompletableFuture.completedFuture(
                        Message.valueOf(UnsafeByteOperations.unsafeWrap(SnapshotCodec.encode(image))));
            default:
                return CompletableFuture.failedFuture(new IllegalArgumentException(
                        "unknown query kind " + q.getKindValue() + ": this build answers STATUS (0) and IMAGE (1)"));
        }
    }

    // ---- snapshots ----

    /**
     * Writes the current image as a snapshot (atomically) and returns its index. Failing to write throws:
     * Ratis logs it and keeps the log (nothing is purged).
     */
    @Override
    public long takeSnapshot() throws IOException {
        FleetImage snap = image;
        TermIndex applied = getLastAppliedTermIndex();
        if (applied == null || applied.getIndex() < 0 || snap.index() != applied.getIndex()) {
            if (applied != null && applied.getIndex() >= 0) {
                LOG.warn("{}: image at {} but applied {}: no snapshot now", getId(), snap.provenance(), applied);
            }
            return RaftLog.INVALID_LOG_INDEX;
        }
        Optional<SnapshotFile> latest = storage.latest();
        if (latest.isPresent()
                && latest.get().index() == snap.index()
                && latest.get().term() == snap.term()) {
            return snap.index();
        }
        long start = System.nanoTime();
        SnapshotFile file = storage.store().write(snap);
        storage.setLatest(file);
        LOG.info(
                "{}: wrote snapshot {} ({} vips, {} reals, {} bytes) in {} ms",
                getId(),
                file,
                snap.vips().size(),
                snap.reals().size(),
                Files.size(file.path()),
                (System.nanoTime() - start) / 1_000_000);
        return snap.index();
    }

    @Override
    public String toString() {
        return "FleetStateMachine{" + getId() + ", " + image.provenance() + "}";
    }
}
