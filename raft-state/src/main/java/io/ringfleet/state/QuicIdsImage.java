package io.ringfleet.state;

import java.util.Collection;
import java.util.Collections;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/** QUIC server id to real. Each mapping holds a reference on its real index. Immutable. */
public final class QuicIdsImage {
  public static final QuicIdsImage EMPTY = new QuicIdsImage(new TreeMap<>());

  private final SortedMap<Long, QuicMapping> byId;

  QuicIdsImage(SortedMap<Long, QuicMapping> byId) {
    this.byId = Collections.unmodifiableSortedMap(new TreeMap<>(byId));
  }

  public Optional<QuicMapping> get(long serverId) {
    return Optional.ofNullable(byId.get(serverId));
  }

  /** Every mapping, ascending server id. */
  public Collection<QuicMapping> all() {
    return byId.values();
  }

  public SortedMap<Long, QuicMapping> byId() {
    return byId;
  }

  public int size() {
    return byId.size();
  }

  public boolean isEmpty() {
    return byId.isEmpty();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof QuicIdsImage && byId.equals(((QuicIdsImage) o).byId);
  }

  @Override
  public int hashCode() {
    return byId.hashCode();
  }

  @Override
  public String toString() {
    return "QuicIdsImage" + byId.values();
  }
}
