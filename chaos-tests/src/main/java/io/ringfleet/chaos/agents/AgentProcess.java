package io.ringfleet.chaos.agents;

import io.ringfleet.chaos.netns.LbNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One lb-agent process ({@code io.ringfleet.agent.daemon.LbAgentMain}) running inside an LB's namespace, with
 * its output appended to a log file. It can be killed with SIGKILL (XDP, pins and routes stay as they were),
 * stopped with SIGTERM, and started again with the same config and node id (it then reuses the pinned maps and
 * the attached program).
 */
public final class AgentProcess {
    private static final String MAIN = "io.ringfleet.agent.daemon.LbAgentMain";
    private static final Duration STOP_GRACE = Duration.ofSeconds(15);

    private final LbNode lb;
    private final Path config;
    private final Path logFile;
    private Process process;
    private int starts;

    AgentProcess(LbNode lb, Path config, Path logFile) {
        this.lb = lb;
        this.config = config;
        this.logFile = logFile;
    }

    public LbNode lb() {
        return lb;
    }

    public String id() {
        return lb.id();
    }

    public Path logFile() {
        return logFile;
    }

    /** How many times this agent was started (1 after the first start). */
    public synchronized int starts() {
        return starts;
    }

    /** Starts the agent (it must not be running). */
    public synchronized void start() {
        start(List.of());
    }

    /** Starts the agent with more lb-agent arguments (e.g. {@code --rejoin}); it must not be running. */
    public synchronized void start(List<String> extraArgs) {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException(lb.id() + "'s agent is already running (pid " + process.pid() + ")");
        }
        List<String> cmd = JavaCommand.inNamespace(
                lb.ns().path(),
                MAIN,
                List.of(
                        "org.slf4j.simpleLogger.defaultLogLevel=info",
                        "org.slf4j.simpleLogger.log.org.apache.ratis=warn",
                        "org.slf4j.simpleLogger.showDateTime=true",
                        "org.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS"),
                Stream.concat(Stream.of("--config", config.toString(), "--node", lb.id()), extraArgs.stream())
                        .toList());
        try {
            process = new ProcessBuilder(cmd)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("starting " + lb.id() + "'s agent (" + String.join(" ", cmd) + ")", e);
        }
        starts++;
    }

    public synchronized boolean alive() {
        return process != null && process.isAlive();
    }

    /** The agent's process id, or -1 when it never started. */
    public synchronized long pid() {
        return process == null ? -1 : process.pid();
    }

    /** SIGKILL, as {@code kill -9}: no shutdown hook runs. Waits until the process is gone. */
    public void kill9() {
        Process p;
        synchronized (this) {
            p = process;
        }
        if (p == null) {
            return;
        }
        p.destroyForcibly();
        waitFor(p, Duration.ofSeconds(30));
    }

    /** SIGTERM (a clean stop), then SIGKILL if it has not exited within 15 s. */
    public void stop() {
        Process p;
        synchronized (this) {
            p = process;
        }
        if (p == null || !p.isAlive()) {
            return;
        }
        p.destroy();
        if (!waitFor(p, STOP_GRACE)) {
            p.destroyForcibly();
            waitFor(p, Duration.ofSeconds(30));
        }
    }

    /** The exit status when the process has ended. */
    public synchronized Integer exitStatus() {
        return process == null || process.isAlive() ? null : process.exitValue();
    }

    /**
     * GET /readyz on the agent's metrics endpoint (from inside its namespace): true on 200. False when it
     * answers otherwise or does not answer.
     */
    public boolean ready() {
        String answer = get("/readyz");
        return answer.startsWith("HTTP/1.1 200") || answer.startsWith("HTTP/1.0 200");
    }

    /**
     * One sample of the agent's {@code /metrics} (from inside its namespace): the value of {@code name} summed over
     * its series, NaN when the agent does not answer or has no such series.
     */
    public double metric(String name) {
        double sum = 0;
        boolean found = false;
        for (String line : get("/metrics").split("\n")) {
            if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                found = true;
            }
        }
        return found ? sum : Double.NaN;
    }

    /** GET {@code path} on the agent's metrics endpoint: status line, headers and body; "" when it does not answer. */
    private String get(String path) {
        return lb.ns().call(() -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(lb.controlAddress(), FleetConfigFile.METRICS_PORT), 1000);
                s.setSoTimeout(5000);
                OutputStream out = s.getOutputStream();
                out.write(("GET " + path + " HTTP/1.0\r\nHost: " + lb.id() + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                InputStream in = s.getInputStream();
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "";
            }
        });
    }

    private static boolean waitFor(Process p, Duration d) {
        try {
            return p.waitFor(d.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public String toString() {
        return "AgentProcess[" + lb.id() + ", pid " + pid() + (alive() ? ", running" : ", stopped") + "]";
    }
}
