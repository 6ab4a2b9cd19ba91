package io.ringfleet.agent.fleet;

import io.ringfleet.agent.api.FleetUnavailableException;
import io.ringfleet.state.FleetDelta;
import io.ringfleet.state.FleetImage;
import io.ringfleet.state.FleetPublisher;
import java.time.Duration;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Completes futures once this node's state machine has applied an index: a publisher on the state
 * machine, so nothing polls. Waits that outlast their timeout fail with {@link FleetUnavailableException}.
 */
final class AppliedIndexWaiter implements FleetPublisher {
    private record Waiter(long index, CompletableFuture<FleetImage> future) {}

    private final String nodeId;
    private final Supplier<FleetImage> current;
    private final ScheduledExecutorService timer;
    private final PriorityQueue<Waiter> waiting = new PriorityQueue<>((a, b) -> Long.compare(a.index, b.index));

    AppliedIndexWaiter(String nodeId, Supplier<FleetImage> current, ScheduledExecutorService timer) {
        this.nodeId = nodeId;
        this.current = Objects.requireNonNull(current, "current");
        this.timer = Objects.requireNonNull(timer, "timer");
    }

    /** The image once it is at {@code index} or later. */
    CompletableFuture<FleetImage> await(long index, Duration timeout) {
        // Compared as longs: 2^63 or more (uint64 on the wire) would read as negative and be applied at once.
        // The API refuses it (min_applied_index, Statuses.index); here it is a bug.
        if (index < 0) {
            throw new IllegalArgumentException(
                    "index " + Long.toUnsignedString(index) + " is above the largest log index " + Long.MAX_VALUE);
        }
        FleetImage now = current.get();
        if (now.index() >= index) {
            return CompletableFuture.completedFuture(now);
        }
        CompletableFuture<FleetImage> future = new CompletableFuture<>();
        synchronized (waiting) {
            waiting.add(new Waiter(index, future));
        }
        // The image may have moved between the first look and the registration.
        release(current.get());
        if (!future.isDone()) {
            timer.schedule(
                    () -> future.completeExceptionally(new FleetUnavailableException("node " + nodeId
                            + " has applied up to index " + current.get().index() + ", not " + index + ", within "
                            + timeout.toMillis() + " ms: it is behind the leader")),
                    Math.max(0, timeout.toMillis()),
                    TimeUnit.MILLISECONDS);
            future.whenComplete((img, e) -> {
                synchronized (waiting) {
                    waiting.removeIf(w -> w.future == future);
                }
            });
        }
        return future;
    }

    @Override
    public void publish(FleetDelta delta, FleetImage image) {
        release(image);
    }

    private void release(FleetImage image) {
        while (true) {
            Waiter w;
            synchronized (waiting) {
                w = waiting.peek();
                if (w == null || w.index > image.index()) {
                    return;
                }
                waiting.poll();
            }
            w.future.complete(image);
        }
    }

    @Override
    public String name() {
        return "api-applied-index-waiter";
    }
}
