package io.ringfleet.state.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Random;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Property tests of {@link PersistentSortedMap} against {@link TreeMap}: seeded random operations, every
 * read compared after each step, the tree's shape checked, and every older version still intact. A failure
 * names the seed and the step.
 */
class PersistentSortedMapTest {
    private static final long[] SEEDS = {1, 2, 3, 42, 1234567, 0xfeedL};

    /** One model step: a persistent version and the TreeMap it must equal. */
    private record Version(PersistentSortedMap<Integer, String> map, TreeMap<Integer, String> model) {}

    @Test
    void randomPutsAndRemovesMatchTreeMap() {
        for (long seed : SEEDS) {
            for (int keyRange : new int[] {8, 100, 5000}) {
                runHistory(seed, keyRange, 3000);
            }
        }
    }

    private static void runHistory(long seed, int keyRange, int steps) {
        Random rnd = new Random(seed * 31 + keyRange);
        PersistentSortedMap<Integer, String> map = PersistentSortedMap.empty();
        TreeMap<Integer, String> model = new TreeMap<>();
        List<Version> kept = new ArrayList<>();
        for (int step = 0; step < steps; step++) {
            String where = "seed " + seed + " range " + keyRange + " step " + step;
            int key = rnd.nextInt(keyRange);
            int op = rnd.nextInt(10);
            PersistentSortedMap<Integer, String> before = map;
            // Phases: grow, then shrink, then mixed, so trees get deep and then empty out again.
            boolean grow = step < steps / 3 ? op < 8 : step < 2 * steps / 3 ? op < 2 : op < 5;
            if (grow) {
                String value = "v" + rnd.nextInt(4);
                map = map.plus(key, value);
                String old = model.put(key, value);
                if (value.equals(old) && old == value) {
                    assertSame(before, map, where + ": same value object");
                }
            } else {
                map = map.minus(key);
                boolean had = model.remove(key) != null;
                if (!had) {
                    assertSame(before, map, where + ": removing an absent key");
                }
            }
            assertEquals(model.size(), map.size(), where);
            assertEquals(model.get(key), map.get(key), where);
            if (model.size() <= 100 || step % 29 == 0) {
                map.checkInvariants();
                assertSameContent(model, map, where);
            }
            if (step % 251 == 0) {
                checkReads(model, map, rnd, where);
                kept.add(new Version(map, new TreeMap<>(model)));
            }
        }
        for (Version v : kept) {
            assertSameContent(v.model(), v.map(), "seed " + seed + ": an older version changed");
            v.map().checkInvariants();
        }
        while (!map.isEmpty()) {
            Integer k = map.keyAt(rnd.nextInt(map.size()));
            map = map.minus(k);
            model.remove(k);
            if (model.size() <= 100 || model.size() % 13 == 0) {
                map.checkInvariants();
                assertSameContent(model, map, "seed " + seed + " draining");
            }
        }
        assertSame(PersistentSortedMap.empty(), map);
    }

    private static void assertSameContent(
            TreeMap<Integer, String> model, PersistentSortedMap<Integer, String> map, String where) {
        assertEquals(model.size(), map.size(), where);
        assertEquals(new ArrayList<>(model.entrySet()), new ArrayList<>(map.entrySet()), where);
        assertEquals(model, map, where);
        assertEquals(map, model, where);
        assertEquals(model.hashCode(), map.hashCode(), where);
    }

