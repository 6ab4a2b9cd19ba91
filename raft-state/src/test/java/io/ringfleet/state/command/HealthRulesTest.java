package io.ringfleet.state.command;

import static io.ringfleet.state.testing.HealthFleet.setCheck;
import static io.ringfleet.state.testing.HealthFleet.tcpCheck;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringfleet.api.CommandBatch;
import io.ringfleet.api.HealthCheck;
import io.ringfleet.api.HealthCheckKind;
import io.ringfleet.api.VipKey;
import io.ringfleet.state.FleetImage;
import io.ringfleet.state.FleetLimits;
import io.ringfleet.state.FleetVersions;
import io.ringfleet.state.snapshot.SnapshotCodec;
import io.ringfleet.state.testing.CommandLog;
import io.ringfleet.state.testing.Commands;
import io.ringfleet.state.testing.HealthFleet;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** What the health commands accept: check rules, who may vote, the fleet version; and the state in snapshots. */
class HealthRulesTest {
    private static final VipKey VIP = Commands.vip("10.0.0.1", 80, Commands.TCP);

    private static HealthFleet fleetWithVip() {
        HealthFleet fleet = new HealthFleet();
        fleet.apply(Commands.addVip(VIP), Commands.addReals(VIP, "10.1.0.1=1", "10.1.0.2=1", "10.1.0.3=1"));
        return fleet;
    }

    private static HealthCheck.Builder http() {
        return HealthCheck.newBuilder()
                .setKind(HealthCheckKind.HEALTH_CHECK_HTTP)
                .setPort(80)
                .setHttpPath("/health")
                .setExpectedStatus(200)
                .setIntervalMs(2_000)
                .setTimeoutMs(1_000)
                .setRise(2)
                .setFall(3)
                .setEnabled(true);
    }

    /** The check is refused INVALID_ARGUMENT with a message naming the rule, and nothing changes. */
    private static void refused(UnaryOperator<HealthCheck.Builder> bad, String rule) {
        HealthFleet fleet = fleetWithVip();
        FleetImage before = fleet.image();
        CommandResult r = fleet.submit(setCheck(VIP, bad.apply(http()).build()));
        Rejection why = r.rejection().orElseThrow(() -> new AssertionError("accepted: " + rule));
        assertEquals(ErrorCode.INVALID_ARGUMENT, why.code(), why.message());
        assertTrue(why.message().contains(rule), why.message());
        assertFalse(why.message().contains("\n"), "one line");
        assertTrue(fleet.image().sameStateAs(before), "nothing changed");
    }

    @Test
    void aValidCheckIsAcceptedAndBadOnesAreRefusedNamingTheRule() {
        assertTrue(fleetWithVip().submit(setCheck(VIP, http().build())).isOk());
        refused(b -> b.setIntervalMs(1).setTimeoutMs(1), "timeout must be shorter than the interval");
        refused(b -> b.setIntervalMs(1000).setTimeoutMs(1000), "timeout must be shorter than the interval");
        refused(b -> b.setIntervalMs(0), "interval must be at least 1 ms, got 0");
        refused(b -> b.setRise(0), "rise must be at least 1, got 0");
        refused(b -> b.setFall(0), "fall must be at least 1, got 0");
        refused(b -> b.setPort(0), "port must be 1..65535");
        refused(b -> b.setPort(65536), "port must be 1..65535");
        refused(b -> b.setHttpPath("health"), "an HTTP path must start with '/'");
        refused(b -> b.clearHttpPath(), "an HTTP path must start with '/'");
        refused(b -> b.setExpectedStatus(99), "an HTTP status must be 100..599");
        refused(b -> b.setExpectedStatus(600), "an HTTP status must be 100..599");
        refused(b -> b.setKind(HealthCheckKind.HEALTH_CHECK_KIND_UNSPECIFIED), "check kind must be tcp or http");
        refused(b -> b.setIntervalMs(-1), "interval");
    }

