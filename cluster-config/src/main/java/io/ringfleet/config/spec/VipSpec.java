package io.ringfleet.config.spec;

import io.ringfleet.state.HashFunction;
import io.ringfleet.state.IpAddress;
import java.util.Collections;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One VIP of a spec: its flags (Katran bits), its hash function (empty: whatever the VIP has, or the fleet's
 * default for a new one) and its members with their weights. The members are the whole set: a real of the VIP
 * that the spec does not list is removed from it by an apply (a change of this VIP, not a prune).
 */
public record VipSpec(VipId id, int flags, Optional<HashFunction> hashFunction, SortedMap<IpAddress, Integer> reals) {
    public VipSpec {
        reals = Collections.unmodifiableSortedMap(new TreeMap<>(reals));
    }
}
