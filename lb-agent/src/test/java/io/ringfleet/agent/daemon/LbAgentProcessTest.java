package io.ringfleet.agent.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringfleet.agent.security.TestPki;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * lb-agent as a real process (the main, its shutdown hook): started from a config file, ready, then SIGTERM →
 * a clean stop that leaves the pinned maps in place.
 */
class LbAgentProcessTest {

    @Test
    void aRealProcessStartsBecomesReadyAndStopsCleanlyOnSigterm() throws Exception {
        try (AgentFleet fleet = new AgentFleet(TestPki.shared(), List.of("lb1"), 4, Map.of())) {
            Path log = fleet.work.resolve("lb1.log");
            Process p = new ProcessBuilder(
                            Path.of(System.getProperty("java.home"), "bin", "java")
                                    .toString(),
                            "--enable-native-access=ALL-UNNAMED",
                            "-cp",
                            System.getProperty("java.class.path"),
                            "-Dorg.slf4j.simpleLogger.defaultLogLevel=info",
                            "-Dorg.slf4j.simpleLogger.log.org.apache.ratis=warn",
                            LbAgentMain.class.getName(),
                            "--config",
                            fleet.configFile.toString(),
                            "--node",
                            "lb1",
                            "--no-attach")
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
                while (true) {
                    assertTrue(p.isAlive(), "lb-agent exited early:\n" + Files.readString(log));
                    try {
                        HttpResponse<String> ready = fleet.get("lb1", "/readyz");
                        if (ready.statusCode() == 200) {
                            break;
                        }
                    } catch (IOException e) {
                        // not listening yet
                    }
                    assertTrue(System.nanoTime() < deadline, "not ready in time:\n" + Files.readString(log));
                    Thread.sleep(200);
                }
                p.destroy(); // SIGTERM
                assertTrue(p.waitFor(60, TimeUnit.SECONDS), "no exit after SIGTERM:\n" + Files.readString(log));
                assertEquals(143, p.exitValue(), "terminated by SIGTERM after the shutdown hook ran");
                String out = Files.readString(log);
                assertTrue(
                        out.contains("lb1: stopped (XDP, tc, pinned maps and connection tables left in place)"), out);
                assertTrue(Files.exists(fleet.pins.resolve("lb1/vip_map")), "the pinned maps stay");
            } finally {
                p.destroyForcibly();
            }
        }
    }
}
