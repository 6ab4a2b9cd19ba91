package io.ringfleet.state.command;

import static io.ringfleet.state.testing.HealthFleet.setCheck;
import static io.ringfleet.state.testing.HealthFleet.tcpCheck;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringfleet.api.FleetSettingsSpec;
import io.ringfleet.api.VerdictReason;
import io.ringfleet.api.VipKey;
import io.ringfleet.state.FleetImage;
import io.ringfleet.state.health.PairVerdict;
import io.ringfleet.state.health.RealPair;
import io.ringfleet.state.testing.Commands;
import io.ringfleet.state.testing.HealthFleet;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The health fold on the image: LB votes in, fleet verdicts and rings out, from the log alone. Peers lb1..lb3,
 * one TCP VIP with three reals of weight 1 and an enabled check; each case writes votes as the agents do.
 */
class HealthVerdictsTest {
    private static final VipKey VIP = Commands.vip("10.0.0.1", 80, Commands.TCP);
    private static final String A = "10.1.0.1";
    private static final String B = "10.1.0.2";
    private static final String C = "10.1.0.3";

    private HealthFleet fleet;
    private TreeSet<Integer> everyone;

    @BeforeEach
    void fleet() {
        fleet = new HealthFleet();
        fleet.apply(Commands.addVip(VIP), Commands.addReals(VIP, A + "=1", B + "=1", C + "=1"));
        fleet.apply(setCheck(VIP, tcpCheck(true)));
        everyone = fleet.ringOwners(VIP);
        assertEquals(3, everyone.size(), "every real owns slots before any vote");
    }

    private PairVerdict verdict(String real) {
        return fleet.image().health().verdict(fleet.pair(VIP, real));
    }

    private TreeSet<Integer> without(String real) {
        TreeSet<Integer> s = new TreeSet<>(everyone);
        s.remove(fleet.pair(VIP, real).realIndex());
        return s;
    }

    @Test
    void aQuorumOfDownVotesTakesTheRealOutOfItsRingAndAQuorumOfUpVotesBringsItBack() {
        assertTrue(fleet.vote("lb1", VIP, B, false).isOk());
        assertFalse(verdict(B).down(), "one vote of three is not a quorum");
        assertEquals(everyone, fleet.ringOwners(VIP));

        fleet.vote("lb2", VIP, B, false);
        assertTrue(verdict(B).down());
        assertEquals(VerdictReason.QUORUM_DOWN, verdict(B).reason());
        assertEquals(fleet.image().index(), verdict(B).sinceIndex(), "since: the entry that decided it");
        assertEquals(without(B), fleet.ringOwners(VIP), "a down real owns no slot");
        assertTrue(
                fleet.image()
                        .vips()
                        .get(HealthFleet.key(VIP))
                        .get()
                        .real(fleet.pair(VIP, B).realIndex())
                        .isPresent(),
                "it keeps its membership and index");

        fleet.vote("lb1", VIP, B, true);
        assertTrue(verdict(B).down(), "one up vote is not a quorum: the verdict stays");
        fleet.vote("lb2", VIP, B, true);
        assertFalse(verdict(B).down());
        assertEquals(VerdictReason.QUORUM_UP, verdict(B).reason());
        assertEquals(everyone, fleet.ringOwners(VIP));
    }

    @Test
    void aDeadLbsLastVotesKeepCountingUntilItVotesAgainOrLeaves() {
        fleet.vote("lb3", VIP, B, false); // then lb3 dies: its vote stays in the log
        fleet.vote("lb1", VIP, B, false);
        assertTrue(verdict(B).down(), "the stale down vote and one live one are a quorum of 3");

        // a dead LB's stale up cannot keep a real the two live ones report down
        fleet.vote("lb3", VIP, C, true);
        fleet.vote("lb1", VIP, C, false);
        fleet.vote("lb2", VIP, C, false);
        assertTrue(verdict(C).down());

        // lb3 leaves the settings: its votes are dropped, and B is decided again by lb1 and lb2 alone
        FleetSettingsSpec two = fleet.image().settings().settings().get().toProto().toBuilder()
                .removePeers(2)
                .build();
        fleet.apply(Commands.setSettings(two));
        assertTrue(fleet.image().health().vote(fleet.pair(VIP, B), "lb3").isEmpty(), "lb3's votes are gone");
        assertTrue(verdict(B).down(), "down stays until a quorum says up (1 of 2 voters said down, none up)");
        fleet.vote("lb1", VIP, B, true);
        fleet.vote("lb2", VIP, B, true);
        assertFalse(verdict(B).down());
    }

    @Test
    void drainedLbsDoNotVoteAndUndrainingCountsThemAgain() {
        fleet.apply(Commands.drain("lb3", "maintenance"));
        fleet.vote("lb3", VIP, B, false);
        fleet.vote("lb1", VIP, B, false);
        assertFalse(verdict(B).down(), "2 voters left, quorum 2: lb3's vote is kept but not counted");
        assertTrue(fleet.image().health().vote(fleet.pair(VIP, B), "lb3").isPresent());

        fleet.apply(Commands.undrain("lb3"));
        assertTrue(verdict(B).down(), "lb3 votes again: 2 of 3 down");
        assertEquals(VerdictReason.VOTERS_CHANGED, verdict(B).reason(), "no vote moved it: the voters did");
        assertEquals(without(B), fleet.ringOwners(VIP));
    }

