package io.ringfleet.agent.api;

import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * This node's datapath counters (BPF per-CPU maps, summed over CPUs): the seam between the datapath
 * reader and the API's GetStats and Katran stats calls.
 */
@FunctionalInterface
public interface StatsSource {
    /**
     * Reads every counter now.
     *
     * @throws FleetUnavailableException if the counters cannot be read (no datapath loaded)
     */
    Snapshot read();

    /** Packets and bytes. */
    record Counter(long packets, long bytes) {
        public static final Counter ZERO = new Counter(0, 0);
    }

    /** A global counter with its name (the datapath's, lower case: {@code lru_hit}, {@code ch_drop}, ...). */
    record NamedCounter(String name, Counter value) {
        public NamedCounter {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
        }
    }

    /**
     * @param vips per vip_num
     * @param reals per real index
     * @param global named counters in the datapath's fixed order
     */
    record Snapshot(SortedMap<Integer, Counter> vips, SortedMap<Integer, Counter> reals, List<NamedCounter> global) {
        public Snapshot {
            vips = Collections.unmodifiableSortedMap(new TreeMap<>(vips));
            reals = Collections.unmodifiableSortedMap(new TreeMap<>(reals));
            global = List.copyOf(global);
        }

        /** The global counter of that name, zero if the datapath does not have it. */
        public Counter global(String name) {
            for (NamedCounter c : global) {
                if (c.name().equals(name)) {
                    return c.value();
                }
            }
            return Counter.ZERO;
        }
    }
}
