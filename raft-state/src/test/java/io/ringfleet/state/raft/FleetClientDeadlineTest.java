package io.ringfleet.state.raft;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringfleet.api.CommandBatch;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.ratis.protocol.RaftPeerId;
import org.junit.jupiter.api.Test;

/**
 * A write to a fleet with no leader gives up at its time bound, not after its attempts: refused connections come back
 * in milliseconds, so a count alone ran out long before an election could end (CI: an agent's write during a leader
 * change failed after 40 attempts in about two seconds).
 */
class FleetClientDeadlineTest {
    private static final Pattern GAVE_UP =
            Pattern.compile("no leader applied the batch in (\\d+) ms \\((\\d+) attempts");

    @Test
    void aWriteWithNoLeaderRetriesUntilItsTimeBoundThenSaysTheOutcomeIsUnknown() throws IOException {
        Map<String, String> voters = new LinkedHashMap<>();
        for (String id : new String[] {"p1", "p2", "p3"}) {
            voters.put(id, "127.0.0.1:" + closedPort()); // nothing listens: every attempt is refused at once
        }
        long writeTimeoutMs = 1_500;
        int maxAttempts = 1_000;
        try (FleetClient client = FleetClient.builder(FleetNode.group(FleetNode.groupIdOf("deadline"), voters))
                .maxAttempts(maxAttempts)
                .retrySleepMs(10)
                .requestTimeoutMs(500)
                .writeTimeoutMs(writeTimeoutMs)
                .build()) {
            IOException e = assertThrows(
                    IOException.class,
                    () -> client.submit(
                            CommandBatch.newBuilder().setRequestId("r1").build(), RaftPeerId.valueOf("p1")));
            Matcher m = GAVE_UP.matcher(String.valueOf(e.getMessage()));
            assertTrue(m.find(), e.getMessage());
            assertTrue(
                    Long.parseLong(m.group(1)) >= writeTimeoutMs, "gave up before its time bound: " + e.getMessage());
            assertTrue(
                    Integer.parseInt(m.group(2)) < maxAttempts,
                    "gave up on the count, not the time: " + e.getMessage());
            assertTrue(e.getMessage().contains("it may or may not have been applied"), e.getMessage());
        }
    }

    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
