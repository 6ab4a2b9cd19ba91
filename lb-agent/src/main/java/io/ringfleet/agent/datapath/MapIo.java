package io.ringfleet.agent.datapath;

import io.ringfleet.bpf.Bpf;
import io.ringfleet.bpf.BpfMap;
import io.ringfleet.bpf.UpdateFlag;
import io.ringfleet.state.maglev.MaglevRing;
import io.ringfleet.state.maglev.RingDiff;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** Reads the programmer's maps from the kernel and executes write plans on them. */
final class MapIo {
    private final BalancerDatapath datapath;
    private final int maxVips;
    private final boolean secondChance;

    MapIo(BalancerDatapath datapath) {
        this.datapath = datapath;
        this.maxVips = datapath.config().maxVips();
        this.secondChance = datapath.config().variant().secondChance();
    }

    private boolean present(Table table) {
        return datapath.hasMap(table.mapName());
    }

    /**
     * Everything: every entry of every map, plus the desired keys the kernel lacks; the full rows of the desired
     * VIPs and of the VIPs the kernel's vip_map names. Rows of vip_nums that neither names are not read: no
     * vip_map entry leads to them, and a row is read in full before its vip_num is used again.
     */
    KernelReading readAll(EncodedMaps desired) {
        EnumMap<Table, Map<ByteKey, byte[]>> tables = KernelReading.newTables();
        for (Table table : Table.values()) {
            if (!present(table)) {
                continue;
            }
            Map<ByteKey, byte[]> read = tables.get(table);
            for (BpfMap.Entry e : datapath.map(table.mapName()).entries()) {
                byte[] v = normalize(table, e.value());
                if (v != null || !table.isArray()) {
                    read.put(ByteKey.of(e.key()), v);
                }
            }
            for (ByteKey k : desired.table(table).keySet()) {
                read.putIfAbsent(k, null);
            }
        }
        TreeSet<Integer> rowNums = new TreeSet<>(desired.rings().keySet());
        for (byte[] meta : tables.get(Table.VIP_MAP).values()) {
            if (meta != null) {
                int num = WritePlan.vipNum(meta);
                if (num >= 0 && num < maxVips) {
                    rowNums.add(num);
                }
            }
        }
        List<KernelReading.Row> rows = new ArrayList<>();
        List<KernelReading.Row> previousRows = new ArrayList<>();
        for (int num : rowNums) {
            rows.add(readRow(Table.RINGS, num));
            if (secondChance) {
                previousRows.add(readRow(Table.PREVIOUS_RINGS, num));
            }
        }
        return new KernelReading(tables, rows, previousRows, true);
    }

    /**
     * Only what changed between the last programmed maps and the desired ones ({@code changes}): those keys, and
     * those ring slots (a vip_num that had no ring before is read in full).
     */
    KernelReading readChanged(EncodedMaps before, EncodedMaps desired, EncodedMaps.Changes changes) {
        EnumMap<Table, Map<ByteKey, byte[]>> tables = KernelReading.newTables();
        for (Table table : Table.values()) {
            if (!present(table) || changes.keys(table).isEmpty()) {
                continue;
            }
            BpfMap map = datapath.map(table.mapName());
            Map<ByteKey, byte[]> read = tables.get(table);
            for (ByteKey k : changes.keys(table)) {
                read.put(k, normalize(table, map.lookup(k.bytes()).orElse(null)));
            }
        }
        List<KernelReading.Row> rows = changedRows(Table.RINGS, changes.ringRows(), before.rings(), desired.rings());
        List<KernelReading.Row> previousRows = secondChance
                ? changedRows(
                        Table.PREVIOUS_RINGS, changes.previousRows(), before.previousRings(), desired.previousRings())
                : List.of();
        return new KernelReading(tables, rows, previousRows, false);
    }

