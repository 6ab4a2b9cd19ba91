package io.ringfleet.agent.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The route hook as a real process: arguments, failures counted and retried, a hung hook killed. */
class RouteAnnouncerTest {
    private Path dir;
    private Path calls;

    @BeforeEach
    void setUp() throws Exception {
        dir = Files.createTempDirectory("ringfleet-announcer-");
        calls = dir.resolve("calls.txt");
    }

    @AfterEach
    void tearDown() {
        AgentFleet.deleteTree(dir);
    }

    private Path hook(String body) throws Exception {
        Path hook = dir.resolve("hook.sh");
        Files.writeString(hook, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rwxr-xr-x"));
        return hook;
    }

    private static void await(String what, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(10);
        }
    }

    private List<String> lines() {
        try {
            return Files.exists(calls) ? Files.readAllLines(calls) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void aFailingHookIsCountedAndRetriedUntilItWorks() throws Exception {
        Path marker = dir.resolve("failed-once");
        Path hook =
                hook("if [ ! -e " + marker + " ]; then touch " + marker + "; echo 'bgp session down' >&2; exit 3; fi\n"
                        + "printf '%s %s\\n' \"$RINGFLEET_NODE_ID\" \"$*\" >> " + calls);
        try (RouteAnnouncer a =
                new RouteAnnouncer("lb7", Optional.of(hook), Duration.ofSeconds(5), Duration.ofMillis(200))) {
            a.update(ImagesForTest.withVips("10.1.0.2", "10.1.0.10", "fc00::1"), true);
            await("the retried announce", () -> lines().size() == 1);
            await("the announcer to see the hook's exit", a::announcing);
            assertEquals(List.of("lb7 announce 10.1.0.2 10.1.0.10 fc00::1"), lines());
            assertEquals(1, a.failures());
            assertEquals(2, a.calls());
            assertTrue(a.announcing());
            assertTrue(a.lastError().isEmpty());
        }
    }

    @Test
    void notReadyCallsNothingAndAHungHookIsKilled() throws Exception {
        Path hook = hook("sleep 30");
        try (RouteAnnouncer a =
                new RouteAnnouncer("lb7", Optional.of(hook), Duration.ofMillis(300), Duration.ofSeconds(60))) {
            a.update(ImagesForTest.withVips("10.1.0.2"), false);
            Thread.sleep(100);
            assertEquals(0, a.calls());
            a.update(ImagesForTest.withVips("10.1.0.2"), true);
            await("the hung hook to be killed", () -> a.failures() == 1);
            assertTrue(
                    a.lastError().orElseThrow().contains("no exit within 300 ms"),
                    a.lastError().toString());
            assertFalse(a.announcing());
        }
    }
}
