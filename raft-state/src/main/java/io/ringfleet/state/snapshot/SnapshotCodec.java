package io.ringfleet.state.snapshot;

import com.google.protobuf.ByteString;
import io.ringfleet.api.BatchAudited;
import io.ringfleet.api.DownRealMarked;
import io.ringfleet.api.FilterRuleAdded;
import io.ringfleet.api.FleetRecord;
import io.ringfleet.api.FleetSettingsSet;
import io.ringfleet.api.FleetVerdictChanged;
import io.ringfleet.api.FleetVersionFinalized;
import io.ringfleet.api.GatewayMacSet;
import io.ringfleet.api.HealthCheckMarkSet;
import io.ringfleet.api.NodeDrained;
import io.ringfleet.api.NodeVersionReported;
import io.ringfleet.api.QuicServerIdMapped;
import io.ringfleet.api.RealHealthReported;
import io.ringfleet.api.RealsAdded;
import io.ringfleet.api.RingInputEntry;
import io.ringfleet.api.SnapshotHeader;
import io.ringfleet.api.VipAdded;
import io.ringfleet.api.VipHealthCheckSet;
import io.ringfleet.api.VipRealEntry;
import io.ringfleet.api.VipRingHistory;
import io.ringfleet.state.FleetDelta;
import io.ringfleet.state.FleetImage;
import io.ringfleet.state.HealthImage;
import io.ringfleet.state.NodeDrain;
import io.ringfleet.state.Provenance;
import io.ringfleet.state.QuicMapping;
import io.ringfleet.state.ReplayException;
import io.ringfleet.state.RingInput;
import io.ringfleet.state.SettingsImage;
import io.ringfleet.state.VipImage;
import io.ringfleet.state.VipReal;
import io.ringfleet.state.filter.FilterRule;
import io.ringfleet.state.health.PairVerdict;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The image written as records, and read back by replaying them (KRaft's snapshot shape).
 *
 * <p>{@link #toRecords} lists, in a fixed order: the gateway MAC; per VIP (ascending vip_num) VipAdded,
 * RealsAdded with every member (ascending real index), DownRealMarked per down member and VipRingHistory when
 * the VIP has one (snapshot-only); health-check
 * marks; QUIC mappings; the fleet settings, node versions and finalised fleet version; drained nodes; health
 * checks, votes and verdicts (each with the log index it was logged at); the pre-filter rules (FilterRuleAdded,
 * ascending rule number, each with its number and current mode); then the
 * audit trail (BatchAudited, oldest first). Replaying them into {@link FleetImage#EMPTY} rebuilds the same
 * reals table with the same indexes and reference counts, because every reference is a record.
 *
 * <p>The byte form ({@link #write}/{@link #read}) is a {@link SnapshotHeader} then the records, each
 * length-delimited. Reading checks the format version, the record count and the state digest. Only
 * streams: files, fsync, renames and retention are the snapshot store's job.
 */
public final class SnapshotCodec {
    public static final int FORMAT_VERSION = 1;

    private SnapshotCodec() {}

    /** The image's state as records, in canonical order. */
    public static List<FleetRecord> toRecords(FleetImage image) {
        List<FleetRecord> out = new ArrayList<>();
        image.gatewayMac()
                .ifPresent(mac -> out.add(FleetRecord.newBuilder()
                        .setGatewayMacSet(GatewayMacSet.newBuilder().setMac(mac.toByteString()))
                        .build()));
        for (VipImage vip : image.vips().all()) {
            out.add(FleetRecord.newBuilder()
                    .setVipAdded(VipAdded.newBuilder()
                            .setVipNum(vip.vipNum())
                            .setAddress(vip.key().address().toByteString())
                            .setPort(vip.key().port())
                            .setProtocol(vip.key().protocol().toProto())
                            .setFlags(vip.flags())
                            .setHashFunction(vip.hashFunction().toProto()))
                    .build());
            if (vip.realCount() > 0) {
                RealsAdded.Builder reals = RealsAdded.newBuilder().setVipNum(vip.vipNum());
                for (VipReal r : vip.reals()) {
                    reals.addReals(VipRealEntry.newBuilder()
                            .setRealIndex(r.realIndex())
                            .setAddress(r.address().toByteString())
                            .setWeight(r.weight()));
                }
                out.add(FleetRecord.newBuilder().setRealsAdded(reals).build());
            }
            for (int index : vip.downReals()) {
                out.add(FleetRecord.newBuilder()
                        .setDownRealMarked(DownRealMarked.newBuilder()
                                .setVipNum(vip.vipNum())
                                .setRealIndex(index))
                        .build());
            }
            if (!vip.ringHistory().isEmpty()) {
                out.add(FleetRecord.newBuilder()
                        .setVipRingHistory(ringHistory(vip))
                        .build());
            }
        }
        for (Map.Entry<Long, io.ringfleet.state.IpAddress> e :
                image.healthChecks().all().entrySet()) {
            out.add(FleetRecord.newBuilder()
                    .setHealthCheckMarkSet(HealthCheckMarkSet.newBuilder()
                            .setSomark(e.getKey().intValue())
                            .setAddress(e.getValue().toByteString()))
                    .build());
        }
        for (QuicMapping q : image.quicIds().all()) {
            out.add(FleetRecord.newBuilder()
                    .setQuicServerIdMapped(QuicServerIdMapped.newBuilder()
                            .setServerId((int) q.serverId())
                            .setRealIndex(q.realIndex())
                            .setAddress(q.address().toByteString()))
                    .build());
        }
        settingsRecords(image, out);
        for (NodeDrain n : image.nodes().drained()) {
            out.add(FleetRecord.newBuilder()
                    .setNodeDrained(NodeDrained.newBuilder()
                            .setNodeId(n.nodeId())
                            .setReason(n.reason())
                            .setDrainedAtMillis(n.drainedAtMillis())
                            .setDrainedBy(n.drainedBy()))
                    .build());
        }
        healthRecords(image, out);
        for (FilterRule rule : image.filters().all()) {
            out.add(FleetRecord.newBuilder()
                    .setFilterRuleAdded(FilterRuleAdded.newBuilder().setRule(rule.entry()))
                    .build());
        }
        for (BatchAudited entry : image.history().all()) {
            out.add(FleetRecord.newBuilder().setBatchAudited(entry).build());
        }
        return out;
    }

    private static VipRingHistory ringHistory(VipImage vip) {
        VipRingHistory.Builder history = VipRingHistory.newBuilder().setVipNum(vip.vipNum());
        for (RingInput input : vip.ringHistory()) {
            RingInputEntry.Builder entry = RingInputEntry.newBuilder()
                    .setHashFunction(input.hashFunction().toProto());
            for (VipReal r : input.owners()) {
                entry.addReals(VipRealEntry.newBuilder()
                        .setRealIndex(r.realIndex())
                        .setAddress(r.address().toByteString())
                        .setWeight(r.weight()));
            }
            history.addRings(entry);
        }
        return history.build();
    }

    /**
     * Checks, votes, pair verdicts and VIP panics as the records that made them (after the VIPs, their members and
     * the settings they need), each with the log index it was logged at.
     */
    private static void healthRecords(FleetImage image, List<FleetRecord> out) {
        HealthImage h = image.health();
        h.checks()
                .forEach((vip, check) -> out.add(FleetRecord.newBuilder()
                        .setVipHealthCheckSet(
                                VipHealthCheckSet.newBuilder().setVipNum(vip).setCheck(check.toProto()))
                        .build()));
        h.votes()
                .forEach((key, vote) -> out.add(FleetRecord.newBuilder()
                        .setRealHealthReported(RealHealthReported.newBuilder()
                                .setNodeId(key.node())
                                .setVipNum(key.pair().vipNum())
                                .setRealIndex(key.pair().realIndex())
                                .setUp(vote.up())
                                .setAtMillis(vote.atMillis())
                                .setLogIndex(vote.logIndex()))
                        .build()));
        h.verdicts().forEach((pair, v) -> out.add(verdictRecord(pair.vipNum(), pair.realIndex(), v)));
        h.panics().forEach((vip, v) -> out.add(verdictRecord(vip, 0, v)));
    }

    private static FleetRecord verdictRecord(int vipNum, int realIndex, PairVerdict v) {
        return FleetRecord.newBuilder()
                .setFleetVerdictChanged(FleetVerdictChanged.newBuilder()
                        .setVipNum(vipNum)
                        .setRealIndex(realIndex)
                        .setDown(v.down())
                        .setVotedDown(v.votedDown())
                        .setReason(v.reason())
                        .setAtMillis(v.sinceMillis())
                        .setLogIndex(v.sinceIndex())
                        .setDampingMerit(v.merit())
                        .setMeritAtMillis(v.meritAtMillis())
                        .setHeldUntilMillis(v.heldUntilMillis())
                        .setVotesDown(v.votesDown())
                        .setVotesUp(v.votesUp())
                        .setVoters(v.voters()))
                .build();
    }

    /** The settings, the node versions and the finalised fleet version, as the records that made them. */
    private static void settingsRecords(FleetImage image, List<FleetRecord> out) {
        SettingsImage s = image.settings();
        s.settings()
                .ifPresent(settings -> out.add(FleetRecord.newBuilder()
                        .setFleetSettingsSet(FleetSettingsSet.newBuilder().setSettings(settings.toProto()))
                        .build()));
        s.nodeVersions()
                .forEach((node, version) -> out.add(FleetRecord.newBuilder()
                        .setNodeVersionReported(
                                NodeVersionReported.newBuilder().setNodeId(node).setSupportedVersion(version))
                        .build()));
        if (s.fleetVersion() > 0) {
            out.add(FleetRecord.newBuilder()
                    .setFleetVersionFinalized(FleetVersionFinalized.newBuilder().setVersion(s.fleetVersion()))
                    .build());
        }
    }

    /**
     * Replays snapshot records into an empty image.
     *
     * @throws ReplayException if the records do not make a consistent image
     */
    public static FleetImage fromRecords(List<FleetRecord> records, Provenance provenance, long stateIndex) {
        FleetDelta delta = new FleetDelta(FleetImage.EMPTY);
        delta.replayAll(records);
        return delta.apply(provenance, stateIndex);
    }

    public static SnapshotHeader header(FleetImage image, long recordCount) {
        return SnapshotHeader.newBuilder()
                .setFormatVersion(FORMAT_VERSION)
                .setTerm(image.term())
                .setIndex(image.index())
                .setStateIndex(image.stateIndex())
                .setRecordCount(recordCount)
                .setStateDigest(ByteString.copyFrom(image.digest()))
                .build();
    }

    /** Writes the header and the records to {@code out} (not closed, not flushed). */
    public static void write(FleetImage image, OutputStream out) throws IOException {
        List<FleetRecord> records = toRecords(image);
        header(image, records.size()).writeDelimitedTo(out);
        for (FleetRecord r : records) {
            r.writeDelimitedTo(out);
        }
    }

    /**
     * Reads a snapshot written by {@link #write} and replays it.
     *
     * @throws SnapshotFormatException if the stream is truncated, of another format version, or does not
     *     rebuild the image it describes
     */
    public static FleetImage read(InputStream in) throws IOException {
        try {
            return readChecked(in);
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new SnapshotFormatException("snapshot is malformed: " + e.getMessage());
        }
    }

    private static FleetImage readChecked(InputStream in) throws IOException {
        SnapshotHeader header = SnapshotHeader.parseDelimitedFrom(in);
        if (header == null) {
            throw new SnapshotFormatException("empty snapshot: no header");
        }
        if (header.getFormatVersion() != FORMAT_VERSION) {
            throw new SnapshotFormatException("snapshot format version " + header.getFormatVersion()
                    + " is not supported: this build reads version " + FORMAT_VERSION);
        }
        if (header.getTerm() < 0
                || header.getIndex() < 0
                || header.getStateIndex() < 0
                || header.getStateIndex() > header.getIndex()
                || header.getRecordCount() < 0) {
            throw new SnapshotFormatException("snapshot header is inconsistent: " + header);
        }
        FleetDelta delta = new FleetDelta(FleetImage.EMPTY);
        for (long i = 0; i < header.getRecordCount(); i++) {
            FleetRecord record = FleetRecord.parseDelimitedFrom(in);
            if (record == null) {
                throw new SnapshotFormatException(
                        "snapshot is truncated: " + i + " of " + header.getRecordCount() + " records");
            }
            try {
                delta.replay(record);
            } catch (ReplayException e) {
                throw new SnapshotFormatException("snapshot record " + i + " does not replay: " + e.getMessage());
            }
        }
        if (in.read() != -1) {
            throw new SnapshotFormatException("snapshot has data after its " + header.getRecordCount() + " records");
        }
        FleetImage image = delta.apply(new Provenance(header.getTerm(), header.getIndex()), header.getStateIndex());
        if (!Arrays.equals(image.digest(), header.getStateDigest().toByteArray())) {
            throw new SnapshotFormatException("snapshot state digest mismatch: header says "
                    + hex(header.getStateDigest().toByteArray()) + ", replayed records give " + image.digestHex());
        }
        return image;
    }

    public static byte[] encode(FleetImage image) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            write(image, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** @throws SnapshotFormatException as {@link #read} */
    public static FleetImage decode(byte[] bytes) throws SnapshotFormatException {
        try {
            return read(new ByteArrayInputStream(bytes));
        } catch (SnapshotFormatException e) {
            throw e;
        } catch (IOException e) {
            throw new SnapshotFormatException("snapshot is malformed: " + e.getMessage());
        }
    }

    private static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }
}
