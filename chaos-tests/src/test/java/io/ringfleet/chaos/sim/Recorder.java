package io.ringfleet.chaos.sim;

import io.ringfleet.api.FleetRecord;
import io.ringfleet.state.FleetDelta;
import io.ringfleet.state.FleetImage;
import io.ringfleet.state.FleetPublisher;
import io.ringfleet.state.FleetRings;
import java.util.ArrayList;
import java.util.List;

/**
 * The applied history of one incarnation of one node's state machine (from its start to its stop): a
 * {@link FleetPublisher} registered on the {@code FleetStateMachine} before the server starts, so it sees
 * every image in log order, from the loaded snapshot (or the empty image) on.
 *
 * <p>Each entry also records the ring digest of its image ({@link FleetRings}, the Maglev rings and reals
 * table the BPF maps would hold), rebuilt from scratch after a jump and incrementally after a step.
 *
 * <p>A publish whose delta starts from the image published just before is a <b>step</b>: the records of one
 * log entry (none for a rejected batch or a Raft entry). Anything else is a <b>jump</b>: a snapshot loaded at
 * start or installed from the leader, whose delta is the whole image. A step whose index is not above the
 * previous one's is recorded as a regression (applied index going back within one incarnation); the only
 * exception is the empty image at (0, 0) followed by Raft's first entry at index 0.
 */
final class Recorder implements FleetPublisher {
    /** One published image. {@code records} is null for a jump. */
    record Applied(
            long term,
            long index,
            boolean jump,
            List<FleetRecord> records,
            byte[] imageDigest,
            long stateIndex,
            byte[] ringDigest) {}

    private final List<Applied> history = new ArrayList<>();
    private final List<String> regressions = new ArrayList<>();
    private FleetImage last;
    private FleetRings rings;
    private volatile String node = "?";
    private volatile int incarnation;
    private volatile long mustStartAtLeast;

    /** Names the node and incarnation once the server that owns the state machine is known. */
    void bind(String node, int incarnation) {
        this.node = node;
        this.incarnation = incarnation;
    }

    /**
     * A restart with disk: the snapshot the previous incarnation had on disk. This incarnation must start from it
     * or a newer one (a stopped node never loses a snapshot it wrote).
     */
    void expectStartAtLeast(long snapshotIndex) {
        this.mustStartAtLeast = snapshotIndex;
    }

    long mustStartAtLeast() {
        return mustStartAtLeast;
    }

    String label() {
        return node + "#" + incarnation;
    }

    @Override
    public synchronized void publish(FleetDelta delta, FleetImage image) {
        // A snapshot's delta starts from the empty image; so does the first entry after an empty start, which is
        // told apart by its index (Raft's first entry is 0, the first write 1).
        boolean jump =
                last == null || delta.image() != last || (last.term() == 0 && last.index() == 0 && image.index() > 1);
        if (last != null) {
            boolean fromEmptyStart = last.term() == 0 && last.index() == 0;
            if (image.index() < last.index() || (image.index() == last.index() && !fromEmptyStart)) {
                regressions.add("applied index went back from " + last.provenance() + " to " + image.provenance()
                        + (jump ? " (snapshot load/install)" : ""));
            }
        }
        // The rings as the datapath would hold them: rebuilt from scratch after a jump, incrementally after a step,
        // so comparing nodes also compares the incremental path with the full one.
        rings = jump || rings == null ? FleetRings.of(image, ChangeGenerator.LIMITS) : rings.next(delta, image);
        history.add(new Applied(
                image.term(),
                image.index(),
                jump,
                jump ? null : List.copyOf(delta.records()),
                image.digest(),
                image.stateIndex(),
                rings.digest()));
        last = image;
    }

    /** The entries published since {@code from} (a cursor the checker keeps). */
    synchronized List<Applied> since(int from) {
        return new ArrayList<>(history.subList(Math.min(from, history.size()), history.size()));
    }

    synchronized List<Applied> all() {
        return new ArrayList<>(history);
    }

    synchronized List<String> regressions() {
        return new ArrayList<>(regressions);
    }

    /**
     * Whether this incarnation installed a snapshot from the leader: a jump after its first image (the first is the
     * snapshot loaded at start). Ratis may keep conflicting entries of its own log under an installed snapshot (seed
     * 1006), so such a log is not this node's committed history below it.
     */
    synchronized boolean installedSnapshot() {
        for (int i = 1; i < history.size(); i++) {
            if (history.get(i).jump()) {
                return true;
            }
        }
        return false;
    }

    /** The index of the last published image, or -1 before the first. */
    synchronized long lastIndex() {
        return last == null ? -1 : last.index();
    }

    @Override
    public String name() {
        return "sim-recorder " + label();
    }
}
