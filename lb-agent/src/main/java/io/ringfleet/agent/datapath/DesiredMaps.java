package io.ringfleet.agent.datapath;

import io.ringfleet.state.FleetImage;
import io.ringfleet.state.FleetRings;
import io.ringfleet.state.IpAddress;
import io.ringfleet.state.MacAddress;
import io.ringfleet.state.QuicMapping;
import io.ringfleet.state.Real;
import io.ringfleet.state.VipImage;
import io.ringfleet.state.VipKey;
import io.ringfleet.state.maglev.MaglevRing;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the balancer's and the health-check forwarder's maps must hold for one image: a pure function of the
 * image and its rings. Immutable; every collection sorted, so equal images give equal values.
 *
 * <p>Maps: {@code vip_map} ({@link #vips()}), {@code vip_addrs} ({@link #vipAddresses()}: VIPs per address),
 * {@code reals}, {@code ch_rings} ({@link #rings()}: one row per vip_num), {@code ctl_array} (the gateway MAC),
 * {@code quic_ids}, {@code down_reals} and {@code hc_reals} ({@link #healthChecks()}).
 */
public final class DesiredMaps {
    /** A vip_map value: the VIP's number (ring row, stats index) and its Katran flag bits. */
    public record VipEntry(int vipNum, int flags) {}

    /** A down_reals key: a real of a UDP-flow-migration VIP marked down. */
    public record DownReal(int vipNum, int realIndex) implements Comparable<DownReal> {
        private static final Comparator<DownReal> ORDER =
                Comparator.comparingInt(DownReal::vipNum).thenComparingInt(DownReal::realIndex);

        @Override
        public int compareTo(DownReal o) {
            return ORDER.compare(this, o);
        }
    }

    public static final DesiredMaps EMPTY = new DesiredMaps(new TreeMap<>(), new TreeMap<>(), new TreeMap<>(),
            new TreeMap<>(), null, new TreeMap<>(), new TreeSet<>(), new TreeMap<>());

    private final SortedMap<VipKey, VipEntry> vips;
    private final SortedMap<IpAddress, Integer> vipAddresses;
    private final SortedMap<Integer, IpAddress> reals;
    private final SortedMap<Integer, MaglevRing> rings;
    private final MacAddress gatewayMac;
    private final SortedMap<Long, Integer> quicIds;
    private final SortedSet<DownReal> downReals;
    private final SortedMap<Long, IpAddress> healthChecks;

    private DesiredMaps(SortedMap<VipKey, VipEntry> vips, SortedMap<IpAddress, Integer> vipAddresses,
                        SortedMap<Integer, IpAddress> reals, SortedMap<Integer, MaglevRing> rings, MacAddress gatewayMac,
                        SortedMap<Long, Integer> quicIds, SortedSet<DownReal> downReals,
                        SortedMap<Long, IpAddress> healthChecks) {
        this.vips = Collections.unmodifiableSortedMap(vips);
        this.vipAddresses = Collections.unmodifiableSortedMap(vipAddresses);
        this.reals = Collections.unmodifiableSortedMap(reals);
        this.rings = Collections.unmodifiableSortedMap(rings);
        this.gatewayMac = gatewayMac;
        this.quicIds = Collections.unmodifiableSortedMap(quicIds);
        this.downReals = Collections.unmodifiableSortedSet(downReals);
        this.healthChecks = Collections.unmodifiableSortedMap(healthChecks);
    }

    /** The maps of {@code image} with its rings as raft-state computes them ({@code rings} made of that image). */
    public static DesiredMaps of(FleetImage image, FleetRings rings, MacAddress defaultGatewayMac) {
        Objects.requireNonNull(rings, "rings");
        TreeMap<Integer, MaglevRing> byNum = new TreeMap<>();
        rings.rings().forEach((num, r) -> byNum.put(num, r.ring()));
        return of(image, byNum, defaultGatewayMac);
    }

    /**
     * The maps of {@code image}.
     *
     * @param rings              vip_num to ring: one for every VIP of the image (extra ones are ignored)
     * @param defaultGatewayMac  written to ctl_array while the image has no gateway MAC; may be null (then zeros)
     * @throws IllegalArgumentException when a VIP has no ring, or rings differ in size
     */
    public static DesiredMaps of(FleetImage image, SortedMap<Integer, MaglevRing> rings, MacAddress defaultGatewayMac) {
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(rings, "rings");
        TreeMap<VipKey, VipEntry> vips = new TreeMap<>();
        TreeMap<IpAddress, Integer> addresses = new TreeMap<>();
        TreeMap<Integer, MaglevRing> vipRings = new TreeMap<>();
        TreeSet<DownReal> down = new TreeSet<>();
        int ringSize = -1;
        for (VipImage vip : image.vips().all()) {
            vips.put(vip.key(), new VipEntry(vip.vipNum(), vip.flags()));
            addresses.merge(vip.key().address(), 1, Integer::sum);
            MaglevRing ring = rings.get(vip.vipNum());
            if (ring == null) {
                throw new IllegalArgumentException("no ring for vip_num " + vip.vipNum() + " (" + vip.key() + ")");
            }
            if (ringSize >= 0 && ring.size() != ringSize) {
                throw new IllegalArgumentException("rings must all have one size, got " + ringSize + " and "
                        + ring.size() + " (vip_num " + vip.vipNum() + ")");
            }
            ringSize = ring.size();
            vipRings.put(vip.vipNum(), ring);
            for (int index : vip.downReals()) {
                down.add(new DownReal(vip.vipNum(), index));
            }
        }
        TreeMap<Integer, IpAddress> reals = new TreeMap<>();
        for (Real r : image.reals().all()) {
            reals.put(r.index(), r.address());
        }
        TreeMap<Long, Integer> quic = new TreeMap<>();
        for (QuicMapping q : image.quicIds().all()) {
            quic.put(q.serverId(), q.realIndex());
        }
        MacAddress mac = image.gatewayMac().orElse(defaultGatewayMac);
        return new DesiredMaps(vips, addresses, reals, vipRings, mac, quic, down,
                new TreeMap<>(image.healthChecks().all()));
    }

    /** vip_map: VIP key to (vip_num, flags), ascending key. */
    public SortedMap<VipKey, VipEntry> vips() {
        return vips;
    }

    /** vip_addrs: every address with at least one VIP, and how many. */
    public SortedMap<IpAddress, Integer> vipAddresses() {
        return vipAddresses;
    }

    /** reals: real index to address; absent indexes are all-zero entries ("no real"). */
    public SortedMap<Integer, IpAddress> reals() {
        return reals;
    }

    /** ch_rings: vip_num to its ring; rows of other vip_nums are all zero. */
    public SortedMap<Integer, MaglevRing> rings() {
        return rings;
    }

    /** ctl_array's gateway MAC; empty: zeros. */
    public Optional<MacAddress> gatewayMac() {
        return Optional.ofNullable(gatewayMac);
    }

    /** quic_ids: server id to real index. */
    public SortedMap<Long, Integer> quicIds() {
        return quicIds;
    }

    public SortedSet<DownReal> downReals() {
        return downReals;
    }

    /** hc_reals: SO_MARK to the address marked packets are encapsulated to. */
    public SortedMap<Long, IpAddress> healthChecks() {
        return healthChecks;
    }

    /**
     * What does not fit maps opened with {@code config}: one line per problem, empty when everything fits.
     * Checked before anything is written, so a misfit changes nothing in the kernel.
     */
    public List<String> misfits(DatapathConfig config) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<VipKey, VipEntry> v : vips.entrySet()) {
            if (v.getValue().vipNum() >= config.maxVips()) {
                out.add(vipNumMisfit(v.getKey(), v.getValue().vipNum(), config));
            }
        }
        for (MaglevRing ring : rings.values()) {
            if (ring.size() != DatapathConfig.RING_SIZE) {
                out.add(ringSizeMisfit(ring.size()));
                break;
            }
        }
        if (!reals.isEmpty() && reals.lastKey() >= config.maxReals()) {
            out.add(realIndexMisfit(reals.lastKey(), reals.get(reals.lastKey()), config));
        }
        for (long id : quicIds.keySet()) {
            if (id > 0xffffffffL) {
                out.add(quicIdMisfit(id));
            }
        }
        out.addAll(countMisfits(vipAddresses.size(), quicIds.size(), downReals.size(), healthChecks.size(), config));
        return out;
    }

    static String vipNumMisfit(VipKey key, int vipNum, DatapathConfig config) {
        return "vip " + key + " has vip_num " + vipNum + ", the maps hold 0.." + (config.maxVips() - 1);
    }

    static String ringSizeMisfit(int size) {
        return "rings have " + size + " slots, the balancer " + DatapathConfig.RING_SIZE;
    }

    static String realIndexMisfit(int index, IpAddress address, DatapathConfig config) {
        return "real index " + index + " (" + address + ") is beyond the reals map's 0.." + (config.maxReals() - 1);
    }

    static String quicIdMisfit(long id) {
        return "QUIC server id " + id + " does not fit 32 bits";
    }

    /** The limits on how many entries a map holds (and whether the health-check forwarder is there at all). */
    static List<String> countMisfits(int vipAddresses, int quicIds, int downReals, int healthChecks,
                                     DatapathConfig config) {
        List<String> out = new ArrayList<>();
        if (vipAddresses > config.maxVipAddresses()) {
            out.add(vipAddresses + " VIP addresses, vip_addrs holds " + config.maxVipAddresses());
        }
        if (quicIds > config.maxQuicIds()) {
            out.add(quicIds + " QUIC server ids, quic_ids holds " + config.maxQuicIds());
        }
        if (downReals > config.maxDownReals()) {
            out.add(downReals + " down reals, down_reals holds " + config.maxDownReals());
        }
        if (healthChecks > 0 && !config.healthCheck()) {
            out.add(healthChecks + " health-check destinations, but the health-check forwarder is not loaded");
        }
        if (healthChecks > config.maxHealthCheckDsts()) {
            out.add(healthChecks + " health-check destinations, hc_reals holds " + config.maxHealthCheckDsts());
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DesiredMaps d && vips.equals(d.vips) && vipAddresses.equals(d.vipAddresses)
                && reals.equals(d.reals) && rings.equals(d.rings) && Objects.equals(gatewayMac, d.gatewayMac)
                && quicIds.equals(d.quicIds) && downReals.equals(d.downReals) && healthChecks.equals(d.healthChecks);
    }

    @Override
    public int hashCode() {
        return Objects.hash(vips, vipAddresses, reals, rings, gatewayMac, quicIds, downReals, healthChecks);
    }

    @Override
    public String toString() {
        return "DesiredMaps{vips=" + vips.size() + ", reals=" + reals.size() + ", rings=" + rings.size() + ", mac="
                + gatewayMac + ", quicIds=" + quicIds.size() + ", downReals=" + downReals.size() + ", healthChecks="
                + healthChecks.size() + "}";
    }
}
