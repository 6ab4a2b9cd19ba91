package io.ringfleet.state;

import static io.ringfleet.state.testing.Commands.addReals;
import static io.ringfleet.state.testing.Commands.addVip;
import static io.ringfleet.state.testing.Commands.modifyFlags;
import static io.ringfleet.state.testing.Commands.removeReals;
import static io.ringfleet.state.testing.Commands.removeVip;
import static io.ringfleet.state.testing.Commands.setHash;
import static io.ringfleet.state.testing.Commands.setSettings;
import static io.ringfleet.state.testing.Commands.setWeights;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringfleet.api.FleetRecord;
import io.ringfleet.api.FleetSettingsSpec;
import io.ringfleet.state.snapshot.SnapshotCodec;
import io.ringfleet.state.testing.CommandLog;
import io.ringfleet.state.testing.Commands;
import io.ringfleet.state.testing.HealthFleet;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A VIP's ring history: the ring inputs of its last ring changes, pushed once per log entry by replay, in
 * the digest and in snapshots, from fleet version 4 ({@link FleetVersions.Rule#RING_HISTORY}; below it, {@link
 * RingHistoryVersionGateTest}). Expected histories are the inputs the image had at earlier entries.
 */
class RingHistoryTest {
    private static final io.ringfleet.api.VipKey WEB = Commands.vip("10.200.1.1", 80, Commands.TCP);
    static final int V4 = FleetVersions.Rule.RING_HISTORY.version();

    private static CommandLog logWithWeb() {
        CommandLog log = new CommandLog(FleetLimits.DEFAULT, V4);
        log.apply(addVip(WEB), addReals(WEB, "10.0.0.1=1", "10.0.0.2=1", "10.0.0.3=1"));
        return log;
    }

    private static VipImage web(FleetImage image) {
        return image.vips()
                .get(new VipKey(IpAddress.parse("10.200.1.1"), 80, Protocol.TCP))
                .orElseThrow();
    }

    private static RingInput input(FleetImage image) {
        return RingInput.of(image, web(image));
    }

    private static FleetSettingsSpec depth(CommandLog log, int depth) {
        return log.image().settings().settings().orElseThrow().toProto().toBuilder()
                .setRingHistoryDepth(depth)
                .build();
    }

    @Test
    void aNewVipHasNoHistory() {
        assertTrue(web(logWithWeb().image()).ringHistory().isEmpty());
    }

    @Test
    void aWeightChangeLeavesThePreviousInput() {
        CommandLog log = logWithWeb();
        RingInput before = input(log.image());
        VipImage after = web(log.apply(setWeights(WEB, "10.0.0.2=5")));
        assertNotEquals(before, input(log.image()));
        assertEquals(List.of(before), after.ringHistory());
    }

    @Test
    void addRemoveAndWeightInOneEntryPushOnce() {
        CommandLog log = logWithWeb();
        RingInput before = input(log.image());
        VipImage after = web(
                log.apply(addReals(WEB, "10.0.0.4=1"), removeReals(WEB, "10.0.0.1"), setWeights(WEB, "10.0.0.3=7")));
        assertEquals(List.of(before), after.ringHistory());
    }

    @Test
    void removalAndAdditionEachPushTheInputBeforeThem() {
        CommandLog log = logWithWeb();
        RingInput first = input(log.image());
        RingInput second = input(log.apply(removeReals(WEB, "10.0.0.1")));
        VipImage third = web(log.apply(addReals(WEB, "10.0.0.9=2")));
        assertEquals(List.of(second), third.ringHistory(), "depth 1 keeps only the newest");
        assertNotEquals(first, second);
    }

    @Test
    void aChangeOutsideTheRingInputPushesNothing() {
        CommandLog log = logWithWeb();
        log.apply(setWeights(WEB, "10.0.0.2=5"));
        List<RingInput> history = web(log.image()).ringHistory();
        // Flags are not a ring input; a weight-0 member owns no slots, so adding and removing it is no change.
        log.apply(modifyFlags(WEB, VipFlags.LRU_BYPASS, 0));
        log.apply(addReals(WEB, "10.0.0.8=0"));
        VipImage after = web(log.apply(removeReals(WEB, "10.0.0.8")));
        assertEquals(history, after.ringHistory());
    }

    @Test
    void aHashFunctionChangeIsARingChange() {
        CommandLog log = logWithWeb();
        RingInput before = input(log.image());
        VipImage after = web(log.apply(setHash(WEB, io.ringfleet.api.HashFunction.MAGLEV_V2)));
        assertEquals(List.of(before), after.ringHistory());
    }

    @Test
    void theDepthSettingKeepsTheLastInputsNewestFirst() {
        CommandLog log = logWithWeb();
        log.apply(setSettings(depth(log, 3)));
        List<RingInput> seen = new ArrayList<>();
        for (int w = 2; w <= 6; w++) {
            seen.add(0, input(log.image()));
            log.apply(setWeights(WEB, "10.0.0.1=" + w));
        }
        assertEquals(seen.subList(0, 3), web(log.image()).ringHistory());

        VipImage lowered = web(log.apply(setSettings(depth(log, 1))));
        assertEquals(seen.subList(0, 1), lowered.ringHistory(), "lowering the depth cuts every history");
    }

