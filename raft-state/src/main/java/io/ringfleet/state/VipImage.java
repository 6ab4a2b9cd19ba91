package io.ringfleet.state;

import io.ringfleet.state.collect.PersistentSortedMap;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;

/**
 * One VIP: its number, key, flags, hash function, member reals and down-real marks. Immutable.
 *
 * <p>A ring builder needs {@link #reals()} (ascending real index; weight-0 members included, the ring
 * builder leaves them out) and {@link #hashFunction()}.
 */
public final class VipImage {
    private final int vipNum;
    private final VipKey key;
    private final int flags;
    private final HashFunction hashFunction;
    private final PersistentSortedMap<Integer, VipReal> reals;
    private final PersistentSortedMap<Integer, Integer> downReals;
    private final List<RingInput> ringHistory;
    private volatile List<VipReal> realList;
    private volatile byte[] encoded;

    VipImage(
            int vipNum,
            VipKey key,
            int flags,
            HashFunction hashFunction,
            PersistentSortedMap<Integer, VipReal> reals,
            PersistentSortedMap<Integer, Integer> downReals,
            List<RingInput> ringHistory) {
        if (vipNum < 0) {
            throw new IllegalArgumentException("vip_num must be >= 0, got " + vipNum);
        }
        this.vipNum = vipNum;
        this.key = Objects.requireNonNull(key, "key");
        this.flags = flags;
        this.hashFunction = Objects.requireNonNull(hashFunction, "hashFunction");
        this.reals = Objects.requireNonNull(reals, "reals");
        this.downReals = Objects.requireNonNull(downReals, "downReals");
        this.ringHistory = List.copyOf(ringHistory);
    }

    static VipImage create(int vipNum, VipKey key, int flags, HashFunction hashFunction) {
        return new VipImage(
                vipNum, key, flags, hashFunction, PersistentSortedMap.empty(), PersistentSortedMap.empty(), List.of());
    }

    /** Row of the ring map and slot of the VIP's counters: 0 .. max_vips-1. */
    public int vipNum() {
        return vipNum;
    }

    public VipKey key() {
        return key;
    }

    /** Katran flag bits ({@link VipFlags}). */
    public int flags() {
        return flags;
    }

    public boolean hasFlag(int flag) {
        return (flags & flag) == flag;
    }

    public HashFunction hashFunction() {
        return hashFunction;
    }

    /** Members, ascending real index (an immutable list, made on first use and kept). */
    public List<VipReal> reals() {
        List<VipReal> list = realList;
        if (list == null) {
            list = List.copyOf(reals.values());
            realList = list;
        }
        return list;
    }

    /** Members by real index. */
    public SortedMap<Integer, VipReal> realsByIndex() {
        return reals;
    }

    public Optional<VipReal> real(int realIndex) {
        return Optional.ofNullable(reals.get(realIndex));
    }

    public int realCount() {
        return reals.size();
    }

    /** Real indexes marked down (UDP flow migration); always members. */
    public SortedSet<Integer> downReals() {
        return downReals.keySet();
    }

    public boolean isDown(int realIndex) {
        return downReals.containsKey(realIndex);
    }

    VipImage withFlags(int newFlags) {
        return new VipImage(vipNum, key, newFlags, hashFunction, reals, downReals, ringHistory);
    }

    VipImage withHashFunction(HashFunction newHashFunction) {
        return new VipImage(vipNum, key, flags, newHashFunction, reals, downReals, ringHistory);
    }

    /** With these members added (or replaced): path copies for a few, one merge for many. */
    VipImage withReals(List<VipReal> added) {
        PersistentSortedMap<Integer, VipReal> next;
        if (added.size() == 1) {
            next = reals.plus(added.get(0).realIndex(), added.get(0));
        } else if (reals.isEmpty()) {
            List<VipReal> sorted = new ArrayList<>(added);
            sorted.sort(Comparator.comparingInt(VipReal::realIndex));
            PersistentSortedMap.Builder<Integer, VipReal> b = PersistentSortedMap.builder();
            for (VipReal r : sorted) {
                b.add(r.realIndex(), r);
            }
            next = b.build();
        } else {
            TreeMap<Integer, VipReal> sorted = new TreeMap<>();
            for (VipReal r : added) {
                sorted.put(r.realIndex(), r);
            }
            next = reals.plusAll(sorted);
        }
        return new VipImage(vipNum, key, flags, hashFunction, next, downReals, ringHistory);
    }

