package io.ringfleet.state.raft;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringfleet.api.BatchReply;
import io.ringfleet.api.Command;
import io.ringfleet.api.CommandBatch;
import io.ringfleet.api.ReplyCode;
import io.ringfleet.api.VipKey;
import io.ringfleet.state.FleetImage;
import io.ringfleet.state.FleetLimits;
import io.ringfleet.state.FleetPeer;
import io.ringfleet.state.FleetRings;
import io.ringfleet.state.FleetSettings;
import io.ringfleet.state.FleetVersions;
import io.ringfleet.state.IpAddress;
import io.ringfleet.state.health.HealthPair;
import io.ringfleet.state.health.HealthReports;
import io.ringfleet.state.health.PairVerdict;
import io.ringfleet.state.health.RealPair;
import io.ringfleet.state.testing.Commands;
import io.ringfleet.state.testing.HealthFleet;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.ratis.protocol.RaftPeerId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real 3-peer Ratis cluster (gRPC on loopback): two of the three LBs' agents vote a real down, each through its
 * own peer, stamped as its own agent. Every peer must take the real out of the ring at the same log index (the
 * second vote's), with the same image and ring digests; and two up votes bring it back, again at one index.
 */
class RatisHealthVerdictTest {
    private static final VipKey VIP = Commands.vip("10.0.0.1", 80, Commands.TCP);
    private static final String DOWN_REAL = "10.1.0.2";

    @TempDir
    Path root;

    private long clock = Commands.TIMESTAMP_MILLIS;

    @Test
    void votesFromTwoOfThreePeersExcludeTheRealOnEveryPeerAtTheSameIndex() throws Exception {
        try (TestCluster cluster = new TestCluster(root, 3, FleetLimits.DEFAULT, b -> {})) {
            cluster.startAll();
            List<String> ids = cluster.ids();
            List<FleetPeer> peers = new ArrayList<>();
            for (String id : ids) {
                peers.add(new FleetPeer(id, cluster.raftAddress(id), "127.0.0.1:1", ""));
            }
            submit(
                    cluster,
                    ids.get(0),
                    "test",
                    Commands.bootstrap(
                            FleetSettings.of(FleetLimits.DEFAULT, peers).toProto(),
                            FleetVersions.Rule.HEALTH_VERDICTS.version()));
            submit(cluster, ids.get(0), "test", Commands.addVip(VIP));
            submit(cluster, ids.get(0), "test", Commands.addReals(VIP, "10.1.0.1=1", DOWN_REAL + "=1", "10.1.0.3=1"));
            submit(cluster, ids.get(0), "test", HealthFleet.setCheck(VIP, HealthFleet.tcpCheck(true)));

            long first = vote(cluster, ids.get(0), false);
            long decided = vote(cluster, ids.get(1), false);
            Map<String, FleetImage> images = sameIndexEverywhere(cluster, decided);
            for (Map.Entry<String, FleetImage> e : images.entrySet()) {
                PairVerdict v = verdict(e.getValue());
                assertTrue(v.down(), e.getKey() + ": the second vote is a quorum");
                assertEquals(
                        decided, v.sinceIndex(), e.getKey() + ": decided by the second vote's entry, not " + first);
                assertEquals(0, ringSlots(e.getValue()), e.getKey() + ": the real owns no slot");
            }
            assertSameDigests(images);

            vote(cluster, ids.get(0), true);
            long back = vote(cluster, ids.get(2), true);
            images = sameIndexEverywhere(cluster, back);
            for (Map.Entry<String, FleetImage> e : images.entrySet()) {
                assertFalse(verdict(e.getValue()).down(), e.getKey());
                assertEquals(back, verdict(e.getValue()).sinceIndex(), e.getKey());
                assertTrue(ringSlots(e.getValue()) > 0, e.getKey() + ": back in the ring");
            }
            assertSameDigests(images);
            System.out.println("ratis-health: 3 peers, down at index " + decided + " and up at index " + back
                    + " on 3/3, digests equal");
        }
    }

    /** Node's agent votes on DOWN_REAL through its own peer; returns the entry's log index. */
    private long vote(TestCluster cluster, String node, boolean up) throws Exception {
        clock += 1_000;
        HealthPair pair = new HealthPair(HealthFleet.key(VIP), IpAddress.parse(DOWN_REAL));
        CommandBatch batch = HealthReports.batch(
                node, clock, "vote-" + node + "-" + clock, List.of(HealthReports.command(node, pair, up)));
        BatchReply reply = cluster.client().submit(batch, RaftPeerId.valueOf(node));
        assertEquals(ReplyCode.OK, reply.getCode(), reply.getMessage());
        return reply.getLogIndex();
    }

    private void submit(TestCluster cluster, String via, String principal, Command command) throws Exception {
        clock += 1_000;
        CommandBatch batch = Commands.batch(principal, "req-" + clock, command).toBuilder()
                .setViaNode(via)
                .setTimestampMillis(clock)
                .build();
        BatchReply reply = cluster.client().submit(batch, RaftPeerId.valueOf(via));
        assertEquals(ReplyCode.OK, reply.getCode(), reply.getMessage());
    }

    /** Every peer's image once all have applied the same index, which must be at least {@code index}. */
    private static Map<String, FleetImage> sameIndexEverywhere(TestCluster cluster, long index) throws Exception {
        cluster.awaitSameAppliedIndex(Duration.ofSeconds(30));
        Map<String, FleetImage> out = new TreeMap<>();
        for (String id : cluster.ids()) {
            FleetImage image = cluster.node(id).stateMachine().image();
            assertTrue(image.index() >= index, id + " applied " + image.index() + " < " + index);
            out.put(id, image);
        }
        return out;
    }

    private static PairVerdict verdict(FleetImage image) {
        return image.health().verdict(pair(image));
    }

    private static RealPair pair(FleetImage image) {
        var vip = image.vips().get(HealthFleet.key(VIP)).orElseThrow();
        int index = vip.reals().stream()
                .filter(r -> r.address().equals(IpAddress.parse(DOWN_REAL)))
                .findFirst()
                .orElseThrow()
                .realIndex();
        return new RealPair(vip.vipNum(), index);
    }

    private static int ringSlots(FleetImage image) {
        RealPair p = pair(image);
        return FleetRings.of(image, FleetLimits.DEFAULT)
                .ring(p.vipNum())
                .orElseThrow()
                .ring()
                .slotsOwnedBy(p.realIndex());
    }

    private static void assertSameDigests(Map<String, FleetImage> images) {
        FleetImage first = images.values().iterator().next();
        for (Map.Entry<String, FleetImage> e : images.entrySet()) {
            assertEquals(first.index(), e.getValue().index(), e.getKey());
            assertArrayEquals(first.digest(), e.getValue().digest(), e.getKey() + ": image digest");
            assertArrayEquals(
                    FleetRings.of(first, FleetLimits.DEFAULT).digest(),
                    FleetRings.of(e.getValue(), FleetLimits.DEFAULT).digest(),
                    e.getKey() + ": ring digest");
        }
    }
}
