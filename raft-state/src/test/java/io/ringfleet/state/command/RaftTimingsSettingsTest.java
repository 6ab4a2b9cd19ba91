package io.ringfleet.state.command;

import static io.ringfleet.state.command.CommandValidatorTest.assertRejected;
import static io.ringfleet.state.testing.Commands.PEERS;
import static io.ringfleet.state.testing.Commands.bootstrap;
import static io.ringfleet.state.testing.Commands.finalizeVersion;
import static io.ringfleet.state.testing.Commands.reportVersion;
import static io.ringfleet.state.testing.Commands.setSettings;
import static io.ringfleet.state.testing.Commands.settings;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringfleet.api.FleetSettingsSpec;
import io.ringfleet.state.FleetImage;
import io.ringfleet.state.FleetLimits;
import io.ringfleet.state.FleetSettings;
import io.ringfleet.state.FleetVersions;
import io.ringfleet.state.raft.RaftTimings;
import io.ringfleet.state.snapshot.SnapshotCodec;
import io.ringfleet.state.testing.CommandLog;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The Raft timings as fleet settings (FleetSettingsSpec 18-21): gated on fleet version 4, checked, canonical. */
class RaftTimingsSettingsTest {
    private static final RaftTimings SLOW =
            RaftTimings.of(Duration.ofMillis(1500), Duration.ofMillis(3000), Duration.ofMillis(4000), true);

    private static FleetSettingsSpec withTimings(RaftTimings t) {
        return FleetSettings.of(FleetLimits.DEFAULT, PEERS, t).toProto();
    }

    private static CommandLog fleetAt(int version) {
        CommandLog fleet = new CommandLog(FleetLimits.DEFAULT, version);
        assertEquals(version, fleet.image().settings().fleetVersion());
        return fleet;
    }

    @Test
    void timingsOtherThanTheDefaultsAreRefusedBeforeVersion4() {
        assertEquals(4, FleetVersions.Rule.RAFT_TIMINGS.version());
        CommandLog v3 = fleetAt(3);
        assertRejected(
                ErrorCode.FAILED_PRECONDITION,
                "fleet settings: the Raft timings (election_timeout_min_ms, election_timeout_max_ms,"
                        + " raft_request_timeout_ms, pre_vote_off) need fleet version 4 but the fleet's finalised"
                        + " version is 3: upgrade every node and finalise version 4 first, or leave them at the"
                        + " defaults (" + RaftTimings.DEFAULT + ")",
                v3,
                setSettings(withTimings(SLOW)));
        // The same change once version 4 is finalised: in the image, and the other settings unchanged.
        for (String node : new String[] {"lb1", "lb2", "lb3"}) {
            v3.apply(reportVersion(node, 4));
        }
        v3.apply(finalizeVersion(4));
        FleetImage after = v3.apply(setSettings(withTimings(SLOW)));
        FleetSettings inLog = after.settings().settings().orElseThrow();
        assertEquals(SLOW, inLog.raftTimings());
        assertEquals(FleetLimits.DEFAULT, inLog.limits());
        assertEquals(1500, inLog.toProto().getElectionTimeoutMinMs());
    }

    @Test
    void aBootstrapCarriesTimingsOnlyAtVersion4() {
        assertRejected(
                ErrorCode.FAILED_PRECONDITION,
                "fleet settings: the Raft timings (election_timeout_min_ms, election_timeout_max_ms,"
                        + " raft_request_timeout_ms, pre_vote_off) need fleet version 4 but the fleet's bootstrap"
                        + " version is 3: upgrade every node and finalise version 4 first, or leave them at the"
                        + " defaults (" + RaftTimings.DEFAULT + ")",
                new CommandLog(),
                bootstrap(withTimings(SLOW), 3));
        CommandLog fresh = new CommandLog();
        FleetImage image = fresh.apply(bootstrap(withTimings(SLOW), 4));
        assertEquals(SLOW, image.settings().settings().orElseThrow().raftTimings());
        assertEquals(4, image.settings().fleetVersion());
    }