    private static void checkReads(
            TreeMap<Integer, String> model, PersistentSortedMap<Integer, String> map, Random rnd, String where) {
        int span = model.isEmpty() ? 10 : model.lastKey() + 10;
        for (int i = 0; i < 50; i++) {
            int k = rnd.nextInt(span) - 5;
            assertEquals(model.get(k), map.get(k), where + " get " + k);
            assertEquals(model.containsKey(k), map.containsKey(k), where);
            assertEquals(model.headMap(k).size(), map.countBelow(k), where + " countBelow " + k);
            assertEquals(model.headMap(k).size(), map.keySet().countBelow(k), where);
        }
        int rank = 0;
        for (Map.Entry<Integer, String> e : model.entrySet()) {
            assertEquals(e.getKey(), map.keyAt(rank), where + " keyAt " + rank);
            assertEquals(e, map.entryAt(rank), where);
            rank++;
        }
        if (model.isEmpty()) {
            assertThrows(NoSuchElementException.class, map::firstKey);
            assertThrows(NoSuchElementException.class, () -> map.keySet().last());
        } else {
            assertEquals(model.firstKey(), map.firstKey(), where);
            assertEquals(model.lastKey(), map.lastKey(), where);
        }
        assertEquals(new ArrayList<>(model.values()), new ArrayList<>(map.values()), where);
        assertEquals(new ArrayList<>(model.keySet()), new ArrayList<>(map.keySet()), where);
        for (int i = 0; i < 20; i++) {
            int a = rnd.nextInt(span) - 5;
            int b = a + 1 + rnd.nextInt(span);
            checkWindow(model.subMap(a, b), map.subMap(a, b), where + " subMap " + a + ".." + b);
            checkWindow(model.headMap(b), map.headMap(b), where + " headMap " + b);
            checkWindow(model.tailMap(a), map.tailMap(a), where + " tailMap " + a);
            // Views of views, within the outer bounds.
            int c = a + rnd.nextInt(b - a);
            checkWindow(model.subMap(a, b).tailMap(c), map.subMap(a, b).tailMap(c), where + " sub.tail " + c);
            checkWindow(model.subMap(a, b).headMap(c), map.subMap(a, b).headMap(c), where + " sub.head " + c);
            SortedSet<Integer> keys = map.keySet().tailSet(a);
            SortedSet<Integer> modelKeys = model.navigableKeySet().tailSet(a);
            assertEquals(new ArrayList<>(modelKeys), new ArrayList<>(keys), where + " tailSet " + a);
            assertEquals(modelKeys.size(), keys.size(), where);
            assertEquals(
                    model.headMap(c).size() - model.headMap(a).size(),
                    map.keySet().tailSet(a).size() - map.keySet().tailSet(c).size(),
                    where);
            assertEquals(
                    new ArrayList<>(model.navigableKeySet().subSet(a, b)),
                    new ArrayList<>(map.keySet().subSet(a, b)),
                    where);
        }
    }

    private static void checkWindow(SortedMap<Integer, String> model, SortedMap<Integer, String> view, String where) {
        assertEquals(model.size(), view.size(), where);
        assertEquals(model.isEmpty(), view.isEmpty(), where);
        assertEquals(new ArrayList<>(model.entrySet()), new ArrayList<>(view.entrySet()), where);
        assertEquals(model, view, where);
        assertEquals(model.hashCode(), view.hashCode(), where);
        if (!model.isEmpty()) {
            assertEquals(model.firstKey(), view.firstKey(), where);
            assertEquals(model.lastKey(), view.lastKey(), where);
            Integer mid = model.firstKey();
            assertEquals(model.get(mid), view.get(mid), where);
        } else {
            assertThrows(NoSuchElementException.class, view::firstKey, where);
        }
    }

    @Test
    void builderAndCopyOfMatchTreeMap() {
        for (long seed : SEEDS) {
            Random rnd = new Random(seed);
            for (int n : new int[] {0, 1, 2, 31, 32, 33, 64, 65, 1000, 1024, 1025, 33 * 32 + 1, 20_000}) {
                TreeMap<Integer, String> model = new TreeMap<>();
                while (model.size() < n) {
                    model.put(rnd.nextInt(4 * n + 1), "x" + rnd.nextInt(9));
                }
                PersistentSortedMap.Builder<Integer, String> b = PersistentSortedMap.builder();
                model.forEach(b::add);
                PersistentSortedMap<Integer, String> built = b.build();
                built.checkInvariants();
                assertSameContent(model, built, "seed " + seed + " n " + n);
                PersistentSortedMap<Integer, String> copied = PersistentSortedMap.copyOf(model);
                copied.checkInvariants();
                assertSameContent(model, copied, "copyOf sorted n " + n);
                PersistentSortedMap<Integer, String> fromHash = PersistentSortedMap.copyOf(new HashMap<>(model));
                fromHash.checkInvariants();
                assertSameContent(model, fromHash, "copyOf hash n " + n);
                // Built trees take later edits like any other.
                for (int i = 0; i < 200 && n > 0; i++) {
                    int k = rnd.nextInt(4 * n + 1);
                    if (rnd.nextBoolean()) {
                        built = built.plus(k, "y");
                        model.put(k, "y");
                    } else {
                        built = built.minus(k);
                        model.remove(k);
                    }
                    built.checkInvariants();
                }
                assertSameContent(model, built, "edits after build, n " + n);
            }
        }
    }

