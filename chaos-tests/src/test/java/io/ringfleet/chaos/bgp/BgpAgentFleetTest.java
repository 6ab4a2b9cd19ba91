package io.ringfleet.chaos.bgp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringfleet.agent.cli.Lbctl;
import io.ringfleet.agent.daemon.BirdStatus;
import io.ringfleet.chaos.Pause;
import io.ringfleet.chaos.agents.AgentProcess;
import io.ringfleet.chaos.agents.LbAgentFleet;
import io.ringfleet.chaos.agents.LbctlProcess;
import io.ringfleet.chaos.netns.Addresses;
import io.ringfleet.chaos.netns.BackendNode;
import io.ringfleet.chaos.netns.LbNode;
import io.ringfleet.chaos.netns.Root;
import io.ringfleet.chaos.netns.Topology;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
 * Real lb-agent processes drive real BGP: each agent's route hook is {@code scripts/route-hook-bird} on its
 * LB's BIRD, FRR is the router. Announce once ready, withdraw on drain, keep the routes across {@code kill -9},
 * a host failure withdrawn by BFD and the host's return; {@code lbctl status}, metrics and {@code lbctl doctor}
 * show the speaker's state.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BgpAgentFleetTest {
    private static final long TIMEOUT_MS = 30_000;

    private static Topology topology;
    private static BgpRouting bgp;
    private static LbAgentFleet fleet;
    private static RouteWatch watch;

    @BeforeAll
    static void setUp() throws Exception {
        Assumptions.assumeTrue(Root.isRoot(), "needs root: network namespaces, XDP, routing daemons");
        topology = Topology.builder().lbs(3).backends(2).clients(1).build();
        Path dir = Files.createDirectories(Path.of("target", "bgp-runs", topology.prefix() + "bgp"))
                .toAbsolutePath();
        bgp = BgpRouting.start(topology, dir, true, System.out::println);
        fleet = LbAgentFleet.startWithBgp(topology, 8, 64, bgp, System.out::println);
        watch = new RouteWatch(bgp, List.of(topology.vip4(), topology.vip6()));
        for (InetAddress vip : List.of(topology.vip4(), topology.vip6())) {
            boolean v4 = vip.getAddress().length == 4;
            String key = (v4 ? Addresses.text(vip) : "[" + Addresses.text(vip) + "]") + ":" + topology.echoPort();
            ok(fleet.lbctl().run(topology.lb(1), "vip", "add", "tcp", key, "--wait"));
            List<String> add = new ArrayList<>(List.of("real", "add", "tcp", key));
            for (BackendNode b : topology.backends()) {
                add.add(Addresses.text(v4 ? b.address4() : b.address6()));
            }
            add.add("--wait");
            ok(fleet.lbctl().run(topology.lb(1), add.toArray(String[]::new)));
        }
    }

    @AfterAll
    static void tearDown() {
        if (topology != null) {
            topology.close();
        }
    }

    @Test
    @Order(1)
    void readyAgentsAnnounceTheirVipsAndStatusShowsTheSpeaker() {
        watch.awaitMillis(System.nanoTime(), hops -> hops.equals(all()), "every agent announced", TIMEOUT_MS);
        for (LbNode lb : topology.lbs()) {
            awaitStatusLine(
                    lb, "routes " + lb.id() + ": announced, speaker exports 2 route(s), BGP Established, BFD Up");
        }
        AgentProcess a = fleet.agent(1);
        assertEquals(1.0, a.metric("ringfleet_bgp_established"));
        assertEquals(1.0, a.metric("ringfleet_bfd_up"));
        assertEquals(2.0, a.metric("ringfleet_routes_announced"));
    }

    @Test
    @Order(2)
    void drainThroughLbctlWithdrawsAtTheRouterAndUndrainAnnouncesAgain() {
        LbNode lb = topology.lb(1);
        long t0 = System.nanoTime();
        ok(fleet.lbctl().run(topology.lb(2), "node", "drain", lb.id(), "--wait"));
        watch.awaitMillis(t0, hops -> hops.equals(without(1)), "lb1 drained", TIMEOUT_MS);
        awaitStatusLine(lb, "routes lb1: withdrawn, speaker exports 0 route(s), BGP Established, BFD Up");
        ok(fleet.lbctl().run(topology.lb(2), "node", "undrain", lb.id(), "--wait"));
        watch.awaitMillis(System.nanoTime(), hops -> hops.equals(all()), "lb1 undrained", TIMEOUT_MS);
    }

    @Test
    @Order(3)
    void anAgentKilledWith9LeavesItsRoutesAnnounced() {
        AgentProcess a = fleet.agent(2);
        a.kill9();
        // BIRD holds the announcement: over the agent's absence the router keeps lb2 in both routes
        for (int i = 0; i < 20; i++) {
            assertEquals(all(), bgp.nextHops(topology.vip4()), "lb2's agent is dead, its routes stay");
            assertEquals(
                    2,
                    BirdStatus.read(bgp.speaker(2).socket(), Duration.ofSeconds(2))
                            .announcedRoutes());
            Pause.millis(100);
        }
        a.start();
        fleet.awaitReady(List.of(a));
        assertEquals(all(), bgp.nextHops(topology.vip6()));
    }

    @Test
    @Order(4)
    void aFailedHostIsWithdrawnByBfdAndAnnouncesAgainOnlyOnceItsAgentIsReady() {
        LbNode lb = topology.lb(3);
        long t0 = System.nanoTime();
        List<Long> frozen = HostFailure.stop(lb);
        long ms = watch.awaitMillis(t0, hops -> hops.equals(without(3)), "lb3's host failed", TIMEOUT_MS);
        assertTrue(ms < 1_500, "withdrawn after " + ms + " ms: later than BFD's detection, the hold timer did it");
        HostFailure.bury(lb, frozen);
        fleet.agent(3).kill9(); // the test's handle on the (already killed) agent process

        HostFailure.revive(lb, bgp.speaker(3));
        bgp.awaitSessions(List.of(lb));
        assertEquals(without(3), bgp.nextHops(topology.vip4()), "BIRD is back, the agent is not ready: no routes");
        fleet.agent(3).start();
        fleet.awaitReady(List.of(fleet.agent(3)));
        watch.awaitMillis(System.nanoTime(), hops -> hops.equals(all()), "lb3 back", TIMEOUT_MS);
    }

    @Test
    @Order(5)
    void doctorChecksThatTheSpeakerAnswers() {
        String good = doctor(bgp.speaker(1).socket());
        assertTrue(good.lines().anyMatch(l -> l.startsWith("ok    bgp-speaker  BIRD answers on ")), good);
        Path absent = bgp.speaker(1).dir().resolve("no-such.ctl");
        String bad = doctor(absent);
        assertTrue(
                bad.lines().anyMatch(l -> l.startsWith("fail  bgp-speaker  BIRD does not answer on " + absent)), bad);
    }

    private static String doctor(Path socket) {
        StringWriter out = new StringWriter();
        Lbctl.run(
                new String[] {"doctor", "--bpffs", "/sys/fs/bpf", "--bird-socket", socket.toString()},
                new PrintWriter(out, true),
                new PrintWriter(new StringWriter(), true));
        return out.toString();
    }

    private static void awaitStatusLine(LbNode lb, String line) {
        long deadline = System.currentTimeMillis() + TIMEOUT_MS;
        String last = "";
        while (System.currentTimeMillis() < deadline) {
            LbctlProcess.Result r = fleet.lbctl().run(lb, "status", "--local");
            last = r.out();
            if (last.lines().anyMatch(l -> l.strip().equals(line))) {
                return;
            }
            Pause.millis(500);
        }
        throw new AssertionError("lbctl status on " + lb.id() + " never showed '" + line + "'; last:\n" + last);
    }

    private static void ok(LbctlProcess.Result r) {
        assertTrue(r.ok(), r::failure);
    }

    private static Set<Integer> all() {
        Set<Integer> out = new TreeSet<>();
        topology.lbs().forEach(l -> out.add(l.number()));
        return out;
    }

    private static Set<Integer> without(int n) {
        Set<Integer> out = all();
        out.remove(n);
        return out;
    }
}
