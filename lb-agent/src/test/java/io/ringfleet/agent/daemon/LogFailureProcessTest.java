package io.ringfleet.agent.daemon;

import static io.ringfleet.state.testing.Commands.TCP;
import static io.ringfleet.state.testing.Commands.addReals;
import static io.ringfleet.state.testing.Commands.addVip;
import static io.ringfleet.state.testing.Commands.setWeights;
import static io.ringfleet.state.testing.Commands.vip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringfleet.agent.security.TestPki;
import io.ringfleet.api.ApplyRequest;
import io.ringfleet.api.Command;
import io.ringfleet.api.VipKey;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A peer whose Raft log cannot be written stops at once, and so rejoins once the disk has room. lb1 runs as a real
 * lb-agent process on a small tmpfs of its own (lb2, lb3 in this JVM). It is killed, its disk filled, and started
 * again on the full disk, where its next log segment cannot be allocated; the fleet goes on writing. Ratis keeps the
 * entries it failed to write in memory and acknowledges them when the leader sends them again; if lb1 ran on, the
 * leader would count it as holding entries it never wrote, and after a restart would only send it heartbeats, which
 * it answers "inconsistent" forever (a netns chaos run showed exactly that: never ready again). So lb1 must exit
 * with one line before it acknowledges anything, and, restarted on the freed disk, get ready.
 */
class LogFailureProcessTest {
    private static final Duration START = Duration.ofSeconds(90);
    private static final Duration ON_FULL_DISK = Duration.ofSeconds(60);
    private static final VipKey WEB = vip("10.203.0.1", 80, TCP);
    private static final Pattern ONE_LINE = Pattern.compile(
            "lb-agent: the Raft log could not be written at index \\d+ \\(No space left on device\\) on lb1; stopped at"
                    + " once so that it acknowledges nothing it has not written: free space in \\S+ and start it"
                    + " again");

    private Path pkiRoot;
    private AgentFleet fleet;
    private Path disk;

    @AfterEach
    void tearDown() throws Exception {
        if (disk != null) {
            run("umount", "-l", disk.toString());
        }
        if (fleet != null) {
            fleet.close();
        }
        AgentFleet.deleteTree(pkiRoot);
    }

    @Test
    void aPeerThatCannotWriteItsLogStopsAtOnceAndGetsReadyWhenTheDiskHasRoom() throws Exception {
        pkiRoot = Files.createTempDirectory("ringfleet-log-failure-pki-");
        fleet = new AgentFleet(TestPki.create(pkiRoot, 3), List.of("lb1", "lb2", "lb3"), 8, Map.of());
        disk = Files.createDirectories(fleet.work.resolve("data/lb1"));
        run("mount", "-t", "tmpfs", "-o", "size=16m,mode=0700", "tmpfs", disk.toString());
        fleet.start("lb2");
        fleet.start("lb3");
        try (AgentMainProcess first = AgentMainProcess.start(fleet, "lb1", fleet.work.resolve("lb1-1.log"))) {
            first.awaitReady(START);
            write(addVip(WEB), addReals(WEB, "10.0.3.1=1", "10.0.3.2=1"));
        }

        long filled = fill(disk.resolve("filler"));
        long writes = 0;
        long lastIndex = 0;
        String output;
        try (AgentMainProcess onFullDisk = AgentMainProcess.start(fleet, "lb1", fleet.work.resolve("lb1-2.log"))) {
            long deadline = System.nanoTime() + ON_FULL_DISK.toNanos();
            while (onFullDisk.alive() && System.nanoTime() < deadline) {
                lastIndex = write(setWeights(WEB, "10.0.3.1=" + (2 + writes % 50)));
                writes++;
                Thread.sleep(100);
            }
            int status = onFullDisk.awaitExit(Duration.ofSeconds(10));
            output = onFullDisk.output();
            assertNotEquals(
                    -1,
                    status,
                    "lb1 still runs on a full disk after " + writes + " writes the fleet acknowledged:\n"
                            + onFullDisk.tail(40));
            assertEquals(LbAgentMain.FAILED, status, output);
        }
        List<String> agentLines =
                output.lines().filter(l -> l.startsWith("lb-agent: ")).toList();
        assertEquals(1, agentLines.size(), "one line from lb-agent: " + agentLines);
        assertTrue(ONE_LINE.matcher(agentLines.get(0)).matches(), agentLines.get(0));

        Files.delete(disk.resolve("filler"));
        try (AgentMainProcess again = AgentMainProcess.start(fleet, "lb1", fleet.work.resolve("lb1-3.log"))) {
            // Ready means programmed up to the leader's applied index at its start: past every write above
            again.awaitReady(START);
            System.out.println("log-failure: lb1 stopped with one line after " + writes
                    + " fleet writes on a full disk (" + (filled >> 20) + " MiB filler), exit "
                    + LbAgentMain.FAILED + "; restarted with room, ready past index " + lastIndex);
        }
    }

    private long write(Command... commands) throws Exception {
        return fleet.control("lb2", "alice")
                .apply(ApplyRequest.newBuilder()
                        .addAllCommands(List.of(commands))
                        .build())
                .getLogIndex();
    }

    /** Writes {@code filler} until the file system refuses (ENOSPC); the bytes written. */
    private static long fill(Path filler) throws IOException {
        byte[] chunk = new byte[1 << 20];
        long written = 0;
        try (OutputStream out = Files.newOutputStream(filler)) {
            while (true) {
                out.write(chunk);
                written += chunk.length;
            }
        } catch (IOException full) {
            if (!String.valueOf(full.getMessage()).contains("No space left")) {
                throw full;
            }
        }
        return written;
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, String.join(" ", command) + ": " + out);
    }
}