    @Test
    void builderRefusesKeysOutOfOrder() {
        PersistentSortedMap.Builder<Integer, String> b =
                PersistentSortedMap.<Integer, String>builder().add(5, "a");
        assertThrows(IllegalArgumentException.class, () -> b.add(5, "b"));
        assertThrows(IllegalArgumentException.class, () -> b.add(4, "b"));
    }

    @Test
    void plusAllMatchesPutAllOnBothPaths() {
        for (long seed : SEEDS) {
            Random rnd = new Random(seed);
            for (int base : new int[] {0, 10, 500, 3000}) {
                for (int added : new int[] {1, 5, 100, 2000}) {
                    TreeMap<Integer, String> model = new TreeMap<>();
                    PersistentSortedMap<Integer, String> map = PersistentSortedMap.empty();
                    for (int i = 0; i < base; i++) {
                        int k = rnd.nextInt(10_000);
                        model.put(k, "b");
                        map = map.plus(k, "b");
                    }
                    PersistentSortedMap<Integer, String> original = map;
                    TreeMap<Integer, String> originalModel = new TreeMap<>(model);
                    TreeMap<Integer, String> more = new TreeMap<>();
                    for (int i = 0; i < added; i++) {
                        more.put(rnd.nextInt(10_000), "a" + i);
                    }
                    model.putAll(more);
                    map = map.plusAll(more);
                    map.checkInvariants();
                    assertSameContent(model, map, "seed " + seed + " base " + base + " added " + added);
                    assertSameContent(originalModel, original, "the original is untouched");
                }
            }
        }
    }

    @Test
    void withChangesPutsAndRemovesOnBothPaths() {
        for (long seed : SEEDS) {
            Random rnd = new Random(seed);
            for (int base : new int[] {0, 10, 500, 3000}) {
                for (int changed : new int[] {1, 5, 100, 2000}) {
                    TreeMap<Integer, String> model = new TreeMap<>();
                    PersistentSortedMap<Integer, String> map = PersistentSortedMap.empty();
                    for (int i = 0; i < base; i++) {
                        int k = rnd.nextInt(10_000);
                        model.put(k, "b");
                        map = map.plus(k, "b");
                    }
                    TreeMap<Integer, String> changes = new TreeMap<>();
                    for (int i = 0; i < changed; i++) {
                        boolean remove = rnd.nextBoolean();
                        int k = remove && !model.isEmpty() && rnd.nextBoolean()
                                ? new ArrayList<>(model.keySet()).get(rnd.nextInt(model.size()))
                                : rnd.nextInt(10_000);
                        changes.put(k, remove ? null : "c" + i);
                    }
                    changes.forEach((k, v) -> {
                        if (v == null) {
                            model.remove(k);
                        } else {
                            model.put(k, v);
                        }
                    });
                    map = map.withChanges(changes);
                    map.checkInvariants();
                    assertSameContent(model, map, "seed " + seed + " base " + base + " changed " + changed);
                }
            }
        }
        PersistentSortedMap<Integer, String> one =
                PersistentSortedMap.<Integer, String>empty().plus(1, "a");
        TreeMap<Integer, String> nulls = new TreeMap<>();
        nulls.put(2, null);
        assertThrows(NullPointerException.class, () -> one.plusAll(nulls));
    }

