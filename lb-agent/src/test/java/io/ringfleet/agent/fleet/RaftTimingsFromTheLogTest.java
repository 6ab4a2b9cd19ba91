package io.ringfleet.agent.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringfleet.agent.TestPorts;
import io.ringfleet.api.AddVip;
import io.ringfleet.api.BatchReply;
import io.ringfleet.api.Command;
import io.ringfleet.api.CommandBatch;
import io.ringfleet.api.FleetSettingsSpec;
import io.ringfleet.api.Protocol;
import io.ringfleet.api.ReplyCode;
import io.ringfleet.api.SetFleetSettings;
import io.ringfleet.api.VipKey;
import io.ringfleet.state.FleetImage;
import io.ringfleet.state.FleetLimits;
import io.ringfleet.state.FleetPeer;
import io.ringfleet.state.FleetSettings;
import io.ringfleet.state.FleetVersions;
import io.ringfleet.state.raft.FleetClient;
import io.ringfleet.state.raft.FleetNode;
import io.ringfleet.state.raft.RaftTimings;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Raft timings as fleet settings over three real Ratis peers on loopback, each node wired as an agent wires it
 * (fleet-version-4 software): started with {@link LoggedRaftTimings#forStart} (the log's timings last seen in its
 * data dir, else its config's), a {@link LoggedRaftTimings} publisher, and a {@link SettingsMismatch} that knows
 * the timings its Raft server runs. lb3's config has other timings than lb1's and lb2's.
 *
 * <p>Ratis takes timings only at start, so a running node cannot follow a change of them in the log: it reports
 * the difference until it restarts, and restarted it runs the log's, whatever its config says.
 */
class RaftTimingsFromTheLogTest {
    static final Duration CONVERGE = Duration.ofSeconds(30);
    static final RaftTimings SLOW =
            RaftTimings.of(Duration.ofMillis(1500), Duration.ofMillis(3000), Duration.ofMillis(4000), true);

    @TempDir
    Path root;

    private final Map<String, String> raft = new TreeMap<>();
    private final Map<String, FleetNode> nodes = new TreeMap<>();
    private final Map<String, SettingsMismatch> mismatches = new TreeMap<>();
    private final Map<String, FleetSettingsSeed> seeds = new TreeMap<>();
    private FleetClient client;

    @Test
    void aNodeReportsTimingsItCannotRunYetAndRunsTheLogsAfterARestart() throws Exception {
        startFleet();
        for (String id : raft.keySet()) { // each node's start commands, lb1 first: its bootstrap (defaults) wins
            submit("agent:" + id, seeds.get(id).startCommands(image(id), id));
        }
        awaitApplied();
        assertEquals(RaftTimings.DEFAULT, logged("lb1"));
        assertEquals("", mismatches.get("lb1").check(image("lb1")));
        String lb3 = mismatches.get("lb3").check(image("lb3"));
        assertTrue(lb3.startsWith("election_timeout_min_ms: config 1500, log 0 (default: 1000 ms);"), lb3);
        assertTrue(
                lb3.endsWith("raft timings: this node runs " + SLOW + " until its next start, the log's are "
                        + RaftTimings.DEFAULT),
                lb3);

        // Restarted, lb3 runs the log's timings; only its config still differs (reported, not applied).
        restart("lb3");
        assertEquals(RaftTimings.DEFAULT, nodes.get("lb3").timings());
        String lb3After = mismatches.get("lb3").check(image("lb3"));
        assertTrue(lb3After.startsWith("election_timeout_min_ms: config 1500"), lb3After);
        assertTrue(!lb3After.contains("this node runs"), lb3After);

        // An operator sets lb3's timings in the log: every running node says it runs other ones until it restarts.
        FleetSettingsSpec slow = image("lb1").settings().settings().orElseThrow().toProto().toBuilder()
                .setElectionTimeoutMinMs(1500)
                .setElectionTimeoutMaxMs(3000)
                .setRaftRequestTimeoutMs(4000)
                .build();
        submit(
                "operator",
                List.of(Command.newBuilder()
                        .setSetFleetSettings(SetFleetSettings.newBuilder().setSettings(slow))
                        .build()));
        awaitApplied();
        for (String id : raft.keySet()) {
            assertEquals(SLOW, logged(id), id);
            String m = mismatches.get(id).check(image(id));
            assertTrue(m.contains("this node runs " + RaftTimings.DEFAULT + " until its next start"), id + ": " + m);
        }
        // One at a time, as an operator would: each comes back with the log's timings and says nothing of them.
        for (String id : List.copyOf(raft.keySet())) {
            restart(id);
            assertEquals(SLOW, nodes.get(id).timings(), id);
        }
        submit("operator", List.of(addVip("10.0.0.1"))); // the fleet still commits on the new timings
        awaitApplied();
        for (String id : raft.keySet()) {
            String m = mismatches.get(id).check(image(id));
            assertTrue(!m.contains("this node runs"), id + ": " + m);
            // Only the configs that still say the defaults differ from the log: reported, not applied.
            String expected = id.equals("lb3") ? "" : "election_timeout_min_ms: config 0 (default: 1000 ms), log 1500";
            assertTrue(m.startsWith(expected) && m.isEmpty() == expected.isEmpty(), id + ": " + m);
        }
        System.out.println("raft-timings: " + raft.size() + " nodes; timings a running node cannot take reported"
                + " (" + raft.size() + "/" + raft.size() + "), the log's run after a restart (" + raft.size() + "/"
                + raft.size() + ")");
    }

    @Test
    void aCopyThatCannotBeReadIsIgnoredAndTheConfigsTimingsAreUsed() throws Exception {
        Path dir = java.nio.file.Files.createDirectories(root.resolve("corrupt"));
        java.nio.file.Files.writeString(
                dir.resolve(LoggedRaftTimings.FILE_NAME), "election-timeout-min-ms=soon\npre-vote=true\n");
        assertEquals(SLOW, LoggedRaftTimings.forStart(dir, SLOW));
        assertEquals(SLOW, LoggedRaftTimings.forStart(root.resolve("absent"), SLOW));
    }

    private static Command addVip(String address) {
        return Command.newBuilder()
                .setAddVip(AddVip.newBuilder()
                        .setVip(VipKey.newBuilder()
                                .setAddress(address)
                                .setPort(80)
                                .setProtocol(Protocol.TCP)))
                .build();
    }

    /** Timings the node's config has: lb3 {@link #SLOW}, the others the defaults. */
    private static RaftTimings configTimings(String id) {
        return id.equals("lb3") ? SLOW : RaftTimings.DEFAULT;
    }

    /** What the node's data dir remembers of the log's timings (what its next start runs). */
    private RaftTimings logged(String id) {
        return LoggedRaftTimings.forStart(root.resolve(id), configTimings(id));
    }

    private void startFleet() throws IOException {
        for (int i = 1; i <= 3; i++) {
            raft.put("lb" + i, "127.0.0.1:" + TestPorts.free());
        }
        List<FleetPeer> peers = new ArrayList<>();
        int n = 1;
        for (Map.Entry<String, String> p : raft.entrySet()) {
            peers.add(new FleetPeer(p.getKey(), p.getValue(), "127.0.0.1:1" + n, "10.99.0." + n + ":9100"));
            n++;
        }
        for (String id : raft.keySet()) {
            seeds.put(
                    id,
                    new FleetSettingsSeed(
                            FleetSettings.of(FleetLimits.DEFAULT, peers, configTimings(id)), FleetVersions.SUPPORTED));
            start(id);
        }
        client = FleetClient.builder(FleetNode.group(FleetNode.DEFAULT_GROUP_ID, raft))
                .maxAttempts(100)
                .retrySleepMs(50)
                .requestTimeoutMs(5000)
                .build();
    }

    /** As an agent starts its Raft peer: the timings of {@link LoggedRaftTimings#forStart}, its publisher. */
    private void start(String id) throws IOException {
        Path dir = root.resolve(id);
        RaftTimings timings = LoggedRaftTimings.forStart(dir, configTimings(id));
        FleetNode node = FleetNode.builder()
                .peerId(id)
                .peers(raft)
                .storageDir(dir)
                .timings(timings)
                .publisher(new LoggedRaftTimings(dir))
                .build();
        node.start();
        nodes.put(id, node);
        mismatches.put(id, new SettingsMismatch(id, seeds.get(id), timings));
    }

    private void restart(String id) throws Exception {
        nodes.remove(id).close();
        start(id);
        awaitApplied();
    }

    private FleetImage image(String id) {
        return nodes.get(id).stateMachine().image();
    }

    private void submit(String principal, List<Command> commands) throws Exception {
        CommandBatch batch = CommandBatch.newBuilder()
                .addAllCommands(commands)
                .setPrincipal(principal)
                .setViaNode("lb1")
                .setTimestampMillis(1_700_000_000_000L)
                .setRequestId("raft-timings-test")
                .build();
        BatchReply reply = client.submit(batch);
        assertEquals(ReplyCode.OK, reply.getCode(), reply.getMessage());
    }

    /** Until every node applied what the leader applied. */
    private void awaitApplied() throws Exception {
        long target = client.status().getAppliedIndex();
        long deadline = System.nanoTime() + CONVERGE.toNanos();
        for (String id : raft.keySet()) {
            while (image(id).index() < target) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError(id + " did not apply index " + target + " within " + CONVERGE);
                }
                Thread.sleep(10);
            }
        }
    }

    @AfterEach
    void stop() throws Exception {
        if (client != null) {
            client.close();
        }
        for (FleetNode node : nodes.values()) {
            node.close();
        }
    }
}
