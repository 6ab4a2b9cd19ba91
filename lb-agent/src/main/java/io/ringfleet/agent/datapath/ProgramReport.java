package io.ringfleet.agent.datapath;

import java.util.Collections;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One programming run: the image index whose effects are now in the kernel, whether everything was compared
 * (first run, resync, after a failure) or only what the image changed, the entries written (puts and deletes)
 * per map, the steps taken in order, and how long reading, planning and writing took.
 */
public record ProgramReport(
        long index, boolean full, SortedMap<String, Integer> written, List<String> steps, long durationNanos) {
    public ProgramReport {
        written = Collections.unmodifiableSortedMap(new TreeMap<>(written));
        steps = List.copyOf(steps);
    }

    /** Entries written to one map (0 when none). */
    public int written(String map) {
        return written.getOrDefault(map, 0);
    }

    public int totalWritten() {
        return written.values().stream().mapToInt(Integer::intValue).sum();
    }
}
