package io.ringfleet.state.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.junit.jupiter.api.Test;

class RaftTimingsTest {
    private static RaftTimings of(long min, long max, long request, boolean preVote) {
        return RaftTimings.of(Duration.ofMillis(min), Duration.ofMillis(max), Duration.ofMillis(request), preVote);
    }

    @Test
    void writesEveryTimingIntoRatisProperties() {
        RaftTimings t = of(1200, 2500, 4000, false);
        RaftProperties p = new RaftProperties();
        t.applyTo(p);
        assertEquals(1200, RaftServerConfigKeys.Rpc.timeoutMin(p).toLong(TimeUnit.MILLISECONDS));
        assertEquals(2500, RaftServerConfigKeys.Rpc.timeoutMax(p).toLong(TimeUnit.MILLISECONDS));
        assertEquals(1200, RaftServerConfigKeys.Rpc.firstElectionTimeoutMin(p).toLong(TimeUnit.MILLISECONDS));
        assertEquals(2500, RaftServerConfigKeys.Rpc.firstElectionTimeoutMax(p).toLong(TimeUnit.MILLISECONDS));
        assertEquals(4000, RaftServerConfigKeys.Rpc.requestTimeout(p).toLong(TimeUnit.MILLISECONDS));
        assertEquals(false, RaftServerConfigKeys.LeaderElection.preVote(p));
    }

    @Test
    void defaultsAreSlowerThanRatisAndVoteBeforeCampaigning() {
        RaftProperties ratis = new RaftProperties();
        RaftTimings d = RaftTimings.DEFAULT;
        assertTrue(d.electionTimeoutMin().toMillis()
                > RaftServerConfigKeys.Rpc.timeoutMax(ratis).toLong(TimeUnit.MILLISECONDS));
        assertTrue(d.electionTimeoutMax().compareTo(d.electionTimeoutMin()) > 0);
        assertTrue(d.preVote());
    }

    @Test
    void refusesTimingsThatCannotWork() {
        assertEquals(
                "election-timeout-min must be 50 ms to 60000 ms, got 10 ms",
                assertThrows(IllegalArgumentException.class, () -> of(10, 100, 100, true))
                        .getMessage());
        assertEquals(
                "election-timeout-max must be more than election-timeout-min (1000 ms) and at most 60000 ms, got"
                        + " 1000 ms",
                assertThrows(IllegalArgumentException.class, () -> of(1000, 1000, 3000, true))
                        .getMessage());
        assertEquals(
                "request-timeout must be at least election-timeout-min (1000 ms) and at most 600000 ms, got 500 ms",
                assertThrows(IllegalArgumentException.class, () -> of(1000, 2000, 500, true))
                        .getMessage());
    }
}
