package io.ringfleet.state;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One VIP: its number, key, flags, hash function, member reals and down-real marks. Immutable.
 *
 * <p>A ring builder needs {@link #reals()} (ascending real index; weight-0 members included, the ring
 * builder leaves them out) and {@link #hashFunction()}.
 */
public final class VipImage {
  private final int vipNum;
  private final VipKey key;
  private final int flags;
  private final HashFunction hashFunction;
  private final SortedMap<Integer, VipReal> reals;
  private final List<VipReal> realList;
  private final SortedSet<Integer> downReals;

  VipImage(int vipNum, VipKey key, int flags, HashFunction hashFunction,
           SortedMap<Integer, VipReal> reals, SortedSet<Integer> downReals) {
    if (vipNum < 0) {
      throw new IllegalArgumentException("vip_num must be >= 0, got " + vipNum);
    }
    this.vipNum = vipNum;
    this.key = Objects.requireNonNull(key, "key");
    this.flags = flags;
    this.hashFunction = Objects.requireNonNull(hashFunction, "hashFunction");
    this.reals = Collections.unmodifiableSortedMap(new TreeMap<>(reals));
    this.realList = List.copyOf(this.reals.values());
    this.downReals = Collections.unmodifiableSortedSet(new TreeSet<>(downReals));
  }

  static VipImage create(int vipNum, VipKey key, int flags, HashFunction hashFunction) {
    return new VipImage(vipNum, key, flags, hashFunction, new TreeMap<>(), new TreeSet<>());
  }

  /** Row of the ring map and slot of the VIP's counters: 0 .. max_vips-1. */
  public int vipNum() {
    return vipNum;
  }

  public VipKey key() {
    return key;
  }

  /** Katran flag bits ({@link VipFlags}). */
  public int flags() {
    return flags;
  }

  public boolean hasFlag(int flag) {
    return (flags & flag) == flag;
  }

  public HashFunction hashFunction() {
    return hashFunction;
  }

  /** Members, ascending real index. */
  public List<VipReal> reals() {
    return realList;
  }

  /** Members by real index. */
  public SortedMap<Integer, VipReal> realsByIndex() {
    return reals;
  }

  public Optional<VipReal> real(int realIndex) {
    return Optional.ofNullable(reals.get(realIndex));
  }

  public int realCount() {
    return reals.size();
  }

  /** Real indexes marked down (UDP flow migration); always members. */
  public SortedSet<Integer> downReals() {
    return downReals;
  }

  public boolean isDown(int realIndex) {
    return downReals.contains(realIndex);
  }

  VipImage withFlags(int newFlags) {
    return new VipImage(vipNum, key, newFlags, hashFunction, reals, downReals);
  }

  VipImage withHashFunction(HashFunction newHashFunction) {
    return new VipImage(vipNum, key, flags, newHashFunction, reals, downReals);
  }

  VipImage withReals(List<VipReal> added) {
    TreeMap<Integer, VipReal> next = new TreeMap<>(reals);
    for (VipReal r : added) {
      next.put(r.realIndex(), r);
    }
    return new VipImage(vipNum, key, flags, hashFunction, next, downReals);
  }

  VipImage withoutReals(List<Integer> removed) {
    TreeMap<Integer, VipReal> next = new TreeMap<>(reals);
    TreeSet<Integer> down = new TreeSet<>(downReals);
    for (Integer index : removed) {
      next.remove(index);
      down.remove(index);
    }
    return new VipImage(vipNum, key, flags, hashFunction, next, down);
  }

  VipImage withWeights(Map<Integer, Integer> weights) {
    TreeMap<Integer, VipReal> next = new TreeMap<>(reals);
    for (Map.Entry<Integer, Integer> e : weights.entrySet()) {
      next.put(e.getKey(), next.get(e.getKey()).withWeight(e.getValue()));
    }
    return new VipImage(vipNum, key, flags, hashFunction, next, downReals);
  }

  VipImage withDown(int realIndex, boolean down) {
    TreeSet<Integer> next = new TreeSet<>(downReals);
    if (down) {
      next.add(realIndex);
    } else {
      next.remove(realIndex);
    }
    return new VipImage(vipNum, key, flags, hashFunction, reals, next);
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof VipImage)) {
      return false;
    }
    VipImage v = (VipImage) o;
    return vipNum == v.vipNum && flags == v.flags && key.equals(v.key) && hashFunction == v.hashFunction
        && reals.equals(v.reals) && downReals.equals(v.downReals);
  }

  @Override
  public int hashCode() {
    return Objects.hash(vipNum, key, flags, hashFunction, reals, downReals);
  }

  @Override
  public String toString() {
    List<String> members = new ArrayList<>();
    for (VipReal r : realList) {
      members.add(r.realIndex() + "=" + r.address() + "/w" + r.weight() + (isDown(r.realIndex()) ? "/down" : ""));
    }
    return "Vip#" + vipNum + "{" + key + ", flags=" + VipFlags.hex(flags) + ", " + hashFunction + ", reals=" + members + "}";
  }
}
