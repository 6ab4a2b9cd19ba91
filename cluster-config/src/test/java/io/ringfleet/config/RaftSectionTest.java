package io.ringfleet.config;

import static io.ringfleet.config.Fixtures.ONE;
import static io.ringfleet.config.Fixtures.append;
import static io.ringfleet.config.Fixtures.errors;
import static io.ringfleet.config.Fixtures.load;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringfleet.state.raft.RaftTimings;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The raft section: the fleet log's timings, read into RaftTimings. */
class RaftSectionTest {
    @Test
    void absentSectionGivesTheDefaults() {
        assertEquals(RaftTimings.DEFAULT, load(ONE).raftTimings());
        assertTrue(RaftTimings.DEFAULT.preVote());
        assertTrue(RaftTimings.DEFAULT.electionTimeoutMin().compareTo(Duration.ofMillis(1000)) >= 0);
    }

    @Test
    void everyFieldIsRead() {
        FleetConfig c = load(append(
                ONE,
                "raft:",
                "  election-timeout-min-ms: 2000",
                "  election-timeout-max-ms: 4_000",
                "  request-timeout-ms: 5000",
                "  pre-vote: false"));
        assertEquals(
                RaftTimings.of(Duration.ofMillis(2000), Duration.ofMillis(4000), Duration.ofMillis(5000), false),
                c.raftTimings());
    }

    @Test
    void leftOutFieldsKeepTheirDefaults() {
        RaftTimings t =
                load(append(ONE, "raft:", "  election-timeout-max-ms: 3000")).raftTimings();
        assertEquals(RaftTimings.DEFAULT.electionTimeoutMin(), t.electionTimeoutMin());
        assertEquals(Duration.ofMillis(3000), t.electionTimeoutMax());
        assertTrue(t.preVote());
    }

    @Test
    void minNotBelowMaxIsRefusedOnTheSectionLine() {
        List<String> e =
                errors(append(ONE, "raft:", "  election-timeout-min-ms: 3000", "  election-timeout-max-ms: 3000"));
        assertEquals(1, e.size(), e.toString());
        assertTrue(e.get(0).startsWith("fleet.yaml:12: raft: election-timeout-max must be more than"), e.get(0));
    }

    @Test
    void outOfRangeAndUnknownFieldsAreRefused() {
        List<String> e =
                errors(append(ONE, "raft:", "  election-timeout-min-ms: 10", "  pre-vote: yes", "  heartbeat-ms: 100"));
        assertEquals(3, e.size(), e.toString());
        assertTrue(
                e.stream().anyMatch(m -> m.contains("raft.election-timeout-min-ms: 10 is not allowed")), e.toString());
        assertTrue(
                e.stream().anyMatch(m -> m.contains("raft.pre-vote: yes is not allowed; use true or false")),
                e.toString());
        assertTrue(e.stream().anyMatch(m -> m.contains("heartbeat-ms: unknown field")), e.toString());
        assertFalse(e.stream().anyMatch(m -> m.contains("Exception")), e.toString());
    }
}
