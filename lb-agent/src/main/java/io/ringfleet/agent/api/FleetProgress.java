package io.ringfleet.agent.api;

import java.util.SortedMap;

/**
 * How far each live node has programmed its kernel maps: the seam between whoever collects per-node
 * programmed indexes (this node's map programmer, the other nodes' status reports) and the API's
 * "wait until programmed" logic ({@link ProgrammedWaiter}).
 */
public interface FleetProgress {
    /**
     * The programmed index of every node that is live now, by node id. A node that is down or unreachable
     * is absent: waiting fleet-wide means waiting for the nodes that are up.
     */
    SortedMap<String, Long> programmedIndexes();

    /**
     * Calls {@code listener} (on any thread, possibly concurrently) after the map above may have changed.
     * Closing the returned handle stops the calls.
     */
    Subscription subscribe(Runnable listener);

    /** A registration that can be cancelled. */
    @FunctionalInterface
    interface Subscription extends AutoCloseable {
        @Override
        void close();
    }
}
