package io.ringfleet.agent.datapath;

import io.ringfleet.bpf.BpfMap;
import io.ringfleet.bpf.abi.VipMeta;
import io.ringfleet.state.maglev.MaglevRing;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The writes that take the kernel from what was read to what is desired, in an order under which no ring slot
 * of a VIP in vip_map ever points at a missing real (or at an index whose address is being changed). Pure:
 * computed from the desired maps and the kernel reading only; only entries that were read are compared.
 *
 * <p>Order:
 * <ol>
 *   <li>health-check destinations, gateway MAC (independent of the rest);
 *   <li>new reals (their index held nothing), and their counters reset;
 *   <li>VIPs whose vip_num the image now gives another VIP leave vip_map, so rewriting that ring row never
 *       serves the old VIP from the new one's ring;
 *   <li>previous ring slots (ch_rings_prev, second-chance builds), then ring slots of the image's VIPs (full
 *       rows for vip_nums not programmed before: a reused vip_num's row is rewritten from what the kernel holds, so
 *       it is clean whatever the row held);
 *   <li>QUIC ids (removed first), down marks (removed first), VIP addresses, then vip_map adds and changes (the
 *       counters of a VIP new to its vip_num are reset first);
 *   <li>vip_map removals, VIP addresses no VIP uses, then the removed VIPs' rows are zeroed (so rows of unused
 *       vip_nums hold nothing, and no row refers to a real about to go);
 *   <li>reals whose index now has another address (freed and reused within one step): written only now, after
 *       every slot and QUIC id that pointed at the old address was moved (or emptied, if it moves to another
 *       re-addressed index); then the slots and ids pointing at them;
 *   <li>reals no longer in the image are zeroed, last.
 * </ol>
 */
final class WritePlan {
    /** One entry to write; a null value writes zeros (all CPUs' for a per-CPU map). */
    record Put(ByteKey key, byte[] value) {}

    /** One batch of writes to one map, executed as a unit in plan order. */
    record Step(String name, String map, List<Put> puts, List<ByteKey> deletes) {
        Step {
            puts = List.copyOf(puts);
            deletes = List.copyOf(deletes);
        }

        int size() {
            return puts.size() + deletes.size();
        }
    }

    private final List<Step> steps;

    private WritePlan(List<Step> steps) {
        this.steps = List.copyOf(steps);
    }

    List<Step> steps() {
        return steps;
    }

    boolean isEmpty() {
        return steps.isEmpty();
    }

