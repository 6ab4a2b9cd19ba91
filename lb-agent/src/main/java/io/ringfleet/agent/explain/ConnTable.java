package io.ringfleet.agent.explain;

import io.ringfleet.bpf.abi.FlowKey;
import java.util.Optional;

/** Read access to a balancer's connection table: the per-CPU tables and the shared fallback table. */
@FunctionalInterface
public interface ConnTable {
    /** The CPU number that stands for the shared fallback table (conn_fallback). */
    int FALLBACK = -1;

    /**
     * The entry of {@code key} in any CPU's table (the lowest CPU first, the fallback table last), or empty.
     *
     * @throws io.ringfleet.agent.datapath.DatapathException if the table cannot be read
     */
    Optional<Entry> lookup(FlowKey key);

    /**
     * An entry: the CPU whose table holds it ({@link #FALLBACK} for the shared one), its real index and, for UDP,
     * the monotonic time of its last packet (ns; 0 for TCP).
     */
    record Entry(int cpu, int realIndex, long atimeNs) {}

    /** A table that holds nothing (a node without a datapath, or a unit test). */
    ConnTable EMPTY = key -> Optional.empty();
}
