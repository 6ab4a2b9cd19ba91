package io.ringfleet.state;

import io.ringfleet.state.collect.PersistentSortedMap;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Changes over an immutable sorted map. Changes go to a hash overlay first (a change costs one hash put, so
 * a snapshot's tens of thousands of reference counts stay cheap); {@link #current()} folds the overlay, in
 * key order, into a persistent map that shares every untouched node with the base: path copies for a few
 * changes, one O(n) merge for many. Reads see the overlay, then the folded map. The hash order of the
 * overlay never shows: folding sorts it, and {@link #touched()} (the keys of every fold) is sorted.
 */
final class MapDelta<K extends Comparable<? super K>, V> {
    private static final Object REMOVED = new Object();

    private final PersistentSortedMap<K, V> base;
    private PersistentSortedMap<K, V> folded;
    /** Changes not folded yet: the new value, or {@link #REMOVED}. */
    private final HashMap<K, Object> pending = new HashMap<>();
    /** Keys of the changes folded so far. */
    private final TreeSet<K> folds = new TreeSet<>();

    MapDelta(PersistentSortedMap<K, V> base) {
        this.base = base;
        this.folded = base;
    }

    @SuppressWarnings("unchecked")
    Optional<V> get(K key) {
        if (!pending.isEmpty()) {
            Object v = pending.get(key);
            if (v != null) {
                return v == REMOVED ? Optional.empty() : Optional.of((V) v);
            }
        }
        return Optional.ofNullable(folded.get(key));
    }

    Optional<V> before(K key) {
        return Optional.ofNullable(base.get(key));
    }

    void put(K key, V value) {
        pending.put(key, Objects.requireNonNull(value, "value"));
    }

    void remove(K key) {
        pending.put(key, REMOVED);
    }

    /** Keys put or removed, ascending (a key may end with its original value). Folds the pending changes. */
    SortedSet<K> touched() {
        current();
        return Collections.unmodifiableSortedSet(folds);
    }

    boolean isEmpty() {
        return pending.isEmpty() && folds.isEmpty();
    }

    /** The map after the changes so far. Immutable: later changes make new maps. */
    @SuppressWarnings("unchecked")
    PersistentSortedMap<K, V> current() {
        if (pending.size() == 1) {
            Map.Entry<K, Object> e = pending.entrySet().iterator().next();
            folded = e.getValue() == REMOVED ? folded.minus(e.getKey()) : folded.plus(e.getKey(), (V) e.getValue());
            folds.add(e.getKey());
            pending.clear();
        } else if (!pending.isEmpty()) {
            TreeMap<K, V> changes = new TreeMap<>();
            pending.forEach((k, v) -> changes.put(k, v == REMOVED ? null : (V) v));
            folded = folded.withChanges(changes);
            folds.addAll(changes.keySet());
            pending.clear();
        }
        return folded;
    }
}
