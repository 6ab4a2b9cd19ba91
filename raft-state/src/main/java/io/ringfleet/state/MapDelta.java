package io.ringfleet.state;

import io.ringfleet.state.collect.PersistentSortedMap;
import java.util.Collections;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Changes over an immutable sorted map: the map as it stands after the changes so far (a persistent map
 * sharing every untouched node with the base, so a change costs O(log n) and reading the current state is
 * direct), and the keys touched.
 */
final class MapDelta<K extends Comparable<? super K>, V> {
  private final PersistentSortedMap<K, V> base;
  private PersistentSortedMap<K, V> current;
  private final TreeSet<K> touched = new TreeSet<>();

  MapDelta(PersistentSortedMap<K, V> base) {
    this.base = base;
    this.current = base;
  }

  Optional<V> get(K key) {
    return Optional.ofNullable(current.get(key));
  }

  Optional<V> before(K key) {
    return Optional.ofNullable(base.get(key));
  }

  void put(K key, V value) {
    current = current.plus(key, value);
    touched.add(key);
  }

  void remove(K key) {
    current = current.minus(key);
    touched.add(key);
  }

  /** Keys put or removed, ascending (a key may end with its original value). */
  SortedSet<K> touched() {
    return Collections.unmodifiableSortedSet(touched);
  }

  boolean isEmpty() {
    return touched.isEmpty();
  }

  /** The map after the changes so far. Immutable: later changes make new maps. */
  PersistentSortedMap<K, V> current() {
    return current;
  }
}