    VipImage withoutReals(List<Integer> removed) {
        PersistentSortedMap<Integer, VipReal> next = reals;
        PersistentSortedMap<Integer, Integer> down = downReals;
        for (Integer index : removed) {
            next = next.minus(index);
            down = down.minus(index);
        }
        return new VipImage(vipNum, key, flags, hashFunction, next, down, ringHistory);
    }

    VipImage withWeights(Map<Integer, Integer> weights) {
        PersistentSortedMap<Integer, VipReal> next = reals;
        for (Map.Entry<Integer, Integer> e : weights.entrySet()) {
            next = next.plus(e.getKey(), next.get(e.getKey()).withWeight(e.getValue()));
        }
        return new VipImage(vipNum, key, flags, hashFunction, next, downReals, ringHistory);
    }

    VipImage withDown(int realIndex, boolean down) {
        PersistentSortedMap<Integer, Integer> next =
                down ? downReals.plus(realIndex, realIndex) : downReals.minus(realIndex);
        return new VipImage(vipNum, key, flags, hashFunction, reals, next, ringHistory);
    }

    /**
     * The ring inputs of this VIP's last ring changes, newest first: element 0 is the input its ring had before
     * the last log entry that changed it. At most the fleet's {@code ring_history_depth}; empty for a VIP whose
     * ring never changed since it was added.
     */
    public List<RingInput> ringHistory() {
        return ringHistory;
    }

    /** With {@code previous} pushed as the newest history entry, keeping at most {@code depth}. */
    VipImage withRingPushed(RingInput previous, int depth) {
        List<RingInput> next = new ArrayList<>(depth);
        next.add(previous);
        for (int i = 0; i < ringHistory.size() && next.size() < depth; i++) {
            next.add(ringHistory.get(i));
        }
        return withRingHistory(next);
    }

    /** With exactly this history (snapshot loading, a lowered depth). */
    VipImage withRingHistory(List<RingInput> history) {
        return new VipImage(vipNum, key, flags, hashFunction, reals, downReals, history);
    }

    /** The members' map itself (for this package's encoders and diffs). */
    PersistentSortedMap<Integer, VipReal> memberMap() {
        return reals;
    }

    /**
     * This VIP's part of the image digest ({@link ImageDigest}), encoded once per VipImage and kept: images
     * share unchanged VipImages, so a digest after a change re-encodes only the VIPs that changed.
     */
    byte[] digestEncoding() {
        byte[] e = encoded;
        if (e == null) {
            e = ImageDigest.encodeVip(this);
            encoded = e;
        }
        return e;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof VipImage)) {
            return false;
        }
        VipImage v = (VipImage) o;
        return vipNum == v.vipNum
                && flags == v.flags
                && key.equals(v.key)
                && hashFunction == v.hashFunction
                && reals.equals(v.reals)
                && downReals.equals(v.downReals)
                && ringHistory.equals(v.ringHistory);
    }

    @Override
    public int hashCode() {
        return Objects.hash(vipNum, key, flags, hashFunction, reals, downReals.keySet());
    }

    @Override
    public String toString() {
        List<String> members = new ArrayList<>();
        for (VipReal r : reals.values()) {
            members.add(r.realIndex() + "=" + r.address() + "/w" + r.weight() + (isDown(r.realIndex()) ? "/down" : ""));
        }
        return "Vip#" + vipNum + "{" + key + ", flags=" + VipFlags.hex(flags) + ", " + hashFunction + ", reals="
                + members + (ringHistory.isEmpty() ? "" : ", history=" + ringHistory.size()) + "}";
    }
}
