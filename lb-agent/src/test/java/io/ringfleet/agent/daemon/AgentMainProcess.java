package io.ringfleet.agent.daemon;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** One node of an {@link AgentFleet} run as a real {@code lb-agent} process ({@link LbAgentMain}), not attached. */
final class AgentMainProcess implements AutoCloseable {
    private final AgentFleet fleet;
    private final String id;
    private final Path log;
    private final Process process;

    private AgentMainProcess(AgentFleet fleet, String id, Path log, Process process) {
        this.fleet = fleet;
        this.id = id;
        this.log = log;
        this.process = process;
    }

    /** Starts node {@code id} of the fleet's config with this JVM's class path; its output goes to {@code log}. */
    static AgentMainProcess start(AgentFleet fleet, String id, Path log) throws IOException {
        Process p = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "--enable-native-access=ALL-UNNAMED",
                        "-cp",
                        System.getProperty("java.class.path"),
                        "-Dorg.slf4j.simpleLogger.defaultLogLevel=info",
                        "-Dorg.slf4j.simpleLogger.log.org.apache.ratis=warn",
                        LbAgentMain.class.getName(),
                        "--config",
                        fleet.configFile.toString(),
                        "--node",
                        id,
                        "--no-attach")
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        return new AgentMainProcess(fleet, id, log, p);
    }

    /** Until /readyz answers 200; fails with the process's output if it exits first or the time runs out. */
    void awaitReady(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new AssertionError(
                        id + "'s lb-agent exited (" + process.exitValue() + ") before it was ready:\n" + tail(40));
            }
            try {
                HttpResponse<String> ready = fleet.get(id, "/readyz");
                if (ready.statusCode() == 200) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError(id + " not ready within " + timeout + ": "
                            + ready.body().strip() + "\n" + tail(40));
                }
            } catch (IOException e) {
                // not listening yet
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(id + " not listening within " + timeout + ":\n" + tail(40));
            }
            Thread.sleep(200);
        }
    }

    boolean alive() {
        return process.isAlive();
    }

    /** Waits for the exit; its status, or -1 if it still runs after {@code timeout}. */
    int awaitExit(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
    }

    /** SIGTERM (the shutdown hook runs). */
    void terminate() {
        process.destroy();
    }

    /** SIGKILL, and reaps it. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    String output() throws IOException {
        return Files.readString(log);
    }

    /** The last {@code n} lines of its output (for failure messages). */
    String tail(int n) throws IOException {
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - n), lines.size()));
    }

    @Override
    public void close() throws InterruptedException {
        kill();
    }
}
