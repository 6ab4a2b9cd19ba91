package io.ringfleet.agent.health;

import io.ringfleet.state.health.HealthPair;
import java.util.Collections;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the reporter needs to know of one applied image: its index, whether this node is drained there, this
 * node's votes the log holds, and the pairs the image says to probe.
 */
public record LogView(
        long index, boolean drained, SortedMap<HealthPair, Verdict> logged, SortedSet<HealthPair> probed) {
    public LogView {
        logged = Collections.unmodifiableSortedMap(new TreeMap<>(logged));
        probed = Collections.unmodifiableSortedSet(new TreeSet<>(probed));
    }

    /**
     * The verdicts to write: this node's settled verdict ({@code mine}: UP or DOWN; UNKNOWN is not settled) on
     * every probed pair where the log holds another vote or none.
     */
    public SortedMap<HealthPair, Verdict> due(java.util.Map<HealthPair, Verdict> mine) {
        TreeMap<HealthPair, Verdict> out = new TreeMap<>();
        for (HealthPair pair : probed) {
            Verdict v = mine.getOrDefault(pair, Verdict.UNKNOWN);
            if (v != Verdict.UNKNOWN && v != logged.get(pair)) {
                out.put(pair, v);
            }
        }
        return out;
    }
}