    @Test
    void moreThanThePanicThresholdDownKeepsEveryRealInTheRing() {
        fleet.vote("lb1", VIP, A, false);
        fleet.vote("lb2", VIP, A, false);
        assertEquals(without(A), fleet.ringOwners(VIP), "a third of the weight down: below 50 %, excluded");
        int vipNum = fleet.pair(VIP, A).vipNum();
        assertFalse(fleet.image().health().panic(vipNum).down());

        fleet.vote("lb1", VIP, B, false);
        fleet.vote("lb2", VIP, B, false);
        assertTrue(verdict(A).down() && verdict(B).down(), "both verdicts are down");
        assertTrue(fleet.image().health().panic(vipNum).down(), "two thirds down: panic is recorded");
        assertEquals(fleet.image().index(), fleet.image().health().panic(vipNum).sinceIndex());
        assertEquals(everyone, fleet.ringOwners(VIP), "fail open: every real keeps its slots");

        fleet.vote("lb1", VIP, B, true);
        fleet.vote("lb2", VIP, B, true);
        assertFalse(fleet.image().health().panic(vipNum).down(), "panic left");
        assertEquals(without(A), fleet.ringOwners(VIP));
    }

    @Test
    void aFlappingRealIsHeldDownByTheLogsTimestampsAndReleasedAfterItsPenaltyDecays() {
        // default damping: flap limit 4, half-life 60 s; 6 quorum changes (ending up) within seconds exceed it
        flap(B, 6, 1_000);
        PairVerdict held = verdict(B);
        assertTrue(held.heldUntilMillis() > fleet.now(), "held down after flapping: " + held);
        assertFalse(held.votedDown(), "the votes say up ...");
        assertTrue(held.down(), "... but damping holds it down");
        assertEquals(VerdictReason.DAMPED, held.reason());
        assertEquals(without(B), fleet.ringOwners(VIP));

        // a batch logged before the hold ends changes nothing; one after it releases (re-reporting is enough)
        fleet.at(held.heldUntilMillis() - 1).vote("lb1", VIP, B, true);
        assertTrue(verdict(B).down());
        fleet.at(held.heldUntilMillis()).vote("lb1", VIP, B, true);
        assertFalse(verdict(B).down());
        assertEquals(VerdictReason.DAMPING_RELEASED, verdict(B).reason());
        assertEquals(everyone, fleet.ringOwners(VIP));
    }

    @Test
    void theSameFlapsSpreadOverLogTimeAreNotDamped() {
        flap(B, 6, 600_000); // ten minutes apart: the merit decays between changes
        assertEquals(0, verdict(B).heldUntilMillis());
        assertFalse(verdict(B).down());
    }

    /** {@code changes} quorum changes of real (down, up, down, ...), {@code gapMillis} of log time apart. */
    private void flap(String real, int changes, long gapMillis) {
        for (int i = 0; i < changes; i++) {
            boolean up = i % 2 == 1;
            fleet.at(fleet.now() + gapMillis);
            fleet.vote("lb1", VIP, real, up);
            fleet.vote("lb2", VIP, real, up);
        }
    }

    @Test
    void theOperatorsWeightZeroWinsOverAnUpVerdict() {
        fleet.apply(Commands.setWeights(VIP, C + "=0"));
        fleet.vote("lb1", VIP, C, true);
        fleet.vote("lb2", VIP, C, true);
        assertEquals(without(C), fleet.ringOwners(VIP), "health never brings back what the operator took out");
        fleet.apply(Commands.setWeights(VIP, C + "=1"));
        assertEquals(everyone, fleet.ringOwners(VIP));
    }

    @Test
    void disablingTheCheckDropsItsVerdictsAndEveryRealIsBackInTheRing() {
        fleet.vote("lb1", VIP, A, false);
        fleet.vote("lb2", VIP, A, false);
        assertEquals(without(A), fleet.ringOwners(VIP));
        fleet.apply(setCheck(VIP, tcpCheck(false)));
        assertEquals(everyone, fleet.ringOwners(VIP));
        assertTrue(fleet.image().health().votes().isEmpty());
        assertTrue(fleet.image().health().verdicts().isEmpty());
        assertFalse(fleet.vote("lb1", VIP, A, false).isOk(), "no votes on a disabled check");
    }

    @Test
    void removingTheRealDropsItsVotesAndVerdict() {
        fleet.vote("lb1", VIP, A, false);
        fleet.vote("lb2", VIP, A, false);
        RealPair pair = fleet.pair(VIP, A);
        fleet.apply(Commands.removeReals(VIP, A));
        FleetImage image = fleet.image();
        assertTrue(image.health().votes(pair).isEmpty());
        assertFalse(image.health().verdicts().containsKey(pair));
        assertTrue(image.health().ringExcluded(pair.vipNum()).isEmpty());
    }
}
