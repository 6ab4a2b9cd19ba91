package io.ringfleet.state;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What a VIP's ring is built from: its hash function and the members that own ring slots (ascending real
 * index; weight-0 members own none and are left out, so a change between weight 0 and removal is no ring
 * change). Two equal inputs give the same ring; a VIP's history ({@link VipImage#ringHistory()}) is a list of
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

    /** The ring input of {@code vip} as it stands. */
    static RingInput of(VipImage vip) {
        List<VipReal> owners = new ArrayList<>(vip.realCount());
        for (VipReal r : vip.reals()) {
            if (ownsSlots(r)) {
                owners.add(r);
            }
        }
        return new RingInput(vip.hashFunction(), owners);
    }

    /** Whether a member takes part in the ring (the same rule as the ring builder's). */
    private static boolean ownsSlots(VipReal member) {
        return member.weight() > 0;
    }
}
