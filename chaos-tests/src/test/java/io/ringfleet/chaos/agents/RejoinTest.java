package io.ringfleet.chaos.agents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringfleet.chaos.netns.DatapathState;
import io.ringfleet.chaos.netns.Topology;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The recovery of a cleared node with real processes: three lb-agents in their namespaces, operators' writes through
 * lbctl processes. A follower is stopped, the fleet writes on without it, and {@code lb-agent --rejoin} (one
 * command: leave, clear data dir, pins and its own attachment, start without campaigning, be added back and caught
 * up) brings it back, three times. Disruptions are measured on the remaining nodes: term bumps and leader changes
 * from their own metrics. The control: a cleared node started the old way (no --rejoin) is told to shut down by the
 * leader, and the agent now exits with one line instead of running on without its Raft server.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RejoinTest {
    private static final int VIPS_PER_WRITE = 8;
    private static final int REALS_PER_VIP = 10;
    private static Topology topology;
    private static LbAgentFleet fleet;
    private static int written;

    @BeforeAll
    static void setUp() {
        assertTrue(
                io.ringfleet.chaos.netns.Root.isRoot(),
                "RejoinTest needs root: network namespaces, XDP, BPF maps (scripts/test.sh runs the tests as root)");
        topology = Topology.builder().lbs(3).backends(1).build();
        fleet = LbAgentFleet.start(topology, 64, 256, System.out::println);
    }

    @AfterAll
    static void tearDown() {
        if (topology != null) {
            topology.close();
        }
    }

    @Test
    @Order(1)
    void aClearedNodeRejoinsByOneCommandThreeTimesWithoutDisruptingTheFleet() {
        write(1, 0);
        int rejoined = 0;
        long disruptions = 0;
        for (int round = 0; round < 3; round++) {
            int k = followerFor(round);
            AgentProcess node = fleet.agent(k);
            List<AgentProcess> others = others(k);
            double[] before = churn(others);
            node.stop();
            write(2 + round, k); // the log moves on while the node is away
            node.start(List.of("--rejoin"));
            fleet.awaitReady(List.of(node));
            write(10 + round, 0); // and the rejoined node takes part in the next write
            double[] after = churn(others);
            long d = Math.round(after[0] - before[0]) + Math.round(after[1] - before[1]);
            disruptions += d;
            boolean same = mapsEqual(k);
            LbctlProcess.Result status = fleet.lbctl().run(topology.lb(k), "status");
            System.out.println("rejoin round " + (round + 1) + ": " + node.id() + " rejoined; term bumps + leader"
                    + " changes on the others: " + d + "; maps equal to the others': " + same + "; lbctl status exit "
                    + status.exit());
            if (node.alive() && same && status.ok()) {
                rejoined++;
            }
        }
        System.out.println(
                "rejoin: " + rejoined + "/3 cleared nodes rejoined by one command, " + disruptions + " disruptions");
        assertEquals(3, rejoined, "every round's node rejoined with the others' maps");
        assertEquals(0, disruptions, "no term bump or leader change on the remaining nodes");
    }

    @Test
    @Order(2)
    void aClearedNodeStartedWithoutRejoinExitsWithOneLineInsteadOfRunningWithoutRaft() throws Exception {
        int k = followerFor(0);
        AgentProcess node = fleet.agent(k);
        LbctlProcess.Result leave = fleet.lbctl().run(topology.lb(other(k)), "node", "leave", node.id());
        assertTrue(leave.ok(), leave::failure);
        node.stop();
        clear(fleet.dir().resolve("data").resolve(node.id()));
        node.start();
        long end = System.nanoTime() + 120_000_000_000L;
        while (node.alive() && System.nanoTime() < end) {
            Thread.sleep(200);
        }
        assertFalse(node.alive(), node.id() + " still runs after its Raft server was told to shut down");
        assertEquals(1, node.exitStatus());
        String log = Files.readString(node.logFile());
        assertTrue(
                log.contains("lb-agent: the Raft server of " + node.id() + " stopped"),
                "the agent says why in one line");
        // and --rejoin recovers it
        node.start(List.of("--rejoin"));
        fleet.awaitReady(List.of(node));
        assertTrue(mapsEqual(k));
    }

    /** A node that is not the leader now, a different one each round where possible. */
    private static int followerFor(int round) {
        List<Integer> followers = new ArrayList<>();
        for (int n = 1; n <= 3; n++) {
            if (fleet.agent(n).metric("ringfleet_raft_leader") == 0) {
                followers.add(n);
            }
        }
        assertFalse(followers.isEmpty(), "no follower found");
        return followers.get(round % followers.size());
    }

    private static int other(int k) {
        return k == 1 ? 2 : 1;
    }

    private static List<AgentProcess> others(int k) {
        List<AgentProcess> out = new ArrayList<>();
        for (int n = 1; n <= 3; n++) {
            if (n != k) {
                out.add(fleet.agent(n));
            }
        }
        return out;
    }

    /** Sum over the nodes of (term, leader changes), read from their metrics. */
    private static double[] churn(List<AgentProcess> nodes) {
        double term = 0;
        double changes = 0;
        for (AgentProcess a : nodes) {
            term += a.metric("ringfleet_raft_term");
            changes += a.metric("ringfleet_raft_leader_changes_total");
        }
        assertFalse(Double.isNaN(term) || Double.isNaN(changes), "a remaining node did not report its Raft metrics");
        return new double[] {term, changes};
    }

    /**
     * One batch of VIPS_PER_WRITE VIPs with REALS_PER_VIP reals each, through lbctl apply on lb(n % 3 + 1), or on
     * the next LB if that one is {@code away} (stopped).
     */
    private static void write(int n, int away) {
        StringBuilder json = new StringBuilder("{\"commands\": [");
        for (int v = 0; v < VIPS_PER_WRITE; v++) {
            int id = written++;
            String vip = "{\"address\": \"10.90." + (id / 200) + "." + (id % 200 + 1)
                    + "\", \"port\": 80, \"protocol\": \"TCP\"}";
            json.append(v == 0 ? "" : ", ")
                    .append("{\"add_vip\": {\"vip\": ")
                    .append(vip)
                    .append("}}");
            json.append(", {\"add_reals\": {\"vip\": ").append(vip).append(", \"reals\": [");
            for (int r = 0; r < REALS_PER_VIP; r++) {
                json.append(r == 0 ? "" : ", ")
                        .append("{\"address\": \"10.91.0.")
                        .append(r + 1)
                        .append("\", \"weight\": 1}");
            }
            json.append("]}}");
        }
        json.append("]}");
        try {
            Path file = fleet.dir().resolve("batch-" + n + ".json");
            Files.writeString(file, json);
            LbctlProcess.Result r =
                    fleet.lbctl().run(topology.lb(target(n, away)), "apply", "-f", file.toString(), "--wait");
            assertTrue(r.ok(), r::failure);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int target(int n, int away) {
        int t = n % 3 + 1;
        return t == away ? t % 3 + 1 : t;
    }

    /** Node k's kernel maps (opened again from its new pins) hold the same VIPs, reals and rings as every other's. */
    private static boolean mapsEqual(int k) {
        DatapathState mine = DatapathState.read(fleet.reobserve(k));
        for (AgentProcess a : others(k)) {
            DatapathState theirs = DatapathState.read(fleet.observe(a.lb().number()));
            if (!mine.ringDigestHex().equals(theirs.ringDigestHex())
                    || mine.vips().size() != theirs.vips().size()
                    || mine.reals().size() != theirs.reals().size()) {
                System.out.println(a.id() + ": " + theirs.shortDigest() + " vs "
                        + fleet.agent(k).id() + ": " + mine.shortDigest());
                return false;
            }
        }
        return mine.vips().size() == written;
    }

    private static void clear(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.filter(p -> !p.equals(dir))
                    .sorted(Comparator.reverseOrder())
                    .toList()) {
                Files.delete(p);
            }
        }
    }
}
