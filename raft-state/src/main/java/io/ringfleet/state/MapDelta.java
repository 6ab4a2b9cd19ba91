package io.ringfleet.state;

import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;

/** Changes over an immutable sorted map: key to new value, or to nothing (removed). */
final class MapDelta<K extends Comparable<? super K>, V> {
  private final SortedMap<K, V> base;
  private final TreeMap<K, Optional<V>> changes = new TreeMap<>();

  MapDelta(SortedMap<K, V> base) {
    this.base = base;
  }

  Optional<V> get(K key) {
    Optional<V> changed = changes.get(key);
    return changed != null ? changed : Optional.ofNullable(base.get(key));
  }

  Optional<V> before(K key) {
    return Optional.ofNullable(base.get(key));
  }

  void put(K key, V value) {
    changes.put(key, Optional.of(value));
  }

  void remove(K key) {
    changes.put(key, Optional.empty());
  }

  /** Keys put or removed, ascending (a key may end with its original value). */
  SortedSet<K> touched() {
    return Collections.unmodifiableSortedSet(changes.navigableKeySet());
  }

  boolean isEmpty() {
    return changes.isEmpty();
  }

  TreeMap<K, V> applied() {
    TreeMap<K, V> out = new TreeMap<>(base);
    for (Map.Entry<K, Optional<V>> e : changes.entrySet()) {
      if (e.getValue().isPresent()) {
        out.put(e.getKey(), e.getValue().get());
      } else {
        out.remove(e.getKey());
      }
    }
    return out;
  }
}
