package io.ringfleet.state.raft;

import static io.ringfleet.state.testing.Commands.TCP;
import static io.ringfleet.state.testing.Commands.addVip;
import static io.ringfleet.state.testing.Commands.batch;
import static io.ringfleet.state.testing.Commands.bootstrap;
import static io.ringfleet.state.testing.Commands.finalizeVersion;
import static io.ringfleet.state.testing.Commands.reportVersion;
import static io.ringfleet.state.testing.Commands.vip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.ringfleet.api.BatchReply;
import io.ringfleet.api.Command;
import io.ringfleet.api.ReplyCode;
import io.ringfleet.api.StateStatus;
import io.ringfleet.state.FleetLimits;
import io.ringfleet.state.FleetPeer;
import io.ringfleet.state.FleetPublisher;
import io.ringfleet.state.FleetSettings;
import io.ringfleet.state.FleetVersions;
import io.ringfleet.state.RandomBatches;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rolling upgrade over three real Ratis peers on loopback (real RocksDB, real logs on disk): p1 and p2 run
 * software that supports fleet version 2, p3 only version 1. The fleet was bootstrapped at version 1, so the
 * address policy (version 2) is not in force and a loopback VIP is accepted by all three; finalising 2 is
 * refused while p3 has not reported it; p3 restarted on v2 software reports, finalising succeeds, and the same
 * VIP command is refused on every replica. Every replica's image digest is equal at every index they applied.
 * Then a replica downgraded to v1 software stops at the finalisation instead of applying past it.
 */
class RollingUpgradeTest {
    static final Duration CONVERGE = Duration.ofSeconds(30);
    /** A loopback VIP: accepted before version 2, refused by the address policy after. */
    static final Command LOOPBACK_VIP = addVip(vip("127.0.0.2", 80, TCP));

    @TempDir
    Path root;

    /** Per peer: log index → image digest of every image it published (across restarts). */
    private final Map<String, ConcurrentSkipListMap<Long, String>> digests = new TreeMap<>();

    private final List<String> divergences = new ArrayList<>();

    @Test
    void aFleetUpgradesFromVersion1To2WithoutDivergence() throws Exception {
        try (TestCluster cluster = new TestCluster(root, 3, RandomBatches.LIMITS, b -> {})) {
            startAll(cluster, Map.of("p1", 2, "p2", 2, "p3", 1));
            submit(cluster, ReplyCode.OK, bootstrap(settings(cluster), 1));
            int before = cluster.node("p1").stateMachine().image().settings().fleetVersion();
            submit(cluster, ReplyCode.OK, reportVersion("p1", 2), reportVersion("p2", 2), reportVersion("p3", 1));

            submit(cluster, ReplyCode.OK, LOOPBACK_VIP);
            BatchReply early = submit(cluster, ReplyCode.FAILED_PRECONDITION, finalizeVersion(2));
            assertTrue(early.getMessage().contains("not yet: p3 (supports 1)"), early.getMessage());
            checkEqualDigests(cluster, "version 1, p3 on v1 software");

            cluster.stop("p3");
            cluster.start(cluster.builder("p3").supportedFleetVersion(2).publisher(recorder("p3")));
            submit(cluster, ReplyCode.OK, reportVersion("p3", 2));
            submit(cluster, ReplyCode.OK, finalizeVersion(2));

            BatchReply refused = submit(cluster, ReplyCode.INVALID_ARGUMENT, LOOPBACK_VIP);
            assertTrue(refused.getMessage().contains("is a loopback address"), refused.getMessage());
            Map<String, StateStatus> end = checkEqualDigests(cluster, "version 2 finalised");
            for (String id : end.keySet()) {
                assertEquals(
                        2, cluster.node(id).stateMachine().image().settings().fleetVersion(), id);
                assertEquals(1, cluster.node(id).stateMachine().image().vips().size(), id);
            }
            int after = cluster.node("p1").stateMachine().image().settings().fleetVersion();
            assertEquals(List.of(), divergences);
            System.out.println("rolling-upgrade: version " + before + " → " + after + " finalised, "
                    + divergences.size() + " divergence (" + comparedIndexes() + " indexes compared on 3 peers)");

            downgradedReplicaStopsAtTheFinalisation(cluster);
        }
    }

