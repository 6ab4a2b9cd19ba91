package io.ringfleet.chaos.demo;

import io.ringfleet.bpf.abi.FlowKey;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Where open flows were, by the LBs' connection tables, before and after one LB was drained.
 *
 * @param onDrained open flows in the drained LB's table before
 * @param perLb open flows per LB before (LB number → flows)
 * @param inSeveral open flows in more than one LB's table before (the router's hash kept no flow on one LB)
 * @param inNone open flows in no LB's table before
 * @param moved flows that were on the drained LB and appeared in another LB's table after
 * @param movedTo those, per LB number they went to
 * @param sameReal of those, how many the new LB pinned to the real index the drained LB had
 * @param betweenOthers flows that appeared in another LB's table although they were not on the drained LB
 */
record FlowMoves(
        int onDrained,
        SortedMap<Integer, Integer> perLb,
        int inSeveral,
        int inNone,
        int moved,
        SortedMap<Integer, Integer> movedTo,
        int sameReal,
        int betweenOthers) {

    /**
     * @param drained the drained LB's number
     * @param before LB number → its connection table (flow → real index), read before the drain
     * @param after the same, read after
     * @param open the flows open before and still open after
     */
    static FlowMoves of(
            int drained,
            Map<Integer, Map<FlowKey, Integer>> before,
            Map<Integer, Map<FlowKey, Integer>> after,
            Set<FlowKey> open) {
        SortedMap<Integer, Integer> perLb = new TreeMap<>();
        SortedMap<Integer, Integer> movedTo = new TreeMap<>();
        int onDrained = 0;
        int inSeveral = 0;
        int inNone = 0;
        int moved = 0;
        int sameReal = 0;
        int betweenOthers = 0;
        for (FlowKey k : open) {
            int in = 0;
            for (Map.Entry<Integer, Map<FlowKey, Integer>> lb : before.entrySet()) {
                if (lb.getValue().containsKey(k)) {
                    in++;
                    perLb.merge(lb.getKey(), 1, Integer::sum);
                }
            }
            inSeveral += in > 1 ? 1 : 0;
            inNone += in == 0 ? 1 : 0;
            Integer realOnDrained = before.get(drained).get(k);
            onDrained += realOnDrained != null ? 1 : 0;
            for (int lb : after.keySet()) {
                if (lb == drained
                        || before.get(lb).containsKey(k)
                        || !after.get(lb).containsKey(k)) {
                    continue;
                }
                if (realOnDrained == null) {
                    betweenOthers++;
                    continue;
                }
                moved++;
                movedTo.merge(lb, 1, Integer::sum);
                if (realOnDrained.equals(after.get(lb).get(k))) {
                    sameReal++;
                }
            }
        }
        return new FlowMoves(onDrained, perLb, inSeveral, inNone, moved, movedTo, sameReal, betweenOthers);
    }
}
