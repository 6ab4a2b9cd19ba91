package io.ringfleet.agent.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** lb-agent's command line: bad arguments and bad configs fail at once, in words a person can act on. */
class LbAgentMainTest {
    private Path dir;

    @BeforeEach
    void setUp() throws Exception {
        dir = Files.createTempDirectory("ringfleet-main-");
    }

    @AfterEach
    void tearDown() {
        AgentFleet.deleteTree(dir);
    }

    private record Run(int code, String err) {}

    private static Run run(String... args) {
        StringWriter err = new StringWriter();
        int code = LbAgentMain.run(new LbAgentMain(new PrintWriter(err, true), new CountDownLatch(0)), args);
        return new Run(code, err.toString());
    }

    @Test
    void aBadConfigExitsWithUsageAndTheLoadersMessage() throws Exception {
        Path config = dir.resolve("fleet.yaml");
        Files.writeString(
                config,
                "version: 1\nfleet-id: x\npeers:\n  - id: lb1\n    raft-address: 127.0.0.1:1\n"
                        + "    api-address: 127.0.0.1:2\n    role: leader\ntls:\n  plaintext: true\n");
        Run r = run("--config", config.toString(), "--node", "lb1");
        assertEquals(LbAgentMain.USAGE, r.code());
        assertTrue(
                r.err().contains(config + ":7: peers[0].role: \"leader\" is not allowed; use voter or listener\n"),
                r.err());
        assertTrue(r.err().startsWith(config + ":1: interface is missing;"), "every error, in line order: " + r.err());
    }

    @Test
    void anUnknownNodeOrAMissingOptionIsUsage() throws Exception {
        Path config = dir.resolve("fleet.yaml");
        Files.writeString(
                config,
                "version: 1\nfleet-id: x\npeers:\n  - id: lb1\n    raft-address: 127.0.0.1:1\n"
                        + "    api-address: 127.0.0.1:2\n    role: voter\ndefaults:\n  interface: lo\n"
                        + "  gateway-mac: \"02:00:00:00:00:01\"\ntls:\n  plaintext: true\n");
        Run unknown = run("--config", config.toString(), "--node", "lb9");
        assertEquals(LbAgentMain.USAGE, unknown.code());
        assertTrue(unknown.err().startsWith("lb-agent: --node lb9: "), unknown.err());
        assertTrue(unknown.err().contains("lb1"), "names the ids there are: " + unknown.err());
        Run missing = run("--config", config.toString());
        assertEquals(LbAgentMain.USAGE, missing.code());
        assertTrue(missing.err().contains("--node"), missing.err());
    }

    @Test
    void aPlaintextConfigNeedsTheExplicitFlag() throws Exception {
        Path config = dir.resolve("fleet.yaml");
        Files.writeString(
                config,
                "version: 1\nfleet-id: x\npeers:\n  - id: lb1\n    raft-address: 127.0.0.1:1\n"
                        + "    api-address: 127.0.0.1:2\n    role: voter\ndefaults:\n  interface: lo\n"
                        + "  gateway-mac: \"02:00:00:00:00:01\"\n  data-dir: " + dir.resolve("data")
                        + "\ntls:\n  plaintext: true\n");
        Run r = run("--config", config.toString(), "--node", "lb1");
        assertEquals(LbAgentMain.FAILED, r.code());
        assertTrue(r.err().contains("start with --plaintext-insecure"), r.err());
        assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
    }
}