    @Test
    void aDepthOutsideItsRangeIsRefusedWithTheRule() {
        CommandLog log = logWithWeb();
        FleetImage before = log.image();
        var result = log.submit(setSettings(depth(log, FleetSettings.MAX_RING_HISTORY_DEPTH + 1)));
        assertFalse(result.isOk());
        String message = result.rejection().orElseThrow().message();
        assertTrue(message.contains("ring_history_depth must be 1.." + FleetSettings.MAX_RING_HISTORY_DEPTH), message);
        assertEquals(before.digestHex(), log.image().digestHex(), "nothing applied");
    }

    @Test
    void aVipRemovedAndAddedAgainStartsWithoutHistory() {
        CommandLog log = logWithWeb();
        log.apply(setWeights(WEB, "10.0.0.2=5"));
        log.apply(removeVip(WEB));
        VipImage again = web(log.apply(addVip(WEB), addReals(WEB, "10.0.0.1=1")));
        assertTrue(again.ringHistory().isEmpty(), again.toString());
    }

    @Test
    void aVipRemovedAndAddedInOneEntryIsARingChangeOfItsRow() {
        // Same number and key within one entry: the datapath sees the VIP's ring row change, nothing else, so
        // the flows it had still deserve their second chance.
        CommandLog log = logWithWeb();
        RingInput before = input(log.image());
        VipImage again = web(log.apply(removeVip(WEB), addVip(WEB), addReals(WEB, "10.0.0.1=1")));
        assertEquals(List.of(before), again.ringHistory());
    }

    @Test
    void theHistoryIsInTheDigest() {
        CommandLog changed = logWithWeb();
        changed.apply(setWeights(WEB, "10.0.0.2=5"));
        CommandLog direct = new CommandLog(FleetLimits.DEFAULT, V4);
        direct.apply(addVip(WEB), addReals(WEB, "10.0.0.1=1", "10.0.0.2=5", "10.0.0.3=1"));
        // Same VIPs and reals now; only the history differs.
        assertEquals(input(changed.image()), input(direct.image()));
        assertNotEquals(changed.image().digestHex(), direct.image().digestHex());
    }

    @Test
    void replayingTheEntriesGivesTheSameImageAndDigest() throws Exception {
        CommandLog log = logWithWeb();
        List<List<FleetRecord>> entries = new ArrayList<>();
        log.publishTo((delta, image) -> entries.add(delta.records()));
        log.apply(setSettings(depth(log, 2)));
        log.apply(setWeights(WEB, "10.0.0.2=5"));
        log.apply(removeReals(WEB, "10.0.0.3"), addReals(WEB, "10.0.0.7=3"));

        // The replica starts from the same image at index 2 (loaded from a snapshot) and replays each entry's
        // records as one delta, as a follower does.
        FleetImage replica =
                SnapshotCodec.decode(SnapshotCodec.encode(logWithWeb().image()));
        long index = replica.index();
        for (List<FleetRecord> entry : entries) {
            FleetDelta delta = new FleetDelta(replica);
            delta.replayAll(entry);
            replica = delta.apply(new Provenance(1, ++index));
        }
        assertEquals(log.image().digestHex(), replica.digestHex());
        assertEquals(log.image().vips().byNum(), replica.vips().byNum());
        assertEquals(2, web(replica).ringHistory().size());
    }

    @Test
    void aSnapshotRestoresTheHistoryEqual() throws Exception {
        CommandLog log = logWithWeb();
        log.apply(setSettings(depth(log, 3)));
        log.apply(setWeights(WEB, "10.0.0.2=5"));
        log.apply(setHash(WEB, io.ringfleet.api.HashFunction.MAGLEV_V2));
        FleetImage image = log.image();
        assertEquals(2, web(image).ringHistory().size());

        FleetImage loaded = SnapshotCodec.decode(SnapshotCodec.encode(image));
        assertEquals(image, loaded);
        assertEquals(web(image).ringHistory(), web(loaded).ringHistory());
        assertEquals(image.digestHex(), loaded.digestHex());
        assertTrue(SnapshotCodec.toRecords(image).stream().anyMatch(FleetRecord::hasVipRingHistory));
    }

    @Test
    void aHealthVerdictThatTakesARealOutLeavesThePreviousRing() throws Exception {
        HealthFleet fleet = new HealthFleet(V4);
        fleet.apply(addVip(WEB), addReals(WEB, "10.0.0.1=1", "10.0.0.2=1", "10.0.0.3=1"));
        fleet.apply(HealthFleet.setCheck(WEB, HealthFleet.tcpCheck(true)));
        RingInput allThree = input(fleet.image());
        List<RingInput> history = web(fleet.image()).ringHistory();

        fleet.vote("lb1", WEB, "10.0.0.2", false);
        assertEquals(history, web(fleet.image()).ringHistory(), "one vote of three decides nothing");
        fleet.vote("lb2", WEB, "10.0.0.2", false);
        FleetImage down = fleet.image();
        assertEquals(2, input(down).owners().size(), "the down real owns no slots");
        assertEquals(List.of(allThree), web(down).ringHistory(), "the verdict's entry pushed the ring before it");

        fleet.vote("lb1", WEB, "10.0.0.2", true);
        fleet.vote("lb2", WEB, "10.0.0.2", true);
        assertEquals(allThree, input(fleet.image()), "back up");
        assertEquals(List.of(input(down)), web(fleet.image()).ringHistory(), "coming back is a ring change too");
        assertEquals(fleet.image(), SnapshotCodec.decode(SnapshotCodec.encode(fleet.image())));
    }
}