    @Test
    void onlyAPeerVotesForItselfThroughItsOwnAgent() {
        HealthFleet fleet = fleetWithVip();
        fleet.apply(setCheck(VIP, tcpCheck(true)));
        CommandBatch good = fleet.voteBatch("lb2", VIP, "10.1.0.1", false);
        assertVoteRefused(fleet, good.toBuilder().setViaNode("lb1").build(), "an LB votes only for itself");
        assertVoteRefused(fleet, good.toBuilder().setPrincipal("operator-alice").build(), "own agent");
        assertVoteRefused(fleet, good.toBuilder().setPrincipal("agent:lb1").build(), "own agent");
        CommandBatch stranger = fleet.voteBatch("lb9", VIP, "10.1.0.1", false).toBuilder()
                .setViaNode("lb1")
                .build();
        assertVoteRefused(fleet, stranger, "not a peer of the fleet settings");
        assertTrue(fleet.submit(good).isOk(), "the same vote, stamped by lb2's own agent, counts");
    }

    private static void assertVoteRefused(HealthFleet fleet, CommandBatch batch, String why) {
        FleetImage before = fleet.image();
        CommandResult r = fleet.submit(batch);
        assertTrue(r.rejection().map(x -> x.message().contains(why)).orElse(false), r.toString());
        assertTrue(fleet.image().sameStateAs(before));
    }

    @Test
    void aVersion2FleetRefusesHealthCommandsAndSettingsUntilVersion3IsFinalised() {
        CommandLog v2 = new CommandLog(FleetLimits.DEFAULT, 2);
        v2.apply(Commands.addVip(VIP), Commands.addReals(VIP, "10.1.0.1=1"));
        CommandResult r = v2.submit(setCheck(VIP, tcpCheck(true)));
        Rejection why = r.rejection().orElseThrow();
        assertEquals(ErrorCode.FAILED_PRECONDITION, why.code());
        assertTrue(why.message().contains("needs fleet version 3"), why.message());

        var withHealth = v2.image().settings().settings().get().toProto().toBuilder()
                .setHealthQuorum(2)
                .build();
        Rejection settings =
                v2.submit(Commands.setSettings(withHealth)).rejection().orElseThrow();
        assertTrue(settings.message().contains("health settings"), settings.message());

        for (String node : new String[] {"lb1", "lb2", "lb3"}) {
            v2.apply(Commands.reportVersion(node, FleetVersions.SUPPORTED));
        }
        v2.apply(Commands.finalizeVersion(3));
        assertTrue(v2.submit(setCheck(VIP, tcpCheck(true))).isOk());
        assertTrue(v2.submit(Commands.setSettings(withHealth)).isOk());
        assertEquals(2, v2.image().settings().settings().get().health().quorum());
    }

    @Test
    void badHealthSettingsAreRefusedNamingTheRule() {
        HealthFleet fleet = fleetWithVip();
        var spec = fleet.image().settings().settings().get().toProto().toBuilder();
        Rejection r = fleet.submit(
                        Commands.setSettings(spec.setHealthPanicPercent(101).build()))
                .rejection()
                .orElseThrow();
        assertTrue(r.message().contains("panic threshold must be 0..100"), r.message());
    }

    @Test
    void votesVerdictsAndPanicSurviveASnapshotAndAreInTheDigest() throws IOException {
        HealthFleet fleet = fleetWithVip();
        fleet.apply(setCheck(VIP, tcpCheck(true)));
        fleet.vote("lb1", VIP, "10.1.0.1", false);
        fleet.vote("lb2", VIP, "10.1.0.1", false);
        fleet.vote("lb1", VIP, "10.1.0.2", false);
        fleet.vote("lb2", VIP, "10.1.0.2", false); // two thirds down: panic
        FleetImage image = fleet.image();
        assertFalse(image.health().panics().isEmpty());

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SnapshotCodec.write(image, out);
        FleetImage back = SnapshotCodec.read(new ByteArrayInputStream(out.toByteArray()));
        assertTrue(back.sameStateAs(image), "votes, verdicts, panic and checks come back");
        assertEquals(image.health(), back.health());
        assertArrayEquals(image.digest(), back.digest());

        // the digest covers the verdicts: the state before the last vote (its verdict and panic) differs
        fleet.vote("lb2", VIP, "10.1.0.2", true);
        assertFalse(Arrays.equals(image.digest(), fleet.image().digest()));
    }
}