    static WritePlan of(EncodedMaps desired, KernelReading kernel) {
        List<Step> steps = new ArrayList<>();

        // Health checks and gateway MAC.
        List<ByteKey> hcDeletes = new ArrayList<>();
        List<Put> hcPuts = new ArrayList<>();
        diffHash(desired, kernel, Table.HC_REALS, hcPuts, hcDeletes);
        add(steps, "remove health-check destinations", Table.HC_REALS.mapName(), List.of(), hcDeletes);
        add(steps, "write health-check destinations", Table.HC_REALS.mapName(), hcPuts, List.of());
        List<Put> ctl = new ArrayList<>();
        kernel.table(Table.CTL).forEach((k, kv) -> {
            byte[] dv = desired.table(Table.CTL).get(k);
            if (!Arrays.equals(kv, dv)) {
                ctl.add(new Put(k, dv));
            }
        });
        add(steps, "write gateway MAC", Table.CTL.mapName(), ctl, List.of());

        // Reals: new, re-addressed (R), gone.
        List<Put> realsNew = new ArrayList<>();
        List<Put> realsReaddressed = new ArrayList<>();
        List<Put> realsGone = new ArrayList<>();
        List<Put> realStatsNew = new ArrayList<>();
        List<Put> realStatsReaddressed = new ArrayList<>();
        Set<Integer> readdressed = new HashSet<>();
        kernel.table(Table.REALS).forEach((k, kv) -> {
            byte[] dv = desired.table(Table.REALS).get(k);
            if (Arrays.equals(kv, dv)) {
                return;
            }
            if (kv == null) {
                realsNew.add(new Put(k, dv));
                realStatsNew.add(new Put(k, null));
            } else if (dv == null) {
                realsGone.add(new Put(k, null));
            } else {
                realsReaddressed.add(new Put(k, dv));
                realStatsReaddressed.add(new Put(k, null));
                readdressed.add(k.asU32());
            }
        });
        add(steps, "reset counters of new reals", Table.REAL_STATS, realStatsNew, List.of());
        add(steps, "add reals", Table.REALS.mapName(), realsNew, List.of());

        // vip_map: entries whose vip_num now belongs to another VIP go first.
        Map<Integer, ByteKey> owners = desired.vipNumOwners();
        List<ByteKey> vipEarlyDeletes = new ArrayList<>();
        List<ByteKey> vipDeletes = new ArrayList<>();
        List<Put> vipPuts = new ArrayList<>();
        List<Put> vipStatsResets = new ArrayList<>();
        Set<ByteKey> early = new HashSet<>();
        kernel.table(Table.VIP_MAP).forEach((k, kv) -> {
            byte[] dv = desired.table(Table.VIP_MAP).get(k);
            if (Arrays.equals(kv, dv)) {
                return;
            }
            if (kv != null) {
                ByteKey owner = owners.get(vipNum(kv));
                if (owner != null && !owner.equals(k)) {
                    vipEarlyDeletes.add(k);
                    early.add(k);
                }
            }
            if (dv != null) {
                vipPuts.add(new Put(k, dv));
                if (kv == null || early.contains(k) || vipNum(kv) != vipNum(dv)) {
                    vipStatsResets.add(new Put(ByteKey.u32(vipNum(dv)), null));
                }
            } else if (!early.contains(k)) {
                vipDeletes.add(k);
            }
        });
        add(
                steps,
                "remove VIPs whose vip_num is given to another VIP",
                Table.VIP_MAP.mapName(),
                List.of(),
                vipEarlyDeletes);

        // Ring rows; the previous ring (second chance) before the current one, so a slot that changes never names
        // the same real in both while the old real is what its flows still use.
        RingWrites rings = RingWrites.of(kernel.rows(), desired.rings(), readdressed);
        RingWrites previous = RingWrites.of(kernel.previousRows(), desired.previousRings(), readdressed);
        add(steps, "write previous ring slots", Table.PREVIOUS_RINGS, previous.now(), List.of());
        add(steps, "write ring slots", Table.RINGS, rings.now(), List.of());

        // QUIC ids.
        List<ByteKey> quicDeletes = new ArrayList<>();
        List<Put> quicA = new ArrayList<>();
        List<Put> quicB = new ArrayList<>();
        kernel.table(Table.QUIC_IDS).forEach((k, kv) -> {
            byte[] dv = desired.table(Table.QUIC_IDS).get(k);
            if (Arrays.equals(kv, dv)) {
                return;
            }
            if (dv == null) {
                quicDeletes.add(k);
            } else if (!readdressed.contains(BpfMap.u32(dv))) {
                quicA.add(new Put(k, dv));
            } else {
                if (kv != null && readdressed.contains(BpfMap.u32(kv))) {
                    quicDeletes.add(k);
                }
                quicB.add(new Put(k, dv));
            }
        });
        add(steps, "remove QUIC server ids", Table.QUIC_IDS.mapName(), List.of(), quicDeletes);
        add(steps, "write QUIC server ids", Table.QUIC_IDS.mapName(), quicA, List.of());

        List<ByteKey> downDeletes = new ArrayList<>();
        List<Put> downPuts = new ArrayList<>();
        diffHash(desired, kernel, Table.DOWN_REALS, downPuts, downDeletes);
        add(steps, "clear down marks", Table.DOWN_REALS.mapName(), List.of(), downDeletes);
        add(steps, "mark reals down", Table.DOWN_REALS.mapName(), downPuts, List.of());

        List<ByteKey> addrDeletes = new ArrayList<>();
        List<Put> addrPuts = new ArrayList<>();
        diffHash(desired, kernel, Table.VIP_ADDRS, addrPuts, addrDeletes);
        add(steps, "write VIP addresses", Table.VIP_ADDRS.mapName(), addrPuts, List.of());
        add(steps, "reset counters of new VIPs", Table.VIP_STATS, vipStatsResets, List.of());
        add(steps, "add and change VIPs", Table.VIP_MAP.mapName(), vipPuts, List.of());
        add(steps, "remove VIPs", Table.VIP_MAP.mapName(), List.of(), vipDeletes);
        add(steps, "remove VIP addresses", Table.VIP_ADDRS.mapName(), List.of(), addrDeletes);
        add(steps, "zero removed VIPs' ring rows", Table.RINGS, rings.removed(), List.of());
        add(steps, "zero removed VIPs' previous ring rows", Table.PREVIOUS_RINGS, previous.removed(), List.of());

        add(steps, "re-address reused real indexes", Table.REALS.mapName(), realsReaddressed, List.of());
        add(steps, "reset counters of re-addressed reals", Table.REAL_STATS, realStatsReaddressed, List.of());
        add(steps, "write ring slots of re-addressed reals", Table.RINGS, rings.afterReaddress(), List.of());
        add(
                steps,
                "write previous ring slots of re-addressed reals",
                Table.PREVIOUS_RINGS,
                previous.afterReaddress(),
                List.of());
        add(steps, "write QUIC server ids of re-addressed reals", Table.QUIC_IDS.mapName(), quicB, List.of());
        add(steps, "remove reals", Table.REALS.mapName(), realsGone, List.of());
        return new WritePlan(steps);
    }

