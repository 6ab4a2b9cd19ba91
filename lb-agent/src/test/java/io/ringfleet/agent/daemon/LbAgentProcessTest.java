package io.ringfleet.agent.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringfleet.agent.security.TestPki;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * lb-agent as a real process (the main, its shutdown hook): started from a config file, ready, then SIGTERM →
 * a clean stop that leaves the pinned maps in place.
 */
class LbAgentProcessTest {

    @Test
    void aRealProcessStartsBecomesReadyAndStopsCleanlyOnSigterm() throws Exception {
        try (AgentFleet fleet = new AgentFleet(TestPki.shared(), List.of("lb1"), 4, Map.of())) {
            try (AgentMainProcess p = AgentMainProcess.start(fleet, "lb1", fleet.work.resolve("lb1.log"))) {
                p.awaitReady(Duration.ofSeconds(90));
                p.terminate();
                int status = p.awaitExit(Duration.ofSeconds(60));
                assertEquals(143, status, "SIGTERM, after the shutdown hook ran (-1: still running):\n" + p.output());
                String out = p.output();
                assertTrue(
                        out.contains("lb1: stopped (XDP, tc, pinned maps and connection tables left in place)"), out);
                assertTrue(Files.exists(fleet.pins.resolve("lb1/vip_map")), "the pinned maps stay");
            }
        }
    }
}
