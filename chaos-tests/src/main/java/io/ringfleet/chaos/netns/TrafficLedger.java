package io.ringfleet.chaos.netns;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** The counters every flow of a {@link Traffic} writes into; thread-safe. */
final class TrafficLedger {
    private final long startNanos = System.nanoTime();
    private final Map<String, OpenFlow> openLongFlows = new ConcurrentHashMap<>();
    private final AtomicLong longOpened = new AtomicLong();
    private final LongAdder roundTrips = new LongAdder();
    private final LongAdder shortOk = new LongAdder();
    private final LongAdder shortFailed = new LongAdder();
    private final LongAdder connectFailed = new LongAdder();
    private final Map<String, LongAdder> shortByReal = new ConcurrentHashMap<>();
    private final LongAdder udpReplies = new LongAdder();
    private final LongAdder udpLost = new LongAdder();
    private final Map<String, LongAdder> udpByReal = new ConcurrentHashMap<>();
    private final List<BrokenFlow> broken = new CopyOnWriteArrayList<>();
    private final List<String> shortFailures = new CopyOnWriteArrayList<>();
    private final Set<String> removedReals = ConcurrentHashMap.newKeySet();
    private final AtomicLong maxRoundTripNanos = new AtomicLong();

    long elapsedMillis() {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    void longOpened(OpenFlow flow) {
        longOpened.incrementAndGet();
        openLongFlows.put(flow.flow(), flow);
    }

    List<OpenFlow> openFlows() {
        return List.copyOf(openLongFlows.values());
    }

    void longClosed(String flow) {
        openLongFlows.remove(flow);
    }

    void roundTrip(long nanos) {
        roundTrips.increment();
        maxRoundTripNanos.accumulateAndGet(nanos, Math::max);
    }

    void shortOk(String real) {
        shortOk.increment();
        shortByReal.computeIfAbsent(real, r -> new LongAdder()).increment();
    }

    void shortFailed(String reason) {
        shortFailed.increment();
        if (shortFailures.size() < 20) {
            shortFailures.add(String.format("%.1f s: %s", elapsedMillis() / 1000.0, reason));
        }
    }

    /** The first (at most 20) reasons connections failed to open or to complete a first round trip. */
    List<String> failures() {
        return List.copyOf(shortFailures);
    }

    /** A long-lived connection that could not be opened or did not complete its first round trip. */
    void connectFailed(String reason) {
        connectFailed.increment();
        if (shortFailures.size() < 20) {
            shortFailures.add(String.format("%.1f s: %s", elapsedMillis() / 1000.0, reason));
        }
    }

    void udpReply(String real) {
        udpReplies.increment();
        udpByReal.computeIfAbsent(real, r -> new LongAdder()).increment();
    }

    void udpLost() {
        udpLost.increment();
    }

    void broken(String flow, String real, String reason) {
        broken.add(new BrokenFlow(flow, real, reason, real != null && removedReals.contains(real), elapsedMillis()));
    }

    void realRemoved(String real) {
        removedReals.add(real);
    }

    void realRestored(String real) {
        removedReals.remove(real);
    }

    TrafficSnapshot snapshot() {
        SortedMap<String, Integer> longByReal = new TreeMap<>();
        for (OpenFlow f : openLongFlows.values()) {
            longByReal.merge(f.real(), 1, Integer::sum);
        }
        return new TrafficSnapshot(
                elapsedMillis(),
                openLongFlows.size(),
                longByReal,
                longOpened.get(),
                connectFailed.sum(),
                roundTrips.sum(),
                shortOk.sum(),
                shortFailed.sum(),
                sums(shortByReal),
                udpReplies.sum(),
                udpLost.sum(),
                sums(udpByReal),
                broken,
                maxRoundTripNanos.get() / 1_000_000);
    }

    private static SortedMap<String, Long> sums(Map<String, LongAdder> m) {
        SortedMap<String, Long> out = new TreeMap<>();
        m.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }
}
