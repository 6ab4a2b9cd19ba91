package io.ringfleet.state;

import com.google.protobuf.ByteString;
import io.ringfleet.api.DownRealCleared;
import io.ringfleet.api.DownRealMarked;
import io.ringfleet.api.FleetRecord;
import io.ringfleet.api.FleetVerdictChanged;
import io.ringfleet.api.QuicServerIdMapped;
import io.ringfleet.api.RealHealthReported;
import io.ringfleet.api.RealWeight;
import io.ringfleet.api.RealWeightChanged;
import io.ringfleet.api.RealsAdded;
import io.ringfleet.api.RealsRemoved;
import io.ringfleet.api.RingInputEntry;
import io.ringfleet.api.VipAdded;
import io.ringfleet.api.VipRealEntry;
import io.ringfleet.api.VipRingHistory;
import io.ringfleet.state.filter.FilterRule;
import io.ringfleet.state.health.PairVerdict;
import io.ringfleet.state.health.PairVote;
import io.ringfleet.state.health.RealPair;
import io.ringfleet.state.health.VipHealthCheck;
import io.ringfleet.state.health.VoteKey;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The changes between an image and the next one, built by replaying records (Kafka KRaft's MetadataDelta
 * shape). Sub-deltas are created lazily, only for the domains a record touches; {@link #apply} makes the
 * next image and reuses the base's sub-images that did not change.
 *
 * <p>Replay is pure and deterministic: no clock, no randomness, no IO; whatever it iterates is sorted (hash
 * sets and maps serve only membership checks and lookups).
 * Records carry every allocated identifier; replay only checks that they fit (a {@link ReplayException}
 * otherwise) and never allocates.
 *
 * <p>Cascades done by replay (and so never written as separate records): removing a VIP drops its
 * memberships and down marks; removing a member drops its down mark; a real index is freed with its last
 * reference (VIP membership or QUIC mapping).
 *
 * <p>Not thread-safe while being built. Once {@link #apply} was called the delta is frozen: publishers
 * may read it from any thread, and replaying more records throws.
 */
public final class FleetDelta {
    private final FleetImage base;
    private final List<FleetRecord> records = new ArrayList<>();
    private VipsDelta vips;
    private RealsDelta reals;
    private HealthChecksDelta healthChecks;
    private QuicIdsDelta quicIds;
    private NodesDelta nodes;
    private boolean gatewayMacChanged;
    private MacAddress gatewayMac;
    private SettingsImage settings;
    private HealthDelta health;
    private FilterDelta filters;
    private HistoryImage history;
    private boolean frozen;
    private boolean ringHistoryReplayed;
    /**
     * Real references a removal gave up in this entry, released at {@link #apply} after the ring history took its
     * own (fleet version 4): a real removed by this entry keeps its index through the entry, so a real added later in
     * the same entry never gets the index the pushed history names.
     */
    private final List<Integer> deferredReleases = new ArrayList<>();

    private boolean broken;

    public FleetDelta(FleetImage base) {
        this.base = Objects.requireNonNull(base, "base");
    }

    /** The image this delta starts from. */
    public FleetImage image() {
        return base;
    }

    /** State records replayed so far, in order (audit-trail records are not among them: {@link #historyAfter}). */
    public List<FleetRecord> records() {
        return Collections.unmodifiableList(records);
    }

    /** True when no record was replayed. */
    public boolean isEmpty() {
        return records.isEmpty();
    }

    public Optional<VipsDelta> vipsDelta() {
        return Optional.ofNullable(vips);
    }

    public Optional<RealsDelta> realsDelta() {
        return Optional.ofNullable(reals);
    }

    public Optional<HealthChecksDelta> healthChecksDelta() {
        return Optional.ofNullable(healthChecks);
    }

    public Optional<QuicIdsDelta> quicIdsDelta() {
        return Optional.ofNullable(quicIds);
    }

    public Optional<NodesDelta> nodesDelta() {
        return Optional.ofNullable(nodes);
    }

    /** The new gateway MAC, if a record set it. */
    public Optional<MacAddress> gatewayMacChange() {
        return gatewayMacChanged ? Optional.of(gatewayMac) : Optional.empty();
    }

    public Optional<HealthDelta> healthDelta() {
        return Optional.ofNullable(health);
    }

    public Optional<FilterDelta> filtersDelta() {
        return Optional.ofNullable(filters);
    }

    /** The settings domain after this delta, if a record changed it. */
    public Optional<SettingsImage> settingsChange() {
        return Optional.ofNullable(settings);
    }

    public void replayAll(Iterable<FleetRecord> batch) {
        for (FleetRecord r : batch) {
            replay(r);
        }
    }

    /**
     * Folds one record into the delta.
     *
     * @throws ReplayException if the record does not fit the state (corrupt log or a bug)
     * @throws IllegalStateException if the delta was already applied
     */
    public void replay(FleetRecord record) {
        if (frozen) {
            throw new IllegalStateException("the delta was applied; start a new delta from its image");
        }
        if (broken) {
            throw new IllegalStateException("an earlier record failed to replay; this delta is unusable");
        }
        if (record.getKindCase() == FleetRecord.KindCase.BATCH_AUDITED) {
            audit(record);
            return;
        }
        try {
            dispatch(record);
        } catch (ReplayException | IllegalArgumentException e) {
            broken = true;
            throw new ReplayException("record " + records.size() + " (" + record.getKindCase() + ") over image at "
                    + base.provenance() + " does not replay: " + e.getMessage());
        }
        records.add(record);
    }

    /**
     * Adds an audit-trail entry to the history. It is not a state record: it is kept out of {@link #records()},
     * so it moves neither the state index nor what publishers program.
     */
    private void audit(FleetRecord record) {
        try {
            history = historyAfter().plus(record.getBatchAudited());
        } catch (ReplayException e) {
            broken = true;
            throw new ReplayException(
                    "audit record over image at " + base.provenance() + " does not replay: " + e.getMessage());
        }
    }

    /** The history after the audit records so far. */
    public HistoryImage historyAfter() {
        return history == null ? base.history() : history;
    }

    private void dispatch(FleetRecord record) {
        switch (record.getKindCase()) {
            case VIP_ADDED:
                vipAdded(record.getVipAdded());
                break;
            case VIP_REMOVED:
                vipRemoved(record.getVipRemoved().getVipNum());
                break;
            case VIP_FLAGS_CHANGED:
                putVip(vip(record.getVipFlagsChanged().getVipNum())
                        .withFlags(record.getVipFlagsChanged().getFlags()));
                break;
            case VIP_HASH_FUNCTION_CHANGED:
                putVip(vip(record.getVipHashFunctionChanged().getVipNum())
                        .withHashFunction(HashFunction.fromProto(
                                record.getVipHashFunctionChanged().getHashFunction())));
                break;
            case REALS_ADDED:
                realsAdded(record.getRealsAdded());
                break;
            case REALS_REMOVED:
                realsRemoved(record.getRealsRemoved());
                break;
            case REAL_WEIGHT_CHANGED:
                realWeightChanged(record.getRealWeightChanged());
                break;
            case HEALTH_CHECK_MARK_SET:
                healthChecks()
                        .set(
                                somark(record.getHealthCheckMarkSet().getSomark()),
                                address(record.getHealthCheckMarkSet().getAddress()));
                break;
            case HEALTH_CHECK_MARK_REMOVED:
                healthChecks().remove(somark(record.getHealthCheckMarkRemoved().getSomark()));
                break;
            case QUIC_SERVER_ID_MAPPED:
                quicMapped(record.getQuicServerIdMapped());
                break;
            case QUIC_SERVER_ID_UNMAPPED:
                quicUnmapped(
                        Integer.toUnsignedLong(record.getQuicServerIdUnmapped().getServerId()));
                break;
            case NODE_DRAINED:
                nodes().drain(new NodeDrain(
                        record.getNodeDrained().getNodeId(),
                        record.getNodeDrained().getReason(),
                        record.getNodeDrained().getDrainedAtMillis(),
                        record.getNodeDrained().getDrainedBy()));
                break;
            case NODE_UNDRAINED:
                nodes().undrain(record.getNodeUndrained().getNodeId());
                break;
            case GATEWAY_MAC_SET:
                gatewayMac = MacAddress.fromBytes(record.getGatewayMacSet().getMac());
                gatewayMacChanged = true;
                break;
            case DOWN_REAL_MARKED:
                downRealMarked(record.getDownRealMarked());
                break;
            case DOWN_REAL_CLEARED:
                downRealCleared(record.getDownRealCleared());
                break;
            case FLEET_SETTINGS_SET:
                settings = settingsAfter()
                        .withSettings(
                                FleetSettings.of(record.getFleetSettingsSet().getSettings()));
                dropVotesOfNonPeers();
                break;
            case NODE_VERSION_REPORTED:
                settings = settingsAfter()
                        .withNodeVersion(
                                record.getNodeVersionReported().getNodeId(),
                                record.getNodeVersionReported().getSupportedVersion());
                break;
            case FLEET_VERSION_FINALIZED:
                settings = settingsAfter()
                        .withFleetVersion(record.getFleetVersionFinalized().getVersion());
                break;
            case VIP_RING_HISTORY:
                vipRingHistory(record.getVipRingHistory());
                break;
            case VIP_HEALTH_CHECK_SET:
                vip(record.getVipHealthCheckSet().getVipNum());
                health().setCheck(
                                record.getVipHealthCheckSet().getVipNum(),
                                VipHealthCheck.fromProto(
                                        record.getVipHealthCheckSet().getCheck()));
                break;
            case VIP_HEALTH_CHECK_REMOVED:
                health().removeCheck(record.getVipHealthCheckRemoved().getVipNum());
                break;
            case REAL_HEALTH_REPORTED:
                realHealthReported(record.getRealHealthReported());
                break;
            case FLEET_VERDICT_CHANGED:
                fleetVerdictChanged(record.getFleetVerdictChanged());
                break;
            case FILTER_RULE_ADDED:
                filters().add(FilterRule.of(record.getFilterRuleAdded().getRule()));
                break;
            case FILTER_RULE_REMOVED:
                filters().remove(record.getFilterRuleRemoved().getRuleNum());
                break;
            case FILTER_RULE_MODE_CHANGED:
                filters()
                        .setMode(
                                record.getFilterRuleModeChanged().getRuleNum(),
                                record.getFilterRuleModeChanged().getMode());
                break;
            case KIND_NOT_SET:
            default:
                throw new ReplayException("the record has no kind set (written by a newer version?)");
        }
    }

    private void vipAdded(VipAdded r) {
        int num = r.getVipNum();
        VipKey key = new VipKey(address(r.getAddress()), port(r.getPort()), Protocol.fromProto(r.getProtocol()));
        if (currentVip(num).isPresent()) {
            throw new ReplayException("vip_num " + num + " is already in use by "
                    + currentVip(num).get().key());
        }
        Optional<Integer> taken = vips().numOf(key);
        if (taken.isPresent()) {
            throw new ReplayException("vip " + key + " already exists as vip_num " + taken.get());
        }
        putVip(VipImage.create(num, key, r.getFlags(), HashFunction.fromProto(r.getHashFunction())));
    }

    private void realHealthReported(RealHealthReported r) {
        member(r.getVipNum(), r.getRealIndex());
        health().vote(
                        new VoteKey(new RealPair(r.getVipNum(), r.getRealIndex()), r.getNodeId()),
                        new PairVote(r.getUp(), r.getAtMillis(), r.getLogIndex()));
    }

    private void fleetVerdictChanged(FleetVerdictChanged r) {
        PairVerdict v = new PairVerdict(
                r.getDown(),
                r.getVotedDown(),
                r.getReason(),
                r.getLogIndex(),
                r.getAtMillis(),
                r.getDampingMerit(),
                r.getMeritAtMillis(),
                r.getHeldUntilMillis(),
                r.getVotesDown(),
                r.getVotesUp(),
                r.getVoters());
        if (r.getRealIndex() == 0) {
            vip(r.getVipNum());
            health().panic(r.getVipNum(), v);
        } else {
            member(r.getVipNum(), r.getRealIndex());
            health().verdict(new RealPair(r.getVipNum(), r.getRealIndex()), v);
        }
    }

    private void member(int vipNum, int realIndex) {
        VipImage vip = vip(vipNum);
        if (vip.real(realIndex).isEmpty()) {
            throw new ReplayException("real index " + realIndex + " is not in vip " + vip.key());
        }
    }

    /** Votes of nodes the settings no longer list go: a node that leaves stops counting (and voting). */
    private void dropVotesOfNonPeers() {
        FleetSettings now = settingsAfter().settings().orElseThrow();
        TreeSet<String> gone = new TreeSet<>();
        for (VoteKey k : healthAfter().votes().keySet()) {
            if (!now.hasPeer(k.node())) {
                gone.add(k.node());
            }
        }
        gone.forEach(node -> health().dropNode(node));
    }

    private void vipRemoved(int num) {
        VipImage vip = vip(num);
        if (healthAfter().check(num).isPresent()) {
            health().dropVip(num);
        }
        for (VipReal member : vip.reals()) {
            releaseReal(member.realIndex());
        }
        releaseHistory(vip.ringHistory());
        vips().remove(num);
    }

    private void realsAdded(RealsAdded r) {
        VipImage vip = vip(r.getVipNum());
        List<VipReal> added = new ArrayList<>(r.getRealsCount());
        HashSet<Integer> seen = new HashSet<>();
        for (VipRealEntry e : r.getRealsList()) {
            if (vip.real(e.getRealIndex()).isPresent() || !seen.add(e.getRealIndex())) {
                throw new ReplayException("real index " + e.getRealIndex() + " is already in vip " + vip.key());
            }
            IpAddress address = address(e.getAddress());
            if (vip.key().isV6() && address.isV4()) {
                throw new ReplayException("IPv4 real " + address + " in IPv6 vip " + vip.key());
            }
            added.add(new VipReal(e.getRealIndex(), address, e.getWeight()));
        }
        for (VipReal member : added) {
            reals().retain(member.realIndex(), member.address());
        }
        putVip(vip.withReals(added));
    }

    private void realsRemoved(RealsRemoved r) {
        VipImage vip = vip(r.getVipNum());
        HashSet<Integer> seen = new HashSet<>();
        for (int index : r.getRealIndexesList()) {
            if (vip.real(index).isEmpty() || !seen.add(index)) {
                throw new ReplayException("real index " + index + " is not in vip " + vip.key());
            }
        }
        for (int index : r.getRealIndexesList()) {
            releaseReal(index);
            if (healthAfter().check(vip.vipNum()).isPresent()) {
                health().dropPair(new RealPair(vip.vipNum(), index));
            }
        }
        putVip(vip.withoutReals(r.getRealIndexesList()));
    }

    private void realWeightChanged(RealWeightChanged r) {
        VipImage vip = vip(r.getVipNum());
        TreeMap<Integer, Integer> weights = new TreeMap<>();
        for (RealWeight w : r.getWeightsList()) {
            if (vip.real(w.getRealIndex()).isEmpty()) {
                throw new ReplayException("real index " + w.getRealIndex() + " is not in vip " + vip.key());
            }
            weights.put(w.getRealIndex(), w.getWeight());
        }
        putVip(vip.withWeights(weights));
    }

    private void quicMapped(QuicServerIdMapped r) {
        long id = serverId(r.getServerId());
        QuicMapping mapping = new QuicMapping(id, r.getRealIndex(), address(r.getAddress()));
        Optional<QuicMapping> previous = quicIds().get(id);
        reals().retain(mapping.realIndex(), mapping.address());
        previous.ifPresent(p -> reals().release(p.realIndex()));
        quicIds().put(mapping);
    }

    private void quicUnmapped(long id) {
        QuicMapping previous =
                quicIds().get(id).orElseThrow(() -> new ReplayException("quic server id " + id + " is not mapped"));
        reals().release(previous.realIndex());
        quicIds().remove(id);
    }

    private void downRealMarked(DownRealMarked r) {
        VipImage vip = vip(r.getVipNum());
        if (vip.real(r.getRealIndex()).isEmpty()) {
            throw new ReplayException("real index " + r.getRealIndex() + " is not in vip " + vip.key());
        }
        putVip(vip.withDown(r.getRealIndex(), true));
    }

    /** Snapshot-only: the VIP's ring history is exactly the record's (newest first). */
    private void vipRingHistory(VipRingHistory r) {
        VipImage vip = vip(r.getVipNum());
        if (r.getRingsCount() > FleetSettings.MAX_RING_HISTORY_DEPTH) {
            throw new ReplayException("vip " + vip.key() + " has " + r.getRingsCount()
                    + " ring history entries, more than ring_history_depth allows (at most "
                    + FleetSettings.MAX_RING_HISTORY_DEPTH + ")");
        }
        List<RingInput> history = new ArrayList<>(r.getRingsCount());
        for (RingInputEntry e : r.getRingsList()) {
            List<VipReal> owners = new ArrayList<>(e.getRealsCount());
            for (VipRealEntry m : e.getRealsList()) {
                owners.add(new VipReal(m.getRealIndex(), address(m.getAddress()), m.getWeight()));
            }
            history.add(new RingInput(HashFunction.fromProto(e.getHashFunction()), owners));
        }
        releaseHistory(vip.ringHistory());
        for (RingInput input : history) {
            for (VipReal owner : input.owners()) {
                reals().retain(owner.realIndex(), owner.address());
            }
        }
        putVip(vip.withRingHistory(history));
        ringHistoryReplayed = true;
    }

    /**
     * Gives up a VIP membership's reference on a real: at once below fleet version 4, else at {@link #apply}, after
     * the ring history took its references (so the index is not handed out again within this entry).
     */
    private void releaseReal(int index) {
        if (ringHistoryDepth(settingsAfter()) == 0) {
            reals().release(index);
        } else {
            deferredReleases.add(index);
        }
    }

    /** Gives up the references a VIP's ring history holds (each entry holds one on each of its owners). */
    private void releaseHistory(List<RingInput> history) {
        for (RingInput input : history) {
            for (VipReal owner : input.owners()) {
                releaseReal(owner.realIndex());
            }
        }
    }

    private void downRealCleared(DownRealCleared r) {
        VipImage vip = vip(r.getVipNum());
        if (!vip.isDown(r.getRealIndex())) {
            throw new ReplayException("real index " + r.getRealIndex() + " is not marked down in vip " + vip.key());
        }
        putVip(vip.withDown(r.getRealIndex(), false));
    }

    /**
     * The next image, at {@code provenance}. Its state index is {@code provenance.index()} if any record
     * was replayed, else the base's. Freezes the delta.
     */
    public FleetImage apply(Provenance provenance) {
        return apply(provenance, records.isEmpty() ? base.stateIndex() : provenance.index());
    }

    /** The next image with an explicit state index (snapshot loading). Freezes the delta. */
    public FleetImage apply(Provenance provenance, long stateIndex) {
        if (broken) {
            throw new IllegalStateException("an earlier record failed to replay; this delta is unusable");
        }
        if (provenance.index() < base.index()) {
            throw new IllegalArgumentException(
                    "the next image's index " + provenance.index() + " is below the base image's " + base.index());
        }
        frozen = true;
        int depth = ringHistoryDepth(settingsAfter());
        if (depth == 0 && ringHistoryReplayed) {
            broken = true;
            throw new ReplayException("a VipRingHistory record in a fleet below version "
                    + FleetVersions.Rule.RING_HISTORY.version() + " (" + FleetVersions.Rule.RING_HISTORY.description()
                    + "): only a snapshot of a version " + FleetVersions.Rule.RING_HISTORY.version()
                    + " fleet carries one");
        }
        checkFilterVersion();
        int baseDepth = ringHistoryDepth(base.settings());
        List<RingInput> entered = new ArrayList<>();
        List<RingInput> left = new ArrayList<>();
        if (depth < baseDepth) {
            vips().trimHistories(depth, left);
        }
        HealthImage healthAfter = health == null ? base.health() : health.apply(provenance.index());
        // The entry that finalises version 4 pushes nothing: histories start with the next entry's ring changes.
        VipsImage vipsAfter = vipsWithRingHistory(baseDepth == 0 ? 0 : depth, healthAfter, entered, left);
        settleRealReferences(entered, left);
        return new FleetImage(
                provenance,
                stateIndex,
                vipsAfter,
                reals == null ? base.reals() : reals.apply(),
                healthChecks == null ? base.healthChecks() : healthChecks.apply(),
                quicIds == null ? base.quicIds() : quicIds.apply(),
                nodes == null ? base.nodes() : nodes.apply(),
                gatewayMacChanged ? gatewayMac : base.gatewayMac().orElse(null),
                settingsAfter(),
                healthAfter,
                filtersAfter(),
                historyAfter());
    }

    /**
     * Pre-filter rules exist only in a fleet at version 5: validation refuses the commands below it, so a rule in a
     * fleet below (a snapshot or log that says otherwise) is a corrupt log or a bug.
     */
    private void checkFilterVersion() {
        if (filters != null
                && !filtersAfter().isEmpty()
                && FleetVersions.inForce(settingsAfter().fleetVersion()) < FleetVersions.Rule.PRE_FILTER.version()) {
            broken = true;
            throw new ReplayException("pre-filter rules in a fleet below version "
                    + FleetVersions.Rule.PRE_FILTER.version() + " (" + FleetVersions.Rule.PRE_FILTER.description()
                    + "): only a version " + FleetVersions.Rule.PRE_FILTER.version() + " fleet holds them");
        }
    }

    /** The VIPs after this entry, with the ring inputs it changed pushed onto their histories. */
    private VipsImage vipsWithRingHistory(
            int depth, HealthImage healthAfter, List<RingInput> entered, List<RingInput> left) {
        if (depth == 0) {
            return vips == null ? base.vips() : vips.current();
        }
        TreeSet<Integer> verdictChanged = new TreeSet<>();
        base.health().ringExcludedMap().diff(healthAfter.ringExcludedMap(), (num, was, now) -> verdictChanged.add(num));
        if (vips == null && verdictChanged.isEmpty()) {
            return base.vips();
        }
        return vips().apply(depth, verdictChanged, base.health(), healthAfter, entered, left);
    }

    /**
     * A ring history entry holds a reference on each real it names, so a real that left a VIP stays in the reals
     * table (index and address, hence in the datapath's {@code reals} map for second chance) and its index is not
     * reused while a history names it. References are taken first, then given up: a real both pushed and removed
     * by this entry is never freed in between.
     */
    private void settleRealReferences(List<RingInput> entered, List<RingInput> left) {
        for (RingInput input : entered) {
            for (VipReal owner : input.owners()) {
                reals().retain(owner.realIndex(), owner.address());
            }
        }
        for (RingInput input : left) {
            for (VipReal owner : input.owners()) {
                reals().release(owner.realIndex());
            }
        }
        for (int index : deferredReleases) {
            reals().release(index);
        }
    }

    // ---- the state after the records so far ----
    // Each is O(1) and immutable: the base's sub-image for a domain no record touched, else an image that
    // shares every untouched node with the base's. A validator reads these to check each command of a batch
    // against the state left by the commands before it, without building a FleetImage per command.

    /** The VIPs as they stand after the records replayed so far. */
    public VipsImage vipsAfter() {
        return vips == null ? base.vips() : vips.current();
    }

    /** The reals table as it stands after the records replayed so far. */
    public RealsImage realsAfter() {
        return reals == null ? base.reals() : reals.current();
    }

    /** The health-check destinations as they stand after the records replayed so far. */
    public HealthChecksImage healthChecksAfter() {
        return healthChecks == null ? base.healthChecks() : healthChecks.current();
    }

    /** The QUIC mappings as they stand after the records replayed so far. */
    public QuicIdsImage quicIdsAfter() {
        return quicIds == null ? base.quicIds() : quicIds.current();
    }

    /** The node drains as they stand after the records replayed so far. */
    public NodesImage nodesAfter() {
        return nodes == null ? base.nodes() : nodes.current();
    }

    /** The gateway MAC after the records replayed so far. */
    public Optional<MacAddress> gatewayMacAfter() {
        return gatewayMacChanged ? Optional.of(gatewayMac) : base.gatewayMac();
    }

    /** The health domain after the records replayed so far (live entries not stamped with their index yet). */
    public HealthImage healthAfter() {
        return health == null ? base.health() : health.current();
    }

    /** The pre-filter rules after the records replayed so far. */
    public FilterImage filtersAfter() {
        return filters == null ? base.filters() : filters.current();
    }

    /** The settings domain after the records replayed so far. */
    public SettingsImage settingsAfter() {
        return settings == null ? base.settings() : settings;
    }

    // ---- helpers ----

    /** 0 below fleet version 4 ({@link FleetVersions.Rule#RING_HISTORY}): no history is kept, none is pushed. */
    private static int ringHistoryDepth(SettingsImage settings) {
        if (FleetVersions.inForce(settings.fleetVersion()) < FleetVersions.Rule.RING_HISTORY.version()) {
            return 0;
        }
        return settings.settings()
                .map(FleetSettings::ringHistoryDepth)
                .orElse(FleetSettings.DEFAULT_RING_HISTORY_DEPTH);
    }

    private Optional<VipImage> currentVip(int num) {
        return vips == null ? base.vips().get(num) : vips.after(num);
    }

    private VipImage vip(int num) {
        return currentVip(num).orElseThrow(() -> new ReplayException("vip_num " + num + " is not in use"));
    }

    private void putVip(VipImage vip) {
        vips().put(vip);
    }

    private VipsDelta vips() {
        if (vips == null) {
            vips = new VipsDelta(base.vips());
        }
        return vips;
    }

    private RealsDelta reals() {
        if (reals == null) {
            reals = new RealsDelta(base.reals());
        }
        return reals;
    }

    private HealthChecksDelta healthChecks() {
        if (healthChecks == null) {
            healthChecks = new HealthChecksDelta(base.healthChecks());
        }
        return healthChecks;
    }

    private QuicIdsDelta quicIds() {
        if (quicIds == null) {
            quicIds = new QuicIdsDelta(base.quicIds());
        }
        return quicIds;
    }

    private HealthDelta health() {
        if (health == null) {
            health = new HealthDelta(base.health());
        }
        return health;
    }

    private FilterDelta filters() {
        if (filters == null) {
            filters = new FilterDelta(base.filters());
        }
        return filters;
    }

    private NodesDelta nodes() {
        if (nodes == null) {
            nodes = new NodesDelta(base.nodes());
        }
        return nodes;
    }

    private static IpAddress address(ByteString bytes) {
        return IpAddress.fromBytes(bytes);
    }

    private static int port(int port) {
        if (port < 0 || port > 65535) {
            throw new ReplayException("port " + Integer.toUnsignedString(port) + " is not 0..65535");
        }
        return port;
    }

    private static long somark(int somark) {
        long mark = Integer.toUnsignedLong(somark);
        if (mark == 0) {
            throw new ReplayException("somark 0 is not a mark");
        }
        return mark;
    }

    private static long serverId(int serverId) {
        long id = Integer.toUnsignedLong(serverId);
        if (id == 0) {
            throw new ReplayException("quic server id 0 is not an id");
        }
        return id;
    }
}
