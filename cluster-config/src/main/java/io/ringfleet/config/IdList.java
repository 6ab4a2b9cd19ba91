package io.ringfleet.config;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A set of small non-negative ids written in the Linux cpulist format, as in
 * {@code /sys/devices/system/cpu/online}: numbers and inclusive ranges separated by commas, e.g.
 * {@code "0-3,6"}. Used for forwarding CPUs and NUMA nodes. Kept sorted; empty means "not restricted".
 */
public final class IdList {
    /** Highest CPU number accepted (Linux's largest NR_CPUS is 8192). */
    public static final int MAX_CPU = 8191;
    /** Highest NUMA node number accepted (Linux's MAX_NUMNODES is at most 1024). */
    public static final int MAX_NUMA_NODE = 1023;

    /** The empty list. */
    public static final IdList EMPTY = new IdList(new int[0]);

    private final int[] ids;

    private IdList(int[] sortedUnique) {
        this.ids = sortedUnique;
    }

    /**
     * Parses a cpulist such as {@code "0-3,6"}; spaces around items are allowed. Every id must be from 0 to
     * {@code max}, a range must not run backwards, and no id may be listed twice.
     *
     * @throws IllegalArgumentException naming the item that is wrong
     */
    public static IdList parse(String text, int max) {
        Objects.requireNonNull(text, "text must not be null; use a list like \"0-3,6\"");
        if (max < 0) {
            throw new IllegalArgumentException("max must be 0 or more, got " + max);
        }
        if (text.isBlank()) {
            throw new IllegalArgumentException("the list is empty");
        }
        List<Integer> out = new ArrayList<>();
        for (String raw : text.split(",", -1)) {
            String item = raw.strip();
            if (item.isEmpty()) {
                throw new IllegalArgumentException("an item between commas is empty");
            }
            int dash = item.indexOf('-', 1);
            if (dash < 0) {
                out.add(number(item, max));
            } else {
                int from = number(item.substring(0, dash).strip(), max);
                int to = number(item.substring(dash + 1).strip(), max);
                if (to < from) {
                    throw new IllegalArgumentException(
                            "range \"" + item + "\" runs backwards; write it " + to + "-" + from);
                }
                for (int i = from; i <= to; i++) {
                    out.add(i);
                }
            }
        }
        return fromIds(out, max);
    }

    /**
     * The list of these ids, which must be from 0 to {@code max} and distinct.
     *
     * @throws IllegalArgumentException naming an id that is out of range or repeated
     */
    public static IdList of(List<Integer> ids, int max) {
        Objects.requireNonNull(ids, "ids must not be null; use an empty list for none");
        for (Integer id : ids) {
            Objects.requireNonNull(id, "ids must not contain null");
            if (id < 0 || id > max) {
                throw new IllegalArgumentException(id + " is out of range; use 0 to " + max);
            }
        }
        return fromIds(ids, max);
    }

    private static IdList fromIds(List<Integer> ids, int max) {
        int[] sorted = ids.stream().mapToInt(Integer::intValue).sorted().toArray();
        for (int i = 1; i < sorted.length; i++) {
            if (sorted[i] == sorted[i - 1]) {
                throw new IllegalArgumentException(sorted[i] + " is listed twice");
            }
        }
        return sorted.length == 0 ? EMPTY : new IdList(sorted);
    }

    private static int number(String s, int max) {
        if (s.isEmpty() || s.length() > 9 || !s.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("\"" + s + "\" is not a number");
        }
        int value = Integer.parseInt(s);
        if (value > max) {
            throw new IllegalArgumentException(value + " is out of range; use 0 to " + max);
        }
        return value;
    }

    /** The ids, ascending. */
    public List<Integer> ids() {
        List<Integer> out = new ArrayList<>(ids.length);
        for (int id : ids) {
            out.add(id);
        }
        return List.copyOf(out);
    }

    public int size() {
        return ids.length;
    }

    public boolean isEmpty() {
        return ids.length == 0;
    }

    public boolean contains(int id) {
        return Arrays.binarySearch(ids, id) >= 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IdList && Arrays.equals(ids, ((IdList) o).ids);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(ids);
    }

    /** The shortest cpulist form, ranges for runs of three or more: {@code "0-3,6"}; "" when empty. */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < ids.length; ) {
            int j = i;
            while (j + 1 < ids.length && ids[j + 1] == ids[j] + 1) {
                j++;
            }
            if (s.length() > 0) {
                s.append(',');
            }
            if (j - i >= 2) {
                s.append(ids[i]).append('-').append(ids[j]);
            } else {
                s.append(ids[i]);
                if (j > i) {
                    s.append(',').append(ids[j]);
                }
            }
            i = j + 1;
        }
        return s.toString();
    }
}
