package io.ringfleet.agent.daemon;

import io.ringfleet.agent.datapath.MapProgrammer;
import io.ringfleet.agent.datapath.ProgramReport;
import io.ringfleet.agent.rings.RingView;
import io.ringfleet.state.FleetDelta;
import io.ringfleet.state.FleetImage;
import io.ringfleet.state.FleetPublisher;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands the images the Ratis state machine applies to the {@link MapProgrammer} on a thread of its own, so the
 * apply thread never waits for the kernel. Images are programmed in index order; when several arrive during one
 * run, only the newest is programmed next (its effects include theirs), so a burst of changes costs one run.
 *
 * <p>Nothing is programmed until {@link #release(long, FleetImage)}: at start the log is replayed entry by entry,
 * and programming the older images on the way would briefly put state back into the kernel that later entries
 * had removed. Released at the commit index seen at start, the first run programs an image at least that new.
 *
 * <p>An image whose state index equals the programmed image's (Raft's own entries: leader no-ops, commit
 * metadata) holds the same state: the programmed index moves to it without a run.
 *
 * <p>A failed run is logged and counted, its message kept for the node's status, and retried with the newest
 * image when another arrives or after {@code retryAfter}.
 *
 * <p>The pipeline is the one owner of what is programmed: the index, the image, the failures and the last
 * report ({@link #programmed()}, {@link #error()}, {@link #failures()}, {@link #lastReport()}); the programmer
 * is the worker that programs an image. It feeds the node's {@link RingView}: after each run (or index move)
 * the programmed image's rings are kept there, so the status reads their digest without building a ring.
 */
public final class ProgrammingPipeline implements FleetPublisher, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ProgrammingPipeline.class);

    /** Told after every successful run, on the pipeline's thread; must be quick. */
    @FunctionalInterface
    public interface Listener {
        /**
         * @param image the image now in the kernel
         * @param report what the run wrote
         * @param lagNanos from the arrival of the oldest image this run covered to the end of the run
         */
        void programmed(FleetImage image, ProgramReport report, long lagNanos);
    }

    private final String nodeId;
    private final MapProgrammer programmer;
    private final Duration retryAfter;
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final LongAdder failures = new LongAdder();
    private final Object lock = new Object();
    private final Thread worker;

    // guarded by lock
    private FleetImage latest;
    private long pendingSinceNanos;
    private long releaseAt = -1;
    private boolean released;
    private boolean failed;
    private long retryAtNanos;
    private long lastRunIndex = -1;
    private boolean closed;

    private volatile Programmed programmed;
    private volatile ProgramReport lastReport;
    private volatile String error;
    private final LongAdder skipped = new LongAdder();

    /**
     * What is in the kernel: the programmed index and the image of that index, from one reading (the rings of that
     * image are in the {@link RingView}).
     */
    public record Programmed(long index, FleetImage image) {}

    public ProgrammingPipeline(String nodeId, MapProgrammer programmer, Duration retryAfter) {
        this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
        this.programmer = Objects.requireNonNull(programmer, "programmer");
        if (retryAfter.isNegative() || retryAfter.isZero()) {
            throw new IllegalArgumentException("retryAfter must be positive, got " + retryAfter);
        }
        this.retryAfter = retryAfter;
        this.worker = new Thread(this::work, "map-programmer-" + nodeId);
        this.worker.setDaemon(true);
        this.worker.start();
    }

    public void addListener(Listener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** Takes the image (on the Ratis apply thread): never blocks on the kernel. */
    @Override
    public void publish(FleetDelta delta, FleetImage image) {
        Objects.requireNonNull(image, "image");
        synchronized (lock) {
            if (latest == null || image.index() >= latest.index()) {
                if (latest == null || latest.index() <= lastRunIndex) {
                    pendingSinceNanos = System.nanoTime();
                }
                latest = image;
                lock.notifyAll();
            }
        }
    }

    /**
     * Starts programming once an image of index {@code minIndex} or later has arrived ({@code current}, the state
     * machine's image now, stands in if none has been published yet).
     */
    public void release(long minIndex, FleetImage current) {
        synchronized (lock) {
            releaseAt = minIndex;
            released = true;
            if (latest == null || (current != null && current.index() > latest.index())) {
                latest = current;
                pendingSinceNanos = System.nanoTime();
            }
            lock.notifyAll();
        }
    }

    public boolean released() {
        synchronized (lock) {
            return released;
        }
    }

    private void work() {
        while (true) {
            FleetImage image;
            long since;
            synchronized (lock) {
                while (!closed && !due()) {
                    try {
                        long waitMs = failed ? Math.max(1, (retryAtNanos - System.nanoTime()) / 1_000_000) : 0;
                        lock.wait(waitMs);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (closed) {
                    return;
                }
                image = latest;
                since = pendingSinceNanos;
                lastRunIndex = image.index();
            }
            run(image, since);
        }
    }

    /** Released, an image at least as new as the release index, and either newer than the last run or a retry due. */
    private boolean due() {
        if (!released || latest == null || latest.index() < releaseAt) {
            return false;
        }
        return latest.index() > lastRunIndex || (failed && System.nanoTime() - retryAtNanos >= 0);
    }

    private void run(FleetImage image, long since) {
        try {
            Programmed before = programmed;
            ProgramReport report;
            if (before != null
                    && error == null
                    && image.stateIndex() == before.image().stateIndex()
                    && before.index() <= image.index()) {
                // Raft's own entries (leader no-ops, commit metadata) move the index, not the state: the maps of this
                // image are those already in the kernel
                report = new ProgramReport(image.index(), false, new TreeMap<>(), List.of(), 0);
                skipped.increment();
            } else {
                report = programmer.program(image);
                lastReport = report;
            }
            programmer.rings().programmed(image);
            programmed = new Programmed(image.index(), image);
            long lag = System.nanoTime() - since;
            if (error != null) {
                LOG.info("{}: programming works again at index {}", nodeId, image.index());
            }
            error = null;
            synchronized (lock) {
                failed = false;
            }
            for (Listener l : listeners) {
                try {
                    l.programmed(image, report, lag);
                } catch (RuntimeException e) {
                    LOG.error("{}: a programming listener failed at index {}", nodeId, image.index(), e);
                }
            }
        } catch (RuntimeException e) {
            failures.increment();
            String message = e.getMessage() == null ? e.toString() : e.getMessage();
            if (!message.equals(error)) {
                LOG.error(
                        "{}: programming index {} failed (retrying with the newest image on the next change or in {}"
                                + " ms): {}",
                        nodeId,
                        image.index(),
                        retryAfter.toMillis(),
                        message,
                        e);
            }
            error = message;
            synchronized (lock) {
                failed = true;
                retryAtNanos = System.nanoTime() + retryAfter.toNanos();
            }
        }
    }

    /** The index of the last image whose effects are all in the kernel; -1 before the first. */
    public long programmedIndex() {
        Programmed p = programmed;
        return p == null ? -1 : p.index();
    }

    /** What is programmed: the index and its image from one reading; empty before the first run. */
    public Optional<Programmed> programmed() {
        return Optional.ofNullable(programmed);
    }

    /** Images whose state equalled the programmed one's (Raft's own entries): the index moved, nothing was run. */
    public long skipped() {
        return skipped.sum();
    }

    /** What the last run of the programmer wrote (index moves without a run are not runs); empty before the first. */
    public Optional<ProgramReport> lastReport() {
        return Optional.ofNullable(lastReport);
    }

    /** Why the last run failed; empty once a run succeeds again. */
    public Optional<String> error() {
        return Optional.ofNullable(error);
    }

    public long failures() {
        return failures.sum();
    }

    public MapProgrammer programmer() {
        return programmer;
    }

    /** Stops the thread after the run in progress (if any); what is programmed stays in the kernel. */
    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
            lock.notifyAll();
        }
        try {
            worker.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
