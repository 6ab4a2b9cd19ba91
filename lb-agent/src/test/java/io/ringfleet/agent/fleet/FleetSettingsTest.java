package io.ringfleet.agent.fleet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringfleet.agent.TestPorts;
import io.ringfleet.agent.security.probes.SecurityProbeSummary;
import io.ringfleet.api.AddVip;
import io.ringfleet.api.BatchReply;
import io.ringfleet.api.Command;
import io.ringfleet.api.CommandBatch;
import io.ringfleet.api.Protocol;
import io.ringfleet.api.ReplyCode;
import io.ringfleet.api.VipKey;
import io.ringfleet.state.FleetLimits;
import io.ringfleet.state.FleetPeer;
import io.ringfleet.state.FleetSettings;
import io.ringfleet.state.FleetVersions;
import io.ringfleet.state.raft.FleetClient;
import io.ringfleet.state.raft.FleetNode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fleet settings over three real Ratis peers on loopback, each seeded from its own config as an agent is
 * ({@link FleetSettingsSeed}: bootstrap and version report at start, bootstrap prepended to writes): lb3's config
 * says max_vips 2, the others the default. The first bootstrap logged wins; every node holds equal settings, lb3
 * reports the mismatch and validates by the log (a third VIP its local limits would refuse is applied everywhere).
 */
class FleetSettingsTest {
    static final Duration CONVERGE = Duration.ofSeconds(30);
    static final FleetLimits LB3_CONFIG = FleetLimits.builder().maxVips(2).build();

    @TempDir
    Path root;

    private final Map<String, String> raft = new LinkedHashMap<>();
    private final Map<String, FleetNode> nodes = new TreeMap<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @Test
    void everyNodeFollowsTheLogsSettingsAndTheOneWithAnotherConfigSaysSo() throws Exception {
        try (FleetClient client = startFleet()) {
            Map<String, FleetSettingsSeed> seeds = seeds(FleetLimits.DEFAULT, LB3_CONFIG);
            for (String id : raft.keySet()) { // each agent's start commands, lb1 first: its bootstrap wins
                List<Command> start = seeds.get(id).startCommands(image(id), id);
                assertEquals(
                        ReplyCode.OK, client.submit(batch("agent:" + id, start)).getCode(), id);
                awaitApplied(client);
            }
            // lb3 submits its config's bootstrap in front of a write: a no-op, the log's settings stand.
            CommandBatch write = batch("op", List.of(addVip("10.0.0.1"), addVip("10.0.0.2"), addVip("10.0.0.3")));
            assertTrue(seeds.get("lb3").needsBootstrap(io.ringfleet.state.FleetImage.EMPTY, write));
            BatchReply reply =
                    FleetSettingsSeed.strip(client.submit(seeds.get("lb3").prepend(write)));
            assertEquals(ReplyCode.OK, reply.getCode(), reply.getMessage());
            assertEquals(3, reply.getRecordsCount(), "the caller sees the records of what it sent");
            awaitApplied(client);

            byte[] digest = image("lb1").settings().settings().orElseThrow().digest();
            for (String id : raft.keySet()) {
                assertArrayEquals(
                        digest, image(id).settings().settings().orElseThrow().digest(), id);
                assertEquals(3, image(id).vips().size(), id + " applied the VIP lb3's config would refuse");
                assertEquals(FleetVersions.SUPPORTED, image(id).settings().fleetVersion(), id);
            }
            assertEquals("", new SettingsMismatch("lb1", seeds.get("lb1")).check(image("lb1")));
            assertEquals(
                    "max_vips: config 2, log 512", new SettingsMismatch("lb3", seeds.get("lb3")).check(image("lb3")));
            System.out.println("fleet-settings: " + raft.size() + " nodes, equal settings digest; mismatched local"
                    + " config reported, not applied");
        }
    }

