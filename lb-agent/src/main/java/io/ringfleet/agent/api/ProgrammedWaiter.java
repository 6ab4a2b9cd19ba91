package io.ringfleet.agent.api;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.ringfleet.api.ProgrammedProgress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Waits, without holding a thread, until the nodes have programmed a log index: this node only, or every
 * live node. Re-checks on every progress change; at the timeout it completes anyway, with
 * {@code timed_out} and the lagging nodes. It never fails: a timed-out wait is an answer, not an error
 * (the entry is committed either way).
 *
 * <p>A fleet-wide wait with no live node reported is not satisfied (nothing has been seen to program it).
 */
public final class ProgrammedWaiter {
    /** Waits in progress and the timer's queue (deadlines not yet fired nor removed). */
    public record Counts(int waiting, int deadlinesQueued) {}

    private final String selfId;
    private final FleetProgress progress;
    private final ScheduledExecutorService timer;
    private final int maxWaits;
    private final AtomicInteger waiting = new AtomicInteger();

    /** Unbounded waits (tests of the waiting logic). */
    public ProgrammedWaiter(String selfId, FleetProgress progress, ScheduledExecutorService timer) {
        this(selfId, progress, timer, Integer.MAX_VALUE);
    }

    /**
     * @param timer give it {@code setRemoveOnCancelPolicy(true)}, so a cancelled wait's deadline leaves its queue
     * @param maxWaits waits in progress at most; more are refused RESOURCE_EXHAUSTED
     */
    public ProgrammedWaiter(String selfId, FleetProgress progress, ScheduledExecutorService timer, int maxWaits) {
        this.selfId = Objects.requireNonNull(selfId, "selfId");
        this.progress = Objects.requireNonNull(progress, "progress");
        this.timer = Objects.requireNonNull(timer, "timer");
        if (maxWaits < 1) {
            throw new IllegalArgumentException("maxWaits must be at least 1, got " + maxWaits);
        }
        this.maxWaits = maxWaits;
    }

    /**
     * Completes once {@code index} is programmed (by this node, or by every live node), or at the timeout.
     * Cancelling the returned future (the caller went away) releases the wait at once: its subscription and
     * its deadline.
     *
     * @throws StatusRuntimeException RESOURCE_EXHAUSTED when {@code maxWaits} waits are in progress
     */
    public CompletableFuture<ProgrammedProgress> await(long index, boolean fleetWide, Duration timeout) {
        checkIndex(index);
        reserve();
        CompletableFuture<ProgrammedProgress> done = new CompletableFuture<>();
        done.whenComplete((p, e) -> waiting.decrementAndGet());
        List<AutoCloseable> cleanup = new CopyOnWriteArrayList<>();
        // Unsubscribe before completing: a caller woken by the completion must already see the waiter gone.
        Consumer<ProgrammedProgress> finish = p -> {
            for (AutoCloseable c : cleanup) {
                release(c);
            }
            done.complete(p);
        };
        Runnable check = () -> {
            if (!done.isDone()) {
                ProgrammedProgress p = snapshot(index, fleetWide, false);
                if (satisfied(p)) {
                    finish.accept(p);
                }
            }
        };
        Runnable expire = () -> {
            ProgrammedProgress p = snapshot(index, fleetWide, false);
            finish.accept(satisfied(p) ? p : p.toBuilder().setTimedOut(true).build());
        };
        FleetProgress.Subscription subscription = progress.subscribe(check);
        cleanup.add(subscription::close);
        ScheduledFuture<?> deadline = timer.schedule(expire, Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS);
        cleanup.add(() -> deadline.cancel(false));
        done.whenComplete((p, e) -> cleanup.forEach(ProgrammedWaiter::release)); // also when a caller cancels
        check.run();
        return done;
    }

    private void reserve() {
        while (true) {
            int now = waiting.get();
            if (now >= maxWaits) {
                throw Status.RESOURCE_EXHAUSTED
                        .withDescription(now + " waits for a programmed index are in progress on " + selfId
                                + " (the limit); retry later or wait on another node")
                        .asRuntimeException();
            }
            if (waiting.compareAndSet(now, now + 1)) {
                return;
            }
        }
    }

    /** Waits in progress now and deadlines queued in the timer (when it is a thread-pool timer). */
    public Counts counts() {
        int queued =
                timer instanceof ScheduledThreadPoolExecutor t ? t.getQueue().size() : -1;
        return new Counts(waiting.get(), queued);
    }

    private static void release(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            throw new IllegalStateException("releasing a programmed-index wait failed", e);
        }
    }

    /**
     * Indexes are compared as longs: one of 2^63 or more (uint64 on the wire, a negative long here) is below
     * every index and would be "programmed" at once. The API refuses it ({@code Statuses.index}); here it is
     * a bug.
     */
    private static void checkIndex(long index) {
        if (index < 0) {
            throw new IllegalArgumentException(
                    "index " + Long.toUnsignedString(index) + " is above the largest log index " + Long.MAX_VALUE);
        }
    }

    private static boolean satisfied(ProgrammedProgress p) {
        return p.getNodesLive() > 0 && p.getNodesProgrammed() == p.getNodesLive();
    }

    /** Where the nodes stand now relative to {@code index}. */
    public ProgrammedProgress snapshot(long index, boolean fleetWide, boolean timedOut) {
        checkIndex(index);
        SortedMap<String, Long> all = progress.programmedIndexes();
        SortedMap<String, Long> nodes = new TreeMap<>();
        if (fleetWide) {
            nodes.putAll(all);
        } else if (all.containsKey(selfId)) {
            nodes.put(selfId, all.get(selfId));
        }
        ProgrammedProgress.Builder b = ProgrammedProgress.newBuilder()
                .setIndex(index)
                .setTimedOut(timedOut)
                .setNodesLive(nodes.size());
        int programmed = 0;
        for (Map.Entry<String, Long> e : nodes.entrySet()) {
            // index >= 0, so a node reporting an index of 2^63 or more (a negative long: no log gets there,
            // a broken peer) is lagging, never programmed.
            if (e.getValue() >= index) {
                programmed++;
            } else {
                b.addLaggingNodes(e.getKey());
            }
        }
        return b.setNodesProgrammed(programmed).build();
    }
}
