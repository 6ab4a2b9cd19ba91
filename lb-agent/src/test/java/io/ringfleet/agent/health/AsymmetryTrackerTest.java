package io.ringfleet.agent.health;

import static io.ringfleet.state.testing.HealthFleet.setCheck;
import static io.ringfleet.state.testing.HealthFleet.tcpCheck;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringfleet.api.VipKey;
import io.ringfleet.state.testing.Commands;
import io.ringfleet.state.testing.HealthFleet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Asymmetric reachability from the log's votes and verdicts (raft-state's applier at fleet version 3, peers
 * lb1..lb3, quorum 2): a vote the fleet does not follow counts once it has lasted longer than fall × interval (the
 * default check: 3 × 2,000 ms); a vote the quorum follows, or one that joined the fleet again, does not.
 */
class AsymmetryTrackerTest {
    private static final VipKey VIP = Commands.vip("10.0.0.1", 80, Commands.TCP);
    private static final String A = "10.1.0.2";
    private static final String B = "10.1.0.3";
    private static final long GRACE = 3 * 2_000;

    private HealthFleet fleet;

    @BeforeEach
    void checkedVip() {
        fleet = new HealthFleet();
        fleet.apply(Commands.addVip(VIP), Commands.addReals(VIP, A + "=1", B + "=1"));
        fleet.apply(setCheck(VIP, tcpCheck(true)));
    }

    private AsymmetryTracker seenBy(String node, long atMillis) {
        AsymmetryTracker t = new AsymmetryTracker(node);
        t.imageProgrammed(fleet.image(), atMillis);
        return t;
    }

    @Test
    void aLoneDownVoteIsReportedOnceItOutlastsFallTimesInterval() {
        assertTrue(fleet.vote("lb1", VIP, A, false).isOk());
        assertTrue(fleet.vote("lb2", VIP, A, true).isOk());

        AsymmetryTracker lb1 = seenBy("lb1", 1_000);
        assertEquals(0, lb1.asymmetricPairs(1_000 + GRACE), "not longer than fall × interval yet");
        assertEquals(1, lb1.asymmetricPairs(1_000 + GRACE + 1));
        assertEquals(0, seenBy("lb2", 1_000).asymmetricPairs(1_000_000), "lb2 agrees with the fleet");
    }

    @Test
    void aVoteTheQuorumFollowsIsNotAsymmetryButTheOddOneOutIs() {
        fleet.vote("lb1", VIP, A, false);
        fleet.vote("lb2", VIP, A, false);
        fleet.vote("lb3", VIP, A, true);

        assertEquals(0, seenBy("lb1", 0).asymmetricPairs(1_000_000));
        assertEquals(1, seenBy("lb3", 0).asymmetricPairs(1_000_000), "lb3 alone reaches A");
    }

    @Test
    void theDisagreementEndsWithTheVoteThatJoinsTheFleetAndStartsAgainFromZero() {
        fleet.vote("lb1", VIP, A, false);
        AsymmetryTracker lb1 = seenBy("lb1", 0);
        assertEquals(1, lb1.asymmetricPairs(GRACE + 1));

        fleet.vote("lb1", VIP, A, true);
        lb1.imageProgrammed(fleet.image(), GRACE + 2);
        assertEquals(0, lb1.asymmetricPairs(10 * GRACE));

        fleet.vote("lb1", VIP, A, false);
        lb1.imageProgrammed(fleet.image(), 10 * GRACE);
        assertEquals(0, lb1.asymmetricPairs(11 * GRACE), "a new disagreement waits its own fall × interval");
        assertEquals(1, lb1.asymmetricPairs(11 * GRACE + 1));
    }

    @Test
    void aLaterImageDoesNotRestartAnOngoingDisagreement() {
        fleet.vote("lb1", VIP, A, false);
        AsymmetryTracker lb1 = seenBy("lb1", 0);

        fleet.vote("lb3", VIP, B, true); // another entry, lb1 still alone on A
        lb1.imageProgrammed(fleet.image(), GRACE);

        assertEquals(1, lb1.asymmetricPairs(GRACE + 1), "counted from the first image that showed it");
    }

    @Test
    void aDisabledCheckReportsNothing() {
        fleet.vote("lb1", VIP, A, false);
        fleet.apply(setCheck(VIP, tcpCheck(false)));

        assertEquals(0, seenBy("lb1", 0).asymmetricPairs(1_000_000));
    }
}
