package io.ringfleet.state.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.util.TimeDuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@link FleetNode.Builder} makes of its options, checked on nodes that are built but never started. */
class FleetNodeOptionsTest {
    private static final Map<String, String> VOTERS =
            Map.of("p1", "127.0.0.1:1", "p2", "127.0.0.1:2", "p3", "127.0.0.1:3");
    private static final Map<String, String> LISTENERS = Map.of("l1", "127.0.0.1:4");

    @TempDir
    Path dir;

    @Test
    void theGroupHoldsVotersAndListenersWithTheirStartupRoles() throws Exception {
        RaftGroup group = FleetNode.group(FleetNode.DEFAULT_GROUP_ID, VOTERS, LISTENERS);
        assertEquals(4, group.getPeers().size());
        assertEquals(
                RaftPeerRole.FOLLOWER, group.getPeer(RaftPeerId.valueOf("p2")).getStartupRole());
        assertEquals(
                RaftPeerRole.LISTENER, group.getPeer(RaftPeerId.valueOf("l1")).getStartupRole());
        try (FleetNode listener = builder("l1").build();
                FleetNode voter = builder("p1").build()) {
            assertTrue(listener.isListener());
            assertFalse(voter.isListener());
            assertEquals(group, listener.group());
        }
    }

    @Test
    void aPeerIsOneOfTheVotersOrListenersAndNeverBoth() {
        IllegalArgumentException notMember =
                assertThrows(IllegalArgumentException.class, () -> builder("x9").build());
        assertEquals(
                "peer x9 is neither among the voters " + VOTERS.keySet() + " nor among the listeners [l1]",
                notMember.getMessage());
        IllegalStateException both = assertThrows(
                IllegalStateException.class,
                () -> builder("p1").listeners(Map.of("p2", "127.0.0.1:5")).build());
        assertEquals("peers [p2] are both voters and listeners; each peer is one or the other", both.getMessage());
    }

    @Test
    void theLeaderStepDownWaitIsFiveMinimumElectionTimeoutsUnlessSetExplicitly() throws Exception {
        // The default minimum election timeout is RaftTimings.DEFAULT's (FleetNode applies it).
        try (FleetNode node = builder("p1").build()) {
            assertEquals(
                    RaftTimings.DEFAULT.electionTimeoutMin().multipliedBy(5).toMillis(),
                    node.leaderStepDownWait().toLong(TimeUnit.MILLISECONDS));
        }
        try (FleetNode node = builder("p2")
                .raftProperties(p ->
                        RaftServerConfigKeys.Rpc.setTimeoutMin(p, TimeDuration.valueOf(400, TimeUnit.MILLISECONDS)))
                .build()) {
            assertEquals(2000, node.leaderStepDownWait().toLong(TimeUnit.MILLISECONDS), "follows the election timeout");
        }
        try (FleetNode node = builder("p3")
                .raftProperties(p -> RaftServerConfigKeys.LeaderElection.setLeaderStepDownWaitTime(
                        p, TimeDuration.valueOf(3, TimeUnit.SECONDS)))
                .build()) {
            assertEquals(3000, node.leaderStepDownWait().toLong(TimeUnit.MILLISECONDS), "an explicit setting is kept");
        }
    }

    @Test
    void followerAppendCompositionIsOffEvenWhenACustomizerTurnsItOn() throws Exception {
        // RatisSafety: Ratis 3.3's composed follower appends let a heartbeat commit a deposed leader's stale entry.
        assertTrue(RaftServerConfigKeys.Log.appendEntriesComposeEnabled(new RaftProperties()), "Ratis's default");
        try (FleetNode node = builder("p1")
                .raftProperties(p -> RaftServerConfigKeys.Log.setAppendEntriesComposeEnabled(p, true))
                .build()) {
            assertFalse(RaftServerConfigKeys.Log.appendEntriesComposeEnabled(
                    node.server().getProperties()));
        }
    }

    private FleetNode.Builder builder(String id) {
        return FleetNode.builder().peerId(id).peers(VOTERS).listeners(LISTENERS).storageDir(dir.resolve(id));
    }
}