    /**
     * p3 restarted on v1 software stops loudly: either at start, refusing its own snapshot taken at version 2, or
     * while replaying its log, at the finalisation entry. Never past it.
     */
    private void downgradedReplicaStopsAtTheFinalisation(TestCluster cluster) throws Exception {
        long finalisedAt = firstIndexAtVersion2(cluster.node("p1").stateMachine());
        cluster.stop("p3");
        digests.remove("p3");
        FleetNode old = cluster.builder("p3")
                .supportedFleetVersion(1)
                .publisher(recorder("p3"))
                .build();
        FleetStateMachine sm = old.stateMachine();
        String how;
        try {
            old.start();
            how = "while replaying its log";
            long deadline = System.nanoTime() + CONVERGE.toNanos();
            while (sm.halted().isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
        } catch (IOException | RuntimeException refused) {
            how = "at start (" + refused.getMessage() + ")";
        } finally {
            old.close();
        }
        Optional<String> halted = sm.halted();
        assertTrue(halted.isPresent(), "a v1 replica applied the log past fleet version 2");
        assertTrue(halted.get().contains("supports fleet versions up to 1"), halted.get());
        assertTrue(
                sm.image().index() < finalisedAt,
                "applied " + sm.image().index() + ", the finalisation is at " + finalisedAt);
        assertEquals(0, digests.get("p3").tailMap(finalisedAt).size(), "p3 published an image at version 2");
        // The two v2 peers are a majority and keep committing.
        submit(cluster, ReplyCode.OK, addVip(vip("10.10.0.1", 80, TCP)));
        System.out.println("rolling-upgrade: a v1 replica stopped " + how + ": " + halted.get());
    }

    private static long firstIndexAtVersion2(FleetStateMachine leader) {
        // The image records only the current version; the finalisation is the last state change before now
        // in this test, so its index is the state index of the image after it.
        return leader.image().stateIndex();
    }

    private void startAll(TestCluster cluster, Map<String, Integer> supported) throws Exception {
        for (String id : cluster.voterIds()) {
            cluster.start(
                    cluster.builder(id).supportedFleetVersion(supported.get(id)).publisher(recorder(id)));
        }
    }

    private FleetPublisher recorder(String id) {
        ConcurrentSkipListMap<Long, String> seen = digests.computeIfAbsent(id, k -> new ConcurrentSkipListMap<>());
        return (delta, image) -> seen.put(image.index(), image.digestHex());
    }

    private static FleetSettings settings(TestCluster cluster) {
        List<FleetPeer> peers = new ArrayList<>();
        int api = 7100;
        for (String id : cluster.voterIds()) {
            peers.add(new FleetPeer(id, cluster.raftAddress(id), "127.0.0.1:" + api++, ""));
        }
        return FleetSettings.of(FleetLimits.DEFAULT, peers);
    }

    private static BatchReply submit(TestCluster cluster, ReplyCode expected, Command... commands) throws Exception {
        // Stamped as forwarded by p1, a peer of the settings (a v2 fleet checks the via-node).
        BatchReply reply = cluster.client()
                .submit(batch(commands).toBuilder().setViaNode("p1").build());
        assertEquals(expected, reply.getCode(), reply.toString());
        return reply;
    }

    private static Command bootstrap(FleetSettings settings, int version) {
        return io.ringfleet.state.testing.Commands.bootstrap(settings.toProto(), version);
    }

    /** Waits for equal applied indexes, then compares every index the peers published: equal digests. */
    private Map<String, StateStatus> checkEqualDigests(TestCluster cluster, String where) throws Exception {
        Map<String, StateStatus> statuses = cluster.awaitSameAppliedIndex(CONVERGE);
        ByteString first = statuses.values().iterator().next().getImageDigest();
        for (StateStatus s : statuses.values()) {
            if (!s.getImageDigest().equals(first)) {
                divergences.add(where + ": applied index " + s.getAppliedIndex() + " digests differ");
            }
        }
        ConcurrentSkipListMap<Long, String> reference = digests.get("p1");
        for (Map.Entry<String, ConcurrentSkipListMap<Long, String>> peer : digests.entrySet()) {
            for (Map.Entry<Long, String> e : peer.getValue().entrySet()) {
                String expected = reference.get(e.getKey());
                if (expected != null && !expected.equals(e.getValue())) {
                    divergences.add(where + ": " + peer.getKey() + " at index " + e.getKey());
                }
            }
        }
        assertTrue(FleetVersions.SUPPORTED >= 2, "this build must support the version it upgrades to");
        return statuses;
    }

    private int comparedIndexes() {
        ConcurrentSkipListMap<Long, String> reference = digests.get("p1");
        int n = 0;
        for (Long index : reference.keySet()) {
            if (digests.values().stream().allMatch(m -> m.containsKey(index))) {
                n++;
            }
        }
        return n;
    }
}
