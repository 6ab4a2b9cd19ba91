package io.ringfleet.chaos.bgp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringfleet.chaos.netns.Addresses;
import io.ringfleet.chaos.netns.LbNode;
import io.ringfleet.chaos.netns.Root;
import io.ringfleet.chaos.netns.Topology;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
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
 * <p>Control run: {@code -Dringfleet.bgp.sabotage=no-bfd} configures the router without BFD; the host
 * failure step must then fail (only the 3 s hold timer notices the frozen host).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BgpRoutingTest {
    private static final int DRAINS = Integer.getInteger("ringfleet.bgp.drains", 6);
    private static final int HOST_FAILURES = Integer.getInteger("ringfleet.bgp.hostFailures", 2);
    /** Below the earliest the 3 s hold timer can fire after a freeze (last keepalive ≤ 1 s before it). */
    private static final long BFD_BOUND_MS = 1_500;

    private static final long STEP_TIMEOUT_MS = 10_000;

    private static Topology topology;
    private static BgpRouting bgp;
    private static RouteWatch watch;
    private static List<String> vips;
    private static final List<Long> drainMs = new ArrayList<>();
    private static final List<Long> undrainMs = new ArrayList<>();
    private static final List<Long> hostFailureMs = new ArrayList<>();
    private static final List<Long> returnMs = new ArrayList<>();

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
        watch = new RouteWatch(bgp, List.of(topology.vip4(), topology.vip6()));
        vips = List.of(Addresses.text(topology.vip4()), Addresses.text(topology.vip6()));
    }

    @AfterAll
    static void tearDown() {
        if (topology != null) {
            topology.close();
        }
        if (!drainMs.isEmpty() || !hostFailureMs.isEmpty()) {
            System.out.println("bgp: drain → withdrawn " + drainMs + " ms, undrain → back " + undrainMs
                    + " ms, host failure → withdrawn " + hostFailureMs + " ms, return → back " + returnMs + " ms");
            System.out.println("bgp: " + drainMs.size() + " drains, " + hostFailureMs.size()
                    + " host failures, withdraw p99 " + RouteWatch.percentile(drainMs, 99) + " ms");
        }
    }

    @Test
    @Order(1)
    void routerLearnsNothingUntilTheHooksAnnounceThenSpreadsOverEveryLb() {
        assertEquals(Set.of(), bgp.nextHops(topology.vip4()), "BIRD starts announcing nothing");
        for (BirdSpeaker s : bgp.speakers()) {
            BirdRouteHook.run(s, "announce", vips);
        }
        watch.awaitMillis(System.nanoTime(), hops -> hops.equals(all()), "every LB announced", STEP_TIMEOUT_MS);
        // what zebra selected is what the kernel forwards with: one next hop per LB, per family
        assertEquals(all(), topology.nextHops4());
        assertEquals(all(), topology.nextHops6());
    }

    @Test
    @Order(2)
    void drainWithdrawsTheLbAndUndrainBringsItBack() {
        for (int i = 0; i < DRAINS; i++) {
            LbNode lb = topology.lb(1 + i % topology.lbs().size());
            BirdSpeaker s = bgp.speaker(lb.number());
            long t0 = System.nanoTime();
            BirdRouteHook.run(s, "withdraw", vips);
            drainMs.add(watch.awaitMillis(
                    t0, hops -> !hops.contains(lb.number()), lb.id() + " withdrawn", STEP_TIMEOUT_MS));
            assertEquals(without(lb.number()), topology.nextHops4(), "the kernel route follows FRR");
            long t1 = System.nanoTime();
            BirdRouteHook.run(s, "announce", vips);
            undrainMs.add(watch.awaitMillis(t1, hops -> hops.equals(all()), lb.id() + " back", STEP_TIMEOUT_MS));
        }
    }

    @Test
    @Order(3)
    void hostFailureIsWithdrawnByBfdAndTheHostComesBack() {
        for (int i = 0; i < HOST_FAILURES; i++) {
            LbNode lb = topology.lb(topology.lbs().size() - i % topology.lbs().size());
            BirdSpeaker s = bgp.speaker(lb.number());
            long t0 = System.nanoTime();
            List<Long> frozen = HostFailure.stop(lb);
            long ms = watch.awaitMillis(
                    t0,
                    hops -> !hops.contains(lb.number()),
                    lb.id() + " withdrawn after its" + " host stopped",
                    STEP_TIMEOUT_MS);
            hostFailureMs.add(ms);
            assertTrue(
                    ms < BFD_BOUND_MS,
                    lb.id() + "'s host stopped: the router withdrew it after " + ms
                            + " ms, not within BFD's detection (" + BFD_BOUND_MS + " ms): the hold timer did it");
            HostFailure.bury(lb, frozen);
            assertTrue(!s.alive(), "BIRD of the failed host is gone");

            HostFailure.revive(lb, s);
            bgp.awaitSessions(List.of(lb), true);
            assertEquals(
                    without(lb.number()),
                    bgp.nextHops(topology.vip4()),
                    "a rebooted host announces nothing" + " until its hook runs");
            long t1 = System.nanoTime();
            BirdRouteHook.run(s, "announce", vips);
            returnMs.add(watch.awaitMillis(t1, hops -> hops.equals(all()), lb.id() + " back", STEP_TIMEOUT_MS));
        }
    }

    private static Set<Integer> all() {
        Set<Integer> out = new TreeSet<>();
        topology.lbs().forEach(lb -> out.add(lb.number()));
        return out;
    }

    private static Set<Integer> without(int n) {
        Set<Integer> out = all();
        out.remove(n);
        return out;
    }
}
