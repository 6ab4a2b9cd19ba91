package io.ringfleet.chaos.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringfleet.api.GetRealHealthResponse;
import io.ringfleet.api.HealthVoteInfo;
import io.ringfleet.api.RealHealthInfo;
import io.ringfleet.api.VerdictReason;
import io.ringfleet.chaos.agents.LbAgentFleet;
import io.ringfleet.chaos.health.FleetRingWatch.Sample;
import io.ringfleet.chaos.netns.BackendNode;
import io.ringfleet.chaos.netns.EchoServer;
import io.ringfleet.chaos.netns.LbNode;
import io.ringfleet.chaos.netns.Root;
import io.ringfleet.chaos.netns.Topology;
import io.ringfleet.chaos.netns.Traffic;
import io.ringfleet.chaos.netns.TrafficSnapshot;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Issue 11's tests 1-4 with real lb-agent processes in namespaces (3 LBs, 3 backends with real TCP echo servers,
 * one client), the check and settings set through lbctl: a dead real leaves every LB's ring at one log index and
 * comes back; an LB cut off from one real changes nothing in the fleet and says so; a flapping real is damped; two
 * dead reals of three put the VIP in panic. A {@link FleetRingWatch} samples every LB's kernel rings throughout, and
 * every scenario ends by requiring equal rings at every index seen on several LBs.
 *
 * <p>Sabotage (each must make its scenario fail; several may be given, comma-separated):
 * {@code -Dringfleet.health.sabotage=quorum1} (scenario 2: one LB's vote decides), {@code nodamping} (scenario 3:
 * flap limit 1000), {@code panic100} (scenario 4: never panic).
 * Root, namespaces, XDP: run under the kernel lock.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HealthChaosTest {
    /** Short timings so the run takes minutes: a dead real is seen after 750 ms, a live one after 500 ms. */
    private static final CheckTiming TIMING = new CheckTiming(250, 200, 2, 3);
    /** The bound: within fall × interval + 1 s every LB's kernel excludes a dead real. */
    private static final long DOWN_BOUND_MILLIS = TIMING.downMillis() + 1000;

    private static final Duration SETTLE = Duration.ofSeconds(30);
    private static final int FLAP_LIMIT = 2;
    private static final String SABOTAGE = System.getProperty("ringfleet.health.sabotage", "");

    private static Topology topology;
    private static LbAgentFleet fleet;
    private static HealthLbctl lbctl;
    private static FleetRingWatch watch;
    private static Traffic traffic;
    private static final Map<String, EchoServer> servers = new TreeMap<>();
    private static int scenariosPassed;
    private static long newFlowsToDead;

    @BeforeAll
    static void setUp() {
        assertTrue(Root.isRoot(), "HealthChaosTest needs root: namespaces, XDP, BPF maps (run under the kernel lock)");
        topology = Topology.builder()
                .lbs(3)
                .backends(3)
                .clients(1)
                .log(System.out::println)
                .build();
        fleet = LbAgentFleet.start(topology, 4, 64, System.out::println);
        lbctl = new HealthLbctl(topology, fleet, System.out::println);
        for (EchoServer s : topology.echoServers()) {
            servers.put(s.name(), s);
        }
        lbctl.addVipWithMarkedReals(lb(2));
        if (sabotaged("quorum1")) {
            lbctl.settings(lb(2), "--health-quorum", "1");
        }
        if (sabotaged("panic100")) {
            lbctl.settings(lb(2), "--health-panic-percent", "100");
        }
        lbctl.setCheck(lb(2), TIMING);
        watch = FleetRingWatch.start(topology, fleet, lbctl.vipInMaps());
        watch.awaitEvery(s -> allIn(s), System.nanoTime(), SETTLE);
        awaitFleet(lb(2), r -> r.getRealsList().stream().allMatch(x -> x.getVotesCount() == 3), "every LB voted");
        traffic = Traffic.builder()
                .longLived(12)
                .udpFlows(0)
                .shortPerSecond(20)
                .ipv6(false)
                .start(topology);
        assertTrue(traffic.awaitLongOpen(12, 20_000), "12 long-lived connections open: " + traffic.failures());
    }

    @AfterAll
    static void tearDown() {
        if (scenariosPassed == 4) {
            System.out.println("health-chaos: " + scenariosPassed + " scenarios, verdicts equal at every index on 3/3"
                    + " nodes, 0 broken flows to live reals, " + newFlowsToDead
                    + " new flows to dead reals after their verdict");
            System.out.println("health-chaos: " + watch.sampleCount() + " kernel samples, "
                    + watch.indexesSeenOnSeveralLbs() + " indexes seen on several LBs, 0 with different rings");
        }
        if (topology != null) {
            topology.close();
        }
        servers.values().forEach(EchoServer::close);
    }

    @AfterEach
    void ringsAreEqualAtEveryIndex() {
        assertEquals(List.of(), watch.indexConflicts(), "two LBs held different rings at one programmed index");
    }

    /** Test 1: a backend's server dies, every LB's kernel drops it at one index, then it comes back. */
    @Test
    @Order(1)
    void aDeadRealLeavesEveryRingAtOneIndexAndComesBack() {
        BackendNode be2 = backend(2);
        TrafficSnapshot before = traffic.snapshot();
        traffic.realRemoved(be2.name());
        long killed = System.nanoTime();
        servers.get(be2.name()).close();
        SortedMap<Integer, Sample> out = watch.awaitEvery(s -> s.slotsOf(be2) == 0, killed, SETTLE);
        long downMillis = slowest(out, killed);
        TrafficSnapshot atExclusion = traffic.snapshot();

        long downIndex = sameVerdictOnEveryLb(be2, true, VerdictReason.QUORUM_DOWN);
        everySampleExcludesFrom(be2, downIndex, killed);
        pause(2000);
        TrafficSnapshot after = traffic.snapshot().since(atExclusion);
        long failedAfter = after.shortFailed() + after.connectFailed();
        newFlowsToDead += failedAfter;
        System.out.printf(
                "health-chaos 1: be2 down at index %d on 3/3 LBs, every kernel excluded it after %d ms (bound %d);"
                        + " after that %d new connections ok, %d failed%n",
                downIndex, downMillis, DOWN_BOUND_MILLIS, after.shortOk(), failedAfter);
        assertTrue(downMillis <= DOWN_BOUND_MILLIS, "excluded after " + downMillis + " ms");
        assertEquals(0, failedAfter, "new flows failed after every LB excluded be2: " + traffic.failures());
        assertEquals(0L, after.shortByReal().getOrDefault(be2.name(), 0L));

        long restarted = System.nanoTime();
        restart(be2);
        SortedMap<Integer, Sample> back = watch.awaitEvery(s -> s.slotsOf(be2) > 0, restarted, SETTLE);
        long upMillis = slowest(back, restarted);
        traffic.realRestored(be2.name());
        long upIndex = sameVerdictOnEveryLb(be2, false, VerdictReason.QUORUM_UP);
        System.out.printf(
                "health-chaos 1: be2 up again at index %d on 3/3 LBs after %d ms (rise × interval %d)%n",
                upIndex, upMillis, TIMING.upMillis());
        // "it recovers after rise × interval": not before (rise is counted), and it does (within SETTLE)
        assertTrue(upMillis >= TIMING.upMillis(), "back after " + upMillis + " ms, before rise × interval");
        assertEquals(List.of(), traffic.snapshot().since(before).unexpectedBroken(), "broken flows to live reals");
        scenariosPassed++;
    }

    /** Test 2: lb1 cannot reach be1 (iptables drops its probes); the other two can: no fleet change. */
    @Test
    @Order(2)
    void anLbCutOffFromOneRealChangesNothingInTheFleet() {
        BackendNode be1 = backend(1);
        LbNode lb1 = lb(1);
        TrafficSnapshot before = traffic.snapshot();
        long start = System.nanoTime();
        String rule = "OUTPUT -m mark --mark " + be1.number() + " -j DROP";
        lb1.ns().exec(("iptables -A " + rule).split(" "));
        try {
            GetRealHealthResponse seen = awaitFleet(
                    lb(2), r -> vote(r, be1, "lb1").map(v -> !v.getUp()).orElse(false), "lb1 votes be1 down");
            pause(TIMING.downMillis() + 2000); // time for any fleet change to land
            for (LbNode lb : topology.lbs()) {
                RealHealthInfo real =
                        HealthLbctl.real(lbctl.realHealth(lb), be1).orElseThrow();
                assertFalse(real.getDown(), lb.id() + " sees a fleet verdict down for be1: " + real);
                assertTrue(real.getInRing(), lb.id() + ": be1 left the ring");
            }
            for (LbNode lb : topology.lbs()) {
                assertEquals(0, watch.ringChanges(lb.number(), start), lb.id() + "'s ring changed");
            }
            System.out.printf(
                    "health-chaos 2: lb1 votes be1 down (index %d), lb2 and lb3 up: fleet verdict up, 0 ring changes;"
                            + " asymmetric pairs reported by lb1 %s, lb2 %s%n",
                    vote(seen, be1, "lb1").orElseThrow().getLogIndex(),
                    fleet.agent(1).metric("ringfleet_health_asymmetric_pairs"),
                    fleet.agent(2).metric("ringfleet_health_asymmetric_pairs"));
            assertEquals(1.0, fleet.agent(1).metric("ringfleet_health_asymmetric_pairs"), "lb1 reports asymmetry");
            assertEquals(0.0, fleet.agent(2).metric("ringfleet_health_asymmetric_pairs"), "lb2 reports none");
        } finally {
            lb1.ns().exec(("iptables -D " + rule).split(" "));
        }
        awaitFleet(lb(2), r -> vote(r, be1, "lb1").map(HealthVoteInfo::getUp).orElse(false), "lb1 votes be1 up");
        assertEquals(List.of(), traffic.snapshot().since(before).unexpectedBroken(), "broken flows");
        scenariosPassed++;
    }

    /** Test 4: be1 and be3 die: more than half the VIP's weight is down, so every real stays in the ring. */
    @Test
    @Order(3)
    void twoDeadRealsOfThreePanicAndKeepEveryRealInTheRing() {
        BackendNode be1 = backend(1);
        BackendNode be3 = backend(3);
        String baseline = watch.latest().get(1).ringDigest();
        TrafficSnapshot before = traffic.snapshot();
        long killed = System.nanoTime();
        for (BackendNode b : List.of(be1, be3)) {
            traffic.realRemoved(b.name());
            servers.get(b.name()).close();
        }
        awaitFleet(lb(2), GetRealHealthResponse::getPanic, "the VIP in panic");
        List<GetRealHealthResponse> views = everyLb();
        long panicIndex = views.get(0).getPanicSinceIndex();
        for (int i = 0; i < views.size(); i++) {
            GetRealHealthResponse v = views.get(i);
            assertTrue(v.getPanic(), "lb" + (i + 1) + " sees no panic");
            assertEquals(panicIndex, v.getPanicSinceIndex(), "lb" + (i + 1) + "'s panic index");
            for (RealHealthInfo r : v.getRealsList()) {
                assertTrue(r.getInRing(), "lb" + (i + 1) + ": " + r.getAddress() + " left the ring in panic");
            }
        }
        watch.awaitEvery(s -> s.index() >= panicIndex && s.ringDigest().equals(baseline), killed, SETTLE);
        for (LbNode lb : topology.lbs()) {
            for (Sample s : watch.since(lb.number(), killed)) {
                if (s.index() >= panicIndex) {
                    assertEquals(baseline, s.ringDigest(), lb.id() + "'s ring at index " + s.index() + " in panic");
                }
            }
            assertEquals(1.0, fleet.agent(lb.number()).metric("ringfleet_health_vip_panic"), lb.id() + " metric");
        }
        int changedBeforePanic = watch.ringChanges(1, killed);
        System.out.printf(
                "health-chaos 4: be1 and be3 dead, panic at index %d on 3/3 LBs, rings as before the failure"
                        + " (lb1's ring changed %d times before the panic: the first verdict can land before the"
                        + " second)%n",
                panicIndex, changedBeforePanic);

        long restarted = System.nanoTime();
        restart(be1);
        restart(be3);
        awaitFleet(lb(2), r -> !r.getPanic() && r.getRealsList().stream().noneMatch(RealHealthInfo::getDown), "normal");
        watch.awaitEvery(s -> s.ringDigest().equals(baseline), restarted, SETTLE);
        traffic.realRestored(be1.name());
        traffic.realRestored(be3.name());
        assertEquals(List.of(), traffic.snapshot().since(before).unexpectedBroken(), "broken flows to live reals");
        scenariosPassed++;
    }

    /** Test 3: be2 flaps every second: at most flap limit + 1 ring changes, then it is held down. */
    @Test
    @Order(4)
    void aFlappingRealIsDampedAndHeldDown() {
        BackendNode be2 = backend(2);
        String limit = sabotaged("nodamping") ? "1000" : Integer.toString(FLAP_LIMIT);
        lbctl.settings(lb(2), "--health-flap-limit", limit, "--health-half-life", "600s");
        int maxChanges = FLAP_LIMIT + 1;
        TrafficSnapshot before = traffic.snapshot();
        traffic.realRemoved(be2.name());
        long start = System.nanoTime();
        for (int i = 0; i < 14; i++) {
            if (i % 2 == 0) {
                servers.get(be2.name()).close();
            } else {
                restart(be2);
            }
            pause(1000);
        }
        restart(be2);
        pause(TIMING.upMillis() + 3000); // up on every LB, and long enough for any ring change to land
        List<GetRealHealthResponse> views = everyLb();
        List<Integer> changes = new ArrayList<>();
        for (LbNode lb : topology.lbs()) {
            changes.add(watch.ringChanges(lb.number(), start));
        }
        RealHealthInfo seen = HealthLbctl.real(views.get(0), be2).orElseThrow();
        System.out.printf(
                "health-chaos 3: be2 flapped 7 times; ring changes per LB %s (at most %d), then down %s (%s since"
                        + " index %d, held until log time %d)%n",
                changes, maxChanges, seen.getDown(), seen.getReason(), seen.getSinceIndex(), seen.getHeldUntilMillis());
        for (int i = 0; i < changes.size(); i++) {
            assertTrue(changes.get(i) <= maxChanges, "lb" + (i + 1) + "'s ring changed " + changes.get(i) + " times");
            RealHealthInfo real = HealthLbctl.real(views.get(i), be2).orElseThrow();
            assertTrue(real.getDown() && real.getHeldUntilMillis() > 0, "lb" + (i + 1) + ": be2 not held: " + real);
            assertFalse(real.getInRing(), "lb" + (i + 1) + ": held-down be2 is in the ring");
        }
        watch.awaitEvery(s -> s.slotsOf(be2) == 0, System.nanoTime(), SETTLE);
        assertEquals(List.of(), traffic.snapshot().since(before).unexpectedBroken(), "broken flows to live reals");
        scenariosPassed++;
    }

    // ---- helpers ----

    /** Whether this run breaks what (a comma-separated list in {@code ringfleet.health.sabotage}). */
    private static boolean sabotaged(String what) {
        return List.of(SABOTAGE.split(",")).contains(what);
    }

    /** The verdict on real as every LB's image holds it; all equal (down, reason, since index). Returns the index. */
    private static long sameVerdictOnEveryLb(BackendNode real, boolean down, VerdictReason reason) {
        List<GetRealHealthResponse> views = everyLb();
        TreeSet<Long> since = new TreeSet<>();
        for (int i = 0; i < views.size(); i++) {
            RealHealthInfo r = HealthLbctl.real(views.get(i), real).orElseThrow();
            assertEquals(down, r.getDown(), "lb" + (i + 1) + "'s verdict on " + real.name() + ": " + r);
            assertEquals(down, !r.getInRing(), "lb" + (i + 1) + ": in ring " + r.getInRing());
            assertEquals(reason, r.getReason(), "lb" + (i + 1) + "'s reason");
            since.add(r.getSinceIndex());
        }
        assertEquals(1, since.size(), "the LBs saw the verdict at different indexes " + since);
        return since.first();
    }

    /** Every kernel sample from sinceNanos on holds real in its ring below index and not at or above it. */
    private static void everySampleExcludesFrom(BackendNode real, long index, long sinceNanos) {
        for (LbNode lb : topology.lbs()) {
            for (Sample s : watch.since(lb.number(), sinceNanos)) {
                assertEquals(
                        s.index() >= index,
                        s.slotsOf(real) == 0,
                        lb.id() + " at index " + s.index() + " holds " + s.slotsOf(real) + " slots of " + real.name()
                                + " (verdict at " + index + ")");
            }
        }
    }

    /** One lbctl read per LB, one after the other (three JVMs at once starved the traffic's clients here). */
    private static List<GetRealHealthResponse> everyLb() {
        List<GetRealHealthResponse> reads = new ArrayList<>();
        for (LbNode lb : topology.lbs()) {
            reads.add(lbctl.realHealth(lb));
        }
        return reads;
    }

    private static GetRealHealthResponse awaitFleet(LbNode lb, Predicate<GetRealHealthResponse> what, String wanted) {
        long deadline = System.nanoTime() + SETTLE.toNanos();
        GetRealHealthResponse r = lbctl.realHealth(lb);
        while (!what.test(r)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not " + wanted + " within " + SETTLE.toSeconds() + " s: " + r);
            }
            pause(300);
            r = lbctl.realHealth(lb);
        }
        return r;
    }

    private static java.util.Optional<HealthVoteInfo> vote(GetRealHealthResponse r, BackendNode real, String node) {
        return HealthLbctl.real(r, real)
                .flatMap(x -> x.getVotesList().stream()
                        .filter(v -> v.getNodeId().equals(node))
                        .findFirst());
    }

    private static boolean allIn(Sample s) {
        return topology.backends().stream().allMatch(b -> s.slotsOf(b) > 0);
    }

    private static long slowest(SortedMap<Integer, Sample> samples, long fromNanos) {
        return samples.values().stream()
                        .mapToLong(s -> s.atNanos() - fromNanos)
                        .max()
                        .orElseThrow()
                / 1_000_000;
    }

    private static void restart(BackendNode b) {
        servers.get(b.name()).close();
        servers.put(
                b.name(),
                EchoServer.start(b.ns(), b.name(), List.of(topology.vip4(), topology.vip6()), topology.echoPort()));
    }

    private static BackendNode backend(int m) {
        return topology.backends().get(m - 1);
    }

    private static LbNode lb(int n) {
        return topology.lb(n);
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
