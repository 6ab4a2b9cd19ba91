package io.ringfleet.state;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

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

    /**
     * The VIPs after this delta, each VIP whose ring input the delta changed with its input before the delta
     * pushed onto its ring history (keeping {@code depth}). The input is taken after the health exclusion, so a
     * verdict that takes a member out of (or back into) the ring pushes too: {@code verdictChanged} are the
     * VIPs whose health exclusion the delta changed. A delta is one log entry, so a VIP changed twice in one
     * entry pushes once, and every replica pushes at the same index. A VIP new under its number (added, or
     * removed and re-added in another entry) starts with the history its records gave it (none, or a snapshot's).
     * The inputs pushed are added to {@code entered}, those that fell off the end to {@code left} (each holds
     * references on its reals: {@code FleetDelta.settleRealReferences}).
     */
    VipsImage apply(
            int depth,
            Set<Integer> verdictChanged,
            HealthImage healthBefore,
            HealthImage healthAfter,
            List<RingInput> entered,
            List<RingInput> left) {
        TreeSet<Integer> nums = new TreeSet<>(vips.touched());
        nums.addAll(verdictChanged);
        for (int num : nums) {
            Optional<VipImage> before = vips.before(num);
            Optional<VipImage> after = vips.get(num);
            if (before.isPresent()
                    && after.isPresent()
                    && before.get().key().equals(after.get().key())) {
                RingInput previous = RingInput.of(before.get(), healthBefore.ringExcluded(num));
                if (!previous.equals(RingInput.of(after.get(), healthAfter.ringExcluded(num)))) {
                    List<RingInput> old = after.get().ringHistory();
                    entered.add(previous);
                    left.addAll(old.subList(Math.min(depth - 1, old.size()), old.size()));
                    put(after.get().withRingPushed(previous, depth));
                }
            }
        }
        return current();
    }

    /** Cuts every history longer than {@code depth} (the fleet lowered its ring_history_depth) into {@code left}. */
    void trimHistories(int depth, List<RingInput> left) {
        for (VipImage vip : List.copyOf(current().all())) {
            if (vip.ringHistory().size() > depth) {
                left.addAll(vip.ringHistory().subList(depth, vip.ringHistory().size()));
                put(vip.withRingHistory(vip.ringHistory().subList(0, depth)));
            }
        }
    }
}
