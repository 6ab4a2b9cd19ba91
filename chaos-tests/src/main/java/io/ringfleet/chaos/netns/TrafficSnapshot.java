package io.ringfleet.chaos.netns;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The traffic's figures at one moment. Counters are cumulative since the traffic started; use
 * {@link #since(TrafficSnapshot)} for one phase.
 *
 * @param elapsedMillis since the traffic started
 * @param longOpen long-lived TCP connections open now
 * @param longByReal open long-lived TCP connections per real
 * @param longOpened long-lived TCP connections opened so far (replacements of broken ones included)
 * @param connectFailed long-lived TCP connections that could not be opened or failed their first round trip
 * @param roundTrips echo round trips on long-lived TCP connections
 * @param shortOk short TCP connections that connected, got their bytes back and closed
 * @param shortFailed short TCP connections that did not
 * @param shortByReal successful short connections per real
 * @param udpReplies UDP answers received on the UDP flows
 * @param udpLost UDP requests without an answer in time
 * @param udpByReal UDP answers per real
 * @param broken every broken long-lived flow so far, in order
 * @param maxRoundTripMillis the slowest TCP echo round trip so far
 */
public record TrafficSnapshot(
        long elapsedMillis,
        int longOpen,
        SortedMap<String, Integer> longByReal,
        long longOpened,
        long connectFailed,
        long roundTrips,
        long shortOk,
        long shortFailed,
        SortedMap<String, Long> shortByReal,
        long udpReplies,
        long udpLost,
        SortedMap<String, Long> udpByReal,
        List<BrokenFlow> broken,
        long maxRoundTripMillis) {
    public TrafficSnapshot {
        longByReal = new TreeMap<>(longByReal);
        shortByReal = new TreeMap<>(shortByReal);
        udpByReal = new TreeMap<>(udpByReal);
        broken = List.copyOf(broken);
    }

    /** Broken flows whose real was not removed: what must be zero. */
    public List<BrokenFlow> unexpectedBroken() {
        List<BrokenFlow> out = new ArrayList<>();
        for (BrokenFlow b : broken) {
            if (!b.expected()) {
                out.add(b);
            }
        }
        return out;
    }

    /** Broken flows whose real had been removed (they had nowhere to go). */
    public int expectedBroken() {
        return broken.size() - unexpectedBroken().size();
    }

    /** The figures of the phase from earlier to this one (counters subtracted; open flows as now). */
    public TrafficSnapshot since(TrafficSnapshot earlier) {
        return new TrafficSnapshot(
                elapsedMillis - earlier.elapsedMillis,
                longOpen,
                longByReal,
                longOpened - earlier.longOpened,
                connectFailed - earlier.connectFailed,
                roundTrips - earlier.roundTrips,
                shortOk - earlier.shortOk,
                shortFailed - earlier.shortFailed,
                minus(shortByReal, earlier.shortByReal),
                udpReplies - earlier.udpReplies,
                udpLost - earlier.udpLost,
                minus(udpByReal, earlier.udpByReal),
                broken.subList(earlier.broken.size(), broken.size()),
                maxRoundTripMillis);
    }

    private static SortedMap<String, Long> minus(SortedMap<String, Long> a, SortedMap<String, Long> b) {
        SortedMap<String, Long> out = new TreeMap<>();
        for (Map.Entry<String, Long> e : a.entrySet()) {
            out.put(e.getKey(), e.getValue() - b.getOrDefault(e.getKey(), 0L));
        }
        return out;
    }
}
