package io.ringfleet.state.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringfleet.state.IpAddress;
import io.ringfleet.state.Protocol;
import io.ringfleet.state.VipKey;
import java.util.Random;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class FleetHealthTest {
    private static final VipKey VIP = new VipKey(IpAddress.parse("10.200.0.1"), 80, Protocol.TCP);
    private static final IpAddress BE1 = IpAddress.parse("10.1.0.1");
    private static final IpAddress BE2 = IpAddress.parse("10.1.0.2");
    private static final IpAddress BE3 = IpAddress.parse("10.1.0.3");
    private static final HealthPair P1 = new HealthPair(VIP, BE1);
    private static final HealthPair P2 = new HealthPair(VIP, BE2);
    private static final HealthPair P3 = new HealthPair(VIP, BE3);
    private static final SortedSet<String> LBS = new TreeSet<>(java.util.List.of("lb1", "lb2", "lb3"));
    /** No damping in the way: a limit no test reaches. */
    private static final FleetHealthSettings PLAIN = new FleetHealthSettings(0, 50, 1_000, 60_000);

    private static HealthVote down(String node, HealthPair p, long at) {
        return new HealthVote(node, p, false, at);
    }

    private static HealthVote up(String node, HealthPair p, long at) {
        return new HealthVote(node, p, true, at);
    }

    private static SortedMap<VipKey, SortedMap<IpAddress, Integer>> threeReals() {
        SortedMap<IpAddress, Integer> w = new TreeMap<>();
        w.put(BE1, 1);
        w.put(BE2, 1);
        w.put(BE3, 1);
        SortedMap<VipKey, SortedMap<IpAddress, Integer>> m = new TreeMap<>();
        m.put(VIP, w);
        return m;
    }

    @Test
    void aRealGoesDownOnlyWhenAQuorumReportsIt() {
        FleetHealth h = FleetHealth.empty(PLAIN, LBS).vote(down("lb1", P2, 1_000));
        assertFalse(h.fleetDown(P2), "one LB of three is asymmetric reachability, not a fleet change");
        h = h.vote(down("lb3", P2, 1_100));
        assertTrue(h.fleetDown(P2));
        assertEquals(
                new TreeSet<>(java.util.List.of(BE2)),
                h.verdicts(threeReals(), 1_100).get(VIP).excluded());
        h = h.vote(up("lb1", P2, 5_000));
        assertTrue(h.fleetDown(P2), "one up vote is no quorum: the fleet verdict stays");
        h = h.vote(up("lb3", P2, 5_100));
        assertFalse(h.fleetDown(P2));
    }

    @Test
    void aSetQuorumOverridesTheMajority() {
        FleetHealth h = FleetHealth.empty(new FleetHealthSettings(3, 50, 1_000, 60_000), LBS)
                .vote(down("lb1", P1, 1))
                .vote(down("lb2", P1, 2));
        assertFalse(h.fleetDown(P1));
        assertTrue(h.vote(down("lb3", P1, 3)).fleetDown(P1));
    }

    @Test
    void aDeadLbsStaleVotesCountUntilItLeaves() {
        // lb3 voted down, then died; lb1 agrees: its stale vote completes the quorum
        FleetHealth h = FleetHealth.empty(PLAIN, LBS).vote(down("lb3", P1, 1)).vote(down("lb1", P1, 2));
        assertTrue(h.fleetDown(P1));
        // lb1 changes its mind; lb2 says up: the dead lb3's down is outvoted by a quorum of ups
        h = h.vote(up("lb1", P1, 10)).vote(up("lb2", P1, 11));
        assertFalse(h.fleetDown(P1));
        // lb3 leaves the fleet: its votes are gone, and with 2 voters one down vote is no majority
        SortedSet<String> two = new TreeSet<>(java.util.List.of("lb1", "lb2"));
        h = h.voters(two, two, 20).vote(down("lb1", P1, 21));
        assertFalse(h.fleetDown(P1));
        assertTrue(h.vote(down("lb2", P1, 22)).fleetDown(P1));
    }

    @Test
    void aDrainedLbDoesNotVote() {
        SortedSet<String> notDrained = new TreeSet<>(java.util.List.of("lb1", "lb3"));
        FleetHealth h = FleetHealth.empty(PLAIN, LBS).voters(LBS, notDrained, 1);
        h = h.vote(down("lb2", P1, 2)).vote(down("lb1", P1, 3));
        assertFalse(h.fleetDown(P1), "lb2 is drained: only lb1 of lb1, lb3 counts, no majority of 2");
        assertTrue(h.vote(down("lb3", P1, 4)).fleetDown(P1));
        // undrained, lb2's kept vote counts again
        assertTrue(h.voters(LBS, LBS, 5).fleetDown(P1));
    }

    @Test
    void moreThanThePanicThresholdDownKeepsEveryReal() {
        FleetHealth h = FleetHealth.empty(PLAIN, LBS);
        for (String lb : LBS) {
            h = h.vote(down(lb, P1, 1)).vote(down(lb, P2, 1));
        }
        FleetHealth.VipHealth v = h.verdicts(threeReals(), 2).get(VIP);
        assertTrue(v.panic(), "2 of 3 equal weights down is more than 50 %");
        assertTrue(v.excluded().isEmpty(), "fail open: every real keeps its slots");
        for (String lb : LBS) {
            h = h.vote(up(lb, P2, 3));
        }
        v = h.verdicts(threeReals(), 4).get(VIP);
        assertFalse(v.panic());
        assertEquals(new TreeSet<>(java.util.List.of(BE1)), v.excluded());
    }

    @Test
    void aFlappingRealIsHeldDownAndTheHoldDecays() {
        long halfLife = 10_000;
        FleetHealthSettings damped = new FleetHealthSettings(1, 100, 3, halfLife);
        SortedSet<String> one = new TreeSet<>(java.util.List.of("lb1"));
        FleetHealth h = FleetHealth.empty(damped, one);
        long t = 0;
        for (int i = 0; i < 4; i++) { // 8 changes within 4 s: merit about 7.3 > 3
            h = h.vote(down("lb1", P3, t += 500)).vote(up("lb1", P3, t += 500));
        }
        assertFalse(h.fleetDown(P3), "its last report is up");
        assertTrue(h.held(P3, t), "but it flapped: held down");
        assertTrue(h.verdicts(threeReals(), t).get(VIP).excluded().contains(BE3));
        // the merit (about 7.3) halves every 10 s: held until it is at most 1.5, about 23 s later
        assertTrue(h.held(P3, t + halfLife));
        assertFalse(h.held(P3, t + 4 * halfLife), "the penalty decayed");
        assertFalse(
                h.verdicts(threeReals(), t + 4 * halfLife).get(VIP).excluded().contains(BE3));
    }

    @Test
    void aRealThatChangesRarelyIsNeverHeld() {
        FleetHealthSettings damped = new FleetHealthSettings(1, 100, 3, 10_000);
        FleetHealth h = FleetHealth.empty(damped, new TreeSet<>(java.util.List.of("lb1")));
        long t = 0;
        for (int i = 0; i < 20; i++) { // one change a minute: the merit never builds up
            h = h.vote(down("lb1", P1, t += 60_000));
            assertFalse(h.held(P1, t));
            h = h.vote(up("lb1", P1, t += 60_000));
            assertFalse(h.held(P1, t));
        }
    }

    @Test
    void equalVotesInEqualOrderGiveEqualVerdictsWhateverTheVoterSetsOrder() {
        Random r = new Random(42);
        FleetHealth a = FleetHealth.empty(FleetHealthSettings.DEFAULTS, LBS);
        SortedSet<String> reversed = new TreeSet<>(java.util.Comparator.reverseOrder());
        reversed.addAll(LBS);
        FleetHealth b = FleetHealth.empty(FleetHealthSettings.DEFAULTS, reversed);
        HealthPair[] pairs = {P1, P2, P3};
        String[] nodes = LBS.toArray(String[]::new);
        for (int i = 0; i < 500; i++) {
            HealthVote v = new HealthVote(nodes[r.nextInt(3)], pairs[r.nextInt(3)], r.nextBoolean(), i * 250L);
            a = a.vote(v);
            b = b.vote(v);
            assertEquals(a.verdicts(threeReals(), v.atMillis()), b.verdicts(threeReals(), v.atMillis()));
        }
    }

    @Test
    void badSettingsAreRefusedNamingTheRule() {
        assertEquals(
                "panic threshold must be 0..100 %, got 101",
                assertThrows(InvalidHealthCheckException.class, () -> new FleetHealthSettings(0, 101, 3, 1))
                        .getMessage());
        assertEquals(
                "flap limit must be at least 1, got 0",
                assertThrows(InvalidHealthCheckException.class, () -> new FleetHealthSettings(0, 50, 0, 1))
                        .getMessage());
    }
}