    /**
     * The slot writes of one ring map: {@code now} (in the ring step), {@code afterReaddress} (slots that point at a
     * re-addressed real, written once it is; the old value is emptied first if it pointed at one too) and
     * {@code removed} (rows of VIPs gone, zeroed last).
     */
    private record RingWrites(List<Put> now, List<Put> afterReaddress, List<Put> removed) {
        static RingWrites of(List<KernelReading.Row> rows, Map<Integer, MaglevRing> desired, Set<Integer> readdressed) {
            RingWrites w = new RingWrites(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
            for (KernelReading.Row row : rows) {
                MaglevRing ring = desired.get(row.vipNum());
                long base = (long) row.vipNum() * DatapathConfig.RING_SIZE;
                for (int i = 0; i < row.size(); i++) {
                    int pos = row.position(i);
                    int kv = row.values()[i];
                    int dv = ring == null ? 0 : ring.realAt(pos);
                    if (kv != dv) {
                        w.slot(ByteKey.u32((int) (base + pos)), ring == null, kv, dv, readdressed);
                    }
                }
            }
            return w;
        }

        private void slot(ByteKey key, boolean rowRemoved, int kv, int dv, Set<Integer> readdressed) {
            if (rowRemoved) {
                removed.add(new Put(key, null));
            } else if (!readdressed.contains(dv)) {
                now.add(new Put(key, BpfMap.u32(dv)));
            } else {
                if (readdressed.contains(kv)) {
                    now.add(new Put(key, null));
                }
                afterReaddress.add(new Put(key, BpfMap.u32(dv)));
            }
        }
    }

    private static void diffHash(
            EncodedMaps desired, KernelReading kernel, Table table, List<Put> puts, List<ByteKey> deletes) {
        kernel.table(table).forEach((k, kv) -> {
            byte[] dv = desired.table(table).get(k);
            if (Arrays.equals(kv, dv)) {
                return;
            }
            if (dv == null) {
                deletes.add(k);
            } else {
                puts.add(new Put(k, dv));
            }
        });
    }

    /** The vip_num of a vip_map value; read raw, as a kernel value need not be one this program wrote. */
    static int vipNum(byte[] vipMeta) {
        return ByteBuffer.wrap(vipMeta).order(ByteOrder.LITTLE_ENDIAN).getInt(VipMeta.OFF_VIP_NUM);
    }

    private static void add(List<Step> steps, String name, String map, List<Put> puts, List<ByteKey> deletes) {
        if (!puts.isEmpty() || !deletes.isEmpty()) {
            steps.add(new Step(name, map, puts, deletes));
        }
    }
}
