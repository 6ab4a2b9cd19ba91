package io.ringfleet.state;

import io.ringfleet.api.BatchAudited;
import io.ringfleet.state.collect.PersistentSortedMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The audit trail in the image: the last {@link #CAPACITY} log entries that carried a command batch, applied or
 * rejected, by log index. Being in the image, it is identical on every replica (made by replay) and survives
 * snapshots (written as {@code BatchAudited} records). It is not part of the fleet's state: it moves neither the
 * state index nor the digest, and an image that differs only in its history has the same state.
 */
public final class HistoryImage {
    /** Entries kept; the oldest is dropped when a newer one comes. */
    public static final int CAPACITY = 1000;

    public static final HistoryImage EMPTY = new HistoryImage(PersistentSortedMap.empty());

    private final PersistentSortedMap<Long, BatchAudited> entries;

    private HistoryImage(PersistentSortedMap<Long, BatchAudited> entries) {
        this.entries = entries;
    }

    /**
     * This history with {@code entry} added (and the oldest dropped beyond {@link #CAPACITY}).
     *
     * @throws ReplayException if the entry's log index is not after the newest entry's
     */
    HistoryImage plus(BatchAudited entry) {
        Objects.requireNonNull(entry, "entry");
        if (!entries.isEmpty() && entry.getLogIndex() <= entries.lastKey()) {
            throw new ReplayException("history entry at log index " + entry.getLogIndex()
                    + " is not after the newest one, at " + entries.lastKey());
        }
        PersistentSortedMap<Long, BatchAudited> next = entries.plus(entry.getLogIndex(), entry);
        while (next.size() > CAPACITY) {
            next = next.minus(next.firstKey());
        }
        return new HistoryImage(next);
    }

    public int size() {
        return entries.size();
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    /** At most {@code limit} entries, newest first. */
    public List<BatchAudited> newest(int limit) {
        int n = Math.min(Math.max(limit, 0), entries.size());
        List<BatchAudited> out = new ArrayList<>(n);
        for (int rank = entries.size() - 1; rank >= entries.size() - n; rank--) {
            out.add(entries.entryAt(rank).getValue());
        }
        return out;
    }

    /** Every entry, oldest first (the snapshot's order). */
    public List<BatchAudited> all() {
        return new ArrayList<>(entries.values());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HistoryImage h && entries.equals(h.entries);
    }

    @Override
    public int hashCode() {
        return entries.hashCode();
    }

    @Override
    public String toString() {
        return "HistoryImage{" + entries.size() + " entries"
                + (entries.isEmpty() ? "" : ", " + entries.firstKey() + ".." + entries.lastKey()) + "}";
    }
}
