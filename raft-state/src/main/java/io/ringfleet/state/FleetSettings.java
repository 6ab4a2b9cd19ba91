package io.ringfleet.state;

import com.google.protobuf.Descriptors.FieldDescriptor;
import io.ringfleet.api.FleetSettingsSpec;
import io.ringfleet.api.PeerSpec;
import io.ringfleet.state.health.FleetHealthSettings;
import io.ringfleet.state.raft.RaftTimings;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * The fleet's settings as the log holds them: the limits validation reads (never a node's local config), the
 * default hash function, the ring size (always {@link FleetLimits#RING_SIZE}) and the peers (id and control
 * addresses, which the address policy keeps VIPs off).
 *
 * <p>The canonical form is the protobuf {@link FleetSettingsSpec} (peers ascending by id): records carry it,
 * the digest hashes it, and {@link #differences} compares it field by field through the descriptor. A later
 * setting is one field of {@code FleetSettingsSpec} and, if it has a range, one check in {@link #of}.
 */
public final class FleetSettings {
    /** Previous ring inputs a VIP keeps by default (field 0: unset). */
    public static final int DEFAULT_RING_HISTORY_DEPTH = 1;
    /** Upper bound of {@code ring_history_depth}: each kept input is a ring the agents may rebuild. */
    public static final int MAX_RING_HISTORY_DEPTH = 8;

    private final FleetSettingsSpec spec;
    private final FleetLimits limits;
    private final List<FleetPeer> peers;
    private final FleetHealthSettings health;
    private final RaftTimings raftTimings;

    private FleetSettings(
            FleetSettingsSpec spec,
            FleetLimits limits,
            List<FleetPeer> peers,
            FleetHealthSettings health,
            RaftTimings raftTimings) {
        this.spec = spec;
        this.limits = limits;
        this.peers = peers;
        this.health = health;
        this.raftTimings = raftTimings;
    }

    /**
     * The settings a spec describes, peers put in ascending id order.
     *
     * @throws IllegalArgumentException one line naming the setting and what is allowed
     */
    public static FleetSettings of(FleetSettingsSpec spec) {
        Objects.requireNonNull(spec, "spec");
        if (spec.getRingSize() != FleetLimits.RING_SIZE) {
            throw new IllegalArgumentException("ring_size must be " + FleetLimits.RING_SIZE
                    + " (the datapath's RF_RING_SIZE), got " + spec.getRingSize());
        }
        if (spec.getMaxVips() > FleetLimits.MAX_VIPS || spec.getMaxReals() > FleetLimits.MAX_REALS) {
            // Unsigned in the proto: a value above the int range must not wrap into the builder's range.
            throw new IllegalArgumentException("max_vips must be 1.." + FleetLimits.MAX_VIPS + " and max_reals "
                    + FleetLimits.MIN_REALS + ".." + FleetLimits.MAX_REALS + ", got " + spec.getMaxVips() + " and "
                    + Integer.toUnsignedString(spec.getMaxReals()));
        }
        if (spec.getRingHistoryDepth() > MAX_RING_HISTORY_DEPTH || spec.getRingHistoryDepth() < 0) {
            throw new IllegalArgumentException("ring_history_depth must be 1.." + MAX_RING_HISTORY_DEPTH
                    + " (0 means the default, " + DEFAULT_RING_HISTORY_DEPTH + "), got "
                    + Integer.toUnsignedString(spec.getRingHistoryDepth()));
        }
        FleetLimits limits = FleetLimits.builder()
                .maxVips(spec.getMaxVips())
                .maxReals(spec.getMaxReals())
                .maxHealthCheckDsts(spec.getMaxHealthCheckDsts())
                .maxQuicServerId(spec.getMaxQuicServerId())
                .defaultHashFunction(HashFunction.fromProto(spec.getDefaultHashFunction()))
                .build();
        List<FleetPeer> peers = peers(spec.getPeersList());
        FleetHealthSettings health = health(spec);
        RaftTimings raftTimings = raftTimings(spec);
        FleetSettingsSpec.Builder canonical = spec.toBuilder().clearPeers();
        peers.forEach(p -> canonical.addPeers(p.toProto()));
        writeRaftTimings(canonical, raftTimings);
        return new FleetSettings(canonical.build(), limits, Collections.unmodifiableList(peers), health, raftTimings);
    }

    /** Fields 18-21 (0 / false = the default of each), checked by {@link RaftTimings#of}'s rules. */
    private static RaftTimings raftTimings(FleetSettingsSpec spec) {
        RaftTimings d = RaftTimings.DEFAULT;
        try {
            return RaftTimings.of(
                    millisOr(spec.getElectionTimeoutMinMs(), d.electionTimeoutMin()),
                    millisOr(spec.getElectionTimeoutMaxMs(), d.electionTimeoutMax()),
                    millisOr(spec.getRaftRequestTimeoutMs(), d.requestTimeout()),
                    !spec.getPreVoteOff());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("raft timings: " + e.getMessage(), e);
        }
    }

    private static Duration millisOr(int unsignedMillis, Duration fallback) {
        return unsignedMillis == 0 ? fallback : Duration.ofMillis(Integer.toUnsignedLong(unsignedMillis));
    }

    /**
     * The canonical form of the timings: a value equal to the default is written as 0 (false), so a config with the
     * default timings seeds the same settings, and the same digest, as software from before fleet version 4.
     */
    private static void writeRaftTimings(FleetSettingsSpec.Builder b, RaftTimings t) {
        RaftTimings d = RaftTimings.DEFAULT;
        b.setElectionTimeoutMinMs(millisUnlessDefault(t.electionTimeoutMin(), d.electionTimeoutMin()))
                .setElectionTimeoutMaxMs(millisUnlessDefault(t.electionTimeoutMax(), d.electionTimeoutMax()))
                .setRaftRequestTimeoutMs(millisUnlessDefault(t.requestTimeout(), d.requestTimeout()))
                .setPreVoteOff(!t.preVote());
    }

    private static int millisUnlessDefault(Duration value, Duration fallback) {
        return value.equals(fallback) ? 0 : (int) value.toMillis(); // at most 60 s: RaftTimings' range
    }

    /** The Raft timings of the fleet (defaults where the spec holds 0). Ratis takes them only at a node's start. */
    public RaftTimings raftTimings() {
        return raftTimings;
    }

    /** Whether any Raft timing differs from the default: those need fleet version 4. */
    public boolean setsRaftTimings() {
        return !raftTimings.equals(RaftTimings.DEFAULT);
    }

    /** Fields 8-11 (0 = the default of each), checked by {@link FleetHealthSettings}'s rules. */
    private static FleetHealthSettings health(FleetSettingsSpec spec) {
        FleetHealthSettings d = FleetHealthSettings.DEFAULTS;
        if (spec.getHealthQuorum() < 0
                || spec.getHealthPanicPercent() < 0
                || spec.getHealthFlapLimit() < 0
                || spec.getHealthHalfLifeMs() < 0) {
            throw new IllegalArgumentException("health settings are unsigned 32-bit (half-life 63-bit) values");
        }
        return new FleetHealthSettings(
                spec.getHealthQuorum(),
                spec.getHealthPanicPercent() == 0 ? d.panicPercent() : spec.getHealthPanicPercent(),
                spec.getHealthFlapLimit() == 0 ? d.flapLimit() : spec.getHealthFlapLimit(),
                spec.getHealthHalfLifeMs() == 0 ? d.halfLifeMillis() : spec.getHealthHalfLifeMs());
    }

    /** The health-verdict settings (defaults where the spec holds 0). */
    public FleetHealthSettings health() {
        return health;
    }

    /** Whether any health setting is set (not all left at 0): those need fleet version 3. */
    public boolean setsHealth() {
        return spec.getHealthQuorum() != 0
                || spec.getHealthPanicPercent() != 0
                || spec.getHealthFlapLimit() != 0
                || spec.getHealthHalfLifeMs() != 0;
    }

    /**
     * The spec of {@code limits} and {@code peers} (what a node's config seeds a bootstrap with). The ring size is
     * always {@link FleetLimits#RING_SIZE}: other sizes exist only in the pure core's ring tests.
     */
    public static FleetSettings of(FleetLimits limits, List<FleetPeer> peers) {
        return of(limits, peers, RaftTimings.DEFAULT);
    }

    /** {@link #of(FleetLimits, List)} with the Raft timings of a node's config (written as 0 where default). */
    public static FleetSettings of(FleetLimits limits, List<FleetPeer> peers, RaftTimings raftTimings) {
        FleetSettingsSpec.Builder b = FleetSettingsSpec.newBuilder()
                .setMaxVips(limits.maxVips())
                .setMaxReals(limits.maxReals())
                .setMaxHealthCheckDsts(limits.maxHealthCheckDsts())
                .setMaxQuicServerId(limits.maxQuicServerId())
                .setDefaultHashFunction(limits.defaultHashFunction().toProto())
                .setRingSize(FleetLimits.RING_SIZE);
        peers.forEach(p -> b.addPeers(p.toProto()));
        writeRaftTimings(b, raftTimings);
        return of(b.build());
    }

    private static List<FleetPeer> peers(List<PeerSpec> specs) {
        if (specs.isEmpty()) {
            throw new IllegalArgumentException("peers is empty: list every peer of the fleet (id and addresses)");
        }
        List<FleetPeer> peers = new ArrayList<>();
        for (PeerSpec p : specs) {
            peers.add(FleetPeer.fromProto(p));
        }
        peers.sort(Comparator.comparing(FleetPeer::id));
        for (int i = 1; i < peers.size(); i++) {
            if (peers.get(i).id().equals(peers.get(i - 1).id())) {
                throw new IllegalArgumentException("peer id " + peers.get(i).id() + " is listed twice");
            }
        }
        return peers;
    }

    public FleetSettingsSpec toProto() {
        return spec;
    }

    /** How many previous ring inputs each VIP keeps: 1..{@value #MAX_RING_HISTORY_DEPTH}. */
    public int ringHistoryDepth() {
        int depth = spec.getRingHistoryDepth();
        return depth == 0 ? DEFAULT_RING_HISTORY_DEPTH : depth;
    }

    public FleetLimits limits() {
        return limits;
    }

    /** Ascending id. */
    public List<FleetPeer> peers() {
        return peers;
    }

    public boolean hasPeer(String id) {
        return peers.stream().anyMatch(p -> p.id().equals(id));
    }

    /** Canonical bytes: the spec's protobuf encoding (scalars and messages only, so one encoding). */
    public byte[] encoding() {
        return spec.toByteArray();
    }

    /** SHA-256 of {@link #encoding()}: what a node reports as its settings digest. */
    public byte[] digest() {
        try {
            return MessageDigest.getInstance("SHA-256").digest(encoding());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }

    public String digestHex() {
        return HexFormat.of().formatHex(digest());
    }

    /**
     * The settings that differ between these and {@code other}, as "name: mine X, other Y" joined by "; "
     * (peers compared as a whole); empty when equal. {@code mine}/{@code theirs} label the two sides.
     */
    public String differences(FleetSettings other, String mine, String theirs) {
        List<String> out = new ArrayList<>();
        for (FieldDescriptor f : FleetSettingsSpec.getDescriptor().getFields()) {
            Object a = spec.getField(f);
            Object b = other.spec.getField(f);
            if (!a.equals(b)) {
                out.add(f.getName() + ": " + mine + " " + show(f, a) + ", " + theirs + " " + show(f, b));
            }
        }
        return String.join("; ", out);
    }

    /** A value as a difference shows it: a Raft timing left at 0 says which default that is. */
    private static String show(FieldDescriptor field, Object value) {
        RaftTimings d = RaftTimings.DEFAULT;
        String shown = show(value);
        return switch (field.getNumber()) {
            case FleetSettingsSpec.ELECTION_TIMEOUT_MIN_MS_FIELD_NUMBER ->
                defaultNoted(shown, value, d.electionTimeoutMin().toMillis() + " ms");
            case FleetSettingsSpec.ELECTION_TIMEOUT_MAX_MS_FIELD_NUMBER ->
                defaultNoted(shown, value, d.electionTimeoutMax().toMillis() + " ms");
            case FleetSettingsSpec.RAFT_REQUEST_TIMEOUT_MS_FIELD_NUMBER ->
                defaultNoted(shown, value, d.requestTimeout().toMillis() + " ms");
            case FleetSettingsSpec.PRE_VOTE_OFF_FIELD_NUMBER -> defaultNoted(shown, value, "pre-vote on");
            default -> shown;
        };
    }

    private static String defaultNoted(String shown, Object value, String defaultValue) {
        boolean unset = value.equals(0) || value.equals(false);
        return unset ? shown + " (default: " + defaultValue + ")" : shown;
    }

    private static String show(Object value) {
        if (value instanceof List<?> list) {
            List<String> ids = new ArrayList<>();
            for (Object o : list) {
                PeerSpec p = (PeerSpec) o;
                ids.add(p.getId() + "(" + p.getRaftAddress() + "," + p.getApiAddress() + "," + p.getMetricsAddress()
                        + ")");
            }
            return ids.toString();
        }
        return String.valueOf(value);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FleetSettings s && spec.equals(s.spec);
    }

    @Override
    public int hashCode() {
        return spec.hashCode();
    }

    @Override
    public String toString() {
        return "FleetSettings{" + limits + ", peers=" + peers + "}";
    }
}