    @Test
    void defaultTimingsAreWrittenAsZeroSoOlderFleetsKeepTheirDigest() {
        FleetSettings explicit = FleetSettings.of(settings(FleetLimits.DEFAULT).toBuilder()
                .setElectionTimeoutMinMs(1000)
                .setElectionTimeoutMaxMs(2000)
                .setRaftRequestTimeoutMs(3000)
                .build());
        FleetSettings unset = FleetSettings.of(settings(FleetLimits.DEFAULT));
        assertEquals(unset, explicit);
        assertArrayEquals(unset.digest(), explicit.digest());
        assertEquals(0, explicit.toProto().getElectionTimeoutMinMs());
        assertFalse(explicit.setsRaftTimings());
        assertEquals(RaftTimings.DEFAULT, unset.raftTimings());
        // So a version-3 fleet accepts a spec that spells the defaults out: nothing changes.
        CommandResult same = fleetAt(3).submit(setSettings(explicit.toProto()));
        assertTrue(same.isOk() && same.records().isEmpty(), same.toString());
    }

    @Test
    void aDifferenceInTimingsNamesTheFieldAndTheDefaultItLeftAt0() {
        FleetSettings slow = FleetSettings.of(withTimings(SLOW));
        FleetSettings plain = FleetSettings.of(settings(FleetLimits.DEFAULT));
        assertEquals(
                "election_timeout_min_ms: config 1500, log 0 (default: 1000 ms); election_timeout_max_ms: config"
                        + " 3000, log 0 (default: 2000 ms); raft_request_timeout_ms: config 4000, log 0 (default:"
                        + " 3000 ms)",
                slow.differences(plain, "config", "log"));
    }

    @Test
    void timingsOutOfRangeAreRefusedWithTheRuleOfRaftTimings() {
        CommandLog v4 = fleetAt(4);
        FleetSettingsSpec good = settings(FleetLimits.DEFAULT);
        assertRejected(
                ErrorCode.INVALID_ARGUMENT,
                "fleet settings: raft timings: election-timeout-min must be 50 ms to 60000 ms, got 10 ms",
                v4,
                setSettings(good.toBuilder().setElectionTimeoutMinMs(10).build()));
        assertRejected(
                ErrorCode.INVALID_ARGUMENT,
                "fleet settings: raft timings: election-timeout-max must be more than election-timeout-min"
                        + " (2500 ms) and at most 60000 ms, got 2000 ms",
                v4,
                setSettings(good.toBuilder().setElectionTimeoutMinMs(2500).build()));
        // uint32 on the wire: 2^32-1 ms must not wrap into range.
        assertRejected(
                ErrorCode.INVALID_ARGUMENT,
                "fleet settings: raft timings: request-timeout must be at least election-timeout-min (1000 ms) and"
                        + " at most 600000 ms, got 4294967295 ms",
                v4,
                setSettings(good.toBuilder().setRaftRequestTimeoutMs(-1).build()));
        assertEquals(
                RaftTimings.DEFAULT,
                v4.image().settings().settings().orElseThrow().raftTimings());
    }

    @Test
    void timingsAreInTheDigestAndSurviveASnapshot() throws Exception {
        CommandLog v4 = fleetAt(4);
        byte[] before = v4.image().digest();
        RaftTimings noPreVote =
                RaftTimings.of(Duration.ofMillis(1000), Duration.ofMillis(2000), Duration.ofMillis(3000), false);
        FleetImage image = v4.apply(setSettings(withTimings(noPreVote)));
        assertFalse(java.util.Arrays.equals(before, image.digest()), "pre-vote off changes the digest");
        FleetImage loaded = SnapshotCodec.decode(SnapshotCodec.encode(image));
        assertArrayEquals(image.digest(), loaded.digest());
        assertEquals(noPreVote, loaded.settings().settings().orElseThrow().raftTimings());
    }
}
