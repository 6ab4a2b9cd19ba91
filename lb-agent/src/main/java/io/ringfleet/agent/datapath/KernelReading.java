package io.ringfleet.agent.datapath;

import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the programmer read from the kernel: for each map, the entries it looked at (a null value: absent, or
 * all-zero in an array), and for each ring row it looked at, the slots read. Only what was read is compared.
 */
final class KernelReading {
    /** Slots of one ring row: {@code positions} ascending (null: the whole row, slot i at index i) and their values. */
    record Row(int vipNum, int[] positions, int[] values) {
        int size() {
            return values.length;
        }

        int position(int i) {
            return positions == null ? i : positions[i];
        }
    }

    private final EnumMap<Table, Map<ByteKey, byte[]>> tables;
    private final List<Row> rows;
    private final List<Row> previousRows;
    private final boolean full;

    KernelReading(EnumMap<Table, Map<ByteKey, byte[]>> tables, List<Row> rows, boolean full) {
        this(tables, rows, List.of(), full);
    }

    /** With the ch_rings_prev rows read ({@code previousRows}, second-chance builds). */
    KernelReading(EnumMap<Table, Map<ByteKey, byte[]>> tables, List<Row> rows, List<Row> previousRows, boolean full) {
        this.tables = tables;
        this.rows = List.copyOf(rows);
        this.previousRows = List.copyOf(previousRows);
        this.full = full;
    }

    /** Entries of a map that were read (absent map: nothing). */
    Map<ByteKey, byte[]> table(Table table) {
        return tables.getOrDefault(table, Collections.emptyMap());
    }

    List<Row> rows() {
        return rows;
    }

    /** ch_rings_prev slots read, per row (empty without second chance). */
    List<Row> previousRows() {
        return previousRows;
    }

    /** Everything was read (first run, resync), not just what the image changed. */
    boolean full() {
        return full;
    }

    static EnumMap<Table, Map<ByteKey, byte[]>> newTables() {
        EnumMap<Table, Map<ByteKey, byte[]>> t = new EnumMap<>(Table.class);
        for (Table table : Table.values()) {
            t.put(table, new LinkedHashMap<>());
        }
        return t;
    }
}