    /**
     * Security probe: a VIP on a peer's control address (here lb1's metrics address, not loopback, so only the
     * peer rule can refuse it) would capture that peer's traffic. Refused at fleet version 2; the control run, the
     * same command on a fleet bootstrapped at version 1, is accepted (so the refusal is the rule's).
     */
    @Test
    @Tag(SecurityProbeSummary.TAG)
    void aVipOnAPeersControlAddressIsRefused() throws Exception {
        try (FleetClient client = startFleet()) {
            FleetSettingsSeed lb1 =
                    seeds(FleetLimits.DEFAULT, FleetLimits.DEFAULT).get("lb1");
            assertEquals(
                    ReplyCode.OK,
                    client.submit(batch("agent:lb1", List.of(lb1.bootstrap()))).getCode());
            BatchReply probe = client.submit(batch("op", List.of(addVip("10.99.0.1"))));
            assertEquals(ReplyCode.INVALID_ARGUMENT, probe.getCode(), probe.toString());
            assertTrue(probe.getMessage().contains("is a control address of peer lb1"), probe.getMessage());
        }
        closeAll();
        root = root.resolve("control");
        try (FleetClient client = startFleet()) {
            FleetSettings settings =
                    seeds(FleetLimits.DEFAULT, FleetLimits.DEFAULT).get("lb1").local();
            FleetSettingsSeed atV1 = new FleetSettingsSeed(settings, 1);
            assertEquals(
                    ReplyCode.OK,
                    client.submit(batch("agent:lb1", List.of(atV1.bootstrap()))).getCode());
            BatchReply control = client.submit(batch("op", List.of(addVip("10.99.0.1"))));
            assertEquals(ReplyCode.OK, control.getCode(), "version 1 has no address policy: " + control);
        } finally {
            closeAll();
        }
    }

    /** lb1..lb3 seeds; lb3's limits are {@code lb3}, the others' {@code others}. Metrics on 10.99.0.N:9100. */
    private Map<String, FleetSettingsSeed> seeds(FleetLimits others, FleetLimits lb3) {
        Map<String, FleetSettingsSeed> seeds = new TreeMap<>();
        for (String id : raft.keySet()) {
            List<FleetPeer> peers = new ArrayList<>();
            int n = 1;
            for (Map.Entry<String, String> p : raft.entrySet()) {
                peers.add(new FleetPeer(p.getKey(), p.getValue(), "127.0.0.1:1" + n, "10.99.0." + n + ":9100"));
                n++;
            }
            FleetSettings local = FleetSettings.of(id.equals("lb3") ? lb3 : others, peers);
            seeds.put(id, new FleetSettingsSeed(local, FleetVersions.SUPPORTED));
        }
        return seeds;
    }

    private FleetClient startFleet() throws IOException {
        raft.clear();
        nodes.clear();
        for (int i = 1; i <= 3; i++) {
            raft.put("lb" + i, "127.0.0.1:" + TestPorts.free());
        }
        for (String id : raft.keySet()) {
            FleetNode node = FleetNode.builder()
                    .peerId(id)
                    .peers(raft)
                    .storageDir(root.resolve(id))
                    .build();
            closeables.add(node);
            node.start();
            nodes.put(id, node);
        }
        return FleetClient.builder(FleetNode.group(FleetNode.DEFAULT_GROUP_ID, raft))
                .maxAttempts(100)
                .retrySleepMs(50)
                .requestTimeoutMs(5000)
                .build();
    }

    private io.ringfleet.state.FleetImage image(String id) {
        return nodes.get(id).stateMachine().image();
    }

    /** Until every node applied what the leader applied. */
    private void awaitApplied(FleetClient client) throws Exception {
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

    private void closeAll() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
        closeables.clear();
    }

    @org.junit.jupiter.api.AfterEach
    void stop() throws Exception {
        closeAll();
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

    private static CommandBatch batch(String principal, List<Command> commands) {
        return CommandBatch.newBuilder()
                .addAllCommands(commands)
                .setPrincipal(principal)
                .setViaNode("lb1") // a peer of the settings: a fleet at version 2 checks it
                .setTimestampMillis(1_700_000_000_000L)
                .setRequestId("fleet-settings-test")
                .build();
    }
}
