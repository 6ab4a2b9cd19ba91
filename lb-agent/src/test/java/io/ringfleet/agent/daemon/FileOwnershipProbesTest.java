package io.ringfleet.agent.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringfleet.agent.security.TestPki;
import io.ringfleet.agent.security.probes.SecurityProbeSummary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * An agent refuses to start on a data dir, pin dir or key file that another user owns or may write, and says
 * which path and what to do, in one line. Each case makes the path as an attacker would leave it (chown to
 * {@code nobody}, chmod 0777 or 0666, a parent writable by all without the sticky bit) in a fleet config written
 * here; the refusal comes before any BPF object is loaded.
 */
@Tag(SecurityProbeSummary.TAG)
class FileOwnershipProbesTest {
    private static final int NOBODY = 65534;

    @Test
    void aDataDirOwnedByAnotherUserIsRefused() throws Exception {
        try (AgentFleet fleet = new AgentFleet(TestPki.shared(), List.of("lb1"), 8, Map.of())) {
            Path data = Files.createDirectories(fleet.work.resolve("data/lb1"));
            Files.setAttribute(data, "unix:uid", NOBODY);
            String message = refusal(fleet);
            assertEquals(
                    "the data dir (data-dir) " + data.toRealPath() + " is owned by uid " + NOBODY
                            + ", not by this agent's user (uid 0): chown 0 " + data.toRealPath()
                            + " (after checking its contents)",
                    message);
        }
    }

    @Test
    void aDataDirUnderAParentAnyoneMayWriteIsRefused() throws Exception {
        try (AgentFleet fleet = new AgentFleet(TestPki.shared(), List.of("lb1"), 8, Map.of())) {
            Path parent = Files.createDirectories(fleet.work.resolve("data"));
            Files.setPosixFilePermissions(parent, PosixFilePermissions.fromString("rwxrwxrwx"));
            String message = refusal(fleet);
            assertTrue(
                    message.contains("lies under " + parent.toRealPath() + ", which group or others may write"
                            + " without the sticky bit (mode 0777)"),
                    message);
        }
    }

    @Test
    void aWorldWritableDataDirIsRefused() throws Exception {
        try (AgentFleet fleet = new AgentFleet(TestPki.shared(), List.of("lb1"), 8, Map.of())) {
            Path data = Files.createDirectories(fleet.work.resolve("data/lb1"));
            Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxrwxrwx"));
            String message = refusal(fleet);
            assertTrue(
                    message.startsWith("the data dir (data-dir) " + data.toRealPath()
                            + " is writable by group or others (mode 0777): chmod go-w "),
                    message);
        }
    }

    @Test
    void aPinDirOwnedByAnotherUserIsRefused() throws Exception {
        try (AgentFleet fleet = new AgentFleet(TestPki.shared(), List.of("lb1"), 8, Map.of())) {
            Path pins = Files.createDirectories(fleet.pins.resolve("lb1"));
            Files.setAttribute(pins, "unix:uid", NOBODY);
            String message = refusal(fleet);
            assertTrue(message.startsWith("the pin dir (pin-dir) " + pins + " is owned by uid " + NOBODY), message);
        }
    }

    @Test
    void aKeyFileOthersMayWriteIsRefused(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        TestPki pki = TestPki.create(tmp, 1);
        Path key = pki.key("lb1");
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-rw-rw-"));
        try (AgentFleet fleet = new AgentFleet(pki, List.of("lb1"), 8, Map.of())) {
            String message = refusal(fleet);
            assertTrue(
                    message.startsWith("the node key (tls.node-key) " + key.toRealPath()
                            + " is writable by group or others (mode 0666): chmod go-w"),
                    message);
            assertTrue(Files.notExists(fleet.work.resolve("data/lb1")), "refused before anything was made");
        }
    }

    /** Starts lb1 and returns its one-line refusal. */
    private static String refusal(AgentFleet fleet) {
        AgentException e = assertThrows(AgentException.class, () -> fleet.start("lb1"));
        assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
        return e.getMessage();
    }
}
