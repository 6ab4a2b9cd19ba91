package io.ringfleet.state.command;

import io.ringfleet.state.collect.PersistentSortedMap;
import java.util.Iterator;
import java.util.OptionalInt;
import java.util.SortedSet;

/**
 * Hands out the free numbers of [min, max] lowest first, given the numbers in use (ascending).
 *
 * <p>Over the images' key sets ({@link PersistentSortedMap.Keys}) the next free number is found by binary
 * search on ranks, O(log(max - min) * log n), whatever the number of used ones below it; over any other
 * sorted set by walking it from the last number handed out. Both give the same numbers.
 */
final class IndexAllocator {
    private final PersistentSortedMap.Keys<Integer> ranked;
    private final Iterator<Integer> used;
    private final int max;
    private int cursor;
    private Integer nextUsed;

    @SuppressWarnings("unchecked")
    IndexAllocator(SortedSet<Integer> inUse, int min, int max) {
        this.max = max;
        this.cursor = min;
        if (inUse instanceof PersistentSortedMap.Keys) {
            this.ranked = (PersistentSortedMap.Keys<Integer>) inUse;
            this.used = null;
        } else {
            this.ranked = null;
            this.used = inUse.tailSet(min).iterator();
            this.nextUsed = used.hasNext() ? used.next() : null;
        }
    }

    OptionalInt next() {
        return ranked != null ? nextByRank() : nextByWalk();
    }

    private OptionalInt nextByRank() {
        if (cursor > max) {
            return OptionalInt.empty();
        }
        // Used numbers in [cursor, x] = below(x + 1) - below(cursor); some number there is free iff that count
        // is under x - cursor + 1. True for x = the answer and every x above: binary search for the first.
        long base = ranked.countBelow(cursor);
        if (ranked.countBelow(max + 1) - base >= (long) max - cursor + 1) {
            cursor = max + 1;
            return OptionalInt.empty();
        }
        int lo = cursor;
        int hi = max;
        while (lo < hi) {
            int mid = (int) (((long) lo + hi) >>> 1);
            if (ranked.countBelow(mid + 1) - base < (long) mid - cursor + 1) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        cursor = lo + 1;
        return OptionalInt.of(lo);
    }

    private OptionalInt nextByWalk() {
        while (nextUsed != null && nextUsed <= cursor) {
            if (nextUsed == cursor) {
                cursor++;
            }
            nextUsed = used.hasNext() ? used.next() : null;
        }
        if (cursor > max) {
            return OptionalInt.empty();
        }
        return OptionalInt.of(cursor++);
    }
}
