package io.ringfleet.state;

import io.ringfleet.state.collect.PersistentSortedMap;
import java.util.Collection;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;

/** Every VIP, by number and by key. Immutable. */
public final class VipsImage {
    public static final VipsImage EMPTY = new VipsImage(PersistentSortedMap.empty(), PersistentSortedMap.empty());

    private final PersistentSortedMap<Integer, VipImage> byNum;
    private final PersistentSortedMap<VipKey, Integer> byKey;

    /** Both maps must describe the same VIPs (the delta keeps them in step). */
    VipsImage(PersistentSortedMap<Integer, VipImage> byNum, PersistentSortedMap<VipKey, Integer> byKey) {
        this.byNum = byNum;
        this.byKey = byKey;
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
        return byNum.keySet();
    }

    /**
     * The VIPs by number as the persistent map itself: images of one log share the subtrees they did not change,
     * so {@link PersistentSortedMap#diff} between two of them costs about the number of VIPs that differ.
     */
    public PersistentSortedMap<Integer, VipImage> byNumMap() {
        return byNum;
    }

    PersistentSortedMap<VipKey, Integer> byKeyMap() {
        return byKey;
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
