package io.ringfleet.state.command;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ringfleet.state.collect.PersistentSortedMap;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class IndexAllocatorTest {
    /** Hands out numbers until none is left, lowest first. */
    private static List<Integer> drain(IndexAllocator a) {
        List<Integer> out = new ArrayList<>();
        for (OptionalInt n = a.next(); n.isPresent(); n = a.next()) {
            out.add(n.getAsInt());
        }
        assertEquals(OptionalInt.empty(), a.next(), "stays exhausted");
        return out;
    }

    @Test
    void searchingByRankHandsOutWhatWalkingTheSetDoes() {
        Random rnd = new Random(7);
        for (int round = 0; round < 300; round++) {
            int min = rnd.nextInt(3);
            int max = min + rnd.nextInt(round < 150 ? 70 : 5000);
            double density = rnd.nextDouble();
            TreeSet<Integer> used = new TreeSet<>();
            PersistentSortedMap<Integer, Integer> map = PersistentSortedMap.empty();
            for (int i = 0; i <= max + 3; i++) {
                if (rnd.nextDouble() < density) {
                    used.add(i);
                    map = map.plus(i, i);
                }
            }
            List<Integer> expected = new ArrayList<>();
            for (int i = min; i <= max; i++) {
                if (!used.contains(i)) {
                    expected.add(i);
                }
            }
            String where = "round " + round + " [" + min + ", " + max + "] density " + density;
            assertEquals(expected, drain(new IndexAllocator(used, min, max)), where + " (walk)");
            assertEquals(expected, drain(new IndexAllocator(map.keySet(), min, max)), where + " (rank)");
        }
    }
}
