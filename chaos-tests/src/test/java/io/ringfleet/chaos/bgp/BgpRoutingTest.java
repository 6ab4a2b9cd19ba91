package io.ringfleet.chaos.bgp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringfleet.chaos.netns.LbNode;
import io.ringfleet.chaos.netns.Root;
import io.ringfleet.chaos.netns.Topology;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Real BGP between FRR (router) and BIRD (LBs), driven by the shipped {@code scripts/route-hook-bird}: the
 * router's ECMP route follows announce / withdraw, and an LB host that stops is withdrawn by BFD.
 *
 * <p>Control run: {@code -Dringfleet.bgp.sabotage=no-bfd} configures both sides without BFD; the host
 * failure step must then fail (only the 3 s hold timer notices the frozen host).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BgpRoutingTest {
    private static final int DRAINS = Integer.getInteger("ringfleet.bgp.drains", 6);
    private static final int HOST_FAILURES = Integer.getInteger("ringfleet.bgp.hostFailures", 2);
    /** Below the earliest the 3 s hold timer can fire after a freeze (last keepalive ≤ 1 s before it). */
    private static final long BFD_BOUND_MS = 1_500;

    private static Topology topology;
    private static BgpRouting bgp;
    private static BgpExercise exercise;

    @BeforeAll
    static void setUp() throws Exception {
        Assumptions.assumeTrue(Root.isRoot(), "needs root: network namespaces, routing daemons");
        for (String daemon : List.of("/usr/lib/frr/bgpd", "/usr/lib/frr/bfdd", "/usr/sbin/bird")) {
            assertTrue(Files.isExecutable(Path.of(daemon)), daemon + " missing: run scripts/install-deps.sh");
        }
        boolean bfd = !"no-bfd".equals(System.getProperty("ringfleet.bgp.sabotage"));
        topology = Topology.builder().lbs(3).backends(1).clients(1).build();
        Path dir = Files.createDirectories(Path.of("target", "bgp-runs", topology.prefix() + "bgp"))
                .toAbsolutePath();
        bgp = BgpRouting.start(topology, dir, bfd, System.out::println);
        exercise = new BgpExercise(bgp);
    }

    @AfterAll
    static void tearDown() {
        if (topology != null) {
            topology.close();
        }
        if (exercise != null) {
            System.out.println("bgp: timed against " + exercise.watchName() + "; drain → withdrawn "
                    + exercise.drainMs() + " ms (the hook itself ran " + exercise.drainHookMs()
                    + " ms), undrain → back "
                    + exercise.undrainMs() + " ms, host failure → withdrawn " + exercise.hostFailureMs()
                    + " ms, return → back " + exercise.returnMs() + " ms");
            System.out.println(exercise.summary());
        }
    }

    @Test
    @Order(1)
    void routerLearnsNothingUntilTheHooksAnnounceThenSpreadsOverEveryLb() {
        String bfdUp = bgp.bfd() ? "Up" : "none";
        assertEquals(Set.of(), bgp.nextHops(topology.vip4()), "BIRD starts announcing nothing");
        exercise.announceAll();
        // what zebra selected is what the kernel forwards with: one next hop per LB, per family
        assertEquals(exercise.all(), topology.nextHops4());
        assertEquals(exercise.all(), topology.nextHops6());
        for (BirdSpeaker s : bgp.speakers()) {
            assertEquals("Established", s.sessionState().orElse("none"), s.lb().id());
            assertEquals(bfdUp, s.bfdState().orElse("none"), s.lb().id());
        }
    }

    @Test
    @Order(2)
    void drainWithdrawsTheLbAndUndrainBringsItBack() {
        for (int i = 0; i < DRAINS; i++) {
            LbNode lb = topology.lb(1 + i % topology.lbs().size());
            exercise.drain(lb);
            assertEquals(without(lb.number()), topology.nextHops4(), "the kernel route follows FRR");
            assertEquals(without(lb.number()), topology.nextHops6(), "the kernel route follows FRR");
            exercise.undrain(lb);
        }
    }

    @Test
    @Order(3)
    void hostFailureIsWithdrawnByBfdAndTheHostComesBackOnlyWhenItsHookAnnounces() {
        for (int i = 0; i < HOST_FAILURES; i++) {
            LbNode lb = topology.lb(topology.lbs().size() - i % topology.lbs().size());
            long ms = exercise.hostFailure(lb);
            assertTrue(
                    ms < BFD_BOUND_MS,
                    lb.id() + "'s host stopped: the router withdrew it after " + ms
                            + " ms, not within BFD's detection (" + BFD_BOUND_MS + " ms): the hold timer did it");
            assertFalse(bgp.speaker(lb.number()).alive(), "BIRD of the failed host is gone");
            exercise.hostReturn(lb);
        }
    }

    @Test
    @Order(4)
    void aRebootedHostAnnouncesNothingUntilItsHookRuns() {
        LbNode lb = topology.lb(1);
        exercise.hostFailure(lb);
        HostFailure.revive(lb, bgp.speaker(1));
        bgp.awaitSessions(List.of(lb));
        assertEquals(without(1), bgp.nextHops(topology.vip4()), "session up, nothing announced yet");
        exercise.undrain(lb);
    }

    @Test
    @Order(5)
    void theHookRefusesBadInputInOneLineAndChangesNothing() throws Exception {
        BirdSpeaker s = bgp.speaker(1);
        String before = Files.readString(s.vipsFile());
        IllegalStateException notAnAddress = assertThrows(
                IllegalStateException.class, () -> BirdRouteHook.run(s, "announce", List.of("10.200.0.1;", "x")));
        assertTrue(
                notAnAddress.getMessage().endsWith("route-hook-bird: not an IP address: '10.200.0.1;'"),
                notAnAddress.getMessage());
        IllegalStateException badAction =
                assertThrows(IllegalStateException.class, () -> BirdRouteHook.run(s, "announced", exercise.vips()));
        assertTrue(badAction.getMessage().contains("usage: route-hook-bird announce|withdraw"), badAction.getMessage());
        assertEquals(before, Files.readString(s.vipsFile()), "a refused call leaves the include file as it was");
        assertEquals(exercise.all(), bgp.nextHops(topology.vip4()), "and the routes as they were");
    }

    private static Set<Integer> without(int n) {
        Set<Integer> out = exercise.all();
        out.remove(n);
        return out;
    }
}
