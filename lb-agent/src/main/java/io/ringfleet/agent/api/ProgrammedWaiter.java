package io.ringfleet.agent.api;

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
import java.util.concurrent.TimeUnit;
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
    private final String selfId;
    private final FleetProgress progress;
    private final ScheduledExecutorService timer;

    public ProgrammedWaiter(String selfId, FleetProgress progress, ScheduledExecutorService timer) {
        this.selfId = Objects.requireNonNull(selfId, "selfId");
        this.progress = Objects.requireNonNull(progress, "progress");
        this.timer = Objects.requireNonNull(timer, "timer");
    }

    /** Completes once {@code index} is programmed (by this node, or by every live node), or at the timeout. */
    public CompletableFuture<ProgrammedProgress> await(long index, boolean fleetWide, Duration timeout) {
        checkIndex(index);
        CompletableFuture<ProgrammedProgress> done = new CompletableFuture<>();
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