    @Test
    void diffReportsExactlyTheChangedKeysAndSkipsSharedSubtrees() {
        for (long seed : SEEDS) {
            Random rnd = new Random(seed);
            PersistentSortedMap<Integer, String> map = PersistentSortedMap.empty();
            for (int i = 0; i < 5000; i++) {
                map = map.plus(rnd.nextInt(20_000), "v" + i);
            }
            for (int round = 0; round < 24; round++) {
                PersistentSortedMap<Integer, String> next = map;
                int changes = rnd.nextInt(round < 12 ? 5 : 400);
                for (int i = 0; i < changes; i++) {
                    int k = rnd.nextInt(20_000);
                    next = rnd.nextInt(3) == 0 ? next.minus(k) : next.plus(k, "r" + round + "." + i);
                }
                assertDiff(map, next, "seed " + seed + " round " + round);
                assertDiff(next, map, "seed " + seed + " round " + round + " reversed");
                // Against a tree of another shape with the same content: no difference at all by value, but
                // identity differs only where values are different objects (here: none, values are shared).
                PersistentSortedMap<Integer, String> rebuilt = PersistentSortedMap.copyOf(new TreeMap<>(next));
                List<Integer> none = new ArrayList<>();
                next.diff(rebuilt, (k, b, a) -> none.add(k));
                assertEquals(List.of(), none, "same values in another tree shape");
                map = next;
            }
        }
    }

    @Test
    void diffFindsOneChangeInALargeMap() {
        PersistentSortedMap<Integer, String> map = PersistentSortedMap.empty();
        for (int i = 0; i < 100_000; i++) {
            map = map.plus(i, "v");
        }
        PersistentSortedMap<Integer, String> next = map.plus(50_000, "changed");
        List<Integer> seen = new ArrayList<>();
        map.diff(next, (k, b, a) -> seen.add(k));
        assertEquals(List.of(50_000), seen);
    }

    private static void assertDiff(
            PersistentSortedMap<Integer, String> before, PersistentSortedMap<Integer, String> after, String where) {
        List<String> expected = new ArrayList<>();
        TreeSet<Integer> keys = new TreeSet<>(before.keySet());
        keys.addAll(after.keySet());
        for (int k : keys) {
            String b = before.get(k);
            String a = after.get(k);
            if (b != a) {
                expected.add(k + ":" + b + "->" + a);
            }
        }
        List<String> actual = new ArrayList<>();
        before.diff(after, (k, b, a) -> actual.add(k + ":" + b + "->" + a));
        assertEquals(expected, actual, where);
    }

    @Test
    void equalityIsByContentNotShape() {
        PersistentSortedMap<Integer, String> up = PersistentSortedMap.empty();
        PersistentSortedMap<Integer, String> down = PersistentSortedMap.empty();
        for (int i = 0; i < 1000; i++) {
            up = up.plus(i, "v" + i);
            down = down.plus(999 - i, "v" + (999 - i));
        }
        assertEquals(up, down);
        assertEquals(up.hashCode(), down.hashCode());
        assertNotEquals(up, down.plus(5, "other"));
        assertNotEquals(up, down.minus(5));
        assertEquals(PersistentSortedMap.empty(), new TreeMap<Integer, String>());
    }

    @Test
    void viewsAreReadOnlyAndPlusOfTheSameValueIsANoOp() {
        PersistentSortedMap<Integer, String> map =
                PersistentSortedMap.<Integer, String>empty().plus(1, "a").plus(2, "b");
        assertThrows(UnsupportedOperationException.class, () -> map.put(3, "c"));
        assertThrows(UnsupportedOperationException.class, () -> map.remove(1));
        assertThrows(UnsupportedOperationException.class, () -> map.keySet().remove(1));
        assertThrows(
                UnsupportedOperationException.class,
                () -> map.entrySet().iterator().next().setValue("z"));
        assertThrows(UnsupportedOperationException.class, () -> map.values().clear());
        assertSame(map, map.plus(1, map.get(1)));
        assertSame(map, map.minus(7));
        assertNull(map.get(7));
        assertFalse(map.containsKey(7));
        assertTrue(map.keySet().contains(2));
        assertThrows(NullPointerException.class, () -> map.plus(null, "x"));
        assertThrows(NullPointerException.class, () -> map.plus(3, null));
        assertThrows(IllegalArgumentException.class, () -> map.subMap(5, 1));
        assertThrows(IllegalArgumentException.class, () -> map.headMap(2).tailMap(3));
    }
}
