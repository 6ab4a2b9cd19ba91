package io.ringfleet.state;

import java.util.Optional;
import java.util.SortedSet;

/** Changes to the VIPs in one {@link FleetDelta}. Read-only outside this package. */
public final class VipsDelta {
  private final VipsImage base;
  private final MapDelta<Integer, VipImage> vips;
  private final MapDelta<VipKey, Integer> keys;

  VipsDelta(VipsImage base) {
    this.base = base;
    this.vips = new MapDelta<>(base.byNum());
    this.keys = new MapDelta<>(base.byKey());
  }

  /** VIP numbers added, removed or changed, ascending. A number may have been freed and reused. */
  public SortedSet<Integer> touchedVipNums() {
    return vips.touched();
  }

  /** The VIP under this number before the delta. */
  public Optional<VipImage> before(int vipNum) {
    return vips.before(vipNum);
  }

  /** The VIP under this number after the delta; empty if removed. */
  public Optional<VipImage> after(int vipNum) {
    return vips.get(vipNum);
  }

  Optional<Integer> numOf(VipKey key) {
    return keys.get(key);
  }

  /** Adds or replaces the VIP under its number (its key must not change). */
  void put(VipImage vip) {
    vips.put(vip.vipNum(), vip);
    keys.put(vip.key(), vip.vipNum());
  }

  void remove(int vipNum) {
    vips.get(vipNum).ifPresent(v -> keys.remove(v.key()));
    vips.remove(vipNum);
  }

  VipsImage apply() {
    return vips.isEmpty() ? base : new VipsImage(vips.applied());
  }
}
