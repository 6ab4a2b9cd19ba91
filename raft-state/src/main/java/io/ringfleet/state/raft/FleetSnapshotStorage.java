package io.ringfleet.state.raft;

import io.ringfleet.state.store.SnapshotFile;
import io.ringfleet.state.store.SnapshotStore;
import java.io.IOException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.SnapshotInfo;
import org.apache.ratis.statemachine.SnapshotRetentionPolicy;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.impl.FileListSnapshotInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ratis's view of the snapshots: a {@link SnapshotStore} in the Raft storage's state machine directory
 * ({@code <storage>/<group>/sm}). That is where Ratis reads the files it sends to a follower (named
 * relative to the storage root) and where a follower receives them: the follower's {@code sm} directory is
 * replaced by the received files, then the state machine is reinitialized from them.
 *
 * <p>{@link #getLatestSnapshot} reports only a snapshot the state machine verified (loaded at start, or
 * wrote itself), never merely the newest file name: a corrupt file is never offered to Ratis or to a peer.
 */
final class FleetSnapshotStorage implements StateMachineStorage {
    private static final Logger LOG = LoggerFactory.getLogger(FleetSnapshotStorage.class);

    private volatile SnapshotStore store;
    private volatile RaftStorage raftStorage;
    private final AtomicReference<SnapshotFile> latest = new AtomicReference<>();

    @Override
    public void init(RaftStorage storage) throws IOException {
        this.raftStorage = Objects.requireNonNull(storage, "storage");
        this.store =
                new SnapshotStore(storage.getStorageDir().getStateMachineDir().toPath());
    }

    SnapshotStore store() {
        SnapshotStore s = store;
        if (s == null) {
            throw new IllegalStateException("the snapshot storage is not initialized");
        }
        return s;
    }

    RaftStorage raftStorage() {
        return raftStorage;
    }

    /** Records a verified snapshot as the latest (or clears it with null). */
    void setLatest(SnapshotFile file) {
        latest.set(file);
    }

    Optional<SnapshotFile> latest() {
        return Optional.ofNullable(latest.get());
    }

    @Override
    public SnapshotInfo getLatestSnapshot() {
        SnapshotFile f = latest.get();
        if (f == null) {
            return null;
        }
        // No MD5 given: Ratis computes it while it reads the file to send it, and the follower checks it.
        return new FileListSnapshotInfo(List.of(new FileInfo(f.path(), null)), f.term(), f.index());
    }

    @Override
    public void format() {
        // Nothing to format: the directory is created by init.
    }

    @Override
    public void cleanupOldSnapshots(SnapshotRetentionPolicy policy) throws IOException {
        int keep = policy == null
                ? SnapshotRetentionPolicy.DEFAULT_ALL_SNAPSHOTS_RETAINED
                : policy.getNumSnapshotsRetained();
        if (keep <= 0 || store == null) {
            return;
        }
        for (SnapshotFile f : store().retain(keep, latest())) {
            LOG.info("Deleted old snapshot {} (keeping the {} newest)", f, keep);
        }
    }
}