    /** The slots of {@code nums}' rows in {@code ringMap} that differ between two ring tables (a new row: all). */
    private List<KernelReading.Row> changedRows(
            String ringMap,
            java.util.SortedSet<Integer> nums,
            Map<Integer, MaglevRing> before,
            Map<Integer, MaglevRing> desired) {
        List<KernelReading.Row> rows = new ArrayList<>();
        for (int num : nums) {
            MaglevRing was = before.get(num);
            MaglevRing now = desired.get(num);
            if (was == now) {
                continue;
            }
            if (was == null) {
                rows.add(readRow(ringMap, num));
            } else {
                MaglevRing target = now == null ? MaglevRing.empty(was.size()) : now;
                int[] positions = RingDiff.between(was, target).positions();
                if (positions.length > 0) {
                    rows.add(readSlots(ringMap, num, positions));
                }
            }
        }
        return rows;
    }

    /** The whole row of vipNum, read as one range (one batch lookup on kernels that have it). */
    KernelReading.Row readRow(int vipNum) {
        return readRow(Table.RINGS, vipNum);
    }

    /** The whole row of vipNum in {@code ringMap} (ch_rings or ch_rings_prev). */
    KernelReading.Row readRow(String ringMap, int vipNum) {
        BpfMap rings = datapath.map(ringMap);
        int[] values = rings.lookupRangeU32(vipNum * DatapathConfig.RING_SIZE, DatapathConfig.RING_SIZE);
        return new KernelReading.Row(vipNum, null, values);
    }

    /**
     * A slot read as part of a range (batch lookup) costs a fifth to a tenth of a single-slot lookup (measured on
     * kernel 6.18: about 150-300 ns against 1-2 us; BENCHMARKS.md, "Map programmer"). So the slots at
     * {@code positions} are read as the one range that spans them when that range holds at most this many slots
     * per position asked for, and one by one otherwise (a few slots scattered over the row).
     */
    static final int RANGE_SLOTS_PER_LOOKUP = 6;

    /** The slots at {@code positions} (ascending) of vipNum's row. */
    KernelReading.Row readSlots(int vipNum, int[] positions) {
        return readSlots(Table.RINGS, vipNum, positions);
    }

    /** The slots at {@code positions} (ascending) of vipNum's row in {@code ringMap}. */
    KernelReading.Row readSlots(String ringMap, int vipNum, int[] positions) {
        BpfMap rings = datapath.map(ringMap);
        int[] values = new int[positions.length];
        if (positions.length == 0) {
            return new KernelReading.Row(vipNum, positions, values);
        }
        int base = vipNum * DatapathConfig.RING_SIZE;
        int first = positions[0];
        int span = positions[positions.length - 1] - first + 1;
        if ((long) span <= (long) positions.length * RANGE_SLOTS_PER_LOOKUP) {
            int[] range = rings.lookupRangeU32(base + first, span);
            for (int i = 0; i < positions.length; i++) {
                values[i] = range[positions[i] - first];
            }
        } else {
            for (int i = 0; i < positions.length; i++) {
                values[i] = rings.lookup(BpfMap.u32(base + positions[i]))
                        .map(BpfMap::u32)
                        .orElse(0);
            }
        }
        return new KernelReading.Row(vipNum, positions, values);
    }

    /** Writes one step: puts as one batch update, then deletes key by key. */
    void execute(WritePlan.Step step) {
        BpfMap map = datapath.map(step.map());
        if (!step.puts().isEmpty()) {
            byte[] zero = map.type().isPerCpu()
                    ? new byte[map.perCpuStride() * Bpf.numPossibleCpus()]
                    : new byte[map.valueSize()];
            List<byte[]> keys = new ArrayList<>(step.puts().size());
            List<byte[]> values = new ArrayList<>(step.puts().size());
            for (WritePlan.Put p : step.puts()) {
                keys.add(p.key().bytes());
                values.add(p.value() == null ? zero : p.value());
            }
            map.updateBatch(keys, values, UpdateFlag.ANY);
        }
        for (ByteKey k : step.deletes()) {
            map.delete(k.bytes());
        }
    }

    /** Array entries that are all zero count as absent. */
    private static byte[] normalize(Table table, byte[] value) {
        if (value == null || !table.isArray()) {
            return value;
        }
        for (byte b : value) {
            if (b != 0) {
                return value;
            }
        }
        return null;
    }
}
