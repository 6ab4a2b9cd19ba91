package io.ringfleet.agent.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringfleet.agent.security.probes.SecurityProbeSummary;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code scripts/fleet-loopback.sh stop} signals only this instance's own agents: a pid file is trusted only if
 * the process it names has this instance's {@code --config} and the node's {@code --node} on its command line, and
 * each {@code --netns} instance keeps its pid files in its own state dir. The "agents" here are stand-in processes
 * whose command line carries those arguments (a real agent needs BPF; the script reads only the command line).
 * The control is the stand-in with the right command line: it is signalled.
 */
@Tag(SecurityProbeSummary.TAG)
class FleetLoopbackPidFilesProbeTest {
    private static final Path SCRIPT = Path.of("..", "scripts", "fleet-loopback.sh");
    private static final Path STATE = Path.of("/run/ringfleet-loopback");
    private static final String PYTHON = "/usr/bin/python3";

    private final String instance =
            "trust17-probe-" + UUID.randomUUID().toString().substring(0, 8);
    private final String other = instance + "-b";
    private final List<Process> processes = new ArrayList<>();

    @Test
    void stopSignalsOnlyAProcessThatIsThisInstancesAgent() throws Exception {
        Path base = stateDir(instance);
        String config = base.resolve("fleet.yaml").toString();
        Process impostor = spawn("unrelated", "--node", "lb1"); // a pid reused by some other program
        Process wrongNode = spawn("--config", config, "--node", "lb3-x"); // this config, not lb2's command line
        Process ownLb2 = spawn("--config", config, "--node", "lb2"); // the control: this instance's lb2
        Process otherInstance =
                spawn("--config", stateDir(other).resolve("fleet.yaml").toString(), "--node", "lb1");
        pidFile(base, "lb1", impostor);
        pidFile(base, "lb2", ownLb2);
        pidFile(base, "lb3", wrongNode);
        pidFile(stateDir(other), "lb1", otherInstance);

        Result stop = run("stop", "--netns", instance);

        assertEquals(0, stop.exit, stop.toString());
        assertTrue(ownLb2.waitFor(10, TimeUnit.SECONDS), "this instance's lb2 was signalled: " + stop);
        assertTrue(impostor.isAlive(), "a process that is not the agent was signalled: " + stop);
        assertTrue(wrongNode.isAlive(), "another node's command line was signalled: " + stop);
        assertTrue(otherInstance.isAlive(), "another --netns instance's agent was signalled: " + stop);
        assertTrue(
                stop.err.contains(base.resolve("lb1.pid") + " does not name a running lb1 of this instance (pid "
                        + impostor.pid() + " runs: " + PYTHON
                        + " -c import time; time.sleep(600) unrelated --node lb1);"
                        + " not signalled, removed"),
                stop.toString());
        assertTrue(stop.out.contains("lb2 stopped"), stop.toString());
        assertFalse(Files.exists(base.resolve("lb1.pid")), "the untrusted pid file is removed");
        assertTrue(Files.exists(stateDir(other).resolve("lb1.pid")), "the other instance's pid file stays");
    }

    @Test
    void aNamespaceNameThatWouldLeaveTheStateDirIsRefused() throws Exception {
        Result r = run("stop", "--netns", "../" + instance);
        assertEquals(2, r.exit, r.toString());
        assertTrue(r.err.startsWith("fleet-loopback: --netns takes a namespace name"), r.toString());
    }

    /** The instance's state dir as the script makes it: root's, 0700. */
    private static Path stateDir(String name) throws IOException {
        Path dir = STATE.resolve(name);
        Files.createDirectories(
                dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        return dir;
    }

    /** One process that sleeps, with {@code args} at the end of its command line; SIGTERM ends it. */
    private Process spawn(String... args) throws IOException, InterruptedException {
        // The system's python by its path: a "python3" found on PATH may be a version manager's shim (pyenv here)
        // that execs through two shell scripts first, so the command line changes under the script's feet.
        List<String> cmd = new ArrayList<>(List.of(PYTHON, "-c", "import time; time.sleep(600)"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        processes.add(p);
        awaitCommandLine(p, args[args.length - 1]);
        return p;
    }

    /**
     * Waits until the process runs python with its arguments: the JDK starts a child through a helper that then
     * execs, and a script that reads /proc/PID/cmdline before the exec sees the helper. (What CI caught twice was
     * a pyenv shim on PATH: the stand-in's command line went through two shell scripts before python.)
     */
    private static void awaitCommandLine(Process p, String lastArg) throws IOException, InterruptedException {
        Path cmdline = Path.of("/proc", Long.toString(p.pid()), "cmdline");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!isPython(Files.readString(cmdline, StandardCharsets.ISO_8859_1), lastArg)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the stand-in process " + p.pid() + " did not exec python in 10 s");
            }
            Thread.sleep(5);
        }
    }

    private static boolean isPython(String cmdline, String lastArg) {
        return cmdline.startsWith(PYTHON + "\0") && cmdline.endsWith(lastArg + "\0");
    }

    private static void pidFile(Path base, String node, Process p) throws IOException {
        Files.writeString(base.resolve(node + ".pid"), p.pid() + "\n", StandardCharsets.US_ASCII);
    }

    private record Result(int exit, String out, String err) {}

    private static Result run(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("bash", SCRIPT.toString()));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile("fleet-loopback-out", ".txt");
        Path err = Files.createTempFile("fleet-loopback-err", ".txt");
        try {
            Process p = new ProcessBuilder(cmd)
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile())
                    .start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("fleet-loopback.sh " + String.join(" ", args) + " did not end in 60 s");
            }
            return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    @AfterEach
    void cleanUp() throws IOException {
        processes.forEach(Process::destroyForcibly);
        for (String name : List.of(instance, other)) {
            Path dir = STATE.resolve(name);
            if (Files.exists(dir)) {
                try (Stream<Path> walk = Files.walk(dir)) {
                    for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                        Files.delete(p);
                    }
                }
            }
        }
    }
}
