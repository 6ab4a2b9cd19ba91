package io.ringfleet.chaos.netns;

import io.ringfleet.bpf.BpfMap;
import io.ringfleet.bpf.abi.DownRealKey;
import io.ringfleet.bpf.abi.Real;
import io.ringfleet.bpf.abi.VipKey;
import io.ringfleet.bpf.abi.VipMeta;
import io.ringfleet.state.FleetImage;
import io.ringfleet.state.FleetRings;
import io.ringfleet.state.VipImage;
import io.ringfleet.state.maglev.RingDigest;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the fleet-wide maps of a balancer hold (VIPs, their rings, reals, down marks), as raw map bytes:
 * either computed from a {@link FleetImage} (what every LB should hold) or read back from one LB's kernel
 * maps (what it does hold). The node-local gateway MAC ({@code ctl_array}) and the counters are not part
 * of it. {@link #digest()} fingerprints it; equal digests on every LB mean equal forwarding decisions.
 */
public final class DatapathState {
    private static final String FORMAT = "ringfleet-datapath-digest-v1";
    /** FleetRings' digest format name. */
    private static final String RING_DIGEST_FORMAT = "ringfleet-ring-digest-v1";

    /** One VIP: its vip_map key and value, and its ch_rings row. */
    public record Vip(int vipNum, byte[] key, byte[] meta, char[] ring) {
        public Vip {
            key = key.clone();
            meta = meta.clone();
            ring = ring.clone();
        }

        @Override
        public byte[] key() {
            return key.clone();
        }

        @Override
        public byte[] meta() {
            return meta.clone();
        }

        @Override
        public char[] ring() {
            return ring.clone();
        }

        /** The VIP as text, address:port/proto. */
        public String describe() {
            VipKey k = VipKey.decode(key);
            String host = Addresses.text(k.address());
            return (host.contains(":") ? "[" + host + "]" : host) + ":" + k.port() + "/"
                    + (k.protocol() == 6 ? "tcp" : k.protocol() == 17 ? "udp" : Integer.toString(k.protocol()));
        }

        boolean sameAs(Vip o) {
            return vipNum == o.vipNum
                    && Arrays.equals(key, o.key)
                    && Arrays.equals(meta, o.meta)
                    && Arrays.equals(ring, o.ring);
        }
    }

    private final SortedMap<Integer, Vip> vips;
    private final SortedMap<Integer, byte[]> reals;
    private final SortedSet<DownRealKey> downReals;

    private DatapathState(
            SortedMap<Integer, Vip> vips, SortedMap<Integer, byte[]> reals, SortedSet<DownRealKey> downReals) {
        this.vips = Collections.unmodifiableSortedMap(vips);
        this.reals = Collections.unmodifiableSortedMap(reals);
        this.downReals = Collections.unmodifiableSortedSet(downReals);
    }

    public static final DatapathState EMPTY = new DatapathState(new TreeMap<>(), new TreeMap<>(), downSet());

    /** What every LB's maps must hold for image: rings as raft-state's {@link FleetRings} builds them. */
    public static DatapathState of(FleetImage image) {
        FleetRings rings = FleetRings.of(image, BalancerNode.RING_SIZE);
        SortedMap<Integer, Vip> vips = new TreeMap<>();
        SortedSet<DownRealKey> down = downSet();
        for (VipImage v : image.vips().all()) {
            VipKey key = new VipKey(
                    inet(v.key().address().bytes()),
                    v.key().port(),
                    v.key().protocol().number());
            byte[] meta = new VipMeta(v.flags(), v.vipNum()).encode();
            char[] ring = rings.ring(v.vipNum()).map(r -> r.ring().slots()).orElse(new char[BalancerNode.RING_SIZE]);
            vips.put(v.vipNum(), new Vip(v.vipNum(), key.encode(), meta, ring));
            for (int realIndex : v.downReals()) {
                down.add(new DownRealKey(v.vipNum(), realIndex));
            }
        }
        SortedMap<Integer, byte[]> reals = new TreeMap<>();
        for (io.ringfleet.state.Real r : image.reals().all()) {
            reals.put(r.index(), new Real(inet(r.address().bytes())).encode());
        }
        return new DatapathState(vips, reals, down);
    }

    /**
     * What one LB's kernel maps hold now: every vip_map entry with its ch_rings row, every non-zero
     * reals entry, every down_reals key.
     */
    public static DatapathState read(BalancerNode node) {
        SortedMap<Integer, byte[]> keysByNum = new TreeMap<>();
        SortedMap<Integer, byte[]> metaByNum = new TreeMap<>();
        for (BpfMap.Entry e : node.map("vip_map").entries()) {
            int num = VipMeta.decode(e.value()).vipNum();
            keysByNum.put(num, e.key());
            metaByNum.put(num, e.value());
        }
        Map<Integer, char[]> rings = new TreeMap<>();
        for (int num : keysByNum.keySet()) {
            rings.put(num, new char[BalancerNode.RING_SIZE]);
        }
        if (!rings.isEmpty()) {
            for (BpfMap.Entry e : node.map("ch_rings").entries(8192)) {
                int k = BpfMap.u32(e.key());
                char[] row = rings.get(k / BalancerNode.RING_SIZE);
                if (row != null) {
                    int real = BpfMap.u32(e.value());
                    if (real < 0 || real > 0xFFFF) {
                        throw new IllegalStateException(
                                node.lb().id() + ": ch_rings[" + k + "] = " + real + ", beyond any real index");
                    }
                    row[k % BalancerNode.RING_SIZE] = (char) real;
                }
            }
        }
        SortedMap<Integer, Vip> vips = new TreeMap<>();
        for (int num : keysByNum.keySet()) {
            vips.put(num, new Vip(num, keysByNum.get(num), metaByNum.get(num), rings.get(num)));
        }
        SortedMap<Integer, byte[]> reals = new TreeMap<>();
        for (BpfMap.Entry e : node.map("reals").entries()) {
            if (!allZero(e.value())) {
                reals.put(BpfMap.u32(e.key()), e.value());
            }
        }
        SortedSet<DownRealKey> down = downSet();
        for (byte[] k : node.map("down_reals").keys()) {
            down.add(DownRealKey.decode(k));
        }
        return new DatapathState(vips, reals, down);
    }

    public SortedMap<Integer, Vip> vips() {
        return vips;
    }

    /** Real index → rf_real bytes (non-zero entries only). */
    public SortedMap<Integer, byte[]> reals() {
        return reals;
    }

    public SortedSet<DownRealKey> downReals() {
        return downReals;
    }

    /** The real index whose rf_real holds address, or -1. */
    public int realIndexOf(InetAddress address) {
        byte[] want = new Real(address).encode();
        for (Map.Entry<Integer, byte[]> e : reals.entrySet()) {
            if (Arrays.equals(want, e.getValue())) {
                return e.getKey();
            }
        }
        return -1;
    }

    /**
     * SHA-256 over the VIPs (number, key, meta, ring digest) in VIP-number order, the non-zero reals in
     * index order and the down marks: equal on two LBs exactly when their fleet-wide maps are equal.
     */
    public byte[] digest() {
        MessageDigest sha = sha256();
        sha.update(FORMAT.getBytes(StandardCharsets.US_ASCII));
        sha.update(BpfMap.u32(vips.size()));
        for (Vip v : vips.values()) {
            sha.update(BpfMap.u32(v.vipNum()));
            sha.update(v.key);
            sha.update(v.meta);
            sha.update(RingDigest.sha256(v.ring));
        }
        sha.update(BpfMap.u32(reals.size()));
        for (Map.Entry<Integer, byte[]> e : reals.entrySet()) {
            sha.update(BpfMap.u32(e.getKey()));
            sha.update(e.getValue());
        }
        sha.update(BpfMap.u32(downReals.size()));
        for (DownRealKey d : downReals) {
            sha.update(d.encode());
        }
        return sha.digest();
    }

    public String digestHex() {
        return HexFormat.of().formatHex(digest());
    }

    /**
     * The ring digest in the format of raft-state's {@link FleetRings#digest()} (what lb-agent's ring view
     * and the fleet status report): SHA-256 over the reals (index, address) and every VIP's ring (number, ring
     * SHA-256). Computed from these bytes, so for a kernel reading it says what the LB really holds.
     */
    public byte[] ringDigest() {
        MessageDigest sha = sha256();
        byte[] format = RING_DIGEST_FORMAT.getBytes(StandardCharsets.US_ASCII);
        be32(sha, format.length);
        sha.update(format);
        be32(sha, BalancerNode.RING_SIZE);
        sha.update((byte) 'R');
        be32(sha, reals.size());
        for (Map.Entry<Integer, byte[]> e : reals.entrySet()) {
            be32(sha, e.getKey());
            byte[] address = Real.decode(e.getValue()).address().getAddress();
            be32(sha, address.length);
            sha.update(address);
        }
        sha.update((byte) 'V');
        be32(sha, vips.size());
        for (Vip v : vips.values()) {
            be32(sha, v.vipNum());
            sha.update(RingDigest.sha256(v.ring));
        }
        return sha.digest();
    }

    public String ringDigestHex() {
        return HexFormat.of().formatHex(ringDigest());
    }

    private static void be32(MessageDigest sha, int v) {
        sha.update(new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v});
    }

    /** The first 12 hex digits of the digest, for tables. */
    public String shortDigest() {
        return digestHex().substring(0, 12);
    }

    /** Ring slots of vipNum whose real differs between this state and other (a missing ring counts as zeros). */
    public int slotsDiffering(DatapathState other, int vipNum) {
        char[] a = vips.containsKey(vipNum) ? vips.get(vipNum).ring : new char[BalancerNode.RING_SIZE];
        char[] b = other.vips.containsKey(vipNum) ? other.vips.get(vipNum).ring : new char[BalancerNode.RING_SIZE];
        int n = 0;
        for (int i = 0; i < a.length; i++) {
            if (a[i] != b[i]) {
                n++;
            }
        }
        return n;
    }

    /** Slots of vipNum's ring that hold realIndex. */
    public int slotsOf(int vipNum, int realIndex) {
        Vip v = vips.get(vipNum);
        if (v == null) {
            return 0;
        }
        int n = 0;
        for (char c : v.ring) {
            if (c == realIndex) {
                n++;
            }
        }
        return n;
    }

    /**
     * Slots of vipNum that changed between this state and next, and did not involve realIndex on either side:
     * the flows that a change of realIndex moved although they were not its own.
     */
    public int slotsMovedExcept(DatapathState next, int vipNum, int realIndex) {
        char[] a = vips.containsKey(vipNum) ? vips.get(vipNum).ring : new char[BalancerNode.RING_SIZE];
        char[] b = next.vips.containsKey(vipNum) ? next.vips.get(vipNum).ring : new char[BalancerNode.RING_SIZE];
        int n = 0;
        for (int i = 0; i < a.length; i++) {
            if (a[i] != b[i] && a[i] != realIndex && b[i] != realIndex) {
                n++;
            }
        }
        return n;
    }

    boolean sameVip(DatapathState other, int vipNum) {
        Vip a = vips.get(vipNum);
        Vip b = other.vips.get(vipNum);
        return a == null ? b == null : b != null && a.sameAs(b);
    }

    private static SortedSet<DownRealKey> downSet() {
        return new TreeSet<>((x, y) -> x.vipNum() != y.vipNum()
                ? Integer.compare(x.vipNum(), y.vipNum())
                : Integer.compare(x.realIndex(), y.realIndex()));
    }

    private static boolean allZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }

    static InetAddress inet(byte[] bytes) {
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("an address is 4 or 16 bytes, got " + bytes.length, e);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform provides SHA-256", e);
        }
    }
}
