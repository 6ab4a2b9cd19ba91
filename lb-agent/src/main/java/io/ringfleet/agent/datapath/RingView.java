package io.ringfleet.agent.datapath;

import io.ringfleet.state.FleetImage;
import io.ringfleet.state.HashFunction;
import io.ringfleet.state.VipImage;
import io.ringfleet.state.VipReal;
import io.ringfleet.state.maglev.MaglevRing;
import io.ringfleet.state.maglev.RealHash;
import java.util.Collections;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The Maglev ring of every VIP of an image, rebuilt only for VIPs whose ring input (members, hash function)
 * changed. A stand-in for raft-state's {@code FleetRings} until that lands; nothing outside this package sees it.
 */
final class RingView {
    private record Entry(HashFunction hashFunction, List<VipReal> members, MaglevRing ring) {}

    private final int ringSize;
    private final SortedMap<Integer, Entry> entries;
    private final SortedMap<Integer, MaglevRing> rings;

    private RingView(int ringSize, SortedMap<Integer, Entry> entries) {
        this.ringSize = ringSize;
        this.entries = entries;
        TreeMap<Integer, MaglevRing> r = new TreeMap<>();
        entries.forEach((num, e) -> r.put(num, e.ring()));
        this.rings = Collections.unmodifiableSortedMap(r);
    }

    static RingView empty(int ringSize) {
        MaglevRing.checkSize(ringSize);
        return new RingView(ringSize, new TreeMap<>());
    }

    static RingView of(FleetImage image, int ringSize) {
        return empty(ringSize).next(image);
    }

    /** The rings of {@code image}, sharing this view's ring objects where the input is unchanged. */
    RingView next(FleetImage image) {
        TreeMap<Integer, Entry> next = new TreeMap<>();
        for (VipImage vip : image.vips().all()) {
            Entry before = entries.get(vip.vipNum());
            if (before != null && before.hashFunction() == vip.hashFunction() && before.members().equals(vip.reals())) {
                next.put(vip.vipNum(), before);
            } else {
                next.put(vip.vipNum(), new Entry(vip.hashFunction(), vip.reals(), build(vip)));
            }
        }
        return new RingView(ringSize, next);
    }

    /** vip_num to ring, ascending. */
    SortedMap<Integer, MaglevRing> rings() {
        return rings;
    }

    private MaglevRing build(VipImage vip) {
        MaglevRing.Builder b = MaglevRing.builder().size(ringSize)
                .variant(vip.hashFunction() == HashFunction.MAGLEV_V2 ? MaglevRing.Variant.V2 : MaglevRing.Variant.V1);
        for (VipReal r : vip.reals()) {
            b.add(r.realIndex(), RealHash.of(r.address().bytes()), r.weight());
        }
        return b.build();
    }
}
