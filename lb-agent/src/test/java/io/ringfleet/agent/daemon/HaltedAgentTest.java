package io.ringfleet.agent.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringfleet.agent.security.TestPki;
import io.ringfleet.api.HistoryEntry;
import io.ringfleet.api.HistoryRequest;
import io.ringfleet.state.FleetVersions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A node whose software is older than the fleet stops: lb1 and lb2 (software of {@link FleetVersions#SUPPORTED})
 * bootstrap the fleet at that version; lb3, on software of fleet version 1 (a real {@code FleetNode} built with
 * {@code supportedFleetVersion(1)}), replays the log, its state machine halts at the bootstrap entry, and the
 * agent calls its stop callback (the one {@code LbAgentMain} exits non-zero on) with the halt's one line, not
 * the "Raft server stopped" one that Ratis closing the server would otherwise give.
 */
class HaltedAgentTest {
    static final Duration CONVERGE = Duration.ofSeconds(60);
    private Path pkiRoot;
    private AgentFleet fleet;

    @AfterEach
    void stop() {
        if (fleet != null) {
            fleet.close();
        }
        AgentFleet.deleteTree(pkiRoot);
    }

    @Test
    void anAgentWhoseStateMachineHaltsStopsWithOneLine() throws Exception {
        assertTrue(FleetVersions.SUPPORTED >= 2, "this build must have a version above 1 to halt an old node on");
        pkiRoot = Files.createTempDirectory("ringfleet-halted-pki-");
        fleet = new AgentFleet(TestPki.create(pkiRoot, 3), List.of("lb1", "lb2", "lb3"), 8, Map.of());
        BlockingQueue<String> stopped = new ArrayBlockingQueue<>(4);
        fleet.options("lb3", b -> b.supportedFleetVersion(1).onRaftStopped(stopped::add));
        fleet.start("lb1");
        fleet.start("lb2");
        fleet.awaitReady(CONVERGE);
        awaitFleetVersion("lb1", FleetVersions.SUPPORTED);
        long bootstrapIndex = firstLoggedBatch();

        fleet.start("lb3");
        String why = stopped.poll(CONVERGE.toSeconds(), TimeUnit.SECONDS);
        assertNotNull(why, "lb3 (v1 software) on a v" + FleetVersions.SUPPORTED + " log did not stop");
        System.out.println("halted-agent: lb3 stopped with: lb-agent: " + why);
        assertTrue(
                why.startsWith(
                        "stopped applying the log at index " + bootstrapIndex + ": log entry " + bootstrapIndex + " "),
                why);
        assertTrue(why.contains("supports fleet versions up to 1"), why);
        assertTrue(why.endsWith("upgrade this node's software before it applies the log"), why);
        assertEquals(1, why.lines().count(), why);
        assertTrue(fleet.agent("lb3").image().index() < bootstrapIndex, "lb3 applied past the halt");
        Thread.sleep(1000); // the watcher reports once: a second call would be a second exit path
        assertEquals(0, stopped.size(), "called again: " + stopped);
    }

    private void awaitFleetVersion(String id, int version) throws InterruptedException {
        long deadline = System.nanoTime() + CONVERGE.toNanos();
        while (fleet.agent(id).image().settings().fleetVersion() != version) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(id + " is at fleet version "
                        + fleet.agent(id).image().settings().fleetVersion() + ", not " + version);
            }
            Thread.sleep(20);
        }
    }

    /** The log index of the first command batch: the first bootstrap, which finalised the fleet version. */
    private long firstLoggedBatch() throws Exception {
        List<HistoryEntry> newestFirst = fleet.control("lb1", "bob")
                .history(HistoryRequest.newBuilder().setLimit(1000).build())
                .getEntriesList();
        return newestFirst.get(newestFirst.size() - 1).getLogIndex();
    }
}
