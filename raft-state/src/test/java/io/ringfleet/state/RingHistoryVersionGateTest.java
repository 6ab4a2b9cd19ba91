package io.ringfleet.state;

import static io.ringfleet.state.testing.Commands.addReals;
import static io.ringfleet.state.testing.Commands.addVip;
import static io.ringfleet.state.testing.Commands.finalizeVersion;
import static io.ringfleet.state.testing.Commands.removeReals;
import static io.ringfleet.state.testing.Commands.reportVersion;
import static io.ringfleet.state.testing.Commands.setHash;
import static io.ringfleet.state.testing.Commands.setSettings;
import static io.ringfleet.state.testing.Commands.setWeights;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringfleet.api.FleetRecord;
import io.ringfleet.api.FleetSettingsSpec;
import io.ringfleet.api.HashFunction;
import io.ringfleet.api.RingInputEntry;
import io.ringfleet.api.VipRealEntry;
import io.ringfleet.api.VipRingHistory;
import io.ringfleet.state.command.CommandResult;
import io.ringfleet.state.snapshot.SnapshotCodec;
import io.ringfleet.state.testing.CommandLog;
import io.ringfleet.state.testing.Commands;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Ring history is fleet version 4 ({@link FleetVersions.Rule#RING_HISTORY}): a fleet below it keeps none, so its
 * digest and snapshots are what they were before ring histories existed and replicas on older software cannot
 * diverge; ring_history_depth is refused until 4 is finalised; finalising 4 starts the history at the next ring
 * change. (The pinned digest chains of ImageAlgebraAtScaleTest, at version 1, are the ones from before ring
 * histories.)
 */
class RingHistoryVersionGateTest {
    private static final io.ringfleet.api.VipKey WEB = Commands.vip("10.200.1.1", 80, Commands.TCP);
    private static final int V4 = FleetVersions.Rule.RING_HISTORY.version();
    private static final int V3 = V4 - 1;

    /** Three ring changes of WEB, one per entry. */
    private static CommandLog churned(int fleetVersion) {
        CommandLog log = new CommandLog(FleetLimits.DEFAULT, fleetVersion);
        log.apply(addVip(WEB), addReals(WEB, "10.0.0.1=1", "10.0.0.2=1", "10.0.0.3=1"));
        log.apply(setWeights(WEB, "10.0.0.2=5"));
        log.apply(removeReals(WEB, "10.0.0.3"));
        log.apply(setHash(WEB, HashFunction.MAGLEV_V2));
        return log;
    }

    /** The same VIPs and reals as {@link #churned} in one entry: no ring ever changed. */
    private static CommandLog direct(int fleetVersion) {
        CommandLog log = new CommandLog(FleetLimits.DEFAULT, fleetVersion);
        log.apply(
                addVip(WEB),
                addReals(WEB, "10.0.0.1=1", "10.0.0.2=5", "10.0.0.3=1"),
                removeReals(WEB, "10.0.0.3"),
                setHash(WEB, HashFunction.MAGLEV_V2));
        return log;
    }

    private static VipImage web(FleetImage image) {
        return image.vips().all().iterator().next();
    }

    private static FleetSettingsSpec depth(CommandLog log, int depth) {
        return log.image().settings().settings().orElseThrow().toProto().toBuilder()
                .setRingHistoryDepth(depth)
                .build();
    }

    private static void upgradeTo4(CommandLog log) {
        for (FleetPeer peer : Commands.PEERS) {
            log.apply(reportVersion(peer.id(), V4));
        }
        log.apply(finalizeVersion(V4));
    }

    @Test
    void belowVersion4NothingIsPushedAndTheDigestIsTheStateAlone() {
        CommandLog churned = churned(V3);
        assertTrue(
                web(churned.image()).ringHistory().isEmpty(),
                web(churned.image()).toString());
        assertEquals(direct(V3).image().digestHex(), churned.image().digestHex(), "the ring changes left no trace");
        assertFalse(SnapshotCodec.toRecords(churned.image()).stream().anyMatch(FleetRecord::hasVipRingHistory));
        // Control: the same two logs at version 4 differ in their digests, so the equality above is the gate's.
        assertEquals(1, web(churned(V4).image()).ringHistory().size(), "depth 1 keeps the newest of three");
        assertNotEquals(direct(V4).image().digestHex(), churned(V4).image().digestHex());
    }

    @Test
    void ringHistoryDepthIsRefusedUntilVersion4IsFinalised() {
        CommandLog log = churned(V3);
        FleetImage before = log.image();
        CommandResult refused = log.submit(setSettings(depth(log, 2)));
        assertFalse(refused.isOk());
        String message = refused.rejection().orElseThrow().message();
        assertTrue(message.contains("ring_history_depth needs fleet version " + V4), message);
        assertTrue(message.contains(FleetVersions.Rule.RING_HISTORY.description()), message);
        assertEquals(before.digestHex(), log.image().digestHex(), "nothing applied");

        upgradeTo4(log);
        assertTrue(log.submit(setSettings(depth(log, 2))).isOk());
        assertEquals(2, log.image().settings().settings().orElseThrow().ringHistoryDepth());
    }

    @Test
    void finalisingVersion4StartsTheHistoryAtTheNextRingChange() {
        CommandLog log = churned(V3);
        upgradeTo4(log);
        assertTrue(web(log.image()).ringHistory().isEmpty(), "finalising changes no ring and pushes nothing");
        RingInput before = RingInput.of(log.image(), web(log.image()));
        log.apply(setWeights(WEB, "10.0.0.1=4"));
        assertEquals(List.of(before), web(log.image()).ringHistory());
    }

    @Test
    void aRingHistoryRecordInASnapshotBelowVersion4IsRefused() {
        FleetImage image = churned(V3).image();
        List<FleetRecord> records = new ArrayList<>(SnapshotCodec.toRecords(image));
        VipReal member = web(image).reals().get(0);
        records.add(FleetRecord.newBuilder()
                .setVipRingHistory(VipRingHistory.newBuilder()
                        .setVipNum(web(image).vipNum())
                        .addRings(RingInputEntry.newBuilder()
                                .setHashFunction(HashFunction.MAGLEV)
                                .addReals(VipRealEntry.newBuilder()
                                        .setRealIndex(member.realIndex())
                                        .setAddress(member.address().toByteString())
                                        .setWeight(1))))
                .build());
        FleetDelta delta = new FleetDelta(FleetImage.EMPTY);
        delta.replayAll(records);
        ReplayException e = assertThrows(ReplayException.class, () -> delta.apply(image.provenance()));
        assertTrue(e.getMessage().contains("below version " + V4), e.getMessage());
    }
}
