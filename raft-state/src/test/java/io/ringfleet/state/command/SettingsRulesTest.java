package io.ringfleet.state.command;

import static io.ringfleet.state.command.CommandValidatorTest.assertRejected;
import static io.ringfleet.state.testing.Commands.PEERS;
import static io.ringfleet.state.testing.Commands.TCP;
import static io.ringfleet.state.testing.Commands.addReals;
import static io.ringfleet.state.testing.Commands.addVip;
import static io.ringfleet.state.testing.Commands.batch;
import static io.ringfleet.state.testing.Commands.bootstrap;
import static io.ringfleet.state.testing.Commands.finalizeVersion;
import static io.ringfleet.state.testing.Commands.mapQuic;
import static io.ringfleet.state.testing.Commands.reportVersion;
import static io.ringfleet.state.testing.Commands.setHealthCheck;
import static io.ringfleet.state.testing.Commands.setSettings;
import static io.ringfleet.state.testing.Commands.settings;
import static io.ringfleet.state.testing.Commands.vip;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.UnknownFieldSet;
import io.ringfleet.api.Command;
import io.ringfleet.api.FleetSettingsSpec;
import io.ringfleet.api.PeerSpec;
import io.ringfleet.state.FleetDelta;
import io.ringfleet.state.FleetImage;
import io.ringfleet.state.FleetLimits;
import io.ringfleet.state.FleetSettings;
import io.ringfleet.state.FleetVersions;
import io.ringfleet.state.HashFunction;
import io.ringfleet.state.Provenance;
import io.ringfleet.state.UnsupportedFleetVersionException;
import io.ringfleet.state.snapshot.SnapshotCodec;
import io.ringfleet.state.testing.CommandLog;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Fleet settings and fleet versions in the log (SettingsRules, FleetVersions, BatchApplier's version check). */
class SettingsRulesTest {
    static final FleetLimits SMALL = FleetLimits.builder()
            .maxVips(4)
            .maxReals(8)
            .maxHealthCheckDsts(2)
            .maxQuicServerId(9)
            .build();

    @Test
    void withoutSettingsTheBuiltInDefaultsApplyAndTheImageHasNone() {
        CommandLog fleet = new CommandLog();
        fleet.apply(addVip(vip("10.0.0.1", 80, TCP)));
        assertTrue(fleet.image().settings().isEmpty());
        assertEquals(0, fleet.image().settings().fleetVersion());
    }

    @Test
    void validationReadsTheLimitsFromTheLogsSettings() {
        CommandLog small = new CommandLog(SMALL);
        for (int i = 1; i <= 4; i++) {
            small.apply(addVip(vip("10.0.0." + i, 80, TCP)));
        }
        assertRejected(
                ErrorCode.RESOURCE_EXHAUSTED,
                "no free vip number for vip 10.0.0.5:80/tcp: all 4 vip numbers (0..3) are in use (max_vips 4)",
                small,
                addVip(vip("10.0.0.5", 80, TCP)));
        // Raising max_vips in the log is what lets the fifth VIP in: no config is consulted.
        FleetSettingsSpec more = settings(SMALL).toBuilder().setMaxVips(5).build();
        small.apply(setSettings(more), addVip(vip("10.0.0.5", 80, TCP)));
        assertEquals(5, small.image().vips().size());
    }

    @Test
    void bootstrapIsSetIfAbsentAndEmitsNothingOnceSettingsExist() {
        CommandLog fleet = new CommandLog(SMALL);
        FleetImage before = fleet.image();
        CommandResult again = fleet.submit(bootstrap(FleetLimits.DEFAULT, 2));
        assertTrue(again.isOk(), again.toString());
        assertTrue(again.records().isEmpty(), "a second bootstrap emits no record");
        assertEquals(before.settings(), fleet.image().settings());
        assertEquals(1, fleet.image().settings().fleetVersion());
        assertEquals(SMALL, fleet.image().settings().settings().orElseThrow().limits());
    }

    @Test
    void aChangeNeedsTheBootstrapFirstAndSettingTheSameEmitsNothing() {
        assertRejected(
                ErrorCode.FAILED_PRECONDITION,
                "the fleet has no settings yet: they are set first by a bootstrap (every agent submits one at start)",
                new CommandLog(),
                setSettings(settings(SMALL)));
        CommandLog fleet = new CommandLog(SMALL);
        CommandResult same = fleet.submit(setSettings(settings(SMALL)));
        assertTrue(same.isOk() && same.records().isEmpty(), same.toString());
    }

    @Test
    void settingsOutOfRangeAreRefusedNamingTheRule() {
        CommandLog fleet = new CommandLog(SMALL);
        FleetSettingsSpec good = settings(SMALL);
        assertRejected(
                ErrorCode.INVALID_ARGUMENT,
                "fleet settings: ring_size must be 65537 (the datapath's RF_RING_SIZE), got 4099",
                fleet,
                setSettings(good.toBuilder().setRingSize(4099).build()));
        assertRejected(
                ErrorCode.INVALID_ARGUMENT,
                "fleet settings: maxVips must be from 1 to 65536, got 0",
                fleet,
                setSettings(good.toBuilder().setMaxVips(0).build()));
        assertRejected(
                ErrorCode.INVALID_ARGUMENT,
                "fleet settings: peers is empty: list every peer of the fleet (id and addresses)",
                fleet,
                setSettings(good.toBuilder().clearPeers().build()));
        assertRejected(
                ErrorCode.INVALID_ARGUMENT,
                "fleet settings: peer id lb2 is listed twice",
                fleet,
                setSettings(good.toBuilder().addPeers(PEERS.get(1).toProto()).build()));
        assertRejected(
                ErrorCode.INVALID_ARGUMENT,
                "fleet settings: peer n9 raft address \"10.0.0.9\" is not host:port with a port from 1 to 65535"
                        + " (IPv6 as [addr]:port)",
                fleet,
                setSettings(good.toBuilder()
                        .addPeers(PeerSpec.newBuilder()
                                .setId("n9")
                                .setRaftAddress("10.0.0.9")
                                .setApiAddress("10.0.0.9:1"))
                        .build()));
    }

    @Test
    void noLimitGoesBelowWhatTheStateUses() {
        CommandLog fleet = new CommandLog(SMALL);
        fleet.apply(addVip(vip("10.0.0.1", 80, TCP)), addVip(vip("10.0.0.2", 80, TCP)));
        fleet.apply(addReals(vip("10.0.0.1", 80, TCP), "10.1.0.1=1", "10.1.0.2=1", "10.1.0.3=1"));
        fleet.apply(setHealthCheck(1, "10.2.0.1"), setHealthCheck(2, "10.2.0.2"), mapQuic("7=10.1.0.1"));
        FleetSettingsSpec s = settings(SMALL);
        String rule = ": a limit may not go below the state; remove what is above it first";
        assertRejected(
                ErrorCode.FAILED_PRECONDITION,
                "fleet settings: max_vips 1 is below what the fleet uses (vip_num 1 is in use)" + rule,
                fleet,
                setSettings(s.toBuilder().setMaxVips(1).build()));
        assertRejected(
                ErrorCode.FAILED_PRECONDITION,
                "fleet settings: max_reals 3 is below what the fleet uses (real index 3 is in use)" + rule,
                fleet,
                setSettings(s.toBuilder().setMaxReals(3).build()));
        assertRejected(
                ErrorCode.FAILED_PRECONDITION,
                "fleet settings: max_health_check_dsts 1 is below what the fleet uses (2 health-check destinations"
                        + " are set)" + rule,
                fleet,
                setSettings(s.toBuilder().setMaxHealthCheckDsts(1).build()));
        assertRejected(
                ErrorCode.FAILED_PRECONDITION,
                "fleet settings: max_quic_server_id 6 is below what the fleet uses (quic server id 7 is mapped)" + rule,
                fleet,
                setSettings(s.toBuilder().setMaxQuicServerId(6).build()));
        // Exactly what is used is allowed.
        CommandResult tight = fleet.submit(setSettings(s.toBuilder()
                .setMaxVips(2)
                .setMaxReals(4)
                .setMaxHealthCheckDsts(2)
                .setMaxQuicServerId(7)
                .build()));
        assertTrue(tight.isOk(), tight.toString());
    }

    @Test
    void finalisingNeedsEveryPeerAndTheNextVersion() {
        CommandLog fleet = new CommandLog(SMALL);
        fleet.apply(reportVersion("lb1", 2), reportVersion("lb2", 2));
        assertRejected(
                ErrorCode.FAILED_PRECONDITION,
                "fleet version 2 cannot be finalised: every peer must report support for it first; not yet: lb3 (not"
                        + " reported)",
                fleet,
                finalizeVersion(2));
        fleet.apply(reportVersion("lb3", 1));
        assertRejected(
                ErrorCode.FAILED_PRECONDITION,
                "fleet version 2 cannot be finalised: every peer must report support for it first; not yet: lb3"
                        + " (supports 1)",
                fleet,
                finalizeVersion(2));
        fleet.apply(reportVersion("lb3", 2));
        assertRejected(
                ErrorCode.FAILED_PRECONDITION,
                "fleet version 3 cannot be finalised: the finalised version is 1 and versions are finalised one at a"
                        + " time (next: 2), never back",
                fleet,
                finalizeVersion(3));
        fleet.apply(finalizeVersion(2));
        assertEquals(2, fleet.image().settings().fleetVersion());
        CommandResult again = fleet.submit(finalizeVersion(2));
        assertTrue(again.isOk() && again.records().isEmpty(), again.toString());
        assertRejected(
                ErrorCode.FAILED_PRECONDITION,
                "fleet version 1 cannot be finalised: the finalised version is 2 and versions are finalised one at a"
                        + " time (next: 3), never back",
                fleet,
                finalizeVersion(1));
    }

    @Test
    void onlyPeersReportAndNeverBelowTheFinalisedVersion() {
        CommandLog fleet = new CommandLog(SMALL, 2);
        assertRejected(
                ErrorCode.FAILED_PRECONDITION,
                "node n7 is not a peer of the fleet settings: only peers report versions",
                fleet,
                reportVersion("n7", 2));
        assertRejected(
                ErrorCode.FAILED_PRECONDITION,
                "node lb1 reports support up to fleet version 1, below the finalised fleet version 2: a finalised"
                        + " version is never given up",
                fleet,
                reportVersion("lb1", 1));
        fleet.apply(reportVersion("lb1", 2));
        CommandResult same = fleet.submit(reportVersion("lb1", 2));
        assertTrue(same.isOk() && same.records().isEmpty(), "edge-triggered: the same report emits nothing");
    }

    @Test
    void aReplicaOnOlderSoftwareStopsAtAVersionItDoesNotSupport() {
        BatchApplier v1 = new BatchApplier(new CommandValidator(1));
        FleetImage image = FleetImage.EMPTY;
        UnsupportedFleetVersionException e = assertThrows(
                UnsupportedFleetVersionException.class,
                () -> v1.apply(FleetImage.EMPTY, batch(bootstrap(SMALL, 2)), new Provenance(1, 1)));
        assertEquals(
                "log entry 1 (term 1): it finalises fleet version 2, but this software supports fleet versions up to"
                        + " 1; upgrade this node's software before it applies the log",
                e.getMessage());
        // Control: the same software applies a fleet at version 1.
        image = v1.apply(image, batch(bootstrap(SMALL, 1)), new Provenance(1, 1))
                .image();
        assertEquals(1, image.settings().fleetVersion());
        // And an image already at version 2 (a snapshot, a log) stops it before any entry.
        FleetImage atV2 = new CommandLog(SMALL, 2).image();
        assertThrows(
                UnsupportedFleetVersionException.class,
                () -> v1.apply(atV2, batch(addVip(vip("10.0.0.1", 80, TCP))), new Provenance(1, 2)));
    }

    @Test
    void aCommandThisSoftwareCannotDecodeStopsTheReplicaAndAnEmptyOneIsRefused() {
        Command fromTheFuture = Command.newBuilder()
                .setUnknownFields(UnknownFieldSet.newBuilder()
                        .addField(
                                99,
                                UnknownFieldSet.Field.newBuilder().addVarint(1).build())
                        .build())
                .build();
        BatchApplier applier = new BatchApplier(new CommandValidator());
        UnsupportedFleetVersionException e = assertThrows(
                UnsupportedFleetVersionException.class,
                () -> applier.apply(FleetImage.EMPTY, batch(fromTheFuture), new Provenance(1, 1)));
        assertTrue(
                e.getMessage()
                        .startsWith("command 0 of the entry has a kind this software does not know (field"
                                + " [99] of Command)"),
                e.getMessage());
        CommandResult empty = applier.apply(FleetImage.EMPTY, batch(Command.getDefaultInstance()), new Provenance(1, 1))
                .result();
        assertEquals(ErrorCode.INVALID_ARGUMENT, empty.rejection().orElseThrow().code());
    }

    @Test
    void everyCommandKindHasAVersionAndTheAddressPolicyIsVersion2() {
        for (Command.KindCase kind : Command.KindCase.values()) {
            if (kind != Command.KindCase.KIND_NOT_SET) {
                int v = FleetVersions.introducedIn(kind);
                assertTrue(v >= 1 && v <= FleetVersions.SUPPORTED, kind + " " + v);
            }
        }
        assertEquals(2, FleetVersions.Rule.ADDRESS_POLICY.version());
        assertTrue(FleetVersions.SUPPORTED >= FleetVersions.Rule.ADDRESS_POLICY.version());
    }

    @Test
    void settingsAreInTheDigestAndSurviveASnapshotAndReplaysEqual() throws Exception {
        CommandLog a = new CommandLog(SMALL);
        a.apply(reportVersion("lb1", 2), reportVersion("lb2", 2), reportVersion("lb3", 2));
        a.apply(finalizeVersion(2), addVip(vip("10.0.0.1", 80, TCP)));
        FleetImage image = a.image();
        FleetImage loaded = SnapshotCodec.decode(SnapshotCodec.encode(image));
        assertTrue(loaded.sameStateAs(image));
        assertArrayEquals(image.digest(), loaded.digest());
        assertEquals(image.settings(), loaded.settings());

        // Replaying each entry's records over the image before it gives the image validation gave.
        CommandLog b = new CommandLog();
        for (Command c : List.of(
                bootstrap(SMALL, 1),
                reportVersion("lb1", 2),
                reportVersion("lb2", 2),
                reportVersion("lb3", 2),
                finalizeVersion(2),
                io.ringfleet.state.testing.Commands.setSettings(settings(FleetLimits.DEFAULT)))) {
            FleetImage before = b.image();
            CommandResult r = b.submit(c);
            assertTrue(r.isOk() && !r.records().isEmpty(), c + " " + r);
            FleetDelta d = new FleetDelta(before);
            d.replayAll(r.records());
            assertArrayEquals(
                    b.image().digest(), d.apply(b.image().provenance()).digest(), c.toString());
        }

        // Settings are part of the digest: another default hash function, another digest.
        CommandLog c = new CommandLog(FleetLimits.builder()
                .maxVips(4)
                .maxReals(8)
                .maxHealthCheckDsts(2)
                .maxQuicServerId(9)
                .defaultHashFunction(HashFunction.MAGLEV_V2)
                .build());
        assertFalse(java.util.Arrays.equals(
                new CommandLog(SMALL).image().digest(), c.image().digest()));
    }

    @Test
    void differencesNameEachDifferingSetting() {
        FleetSettings log = FleetSettings.of(SMALL, PEERS);
        FleetSettings config = FleetSettings.of(
                FleetLimits.builder()
                        .maxVips(64)
                        .maxReals(8)
                        .maxHealthCheckDsts(2)
                        .maxQuicServerId(9)
                        .build(),
                PEERS);
        assertEquals("max_vips: config 64, log 4", config.differences(log, "config", "log"));
        assertEquals("", log.differences(FleetSettings.of(log.toProto()), "config", "log"));
    }
}
