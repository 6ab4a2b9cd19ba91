package io.ringfleet.state.collect;

import java.util.AbstractCollection;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.function.Function;

/**
 * An immutable sorted map (natural key order) with structural sharing: {@link #plus} and {@link #minus}
 * return a new map in O(log n) that shares every untouched node with this one. A path-copying B+-tree:
 * entries live in leaves of 16..32 keys in sorted arrays, branches hold 16..32 children with the smallest
 * key and the entry count of each subtree (so {@link #countBelow} and {@link #keyAt} are O(log n)); the
 * root may hold fewer. All leaves are at the same depth.
 *
 * <p>Deterministic: iteration is ascending key order, whatever sequence of operations built the map;
 * equality and hash code are those of {@link Map} (content, not shape). Keys and values must not be null.
 * Keys must be immutable as far as their order goes; values should be immutable for the map to be.
 *
 * <p>The {@link SortedMap} methods are read-only views (mutators throw {@link UnsupportedOperationException});
 * {@link #subMap}, {@link #headMap}, {@link #tailMap} and the views' own sub-views are O(log n) rank windows,
 * not copies. Thread-safe: nothing is ever mutated after construction (the cached hash code is a benign race).
 */
public final class PersistentSortedMap<K extends Comparable<? super K>, V> extends AbstractMap<K, V>
        implements SortedMap<K, V> {
    /** Most keys in a leaf and children in a branch. */
    static final int MAX = 32;
    /** Fewest keys in a non-root leaf and children in a non-root branch. */
    static final int MIN = MAX / 2;

    private static final PersistentSortedMap<?, ?> EMPTY = new PersistentSortedMap<>(null);

    private final Node root;
    private int hash;
    private Window<K, V> all;

    private PersistentSortedMap(Node root) {
        this.root = root;
    }

    @SuppressWarnings("unchecked")
    public static <K extends Comparable<? super K>, V> PersistentSortedMap<K, V> empty() {
        return (PersistentSortedMap<K, V>) EMPTY;
    }

    /** A map of the entries of {@code map} (any map; its own order does not matter). O(n log n), O(n) if sorted. */
    public static <K extends Comparable<? super K>, V> PersistentSortedMap<K, V> copyOf(
            Map<? extends K, ? extends V> map) {
        if (map instanceof PersistentSortedMap) {
            @SuppressWarnings("unchecked")
            PersistentSortedMap<K, V> same = (PersistentSortedMap<K, V>) map;
            return same;
        }
        if (map instanceof SortedMap && ((SortedMap<?, ?>) map).comparator() == null) {
            Builder<K, V> b = builder();
            for (Map.Entry<? extends K, ? extends V> e : map.entrySet()) {
                b.add(e.getKey(), e.getValue());
            }
            return b.build();
        }
        PersistentSortedMap<K, V> out = empty();
        for (Map.Entry<? extends K, ? extends V> e : map.entrySet()) {
            out = out.plus(e.getKey(), e.getValue());
        }
        return out;
    }

    /** Builds a map from entries given in strictly ascending key order, in O(n). */
    public static <K extends Comparable<? super K>, V> Builder<K, V> builder() {
        return new Builder<>();
    }

    // ---------------------------------------------------------------- reads

    @Override
    public int size() {
        return root == null ? 0 : root.size();
    }

    @Override
    public boolean isEmpty() {
        return root == null;
    }

    @Override
    @SuppressWarnings("unchecked")
    public V get(Object key) {
        Objects.requireNonNull(key, "key");
        Node n = root;
        if (n == null) {
            return null;
        }
        while (n instanceof Branch) {
            Branch b = (Branch) n;
            int i = Arrays.binarySearch(b.keys, key);
            if (i < 0) {
                i = -i - 2;
                if (i < 0) {
                    return null;
                }
            }
            n = b.kids[i];
        }
        Leaf l = (Leaf) n;
        int i = Arrays.binarySearch(l.keys, key);
        return i >= 0 ? (V) l.vals[i] : null;
    }

    @Override
    public V getOrDefault(Object key, V defaultValue) {
        V v = get(key);
        return v == null ? defaultValue : v;
    }

    @Override
    public boolean containsKey(Object key) {
        return get(key) != null;
    }

    /** How many keys are strictly below {@code key} (its rank if present). O(log n). */
    public int countBelow(K key) {
        return rankOf(root, key);
    }

    /** The key of rank {@code rank} (0 = smallest). O(log n). */
    public K keyAt(int rank) {
        Objects.checkIndex(rank, size());
        @SuppressWarnings("unchecked")
        K k = (K) new Cursor(root, rank, rank + 1).key();
        return k;
    }

    /** The entry of rank {@code rank} (0 = smallest). O(log n). */
    public Map.Entry<K, V> entryAt(int rank) {
        Objects.checkIndex(rank, size());
        Cursor c = new Cursor(root, rank, rank + 1);
        return entry(c.leaf, c.pos);
    }

    @Override
    public Comparator<? super K> comparator() {
        return null;
    }

    @Override
    public K firstKey() {
        return window().firstKey();
    }

    @Override
    public K lastKey() {
        return window().lastKey();
    }

    @Override
    public SortedMap<K, V> subMap(K fromKey, K toKey) {
        return window().subMap(fromKey, toKey);
    }

    @Override
    public SortedMap<K, V> headMap(K toKey) {
        return window().headMap(toKey);
    }

    @Override
    public SortedMap<K, V> tailMap(K fromKey) {
        return window().tailMap(fromKey);
    }

    /** Keys, ascending: a {@link SortedSet} view with O(log n) {@link Keys#countBelow}. */
    @Override
    public Keys<K> keySet() {
        return window().keySet();
    }

    @Override
    public Collection<V> values() {
        return window().values();
    }

    @Override
    public Set<Map.Entry<K, V>> entrySet() {
        return window().entrySet();
    }

    private Window<K, V> window() {
        Window<K, V> w = all;
        if (w == null) {
            w = new Window<>(this, null, null, 0, size());
            all = w;
        }
        return w;
    }

    // ---------------------------------------------------------------- writes

    /** This map with {@code key} mapped to {@code value}; this very map if it already maps key to that object. */
    public PersistentSortedMap<K, V> plus(K key, V value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        if (root == null) {
            return new PersistentSortedMap<>(new Leaf(new Object[] {key}, new Object[] {value}));
        }
        Change c = new Change();
        Node n = insert(root, key, value, c);
        if (n == root) {
            return this;
        }
        if (c.split != null) {
            n = new Branch(
                    new Object[] {n.keys[0], c.split.keys[0]}, new Node[] {n, c.split}, n.size() + c.split.size());
        }
        return new PersistentSortedMap<>(n);
    }

    /** This map without {@code key}; this very map if it has no such key. */
    public PersistentSortedMap<K, V> minus(K key) {
        Objects.requireNonNull(key, "key");
        if (root == null) {
            return this;
        }
        Node n = delete(root, key);
        if (n == root) {
            return this;
        }
        if (n.width() == 0) {
            return empty();
        }
        if (n instanceof Branch && n.width() == 1) {
            n = ((Branch) n).kids[0];
        }
        return new PersistentSortedMap<>(n);
    }

    /**
     * This map with every entry of {@code entries} put. Path copies entry by entry when the change is small
     * next to the map; merges both into a new tree (O(n + k)) when it is not.
     */
    public PersistentSortedMap<K, V> plusAll(SortedMap<K, ? extends V> entries) {
        for (V v : entries.values()) {
            Objects.requireNonNull(v, "value");
        }
        return withChanges(entries);
    }

    /**
     * This map with every key of {@code changes} mapped to its value, or removed where the value is null (a
     * {@link java.util.TreeMap} may hold nulls). Path copies change by change when the changes are few next
     * to the map; else merges both into a new tree in O(n + k).
     */
    public PersistentSortedMap<K, V> withChanges(SortedMap<K, ? extends V> changes) {
        if (changes.comparator() != null) {
            throw new IllegalArgumentException("changes must be in natural key order");
        }
        if (changes.isEmpty()) {
            return this;
        }
        if ((long) changes.size() * 8 < size()) {
            PersistentSortedMap<K, V> out = this;
            for (Map.Entry<K, ? extends V> e : changes.entrySet()) {
                out = e.getValue() == null ? out.minus(e.getKey()) : out.plus(e.getKey(), e.getValue());
            }
            return out;
        }
        Builder<K, V> b = new Builder<>();
        Iterator<Map.Entry<K, V>> mine = entrySet().iterator();
        Iterator<? extends Map.Entry<K, ? extends V>> theirs =
                changes.entrySet().iterator();
        Map.Entry<K, V> a = mine.hasNext() ? mine.next() : null;
        Map.Entry<K, ? extends V> t = theirs.hasNext() ? theirs.next() : null;
        while (a != null || t != null) {
            int c = a == null ? 1 : t == null ? -1 : a.getKey().compareTo(t.getKey());
            if (c < 0) {
                b.add(a.getKey(), a.getValue());
                a = mine.hasNext() ? mine.next() : null;
            } else {
                if (t.getValue() != null) {
                    b.add(t.getKey(), t.getValue());
                }
                if (c == 0) {
                    a = mine.hasNext() ? mine.next() : null;
                }
                t = theirs.hasNext() ? theirs.next() : null;
            }
        }
        return b.build();
    }

    // ---------------------------------------------------------------- diff

    /** Receives the differences between two maps, in ascending key order. */
    public interface Differ<K, V> {
        /** {@code before} is null for a key only in the newer map, {@code after} for a key only in the older. */
        void changed(K key, V before, V after);
    }

    /**
     * Calls {@code differ} for every key whose value differs (by identity) between {@code this} (before) and
     * {@code after}, ascending. Subtrees the two maps share are skipped whole, so diffing a map against one
     * derived from it by k changes costs about O(k log n), and two unrelated maps O(n).
     */
    public void diff(PersistentSortedMap<K, V> after, Differ<K, V> differ) {
        Objects.requireNonNull(after, "after");
        if (root == after.root) {
            return;
        }
        Cursor a = new Cursor(root, 0, size());
        Cursor b = new Cursor(after.root, 0, after.size());
        while (a.hasNext() && b.hasNext()) {
            Node shared = a.sharedStart(b);
            if (shared != null) {
                a.skip(shared.size());
                b.skip(shared.size());
                continue;
            }
            @SuppressWarnings("unchecked")
            K ka = (K) a.key();
            @SuppressWarnings("unchecked")
            K kb = (K) b.key();
            int c = ka.compareTo(kb);
            if (c < 0) {
                differ.changed(ka, castV(a.value()), null);
                a.advance();
            } else if (c > 0) {
                differ.changed(kb, null, castV(b.value()));
                b.advance();
            } else {
                if (a.value() != b.value()) {
                    differ.changed(ka, castV(a.value()), castV(b.value()));
                }
                a.advance();
                b.advance();
            }
        }
        while (a.hasNext()) {
            @SuppressWarnings("unchecked")
            K ka = (K) a.key();
            differ.changed(ka, castV(a.value()), null);
            a.advance();
        }
        while (b.hasNext()) {
            @SuppressWarnings("unchecked")
            K kb = (K) b.key();
            differ.changed(kb, null, castV(b.value()));
            b.advance();
        }
    }

    @SuppressWarnings("unchecked")
    private V castV(Object v) {
        return (V) v;
    }

    // ---------------------------------------------------------------- equality

    @Override
    public boolean equals(Object o) {
        if (o == this) {
            return true;
        }
        if (o instanceof PersistentSortedMap) {
            PersistentSortedMap<?, ?> m = (PersistentSortedMap<?, ?>) o;
            if (m.root == root) {
                return true;
            }
            if (m.size() != size() || (hash != 0 && m.hash != 0 && hash != m.hash)) {
                return false;
            }
            Cursor a = new Cursor(root, 0, size());
            Cursor b = new Cursor(m.root, 0, m.size());
            while (a.hasNext()) {
                Node shared = a.sharedStart(b);
                if (shared != null) {
                    a.skip(shared.size());
                    b.skip(shared.size());
                    continue;
                }
                if (!a.key().equals(b.key()) || !a.value().equals(b.value())) {
                    return false;
                }
                a.advance();
                b.advance();
            }
            return true;
        }
        return super.equals(o);
    }

    @Override
    public int hashCode() {
        int h = hash;
        if (h == 0 && root != null) {
            Cursor c = new Cursor(root, 0, size());
            while (c.hasNext()) {
                h += c.key().hashCode() ^ c.value().hashCode();
                c.advance();
            }
            hash = h;
        }
        return h;
    }

    /**
     * Checks the tree's shape (for tests): keys ascending, widths within bounds, all leaves at one depth,
     * branch keys and sizes consistent with their children.
     *
     * @throws IllegalStateException naming the first violation
     */
    void checkInvariants() {
        if (root == null) {
            return;
        }
        if (root.width() == 0 || (root instanceof Branch && root.width() < 2)) {
            throw new IllegalStateException("root of width " + root.width());
        }
        check(root, true, null, null);
    }

    /** Returns the depth below {@code n}. */
    private static int check(Node n, boolean isRoot, Object lo, Object hi) {
        if (n.width() > MAX || (!isRoot && n.width() < MIN)) {
            throw new IllegalStateException("node of width " + n.width() + " (allowed " + MIN + ".." + MAX + ")");
        }
        for (int i = 0; i < n.width(); i++) {
            if (i > 0 && cmp(n.keys[i - 1], n.keys[i]) >= 0) {
                throw new IllegalStateException("keys not ascending at " + i);
            }
        }
        if (lo != null && cmp(n.keys[0], lo) < 0 || hi != null && cmp(n.keys[n.width() - 1], hi) >= 0) {
            throw new IllegalStateException("keys outside the parent's range");
        }
        if (n instanceof Leaf) {
            if (((Leaf) n).vals.length != n.width()) {
                throw new IllegalStateException(
                        "leaf with " + n.width() + " keys and " + ((Leaf) n).vals.length + " values");
            }
            return 0;
        }
        Branch b = (Branch) n;
        int depth = -1;
        int size = 0;
        for (int i = 0; i < b.kids.length; i++) {
            Node kid = b.kids[i];
            if (kid.keys[0] != b.keys[i]) {
                throw new IllegalStateException("branch key " + i + " is not its child's smallest key");
            }
            int d = check(kid, false, b.keys[i], i + 1 < b.kids.length ? b.keys[i + 1] : hi);
            if (depth >= 0 && d != depth) {
                throw new IllegalStateException("leaves at depths " + depth + " and " + d);
            }
            depth = d;
            size += kid.size();
        }
        if (size != b.size) {
            throw new IllegalStateException("branch size " + b.size + " but its children hold " + size);
        }
        return depth + 1;
    }

    @SuppressWarnings("unchecked")
    private static int cmp(Object a, Object b) {
        return ((Comparable<Object>) a).compareTo(b);
    }

    // ---------------------------------------------------------------- nodes

    private abstract static class Node {
        /** Leaf: the keys, ascending. Branch: the smallest key of each child. */
        final Object[] keys;

        Node(Object[] keys) {
            this.keys = keys;
        }

        final int width() {
            return keys.length;
        }

        abstract int size();
    }

    private static final class Leaf extends Node {
        final Object[] vals;

        Leaf(Object[] keys, Object[] vals) {
            super(keys);
            this.vals = vals;
        }

        @Override
        int size() {
            return keys.length;
        }
    }

    private static final class Branch extends Node {
        final Node[] kids;
        final int size;

        Branch(Object[] keys, Node[] kids, int size) {
            super(keys);
            this.kids = kids;
            this.size = size;
        }

        static Branch of(Node[] kids) {
            Object[] keys = new Object[kids.length];
            int size = 0;
            for (int i = 0; i < kids.length; i++) {
                keys[i] = kids[i].keys[0];
                size += kids[i].size();
            }
            return new Branch(keys, kids, size);
        }

        @Override
        int size() {
            return size;
        }
    }

    /** What an insert did below a node: a right sibling split off, and whether the key is new. */
    private static final class Change {
        Node split;
        boolean added;
    }

    /** The child of {@code b} whose range holds {@code key} (the first child for keys below every key). */
    private static int childFor(Branch b, Object key) {
        int i = Arrays.binarySearch(b.keys, key);
        return i >= 0 ? i : Math.max(0, -i - 2);
    }

    private static Node insert(Node node, Object key, Object val, Change c) {
        if (node instanceof Leaf) {
            Leaf l = (Leaf) node;
            int i = Arrays.binarySearch(l.keys, key);
            if (i >= 0) {
                if (l.vals[i] == val) {
                    return l;
                }
                Object[] vals = l.vals.clone();
                vals[i] = val;
                return new Leaf(l.keys, vals);
            }
            c.added = true;
            int at = -i - 1;
            Object[] keys = insertAt(l.keys, at, key);
            Object[] vals = insertAt(l.vals, at, val);
            if (keys.length <= MAX) {
                return new Leaf(keys, vals);
            }
            int half = keys.length / 2;
            c.split =
                    new Leaf(Arrays.copyOfRange(keys, half, keys.length), Arrays.copyOfRange(vals, half, vals.length));
            return new Leaf(Arrays.copyOf(keys, half), Arrays.copyOf(vals, half));
        }
        Branch b = (Branch) node;
        int i = childFor(b, key);
        Node kid = b.kids[i];
        Node next = insert(kid, key, val, c);
        if (next == kid) {
            return b;
        }
        int size = b.size + (c.added ? 1 : 0);
        Object[] keys = next.keys[0] == b.keys[i] ? b.keys : b.keys.clone();
        keys[i] = next.keys[0];
        Node[] kids = b.kids.clone();
        kids[i] = next;
        if (c.split == null) {
            return new Branch(keys, kids, size);
        }
        Node right = c.split;
        c.split = null;
        keys = insertAt(keys, i + 1, right.keys[0]);
        kids = insertAt(kids, i + 1, right);
        if (kids.length <= MAX) {
            return new Branch(keys, kids, size);
        }
        int half = kids.length / 2;
        Branch r = Branch.of(Arrays.copyOfRange(kids, half, kids.length));
        c.split = r;
        return new Branch(Arrays.copyOf(keys, half), Arrays.copyOf(kids, half), size - r.size);
    }

    /** The node without {@code key}; the same node if it has no such key. May leave the node underfull. */
    private static Node delete(Node node, Object key) {
        if (node instanceof Leaf) {
            Leaf l = (Leaf) node;
            int i = Arrays.binarySearch(l.keys, key);
            if (i < 0) {
                return l;
            }
            return new Leaf(removeAt(l.keys, i), removeAt(l.vals, i));
        }
        Branch b = (Branch) node;
        int i = Arrays.binarySearch(b.keys, key);
        if (i < 0) {
            i = -i - 2;
            if (i < 0) {
                return b;
            }
        }
        Node kid = b.kids[i];
        Node next = delete(kid, key);
        if (next == kid) {
            return b;
        }
        int size = b.size - 1;
        if (next.width() >= MIN || b.kids.length == 1) {
            Node[] kids = b.kids.clone();
            kids[i] = next;
            if (next.width() == 0) {
                return new Branch(removeAt(b.keys, i), removeAt(kids, i), size);
            }
            Object[] keys = next.keys[0] == b.keys[i] ? b.keys : b.keys.clone();
            keys[i] = next.keys[0];
            return new Branch(keys, kids, size);
        }
        // Underfull: merge with a sibling, or share its children evenly.
        int left = i + 1 < b.kids.length ? i : i - 1;
        Node l = left == i ? next : b.kids[left];
        Node r = left == i ? b.kids[i + 1] : next;
        Node[] fixed = rebalance(l, r);
        Node[] kids;
        Object[] keys;
        if (fixed.length == 1) {
            kids = removeAt(b.kids, left + 1);
            keys = removeAt(b.keys, left + 1);
            kids[left] = fixed[0];
            keys[left] = fixed[0].keys[0];
        } else {
            kids = b.kids.clone();
            keys = b.keys.clone();
            kids[left] = fixed[0];
            kids[left + 1] = fixed[1];
            keys[left] = fixed[0].keys[0];
            keys[left + 1] = fixed[1].keys[0];
        }
        return new Branch(keys, kids, size);
    }

    /** Two adjacent siblings as one node if they fit, else as two nodes of about equal width. */
    private static Node[] rebalance(Node l, Node r) {
        int total = l.width() + r.width();
        Object[] keys = concat(l.keys, r.keys);
        if (l instanceof Leaf) {
            Object[] vals = concat(((Leaf) l).vals, ((Leaf) r).vals);
            if (total <= MAX) {
                return new Node[] {new Leaf(keys, vals)};
            }
            int half = total / 2;
            return new Node[] {
                new Leaf(Arrays.copyOf(keys, half), Arrays.copyOf(vals, half)),
                new Leaf(Arrays.copyOfRange(keys, half, total), Arrays.copyOfRange(vals, half, total))
            };
        }
        Node[] kids = concat(((Branch) l).kids, ((Branch) r).kids);
        if (total <= MAX) {
            return new Node[] {new Branch(keys, kids, l.size() + r.size())};
        }
        int half = total / 2;
        return new Node[] {Branch.of(Arrays.copyOf(kids, half)), Branch.of(Arrays.copyOfRange(kids, half, total))};
    }

    private static <T> T[] insertAt(T[] a, int at, T x) {
        T[] out = Arrays.copyOf(a, a.length + 1);
        System.arraycopy(a, at, out, at + 1, a.length - at);
        out[at] = x;
        return out;
    }

    private static <T> T[] removeAt(T[] a, int at) {
        T[] out = Arrays.copyOf(a, a.length - 1);
        System.arraycopy(a, at + 1, out, at, a.length - at - 1);
        return out;
    }

    private static <T> T[] concat(T[] a, T[] b) {
        T[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static int rankOf(Node n, Object key) {
        Objects.requireNonNull(key, "key");
        int rank = 0;
        if (n == null) {
            return 0;
        }
        while (n instanceof Branch) {
            Branch b = (Branch) n;
            int i = Arrays.binarySearch(b.keys, key);
            if (i < 0) {
                i = -i - 2;
                if (i < 0) {
                    return rank;
                }
            }
            for (int j = 0; j < i; j++) {
                rank += b.kids[j].size();
            }
            n = b.kids[i];
        }
        int i = Arrays.binarySearch(n.keys, key);
        return rank + (i >= 0 ? i : -i - 1);
    }

    private static <K, V> Map.Entry<K, V> entry(Leaf l, int pos) {
        @SuppressWarnings("unchecked")
        K k = (K) l.keys[pos];
        @SuppressWarnings("unchecked")
        V v = (V) l.vals[pos];
        return new AbstractMap.SimpleImmutableEntry<>(k, v);
    }

    // ---------------------------------------------------------------- cursor

    /** Walks the entries of ranks [from, to) in order. */
    private static final class Cursor {
        private final Node root;
        private final int to;
        private int rank;
        private Branch[] path;
        private int[] index;
        private int depth;
        private Leaf leaf;
        private int pos;

        Cursor(Node root, int from, int to) {
            this.root = root;
            this.to = to;
            seek(from);
        }

        /** An iterator over ranks [from, to) of root that reads each entry with {@code read}. */
        static <T> Iterator<T> iterate(Node root, int from, int to, Function<Cursor, T> read) {
            Cursor c = new Cursor(root, from, to);
            return new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return c.hasNext();
                }

                @Override
                public T next() {
                    if (!c.hasNext()) {
                        throw new NoSuchElementException();
                    }
                    T t = read.apply(c);
                    c.advance();
                    return t;
                }
            };
        }

        boolean hasNext() {
            return rank < to;
        }

        Object key() {
            return leaf.keys[pos];
        }

        Object value() {
            return leaf.vals[pos];
        }

        void advance() {
            rank++;
            if (++pos < leaf.keys.length || rank >= to) {
                return;
            }
            int level = depth - 1;
            while (level >= 0 && index[level] + 1 >= path[level].kids.length) {
                level--;
            }
            if (level < 0) {
                return;
            }
            index[level]++;
            Node n = path[level].kids[index[level]];
            for (int l = level + 1; l < depth; l++) {
                path[l] = (Branch) n;
                index[l] = 0;
                n = path[l].kids[0];
            }
            leaf = (Leaf) n;
            pos = 0;
        }

        void skip(int count) {
            seek(rank + count);
        }

        private void seek(int target) {
            rank = target;
            if (target >= to || root == null) {
                return;
            }
            if (path == null) {
                int d = 0;
                for (Node n = root; n instanceof Branch; n = ((Branch) n).kids[0]) {
                    d++;
                }
                depth = d;
                path = new Branch[d];
                index = new int[d];
            }
            Node n = root;
            int r = target;
            for (int l = 0; l < depth; l++) {
                Branch b = (Branch) n;
                int j = 0;
                while (r >= b.kids[j].size()) {
                    r -= b.kids[j].size();
                    j++;
                }
                path[l] = b;
                index[l] = j;
                n = b.kids[j];
            }
            leaf = (Leaf) n;
            pos = r;
        }

        /**
         * The largest node that starts at this cursor's position and also at {@code other}'s (the same
         * object in both trees), or null. Only whole subtrees that both cursors would walk next are found.
         */
        Node sharedStart(Cursor other) {
            if (pos != 0 || other.pos != 0) {
                return null;
            }
            Node found = null;
            Node mine = leaf;
            int level = depth - 1;
            while (true) {
                if (other.startsWith(mine)) {
                    found = mine;
                }
                if (level < 0 || index[level] != 0) {
                    break;
                }
                mine = path[level];
                level--;
            }
            if (found != null && (rank + found.size() > to || other.rank + found.size() > other.to)) {
                return null;
            }
            return found;
        }

        /** True if {@code node} is this cursor's leaf or an ancestor of it whose first entry is the current one. */
        private boolean startsWith(Node node) {
            if (leaf == node) {
                return true;
            }
            for (int level = depth - 1; level >= 0; level--) {
                if (index[level] != 0) {
                    return false;
                }
                if (path[level] == node) {
                    return true;
                }
            }
            return false;
        }
    }

    // ---------------------------------------------------------------- builder

    /** Collects entries in strictly ascending key order, then builds the tree bottom-up in O(n). */
    public static final class Builder<K extends Comparable<? super K>, V> {
        private final List<Object> keys = new ArrayList<>();
        private final List<Object> vals = new ArrayList<>();

        private Builder() {}

        /** @throws IllegalArgumentException if {@code key} is not above the previous key */
        public Builder<K, V> add(K key, V value) {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
            if (!keys.isEmpty()) {
                @SuppressWarnings("unchecked")
                K last = (K) keys.get(keys.size() - 1);
                if (last.compareTo(key) >= 0) {
                    throw new IllegalArgumentException(
                            "keys must be added in strictly ascending order: " + key + " after " + last);
                }
            }
            keys.add(key);
            vals.add(value);
            return this;
        }

        public PersistentSortedMap<K, V> build() {
            int n = keys.size();
            if (n == 0) {
                return empty();
            }
            Object[] k = keys.toArray();
            Object[] v = vals.toArray();
            int leaves = (n + MAX - 1) / MAX;
            Node[] level = new Node[leaves];
            for (int i = 0, start = 0; i < leaves; i++) {
                int end = (int) ((long) n * (i + 1) / leaves);
                level[i] = new Leaf(Arrays.copyOfRange(k, start, end), Arrays.copyOfRange(v, start, end));
                start = end;
            }
            while (level.length > 1) {
                int parents = (level.length + MAX - 1) / MAX;
                Node[] up = new Node[parents];
                for (int i = 0, start = 0; i < parents; i++) {
                    int end = (int) ((long) level.length * (i + 1) / parents);
                    up[i] = Branch.of(Arrays.copyOfRange(level, start, end));
                    start = end;
                }
                level = up;
            }
            return new PersistentSortedMap<>(level[0]);
        }
    }

    // ---------------------------------------------------------------- views

    /**
     * A window [from, to) of ranks of one map with its key bounds (null = unbounded): the map itself, or a
     * sub/head/tail map of it. Read-only.
     */
    private static final class Window<K extends Comparable<? super K>, V> extends AbstractMap<K, V>
            implements SortedMap<K, V> {
        private final PersistentSortedMap<K, V> map;
        private final K lo;
        private final K hi;
        private final int from;
        private final int to;
        private Keys<K> keySet;

        Window(PersistentSortedMap<K, V> map, K lo, K hi, int from, int to) {
            this.map = map;
            this.lo = lo;
            this.hi = hi;
            this.from = from;
            this.to = to;
        }

        private boolean inRange(Object key) {
            @SuppressWarnings("unchecked")
            K k = (K) key;
            return (lo == null || k.compareTo(lo) >= 0) && (hi == null || k.compareTo(hi) < 0);
        }

        @Override
        public int size() {
            return to - from;
        }

        @Override
        public boolean isEmpty() {
            return to == from;
        }

        @Override
        public V get(Object key) {
            return inRange(Objects.requireNonNull(key, "key")) ? map.get(key) : null;
        }

        @Override
        public boolean containsKey(Object key) {
            return get(key) != null;
        }

        int countBelow(K key) {
            int r = map.countBelow(key);
            return Math.min(Math.max(r, from), to) - from;
        }

        @Override
        public Comparator<? super K> comparator() {
            return null;
        }

        @Override
        public K firstKey() {
            if (isEmpty()) {
                throw new NoSuchElementException();
            }
            return map.keyAt(from);
        }

        @Override
        public K lastKey() {
            if (isEmpty()) {
                throw new NoSuchElementException();
            }
            return map.keyAt(to - 1);
        }

        @Override
        public SortedMap<K, V> subMap(K fromKey, K toKey) {
            Objects.requireNonNull(fromKey, "fromKey");
            Objects.requireNonNull(toKey, "toKey");
            if (fromKey.compareTo(toKey) > 0) {
                throw new IllegalArgumentException("fromKey " + fromKey + " > toKey " + toKey);
            }
            return window(fromKey, toKey);
        }

        @Override
        public SortedMap<K, V> headMap(K toKey) {
            return window(lo, Objects.requireNonNull(toKey, "toKey"));
        }

        @Override
        public SortedMap<K, V> tailMap(K fromKey) {
            return window(Objects.requireNonNull(fromKey, "fromKey"), hi);
        }

        private Window<K, V> window(K newLo, K newHi) {
            if (newLo != null && !inBounds(newLo)) {
                throw new IllegalArgumentException("key " + newLo + " out of range");
            }
            if (newHi != null && !inBounds(newHi)) {
                throw new IllegalArgumentException("key " + newHi + " out of range");
            }
            int f = newLo == null ? from : Math.max(from, map.countBelow(newLo));
            int t = newHi == null ? to : Math.min(to, map.countBelow(newHi));
            return new Window<>(map, newLo, newHi, f, Math.max(f, t));
        }

        /** Within [lo, hi] (the upper bound itself allowed, as for TreeMap's views). */
        private boolean inBounds(K key) {
            return (lo == null || key.compareTo(lo) >= 0) && (hi == null || key.compareTo(hi) <= 0);
        }

        @Override
        public Keys<K> keySet() {
            Keys<K> k = keySet;
            if (k == null) {
                k = new Keys<>(this);
                keySet = k;
            }
            return k;
        }

        @Override
        public Collection<V> values() {
            return new AbstractCollection<>() {
                @Override
                @SuppressWarnings("unchecked")
                public Iterator<V> iterator() {
                    return Cursor.iterate(map.root, from, to, c -> (V) c.value());
                }

                @Override
                public int size() {
                    return to - from;
                }
            };
        }

        @Override
        public Set<Map.Entry<K, V>> entrySet() {
            return new AbstractSet<>() {
                @Override
                public Iterator<Map.Entry<K, V>> iterator() {
                    return Cursor.iterate(map.root, from, to, c -> entry(c.leaf, c.pos));
                }

                @Override
                public int size() {
                    return to - from;
                }

                @Override
                public boolean contains(Object o) {
                    if (!(o instanceof Map.Entry)) {
                        return false;
                    }
                    Map.Entry<?, ?> e = (Map.Entry<?, ?>) o;
                    Object v = e.getKey() == null ? null : get(e.getKey());
                    return v != null && v.equals(e.getValue());
                }
            };
        }

        @SuppressWarnings("unchecked")
        Iterator<K> keyIterator() {
            return Cursor.iterate(map.root, from, to, c -> (K) c.key());
        }
    }

    /** The keys of a map (or of a window of it), ascending. Read-only. */
    public static final class Keys<K extends Comparable<? super K>> extends AbstractSet<K> implements SortedSet<K> {
        private final Window<K, ?> window;

        private Keys(Window<K, ?> window) {
            this.window = window;
        }

        /** How many of these keys are strictly below {@code key}. O(log n). */
        public int countBelow(K key) {
            return window.countBelow(key);
        }

        @Override
        public Iterator<K> iterator() {
            return window.keyIterator();
        }

        @Override
        public int size() {
            return window.size();
        }

        @Override
        public boolean isEmpty() {
            return window.isEmpty();
        }

        @Override
        public boolean contains(Object o) {
            return o != null && window.containsKey(o);
        }

        @Override
        public Comparator<? super K> comparator() {
            return null;
        }

        @Override
        public SortedSet<K> subSet(K fromElement, K toElement) {
            return ((Window<K, ?>) window.subMap(fromElement, toElement)).keySet();
        }

        @Override
        public SortedSet<K> headSet(K toElement) {
            return ((Window<K, ?>) window.headMap(toElement)).keySet();
        }

        @Override
        public SortedSet<K> tailSet(K fromElement) {
            return ((Window<K, ?>) window.tailMap(fromElement)).keySet();
        }

        @Override
        public K first() {
            return window.firstKey();
        }

        @Override
        public K last() {
            return window.lastKey();
        }
    }
}
