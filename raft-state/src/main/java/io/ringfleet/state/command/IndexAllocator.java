package io.ringfleet.state.command;

import java.util.Iterator;
import java.util.OptionalInt;
import java.util.SortedSet;

/** Hands out the free numbers of [min, max] lowest first, given the numbers in use (ascending). */
final class IndexAllocator {
  private final Iterator<Integer> used;
  private final int max;
  private int cursor;
  private Integer nextUsed;

  IndexAllocator(SortedSet<Integer> inUse, int min, int max) {
    this.used = inUse.tailSet(min).iterator();
    this.max = max;
    this.cursor = min;
    this.nextUsed = used.hasNext() ? used.next() : null;
  }

  OptionalInt next() {
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
