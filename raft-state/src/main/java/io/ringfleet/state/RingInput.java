package io.ringfleet.state;

import io.ringfleet.state.maglev.MaglevRing;
import io.ringfleet.state.maglev.RealHash;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SortedSet;

/**
 * What a VIP's ring is built from: its hash function and the members that own ring slots (ascending real
 * index; weight-0 members and those the fleet's health verdicts keep out own none and are left out, so a change
 * between weight 0 and removal is no ring change, and a verdict that takes a real out is one). Two equal inputs give the same ring; a VIP's history ({@link VipImage#ringHistory()}) is a list of
 * these.
 */
public record RingInput(HashFunction hashFunction, List<VipReal> owners) {
    public RingInput {
        Objects.requireNonNull(hashFunction, "hashFunction");
        owners = List.copyOf(owners);
        for (int i = 1; i < owners.size(); i++) {
            if (owners.get(i).realIndex() <= owners.get(i - 1).realIndex()) {
                throw new IllegalArgumentException("ring input members must be in ascending real index order, got "
                        + owners.get(i - 1).realIndex() + " before "
                        + owners.get(i).realIndex());
            }
        }
        for (VipReal r : owners) {
            if (r.weight() == 0) {
                throw new IllegalArgumentException(
                        "ring input member " + r.realIndex() + " has weight 0: it owns no slots");
            }
        }
    }

    /** The Maglev ring of this input ({@code MAGLEV} is {@link MaglevRing.Variant#V1}, {@code MAGLEV_V2} is V2). */
    public MaglevRing ring(int ringSize) {
        int n = owners.size();
        int[] indexes = new int[n];
        long[] hashes = new long[n];
        int[] weights = new int[n];
        for (int i = 0; i < n; i++) {
            VipReal r = owners.get(i);
            indexes[i] = r.realIndex();
            hashes[i] = RealHash.of(r.address().bytesView());
            weights[i] = r.weight();
        }
        MaglevRing.Variant variant =
                hashFunction == HashFunction.MAGLEV_V2 ? MaglevRing.Variant.V2 : MaglevRing.Variant.V1;
        return MaglevRing.build(indexes, hashes, weights, ringSize, variant);
    }

    /** The ring input of {@code vip} in {@code image}: its members less those the health verdicts keep out. */
    public static RingInput of(FleetImage image, VipImage vip) {
        return of(vip, image.health().ringExcluded(vip.vipNum()));
    }

    /** The ring input of {@code vip} when {@code healthExcluded} own no slots ({@link FleetRings#ownsSlots}). */
    static RingInput of(VipImage vip, SortedSet<Integer> healthExcluded) {
        List<VipReal> owners = new ArrayList<>(vip.realCount());
        for (VipReal r : vip.reals()) {
            if (FleetRings.ownsSlots(r, healthExcluded)) {
                owners.add(r);
            }
        }
        return new RingInput(vip.hashFunction(), owners);
    }
}
