package io.ringfleet.state;

import java.util.Collection;
import java.util.Collections;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;

/** Every VIP, by number and by key. Immutable. */
public final class VipsImage {
  public static final VipsImage EMPTY = new VipsImage(new TreeMap<>());

  private final SortedMap<Integer, VipImage> byNum;
  private final SortedMap<VipKey, Integer> byKey;
  private final SortedSet<Integer> vipNumSet;

  VipsImage(SortedMap<Integer, VipImage> byNum) {
    TreeMap<Integer, VipImage> nums = new TreeMap<>(byNum);
    TreeMap<VipKey, Integer> keys = new TreeMap<>();
    for (VipImage vip : nums.values()) {
      keys.put(vip.key(), vip.vipNum());
    }
    this.byNum = Collections.unmodifiableSortedMap(nums);
    this.vipNumSet = Collections.unmodifiableSortedSet(nums.navigableKeySet());
    this.byKey = Collections.unmodifiableSortedMap(keys);
  }

  public Optional<VipImage> get(int vipNum) {
    return Optional.ofNullable(byNum.get(vipNum));
  }

  public Optional<VipImage> get(VipKey key) {
    Integer num = byKey.get(key);
    return num == null ? Optional.empty() : Optional.of(byNum.get(num));
  }

  /** Every VIP, ascending vip_num. */
  public Collection<VipImage> all() {
    return byNum.values();
  }

  public SortedMap<Integer, VipImage> byNum() {
    return byNum;
  }

  /** VIP key to vip_num, ascending key. */
  public SortedMap<VipKey, Integer> byKey() {
    return byKey;
  }

  /** VIP numbers in use, ascending. */
  public SortedSet<Integer> vipNums() {
    return vipNumSet;
  }

  public int size() {
    return byNum.size();
  }

  public boolean isEmpty() {
    return byNum.isEmpty();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof VipsImage && byNum.equals(((VipsImage) o).byNum);
  }

  @Override
  public int hashCode() {
    return byNum.hashCode();
  }

  @Override
  public String toString() {
    return "VipsImage" + byNum.values();
  }
}
