package io.ringfleet.chaos.flowsurvival;

import io.ringfleet.bpf.MapNames;
import io.ringfleet.chaos.agents.LbAgentFleet;
import io.ringfleet.chaos.netns.BalancerNode;
import io.ringfleet.chaos.netns.DatapathState;
import java.util.Arrays;
import java.util.List;

/**
 * Second chance's premise, read from the kernels: every LB holds the same current ring ({@code ch_rings}) and the same
 * previous ring ({@code ch_rings_prev}) for every VIP, the LB whose agent was killed and restarted included. A flow
 * that moves then names the same pair of reals on whichever LB it reaches.
 *
 * <p>Also read by the demo (its ring change during a drain).
 *
 * @param vipNums VIPs compared (vip_map entries of the first LB)
 * @param slotsChanged per VIP, in the order of vipNums, the slots whose previous real differs from the current one
 *     (the second-chance slots)
 */
public record KernelRings(List<Integer> vipNums, int[] slotsChanged) {
    private static final int RING_SIZE = BalancerNode.RING_SIZE;

    /** Reads every LB's rows; fails with the first VIP, map and LB that differ from the first LB. */
    public static KernelRings readEqualOnEvery(LbAgentFleet fleet) {
        List<BalancerNode> lbs = fleet.observeAll();
        BalancerNode first = lbs.get(0);
        List<Integer> vipNums = List.copyOf(DatapathState.read(first).vips().keySet());
        int[] changed = new int[vipNums.size()];
        for (int i = 0; i < vipNums.size(); i++) {
            int vipNum = vipNums.get(i);
            int[] current = row(first, MapNames.CH_RINGS, vipNum);
            int[] previous = row(first, MapNames.CH_RINGS_PREV, vipNum);
            for (BalancerNode other : lbs.subList(1, lbs.size())) {
                requireEqual(current, row(other, MapNames.CH_RINGS, vipNum), MapNames.CH_RINGS, vipNum, first, other);
                requireEqual(
                        previous,
                        row(other, MapNames.CH_RINGS_PREV, vipNum),
                        MapNames.CH_RINGS_PREV,
                        vipNum,
                        first,
                        other);
            }
            for (int s = 0; s < RING_SIZE; s++) {
                changed[i] += current[s] != previous[s] ? 1 : 0;
            }
        }
        return new KernelRings(vipNums, changed);
    }

    /**
     * Fails unless every VIP's current and previous ring differ in at least minSlots slots: a phase whose ring change
     * moves only a handful of slots would let moved flows pass without second chance and prove nothing.
     */
    void requireChangedOnEveryVip(int minSlots, String phase) {
        for (int changed : slotsChanged) {
            if (changed < minSlots) {
                throw new IllegalStateException("phase '" + phase + "': its ring change gave only " + changed + " of "
                        + RING_SIZE + " slots a second chance, fewer than " + minSlots);
            }
        }
    }

    /** The second-chance slots of this VIP: where its previous ring names another real than its current one. */
    public int slotsChanged(int vipNum) {
        int i = vipNums.indexOf(vipNum);
        if (i < 0) {
            throw new IllegalArgumentException("vip_num " + vipNum + " is not in vip_map; read: " + vipNums);
        }
        return slotsChanged[i];
    }

    private static int[] row(BalancerNode lb, String map, int vipNum) {
        return lb.map(map).lookupRangeU32(vipNum * RING_SIZE, RING_SIZE);
    }

    private static void requireEqual(
            int[] expected, int[] actual, String map, int vipNum, BalancerNode first, BalancerNode other) {
        if (!Arrays.equals(expected, actual)) {
            int slot = Arrays.mismatch(expected, actual);
            throw new IllegalStateException(map + " of vip_num " + vipNum + " differs between "
                    + first.lb().id()
                    + " and " + other.lb().id() + " (first at slot " + slot + ": real " + expected[slot] + " vs "
                    + actual[slot] + "): the LBs do not share the ring history");
        }
    }

    @Override
    public String toString() {
        return "current and previous rings equal on every LB for " + vipNums.size()
                + " VIPs, slots with a second chance " + Arrays.toString(slotsChanged) + " of " + RING_SIZE;
    }
}
