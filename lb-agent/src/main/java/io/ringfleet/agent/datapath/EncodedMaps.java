package io.ringfleet.agent.datapath;

import io.ringfleet.agent.rings.PreviousRings;
import io.ringfleet.bpf.BpfMap;
import io.ringfleet.bpf.abi.Ctl;
import io.ringfleet.bpf.abi.DownRealKey;
import io.ringfleet.bpf.abi.HcReal;
import io.ringfleet.bpf.abi.Real;
import io.ringfleet.bpf.abi.VipKey;
import io.ringfleet.bpf.abi.VipMeta;
import io.ringfleet.state.FleetImage;
import io.ringfleet.state.FleetRings;
import io.ringfleet.state.IpAddress;
import io.ringfleet.state.MacAddress;
import io.ringfleet.state.VipImage;
import io.ringfleet.state.collect.PersistentSortedMap;
import io.ringfleet.state.maglev.MaglevRing;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the balancer's and the health-check forwarder's maps must hold for one image, as the kernel's bytes: per
 * map, key bytes to value bytes (rf_abi.h layouts), and the ring of every vip_num. Immutable; the tables are
 * persistent maps, so {@link #next} derives the maps of a later image from these by touching only what the two
 * images do not share. The one statement of image → maps: the full path is the step from {@link #EMPTY}
 * ({@link #of}), as a snapshot is published as a delta from the empty image.
 *
 * <p>Maps: {@code vip_map} (VIP key → vip_num, flags), {@code vip_addrs} (VIPs per address), {@code reals},
 * {@code ch_rings} (one row per vip_num), {@code ctl_array} (the image's gateway MAC, else the node's),
 * {@code quic_ids}, {@code down_reals} and {@code hc_reals}; with second chance ({@link
 * BalancerVariant#secondChance()}) also {@code ch_rings_prev}: each VIP's previous ring ({@link PreviousRings}, the
 * ring object that was current, never rebuilt), or its current ring while its history is empty (so the slots a
 * later change writes there are only those that change, and an unchanged slot never gives a second chance).
 */
final class EncodedMaps {
    static final byte[] DOWN_MARK = {1};

    private final EnumMap<Table, PersistentSortedMap<ByteKey, byte[]>> tables;
    private final PersistentSortedMap<Integer, MaglevRing> rings;
    private final PersistentSortedMap<Integer, MaglevRing> previousRings;
    private final PersistentSortedMap<Integer, ByteKey> vipNumOwners;

    private EncodedMaps(
            EnumMap<Table, PersistentSortedMap<ByteKey, byte[]>> tables,
            PersistentSortedMap<Integer, MaglevRing> rings,
            PersistentSortedMap<Integer, MaglevRing> previousRings,
            PersistentSortedMap<Integer, ByteKey> vipNumOwners) {
        this.tables = tables;
        this.rings = rings;
        this.previousRings = previousRings;
        this.vipNumOwners = vipNumOwners;
    }

    /** No entry in any map: what {@link #of} derives an image's maps from. */
    static final EncodedMaps EMPTY = empty();

    private static EncodedMaps empty() {
        EnumMap<Table, PersistentSortedMap<ByteKey, byte[]>> tables = new EnumMap<>(Table.class);
        for (Table table : Table.values()) {
            tables.put(table, PersistentSortedMap.empty());
        }
        return new EncodedMaps(
                tables, PersistentSortedMap.empty(), PersistentSortedMap.empty(), PersistentSortedMap.empty());
    }

    /**
     * Every entry of {@code image}'s maps (the full path: first run, resync, after a failure): the step from
     * {@link #EMPTY}, so the image → maps mapping and its fit checks are stated once, in {@link #next}.
     */
    static Next of(FleetImage image, FleetRings rings, MacAddress defaultGatewayMac, DatapathConfig config) {
        return of(image, rings, null, defaultGatewayMac, config);
    }

    /** As {@link #of(FleetImage, FleetRings, MacAddress, DatapathConfig)}, with the image's previous rings. */
    static Next of(
            FleetImage image,
            FleetRings rings,
            PreviousRings previous,
            MacAddress defaultGatewayMac,
            DatapathConfig config) {
        return EMPTY.next(FleetImage.EMPTY, image, rings, previous, defaultGatewayMac, config);
    }

    /** What {@link #next} changed: per map the keys whose desired value differs, and the ring rows that differ. */
    record Changes(
            EnumMap<Table, SortedSet<ByteKey>> keys, SortedSet<Integer> ringRows, SortedSet<Integer> previousRows) {
        SortedSet<ByteKey> keys(Table table) {
            return keys.getOrDefault(table, Collections.emptySortedSet());
        }
    }

    /** The maps of the next image, what differs from these, and what of that does not fit the maps (if anything). */
    record Next(EncodedMaps maps, Changes changes, List<String> misfits) {}

    /**
     * The maps of {@code after}, derived from these (the maps of {@code before}, with {@code defaultGatewayMac})
     * by diffing the two images' persistent maps: the cost follows what changed, not the size of the fleet.
     * Equal to {@code of(after, afterRings, defaultGatewayMac, config)}; the misfits are those of the changed
     * entries and of the tables' sizes (the unchanged entries fitted already).
     *
     * @param afterRings the rings of {@code after}
     */
    Next next(
            FleetImage before,
            FleetImage after,
            FleetRings afterRings,
            MacAddress defaultGatewayMac,
            DatapathConfig config) {
        return next(before, after, afterRings, null, defaultGatewayMac, config);
    }

    /**
     * As {@link #next(FleetImage, FleetImage, FleetRings, MacAddress, DatapathConfig)}; {@code afterPrevious} (the
     * previous rings of {@code after}) is required with a second-chance build and ignored otherwise.
     */
    Next next(
            FleetImage before,
            FleetImage after,
            FleetRings afterRings,
            PreviousRings afterPrevious,
            MacAddress defaultGatewayMac,
            DatapathConfig config) {
        if (config.variant().secondChance() && afterPrevious == null) {
            throw new IllegalArgumentException("a second-chance build needs the image's previous rings");
        }
        Builder b = new Builder(config, config.variant().secondChance() ? afterPrevious : null);
        before.vips().byNumMap().diff(after.vips().byNumMap(), (num, was, now) -> b.vip(num, was, now, afterRings));
        // A health verdict changes a ring without changing its VIP: only the ring is written.
        before.health()
                .ringExcludedMap()
                .diff(
                        after.health().ringExcludedMap(),
                        (num, was, now) -> after.vips().get(num).ifPresent(vip -> b.ring(num, vip, afterRings)));
        before.reals()
                .byIndexMap()
                .diff(
                        after.reals().byIndexMap(),
                        (index, was, now) ->
                                b.put(Table.REALS, ByteKey.u32(index), now == null ? null : real(now.address())));
        before.quicIds()
                .map()
                .diff(after.quicIds().map(), (id, was, now) -> b.quic(id, now == null ? null : now.realIndex()));
        before.healthChecks()
                .map()
                .diff(
                        after.healthChecks().map(),
                        (mark, was, now) -> b.put(
                                Table.HC_REALS, ByteKey.u32((int) (long) mark), now == null ? null : hcReal(now)));
        MacAddress mac = after.gatewayMac().orElse(defaultGatewayMac);
        b.put(Table.CTL, ByteKey.u32(Ctl.GATEWAY_MAC), mac == null ? null : ctl(mac));
        EncodedMaps maps = b.apply(this);
        b.checkSizes(maps, after);
        return new Next(maps, new Changes(b.changedKeys, b.changedRows, b.changedPreviousRows), List.copyOf(b.misfits));
    }

    /** Collects the changes of one {@link #next} step, keeping only those that differ from the current value. */
    private static final class Builder {
        private final DatapathConfig config;
        private final PreviousRings previous;
        private final EnumMap<Table, TreeMap<ByteKey, byte[]>> puts = new EnumMap<>(Table.class);
        private final TreeMap<Integer, MaglevRing> ringChanges = new TreeMap<>();
        private final TreeMap<Integer, MaglevRing> previousChanges = new TreeMap<>();
        private final TreeSet<Integer> changedPreviousRows = new TreeSet<>();
        private final TreeMap<Integer, ByteKey> ownerChanges = new TreeMap<>();
        private final List<VipImage[]> vips = new ArrayList<>();
        private final EnumMap<Table, SortedSet<ByteKey>> changedKeys = new EnumMap<>(Table.class);
        private final TreeSet<Integer> changedRows = new TreeSet<>();
        private final LinkedHashSet<String> misfits = new LinkedHashSet<>();

        /** {@code previous}: the after image's previous rings, null when the build has no ch_rings_prev. */
        Builder(DatapathConfig config, PreviousRings previous) {
            this.config = config;
            this.previous = previous;
        }

        void vip(int num, VipImage was, VipImage now, FleetRings afterRings) {
            vips.add(new VipImage[] {was, now});
            ring(num, now, afterRings);
        }

        /** The VIP's ring as {@code afterRings} holds it (null VIP: the row is cleared). */
        void ring(int num, VipImage now, FleetRings afterRings) {
            MaglevRing ring = null;
            if (now != null) {
                ring = afterRings
                        .ring(num)
                        .orElseThrow(() ->
                                new IllegalArgumentException("no ring for vip_num " + num + " (" + now.key() + ")"))
                        .ring();
                if (num >= config.maxVips()) {
                    misfits.add(Misfits.vipNum(now.key(), num, config));
                }
                if (ring.size() != DatapathConfig.RING_SIZE) {
                    misfits.add(Misfits.ringSize(ring.size()));
                }
            }
            ringChanges.put(num, ring);
            if (previous != null) {
                MaglevRing current = ring;
                previousChanges.put(num, now == null ? null : previous.ring(num).orElse(current));
            }
        }

        /**
         * vip_map, vip_addrs and down_reals of the VIPs collected by {@link #vip}: every old entry of a changed
         * VIP goes first, then the new ones are put, so a key that moves between vip_nums ends up where it is now.
         */
        private void vipTables(EncodedMaps current) {
            TreeMap<IpAddress, Integer> addressCounts = new TreeMap<>();
            for (VipImage[] v : vips) {
                if (v[0] != null) {
                    put(Table.VIP_MAP, vipKey(v[0].key()), null);
                    addressCounts.merge(v[0].key().address(), -1, Integer::sum);
                    for (int index : v[0].downReals()) {
                        put(Table.DOWN_REALS, downKey(v[0].vipNum(), index), null);
                    }
                    ownerChanges.put(v[0].vipNum(), null);
                }
            }
            for (VipImage[] v : vips) {
                if (v[1] != null) {
                    ByteKey key = vipKey(v[1].key());
                    put(Table.VIP_MAP, key, new VipMeta(v[1].flags(), v[1].vipNum()).encode());
                    addressCounts.merge(v[1].key().address(), 1, Integer::sum);
                    for (int index : v[1].downReals()) {
                        put(Table.DOWN_REALS, downKey(v[1].vipNum(), index), DOWN_MARK);
                    }
                    ownerChanges.put(v[1].vipNum(), key);
                }
            }
            addressCounts.forEach((address, delta) -> {
                ByteKey key = addressKey(address);
                byte[] was = current.table(Table.VIP_ADDRS).get(key);
                int count = (was == null ? 0 : BpfMap.u32(was)) + delta;
                put(Table.VIP_ADDRS, key, count == 0 ? null : BpfMap.u32(count));
            });
        }

        void quic(long id, Integer realIndex) {
            if (realIndex != null && id > 0xffffffffL) {
                misfits.add(Misfits.quicId(id));
            }
            put(Table.QUIC_IDS, ByteKey.u32((int) id), realIndex == null ? null : BpfMap.u32(realIndex));
        }

        /** The key's desired value is now {@code value} (null: absent); a later put of the same key wins. */
        void put(Table table, ByteKey key, byte[] value) {
            puts.computeIfAbsent(table, t -> new TreeMap<>()).put(key, value);
        }

        /** These maps with every change collected applied. */
        EncodedMaps apply(EncodedMaps current) {
            vipTables(current);
            EnumMap<Table, PersistentSortedMap<ByteKey, byte[]>> tables = new EnumMap<>(current.tables);
            puts.forEach((table, changes) -> {
                PersistentSortedMap<ByteKey, byte[]> now = tables.get(table);
                changes.entrySet().removeIf(e -> Arrays.equals(now.get(e.getKey()), e.getValue()));
                if (!changes.isEmpty()) {
                    tables.put(table, now.withChanges(changes));
                    changedKeys.computeIfAbsent(table, t -> new TreeSet<>()).addAll(changes.keySet());
                }
            });
            puts.clear();
            PersistentSortedMap<Integer, MaglevRing> rings = current.rings;
            for (Map.Entry<Integer, MaglevRing> e : ringChanges.entrySet()) {
                if (rings.get(e.getKey()) != e.getValue()) {
                    changedRows.add(e.getKey());
                }
            }
            rings = changedRows.isEmpty() ? rings : rings.withChanges(ringChanges);
            ringChanges.clear();
            PersistentSortedMap<Integer, MaglevRing> previousRings = current.previousRings;
            for (Map.Entry<Integer, MaglevRing> e : previousChanges.entrySet()) {
                if (previousRings.get(e.getKey()) != e.getValue()) {
                    changedPreviousRows.add(e.getKey());
                }
            }
            previousRings = changedPreviousRows.isEmpty() ? previousRings : previousRings.withChanges(previousChanges);
            previousChanges.clear();
            PersistentSortedMap<Integer, ByteKey> owners =
                    ownerChanges.isEmpty() ? current.vipNumOwners : current.vipNumOwners.withChanges(ownerChanges);
            ownerChanges.clear();
            return new EncodedMaps(tables, rings, previousRings, owners);
        }

        /** The table-wide limits (counts and the highest real index), checked on the resulting maps. */
        void checkSizes(EncodedMaps maps, FleetImage after) {
            SortedMap<Integer, io.ringfleet.state.Real> reals = after.reals().byIndex();
            if (!reals.isEmpty() && reals.lastKey() >= config.maxReals()) {
                misfits.add(Misfits.realIndex(
                        reals.lastKey(), reals.get(reals.lastKey()).address(), config));
            }
            misfits.addAll(Misfits.counts(
                    maps.table(Table.VIP_ADDRS).size(),
                    maps.table(Table.QUIC_IDS).size(),
                    maps.table(Table.DOWN_REALS).size(),
                    maps.table(Table.HC_REALS).size(),
                    config));
        }
    }

    /** Desired entries of one map; arrays list only non-zero entries. */
    SortedMap<ByteKey, byte[]> table(Table table) {
        return tables.get(table);
    }

    SortedMap<Integer, MaglevRing> rings() {
        return rings;
    }

    /** ch_rings_prev's rows (second-chance builds; empty otherwise). */
    SortedMap<Integer, MaglevRing> previousRings() {
        return previousRings;
    }

    /** Which vip_map key the image gives each vip_num. */
    Map<Integer, ByteKey> vipNumOwners() {
        return vipNumOwners;
    }

    /** Same entries in every map (for tests comparing step-by-step derivations with the one from empty). */
    boolean sameEntriesAs(EncodedMaps o) {
        for (Table table : Table.values()) {
            SortedMap<ByteKey, byte[]> a = table(table);
            SortedMap<ByteKey, byte[]> b = o.table(table);
            if (a.size() != b.size()) {
                return false;
            }
            for (Map.Entry<ByteKey, byte[]> e : a.entrySet()) {
                if (!Arrays.equals(e.getValue(), b.get(e.getKey()))) {
                    return false;
                }
            }
        }
        return rings.equals(o.rings) && previousRings.equals(o.previousRings) && vipNumOwners.equals(o.vipNumOwners);
    }

    private static ByteKey vipKey(io.ringfleet.state.VipKey key) {
        return ByteKey.of(
                new VipKey(inet(key.address()), key.port(), key.protocol().number()).encode());
    }

    private static ByteKey addressKey(IpAddress address) {
        return ByteKey.of(new VipKey(inet(address), 0, 0).encode());
    }

    private static ByteKey downKey(int vipNum, int realIndex) {
        return ByteKey.of(new DownRealKey(vipNum, realIndex).encode());
    }

    private static byte[] real(IpAddress address) {
        return new Real(inet(address)).encode();
    }

    private static byte[] hcReal(IpAddress address) {
        return new HcReal(inet(address)).encode();
    }

    private static byte[] ctl(MacAddress mac) {
        return new Ctl(mac.bytes()).encode();
    }

    static InetAddress inet(IpAddress address) {
        try {
            return InetAddress.getByAddress(address.bytes());
        } catch (UnknownHostException e) {
            throw new IllegalStateException("an IpAddress is 4 or 16 bytes", e);
        }
    }
}
