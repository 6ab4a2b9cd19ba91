package io.ringfleet.state;

import java.util.Objects;

/**
 * A real as a member of one VIP: global real index (1..max_reals-1), address, weight within the VIP
 * (0..65535; 0 = in the VIP but out of its ring). This is what a ring builder takes per member.
 */
public record VipReal(int realIndex, IpAddress address, int weight) {
    public VipReal {
        Objects.requireNonNull(address, "address");
        if (realIndex < 1) {
            throw new IllegalArgumentException("real index must be >= 1 (0 is reserved), got " + realIndex);
        }
        if (weight < 0) {
            throw new IllegalArgumentException("weight must be >= 0, got " + weight);
        }
    }

    VipReal withWeight(int newWeight) {
        return new VipReal(realIndex, address, newWeight);
    }
}
