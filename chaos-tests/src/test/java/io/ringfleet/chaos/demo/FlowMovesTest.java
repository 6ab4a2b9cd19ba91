package io.ringfleet.chaos.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ringfleet.bpf.abi.FlowKey;
import io.ringfleet.chaos.netns.Addresses;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FlowMovesTest {
    private static FlowKey flow(int port) {
        return new FlowKey(Addresses.address("10.77.201.2"), Addresses.address("10.200.0.1"), port, 8080, 6);
    }

    @Test
    void flowsOfTheDrainedLbThatShowUpElsewhereAreMovedAndComparedByReal() {
        FlowKey a = flow(1001);
        FlowKey b = flow(1002);
        FlowKey c = flow(1003);
        FlowKey d = flow(1004);
        Map<Integer, Map<FlowKey, Integer>> before = Map.of(1, Map.of(c, 3), 2, Map.of(a, 1, b, 2), 3, Map.of(d, 1));
        Map<Integer, Map<FlowKey, Integer>> after =
                Map.of(1, Map.of(c, 3, a, 1), 2, Map.of(a, 1, b, 2), 3, Map.of(d, 1, b, 1, c, 3));
        FlowMoves m = FlowMoves.of(2, before, after, Set.of(a, b, c, d));
        assertEquals(2, m.onDrained());
        assertEquals(Map.of(1, 1, 2, 2, 3, 1), m.perLb());
        assertEquals(0, m.inSeveral());
        assertEquals(0, m.inNone());
        assertEquals(2, m.moved());
        assertEquals(Map.of(1, 1, 3, 1), m.movedTo());
        assertEquals(1, m.sameReal(), "a kept real 1; b went from real 2 to real 1");
        assertEquals(1, m.betweenOthers(), "c went from lb1 to lb3");
    }
}
