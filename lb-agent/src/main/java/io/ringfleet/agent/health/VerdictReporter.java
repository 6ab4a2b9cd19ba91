package io.ringfleet.agent.health;

import io.ringfleet.state.health.HealthPair;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings the log's votes of this node in line with this node's verdicts, writing only when they differ.
 *
 * <p>It is woken by verdict edges (never by probes), by applied images and by its own retries, and then writes
 * every probed pair whose settled verdict the log does not hold yet, as one batch. One batch is in flight at a
 * time; after it is acknowledged at index {@code i}, nothing is written until an image of index {@code >= i} has
 * been seen (an older image does not show the batch yet, and would make it write the same votes twice). A write
 * that fails (no leader, rejected) is retried with backoff ({@link #MIN_BACKOFF_MILLIS} doubling to {@link
 * #MAX_BACKOFF_MILLIS}) until one is acknowledged; what it retries is recomputed, so a verdict that flipped back
 * meanwhile is not written at all.
 *
 * <p>Because it compares with the log, a restarted agent needs no memory of what it reported: its verdicts start
 * UNKNOWN, its votes from before the restart stay in the log and keep counting, and once a pair settles only a
 * verdict that differs from the logged vote is written. A drained node writes nothing (its votes do not count
 * while it is drained); on undrain it writes whatever changed meanwhile.
 *
 * <p>All state is owned by one thread; the public methods only hand work to it.
 */
public final class VerdictReporter implements AutoCloseable {
    public static final long MIN_BACKOFF_MILLIS = 100;
    public static final long MAX_BACKOFF_MILLIS = 5_000;
    private static final Logger LOG = LoggerFactory.getLogger(VerdictReporter.class);

    private final String nodeId;
    private final VerdictWriter writer;
    private final Supplier<Map<HealthPair, Verdict>> verdicts;
    private final ScheduledExecutorService thread;
    private final LongAdder writes = new LongAdder();
    private final LongAdder failures = new LongAdder();

    // owned by thread
    private LogView view;
    private boolean inFlight;
    private long ackedIndex = -1;
    private ScheduledFuture<?> retry;
    private long backoffMillis = MIN_BACKOFF_MILLIS;
    private String lastFailure;

    private volatile long lastReportIndex = -1;

    /**
     * @param verdicts this node's current verdicts (the prober's {@link HealthProber#verdicts})
     */
    public VerdictReporter(String nodeId, VerdictWriter writer, Supplier<Map<HealthPair, Verdict>> verdicts) {
        this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
        this.writer = Objects.requireNonNull(writer, "writer");
        this.verdicts = Objects.requireNonNull(verdicts, "verdicts");
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "health-reporter-" + nodeId);
            t.setDaemon(true);
            return t;
        });
    }

    /** A verdict edge (the prober's listener): compare with the log again. */
    public void verdictChanged(VerdictChange change) {
        thread.execute(this::reconcile);
    }

    /** An image was applied (views older than the newest seen are ignored). */
    public void logApplied(LogView next) {
        Objects.requireNonNull(next, "next");
        thread.execute(() -> {
            if (view == null || next.index() >= view.index()) {
                view = next;
            }
            reconcile();
        });
    }

    /** The log index of the last acknowledged report; -1 before the first. */
    public long lastReportIndex() {
        return lastReportIndex;
    }

    /** Acknowledged batches written. */
    public long writes() {
        return writes.sum();
    }

    /** Writes that failed (and were retried). */
    public long failures() {
        return failures.sum();
    }

    private void reconcile() {
        if (inFlight || retry != null || view == null || view.drained() || view.index() < ackedIndex) {
            return;
        }
        SortedMap<HealthPair, Verdict> due = view.due(verdicts.get());
        if (due.isEmpty()) {
            return;
        }
        inFlight = true;
        Futures.start(() -> writer.write(due))
                .whenComplete((index, failure) -> thread.execute(() -> written(due, index, failure)));
    }

    private void written(SortedMap<HealthPair, Verdict> due, Long index, Throwable failure) {
        inFlight = false;
        if (failure != null) {
            failed(due, failure);
            return;
        }
        writes.increment();
        backoffMillis = MIN_BACKOFF_MILLIS;
        lastFailure = null;
        ackedIndex = index;
        lastReportIndex = index;
        LOG.info("{}: reported {} health verdict(s) at log index {}: {}", nodeId, due.size(), index, due);
        reconcile();
    }

    private void failed(SortedMap<HealthPair, Verdict> due, Throwable failure) {
        failures.increment();
        String message = Futures.message(failure);
        if (!message.equals(lastFailure)) { // one line per distinct reason, not one per retry
            LOG.warn("{}: reporting {} health verdict(s) failed, retrying: {}", nodeId, due.size(), message);
            lastFailure = message;
        }
        retry = thread.schedule(
                () -> {
                    retry = null;
                    reconcile();
                },
                backoffMillis,
                TimeUnit.MILLISECONDS);
        backoffMillis = Math.min(MAX_BACKOFF_MILLIS, backoffMillis * 2);
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
