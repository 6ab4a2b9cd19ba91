package io.ringfleet.state;

import io.ringfleet.state.collect.PersistentSortedMap;
import io.ringfleet.state.maglev.MaglevRing;
import io.ringfleet.state.maglev.RealHash;
import io.ringfleet.state.maglev.RingDiff;
import io.ringfleet.state.maglev.RingDigest;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The Maglev ring of every VIP of one {@link FleetImage}: a pure view derived from the image, what the BPF
 * map programmer writes into the ring map (one row per vip_num). Immutable and thread-safe.
 *
 * <p>Ring input per VIP: its members ({@link VipImage#reals()}: real index, {@link RealHash} of the
 * address, weight; weight 0 stays out of the ring), the members the fleet's health verdicts keep out
 * ({@link HealthImage#ringExcluded}: down and not in panic; {@link #ownsSlots} is the one rule), its hash function ({@code MAGLEV} is
 * {@link MaglevRing.Variant#V1}, {@code MAGLEV_V2} is V2) and the ring size of the limits.
 *
 * <p>Incremental: {@link #next(FleetImage)} (or {@link #next(FleetDelta, FleetImage)}, which looks only at
 * the VIPs the delta touched) rebuilds only the rings whose input changed and shares the others with this
 * view. {@link #changes()} lists, per vip_num, the ring before and after and the {@link RingDiff} of the
 * slots that changed: what a map writer needs to write (a removed VIP's ring diffs to all-zero slots, a new
 * one's from all-zero slots).
 *
 * <p>{@link #digest()} is a SHA-256 over the reals table (index, address) and every ring (vip_num, ring
 * SHA-256 of {@link RingDigest}), ascending: what a node's BPF maps hold, so two nodes with the same
 * digest forward every flow to the same real.
 */
public final class FleetRings {
    private static final String DIGEST_FORMAT = "ringfleet-ring-digest-v1";

    private final int ringSize;
    private final Provenance provenance;
    private final VipsImage vips;
    private final RealsImage reals;
    private final PersistentSortedMap<Integer, SortedSet<Integer>> healthExcluded;
    private final PersistentSortedMap<Integer, VipRing> rings;
    private final SortedMap<Integer, RingChange> changes;
    private final int rebuilt;
    private volatile byte[] digest;

    private FleetRings(
            int ringSize,
            Provenance provenance,
            VipsImage vips,
            RealsImage reals,
            PersistentSortedMap<Integer, SortedSet<Integer>> healthExcluded,
            PersistentSortedMap<Integer, VipRing> rings,
            SortedMap<Integer, RingChange> changes,
            int rebuilt) {
        this.ringSize = ringSize;
        this.provenance = provenance;
        this.vips = vips;
        this.reals = reals;
        this.healthExcluded = healthExcluded;
        this.rings = rings;
        this.changes = changes;
        this.rebuilt = rebuilt;
    }

    /** No VIP, no real: the view of {@link FleetImage#EMPTY}. */
    public static FleetRings empty(int ringSize) {
        MaglevRing.checkSize(ringSize);
        return new FleetRings(
                ringSize,
                Provenance.EMPTY,
                VipsImage.EMPTY,
                RealsImage.EMPTY,
                HealthImage.EMPTY.ringExcludedMap(),
                PersistentSortedMap.empty(),
                Collections.emptySortedMap(),
                0);
    }

    /** Every ring of {@code image} built from scratch; {@link #changes()} is then relative to all-zero rings. */
    public static FleetRings of(FleetImage image, int ringSize) {
        return empty(ringSize).next(image);
    }

    /** As {@link #of(FleetImage, int)} with the ring size of {@code limits}. */
    public static FleetRings of(FleetImage image, FleetLimits limits) {
        return of(image, limits.ringSize());
    }

    /**
     * The view of {@code image}, reusing this view's rings for every VIP whose ring input (members and hash
     * function) is unchanged. {@code image} may be any image (usually a later one of the same log).
     */
    public FleetRings next(FleetImage image) {
        Objects.requireNonNull(image, "image");
        PersistentSortedMap<Integer, SortedSet<Integer>> excluded =
                image.health().ringExcludedMap();
        if (image.vips() == vips && excluded == healthExcluded) {
            return unchanged(image);
        }
        // Only the VIPs that differ between the two images (skipping the subtrees their maps share): every VIP
        // of this view's image has a ring here, so the others keep theirs.
        TreeSet<Integer> touched = new TreeSet<>();
        vips.byNumMap().diff(image.vips().byNumMap(), (vipNum, before, after) -> touched.add(vipNum));
        healthExcluded.diff(excluded, (vipNum, before, after) -> touched.add(vipNum));
        Step step = new Step(image);
        touched.forEach(step::vip);
        return step.view();
    }

    private FleetRings unchanged(FleetImage image) {
        return new FleetRings(
                ringSize,
                image.provenance(),
                image.vips(),
                image.reals(),
                image.health().ringExcludedMap(),
                rings,
                Collections.emptySortedMap(),
                0);
    }

    /**
     * Whether a member owns ring slots: weight above 0 (the operator's weight 0 always wins) and not kept out by
     * the fleet's health verdict ({@code healthExcluded}: down, and its VIP not in panic). The one place the
     * ring input is decided.
     */
    static boolean ownsSlots(VipReal member, SortedSet<Integer> healthExcluded) {
        return member.weight() > 0 && !healthExcluded.contains(member.realIndex());
    }

    /** Rings rebuilt for the VIPs of one step, and what changed. */
    private final class Step {
        private final FleetImage image;
        private PersistentSortedMap<Integer, VipRing> next = rings;
        private final TreeMap<Integer, RingChange> changed = new TreeMap<>();
        private int built;

        Step(FleetImage image) {
            this.image = image;
        }

        /** The VIP under this number may have changed (absent from the image: removed). */
        void vip(int vipNum) {
            VipImage vip = image.vips().get(vipNum).orElse(null);
            SortedSet<Integer> excluded = image.health().ringExcluded(vipNum);
            VipRing before = rings.get(vipNum);
            if (vip == null) {
                if (before != null) {
                    next = next.minus(vipNum);
                    changed.put(vipNum, new RingChange(vipNum, before, null, ringSize));
                }
            } else if (before == null || !before.hasInputOf(vip, excluded)) {
                VipRing after = build(vip, excluded);
                built++;
                next = next.plus(vipNum, after);
                changed.put(vipNum, new RingChange(vipNum, before, after, ringSize));
            }
        }

        FleetRings view() {
            return new FleetRings(
                    ringSize,
                    image.provenance(),
                    image.vips(),
                    image.reals(),
                    image.health().ringExcludedMap(),
                    next,
                    changed.isEmpty() ? Collections.emptySortedMap() : Collections.unmodifiableSortedMap(changed),
                    built);
        }
    }

    /**
     * The view of {@code image} = {@code delta.apply(...)}, looking only at the VIPs the delta touched. If the
     * delta does not start from the image this view was made of, falls back to {@link #next(FleetImage)}.
     */
    public FleetRings next(FleetDelta delta, FleetImage image) {
        Objects.requireNonNull(delta, "delta");
        Objects.requireNonNull(image, "image");
        if (delta.image().vips() != vips || delta.image().health().ringExcludedMap() != healthExcluded) {
            return next(image);
        }
        Optional<VipsDelta> vipsDelta = delta.vipsDelta();
        Optional<HealthDelta> healthDelta = delta.healthDelta();
        if (vipsDelta.isEmpty() && healthDelta.isEmpty()) {
            return unchanged(image);
        }
        TreeSet<Integer> touched = new TreeSet<>();
        vipsDelta.ifPresent(d -> touched.addAll(d.touchedVipNums()));
        healthDelta.ifPresent(d -> touched.addAll(d.touchedVips()));
        Step step = new Step(image);
        touched.forEach(step::vip);
        return step.view();
    }

    private VipRing build(VipImage vip, SortedSet<Integer> excluded) {
        RingInput input = RingInput.of(vip, excluded);
        for (VipReal r : input.owners()) {
            if (r.realIndex() > MaglevRing.MAX_REAL_INDEX) {
                throw new IllegalStateException("real index " + r.realIndex() + " of vip " + vip.key()
                        + " does not fit a ring slot (at most " + MaglevRing.MAX_REAL_INDEX + "): lower maxReals");
            }
        }
        return new VipRing(vip.vipNum(), vip.hashFunction(), vip.reals(), excluded, input.ring(ringSize));
    }

    public int ringSize() {
        return ringSize;
    }

    /**
     * Whether this view was made of {@code image}'s very VIPs and reals (the same objects, as the images of Raft's
     * own entries share them): then its rings and digest are {@code image}'s, whatever the provenance.
     */
    public boolean isOf(FleetImage image) {
        return image.vips() == vips && image.reals() == reals && image.health().ringExcludedMap() == healthExcluded;
    }

    /** Provenance of the image this view was made of. */
    public Provenance provenance() {
        return provenance;
    }

    /** Every VIP's ring, ascending vip_num. */
    public SortedMap<Integer, VipRing> rings() {
        return rings;
    }

    public Optional<VipRing> ring(int vipNum) {
        return Optional.ofNullable(rings.get(vipNum));
    }

    /** Rings that differ from the view this one was made from (by vip_num); empty for an unchanged step. */
    public SortedMap<Integer, RingChange> changes() {
        return changes;
    }

    /** How many rings this step built (the others were shared with the previous view). */
    public int rebuilt() {
        return rebuilt;
    }

    /** SHA-256 over the reals table and every ring (see the class comment). A fresh copy each call. */
    public byte[] digest() {
        byte[] d = digest;
        if (d == null) {
            d = computeDigest();
            digest = d;
        }
        return d.clone();
    }

    public String digestHex() {
        return HexFormat.of().formatHex(digest());
    }

    private byte[] computeDigest() {
        MessageDigest sha = sha256();
        byte[] format = DIGEST_FORMAT.getBytes(StandardCharsets.US_ASCII);
        ByteBuffer buf = ByteBuffer.allocate(1 << 14);
        buf.putInt(format.length).put(format).putInt(ringSize).put((byte) 'R').putInt(reals.size());
        for (Real r : reals.all()) {
            byte[] address = r.address().bytesView();
            buf = room(sha, buf, 8 + address.length);
            buf.putInt(r.index()).putInt(address.length).put(address);
        }
        buf = room(sha, buf, 5);
        buf.put((byte) 'V').putInt(rings.size());
        for (VipRing ring : rings.values()) {
            byte[] d = ring.ringDigestView();
            buf = room(sha, buf, 4 + d.length);
            buf.putInt(ring.vipNum()).put(d);
        }
        sha.update(buf.array(), 0, buf.position());
        return sha.digest();
    }

    /** {@code buf}, emptied into the digest first if it has no room for {@code n} more bytes. */
    private static ByteBuffer room(MessageDigest sha, ByteBuffer buf, int n) {
        if (buf.remaining() < n) {
            sha.update(buf.array(), 0, buf.position());
            buf.clear();
        }
        return buf;
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }

    @Override
    public String toString() {
        return "FleetRings{" + provenance + ", ringSize=" + ringSize + ", vips=" + rings.size() + ", changed="
                + changes.keySet() + ", rebuilt=" + rebuilt + "}";
    }

    /** One VIP's ring and the input it was built from. Immutable. */
    public static final class VipRing {
        private final int vipNum;
        private final HashFunction hashFunction;
        private final List<VipReal> members;
        private final SortedSet<Integer> healthExcluded;
        private final MaglevRing ring;
        private volatile byte[] ringDigest;

        VipRing(
                int vipNum,
                HashFunction hashFunction,
                List<VipReal> members,
                SortedSet<Integer> healthExcluded,
                MaglevRing ring) {
            this.vipNum = vipNum;
            this.hashFunction = hashFunction;
            this.members = members;
            this.healthExcluded = healthExcluded;
            this.ring = ring;
        }

        /** The members the fleet's health verdicts kept out of this ring, ascending real index. */
        public SortedSet<Integer> healthExcluded() {
            return healthExcluded;
        }

        public int vipNum() {
            return vipNum;
        }

        public HashFunction hashFunction() {
            return hashFunction;
        }

        /** The members the ring was built from, ascending real index (weight-0 members included). */
        public List<VipReal> members() {
            return members;
        }

        public MaglevRing ring() {
            return ring;
        }

        /** SHA-256 of the ring's slots ({@link RingDigest}). A fresh copy each call. */
        public byte[] ringDigest() {
            return ringDigestView().clone();
        }

        byte[] ringDigestView() {
            byte[] d = ringDigest;
            if (d == null) {
                d = RingDigest.sha256(ring);
                ringDigest = d;
            }
            return d;
        }

        boolean hasInputOf(VipImage vip, SortedSet<Integer> excluded) {
            return hashFunction == vip.hashFunction()
                    && (members == vip.reals() || members.equals(vip.reals()))
                    && healthExcluded.equals(excluded);
        }

        @Override
        public String toString() {
            return "VipRing#" + vipNum + "{" + hashFunction + ", members=" + members.size() + ", " + ring + "}";
        }
    }

    /**
     * A ring that changed between two views: before (absent for a new VIP), after (absent for a removed one)
     * and the slots to write, computed on first use.
     */
    public static final class RingChange {
        private final int vipNum;
        private final VipRing before;
        private final VipRing after;
        private final int ringSize;
        private volatile RingDiff diff;

        RingChange(int vipNum, VipRing before, VipRing after, int ringSize) {
            this.vipNum = vipNum;
            this.before = before;
            this.after = after;
            this.ringSize = ringSize;
        }

        public int vipNum() {
            return vipNum;
        }

        public Optional<VipRing> before() {
            return Optional.ofNullable(before);
        }

        public Optional<VipRing> after() {
            return Optional.ofNullable(after);
        }

        /** The slots whose real changed (a missing side counts as all-zero slots). */
        public RingDiff diff() {
            RingDiff d = diff;
            if (d == null) {
                MaglevRing older = before == null ? MaglevRing.empty(ringSize) : before.ring();
                MaglevRing newer = after == null ? MaglevRing.empty(ringSize) : after.ring();
                d = RingDiff.between(older, newer);
                diff = d;
            }
            return d;
        }

        @Override
        public String toString() {
            return "RingChange#" + vipNum + "{" + (before == null ? "added" : after == null ? "removed" : "changed")
                    + "}";
        }
    }
}
