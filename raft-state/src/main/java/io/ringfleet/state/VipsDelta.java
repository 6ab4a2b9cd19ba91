package io.ringfleet.state;

import java.util.Optional;
import java.util.SortedSet;

/** Changes to the VIPs in one {@link FleetDelta}. Read-only outside this package. */
public final class VipsDelta {
    private final VipsImage base;
    private final MapDelta<Integer, VipImage> vips;
    private final MapDelta<VipKey, Integer> keys;
    private VipsImage current;

    VipsDelta(VipsImage base) {
        this.base = base;
        this.vips = new MapDelta<>(base.byNumMap());
        this.keys = new MapDelta<>(base.byKeyMap());
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
        if (!keys.get(vip.key()).map(n -> n == vip.vipNum()).orElse(false)) {
            keys.put(vip.key(), vip.vipNum());
        }
        current = null;
    }

    void remove(int vipNum) {
        vips.get(vipNum).ifPresent(v -> keys.remove(v.key()));
        vips.remove(vipNum);
        current = null;
    }

    /** The VIPs after the changes so far: O(1), shares everything with the delta's maps. */
    VipsImage current() {
        VipsImage c = current;
        if (c == null) {
            c = vips.isEmpty() ? base : new VipsImage(vips.current(), keys.current());
            current = c;
        }
        return c;
    }

    VipsImage apply() {
        return current();
    }
}
