package io.ringfleet.agent.daemon;

import io.ringfleet.config.ConfigException;
import io.ringfleet.config.FleetConfig;
import io.ringfleet.config.FleetConfigLoader;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code lb-agent --config fleet.yaml --node lb1 [--plaintext-insecure] [--no-attach]}: runs one node's agent
 * until SIGTERM or SIGINT, then stops it cleanly (XDP stays attached). Exit status: 143 / 130 (the signal's,
 * as for any JVM stopped by one) after a clean stop, 1 the agent failed to start or its Raft server stopped
 * under it (one line says why), 2 bad arguments or a bad config
 * file (the config errors are printed as the loader words them: file, line, field and what is allowed).
 */
@Command(
        name = "lb-agent",
        mixinStandardHelpOptions = true,
        version = "lb-agent (Ringfleet) 0.1.0",
        description = "Run one Ringfleet node: Raft peer, BPF map programmer, gRPC API, metrics.",
        footer = {
            "",
            "Exit status: 143/130 after a clean stop on SIGTERM/SIGINT, 1 failed to start or the",
            "Raft server stopped under the agent (e.g. removed from the fleet: restart with --rejoin),",
            "2 bad arguments or config."
        })
public final class LbAgentMain implements Callable<Integer> {
    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int USAGE = 2;

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "The fleet config (YAML).")
    Path config;

    @Option(names = "--node", required = true, paramLabel = "ID", description = "This node's peer id in the config.")
    String node;

    @Option(
            names = "--plaintext-insecure",
            description = "Allow a config with tls: plaintext: true (no TLS for Raft and the API; test networks only).")
    boolean plaintextInsecure;

    @Option(
            names = "--no-attach",
            description = "Load and program the datapath but attach nothing (no traffic reaches it).")
    boolean noAttach;

    @Option(
            names = "--rejoin",
            description = "Rejoin the fleet as a new member: leave the Raft configuration if still in it, clear this"
                    + " node's data dir, pin dir and xdp_root slot, start without campaigning and have the leader add"
                    + " it back (caught up from the log or a snapshot). The other nodes must be running.")
    boolean rejoin;

    /** The least common-pool parallelism: at 1 (the JDK's choice on <= 2 CPUs) every async task gets a new thread. */
    static final int MIN_COMMON_POOL_PARALLELISM = 4;

    private final PrintWriter err;
    private volatile String raftStopped;
    private final CountDownLatch stop;
    private volatile LbAgent agent;

    LbAgentMain(PrintWriter err, CountDownLatch stop) {
        this.err = err;
        this.stop = stop;
    }

    public static void main(String[] args) {
        commonPoolParallelism();
        io.ringfleet.agent.NettyMachineId.setIfAbsent();
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch stopped = new CountDownLatch(1);
        LbAgentMain main = new LbAgentMain(new PrintWriter(System.err, true), stop);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            stop.countDown();
                            try {
                                stopped.await();
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        },
                        "lb-agent-shutdown"));
        int code = run(main, args);
        stopped.countDown();
        System.exit(code);
    }

    /**
     * Ratis runs its follower append path as CompletableFuture async steps on the common pool. With parallelism 1
     * (the JDK's default on machines with <= 2 CPUs) the JDK runs each such step on a new thread (2,518 threads in
     * 20 s of writes). Must run before anything touches the pool; an explicit -D setting wins.
     */
    static void commonPoolParallelism() {
        String key = "java.util.concurrent.ForkJoinPool.common.parallelism";
        if (System.getProperty(key) == null) {
            System.setProperty(
                    key,
                    Integer.toString(Math.max(
                            MIN_COMMON_POOL_PARALLELISM, Runtime.getRuntime().availableProcessors() - 1)));
        }
    }

    /**
     * Halts at once, without the shutdown hook's orderly close: a peer whose Raft log cannot be written must not
     * answer another append (FleetStateMachine#onLogFailed says why). XDP, tc and pins stay, as on any stop.
     */
    private void failStop(String why) {
        err.println("lb-agent: " + why);
        err.flush();
        Runtime.getRuntime().halt(FAILED);
    }

    static int run(LbAgentMain main, String[] args) {
        CommandLine cli = new CommandLine(main)
                .setErr(main.err)
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    main.err.println("lb-agent: " + e);
                    return FAILED;
                })
                .setParameterExceptionHandler((e, argv) -> {
                    main.err.println("lb-agent: " + e.getMessage() + " (see: lb-agent --help)");
                    return USAGE;
                });
        return cli.execute(args);
    }

    @Override
    public Integer call() {
        FleetConfig fleet;
        try {
            fleet = FleetConfigLoader.load(config);
        } catch (ConfigException e) {
            err.println(e.getMessage());
            return USAGE;
        }
        try {
            fleet.self(node);
        } catch (IllegalArgumentException e) {
            err.println("lb-agent: --node " + node + ": " + e.getMessage());
            return USAGE;
        }
        try {
            agent = LbAgent.builder(fleet, node)
                    .plaintextAllowed(plaintextInsecure)
                    .attach(!noAttach)
                    .rejoin(rejoin, Duration.ofSeconds(120))
                    .onLogFailed(this::failStop)
                    .onRaftStopped(reason -> {
                        raftStopped = reason;
                        stop.countDown();
                    })
                    .build()
                    .start();
        } catch (AgentException e) {
            err.println("lb-agent: " + e.getMessage());
            return FAILED;
        }
        try {
            stop.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        agent.close();
        if (raftStopped != null) {
            err.println("lb-agent: " + raftStopped);
            return FAILED;
        }
        return OK;
    }
}
