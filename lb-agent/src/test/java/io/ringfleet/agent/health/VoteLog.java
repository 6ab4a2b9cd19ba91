package io.ringfleet.agent.health;

import io.ringfleet.api.Command;
import io.ringfleet.state.FleetImage;
import io.ringfleet.state.VipKey;
import io.ringfleet.state.health.HealthCheckSpec;
import io.ringfleet.state.health.HealthPair;
import io.ringfleet.state.testing.CommandLog;
import io.ringfleet.state.testing.Commands;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * A fleet log in this JVM for the agent's health side: raft-state's real {@link CommandLog} (the batch applier,
 * images with indexes) plus the health domain the agent reads and writes through its two small interfaces.
 * A written batch of verdicts is one log entry (an empty batch, which the applier rejects but still logs: the
 * next index), and its votes are what {@link #votes} answers from that index on. Every image is handed to the
 * subscriber, as the programming pipeline hands programmed images.
 *
 * <p>This stands in for the log side of issue 11 ({@code ReportRealHealth} records in the image, written
 * through {@code RaftFleetGateway}), which lives on another branch; the checks are what the test sets.
 */
final class VoteLog implements HealthLogReader, VerdictWriter {
    /** One acknowledged write: the index it was applied at and the votes it carried. */
    record Written(long index, SortedMap<HealthPair, Verdict> votes) {}

    /** More writes than any test needs: a reporter writing in a loop is refused from here on, so it fails fast. */
    private static final int MAX_WRITES = 100;

    private final String node;
    private final CommandLog log = new CommandLog();
    private final TreeMap<Long, SortedMap<HealthPair, Verdict>> votesByIndex = new TreeMap<>();
    private final List<Written> written = new ArrayList<>();
    private final TreeMap<VipKey, HealthCheckSpec> checks = new TreeMap<>();
    private Consumer<FleetImage> subscriber = image -> {};
    private int failNext;

    VoteLog(String node) {
        this.node = node;
    }

    synchronized void subscribe(Consumer<FleetImage> subscriber) {
        this.subscriber = subscriber;
    }

    /** Applies commands as one entry (must be accepted) and hands the image on. */
    FleetImage apply(Command... commands) {
        FleetImage image;
        synchronized (this) {
            image = log.apply(commands);
        }
        subscriber.accept(image);
        return image;
    }

    synchronized void check(VipKey vip, HealthCheckSpec spec) {
        checks.put(vip, spec);
    }

    /** The next n writes fail (as when there is no leader). */
    synchronized void failNext(int n) {
        failNext = n;
    }

    synchronized List<Written> written() {
        return List.copyOf(written);
    }

    synchronized SortedMap<HealthPair, Verdict> votesNow() {
        return votesAt(Long.MAX_VALUE);
    }

    synchronized FleetImage image() {
        return log.image();
    }

    @Override
    public synchronized SortedMap<VipKey, HealthCheckSpec> checks(FleetImage image) {
        return new TreeMap<>(checks);
    }

    @Override
    public synchronized SortedMap<HealthPair, Verdict> votes(FleetImage image, String of) {
        return of.equals(node) ? votesAt(image.index()) : Collections.emptySortedMap();
    }

    private SortedMap<HealthPair, Verdict> votesAt(long index) {
        var e = votesByIndex.floorEntry(index);
        return e == null ? new TreeMap<>() : new TreeMap<>(e.getValue());
    }

    @Override
    public CompletableFuture<Long> write(SortedMap<HealthPair, Verdict> verdicts) {
        FleetImage image;
        synchronized (this) {
            if (written.size() >= MAX_WRITES) {
                return CompletableFuture.failedFuture(new IllegalStateException("more than " + MAX_WRITES + " writes"));
            }
            if (failNext > 0) {
                failNext--;
                return CompletableFuture.failedFuture(new IllegalStateException("no leader (test)"));
            }
            SortedMap<HealthPair, Verdict> next = votesAt(Long.MAX_VALUE);
            next.putAll(verdicts);
            log.submit(Commands.batch()); // one entry: rejected (no commands) but logged, at the next index
            image = log.image();
            votesByIndex.put(image.index(), next);
            written.add(new Written(image.index(), new TreeMap<>(verdicts)));
        }
        subscriber.accept(image);
        return CompletableFuture.completedFuture(image.index());
    }
}
