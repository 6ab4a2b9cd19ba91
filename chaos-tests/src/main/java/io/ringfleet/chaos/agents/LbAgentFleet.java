package io.ringfleet.chaos.agents;

import io.ringfleet.agent.datapath.BalancerVariant;
import io.ringfleet.agent.datapath.DatapathConfig;
import io.ringfleet.agent.security.CertificateToolException;
import io.ringfleet.agent.security.DevCertificateAuthority;
import io.ringfleet.agent.security.Role;
import io.ringfleet.chaos.Pause;
import io.ringfleet.chaos.bgp.BgpRouting;
import io.ringfleet.chaos.netns.BalancerNode;
import io.ringfleet.chaos.netns.LbNode;
import io.ringfleet.chaos.netns.PinDirs;
import io.ringfleet.chaos.netns.Topology;
import io.ringfleet.config.BalancerBuild;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Real lb-agent processes, one inside each LB namespace of a {@link Topology}: a fleet config written for the
 * topology ({@link FleetConfigFile}), a development CA with a node certificate per LB and an operator
 * certificate, the route hook that edits the router's ECMP routes ({@link RouteHookScript}). Operators' changes
 * go through {@link #lbctl()}; {@link #observe(int)} opens an LB's pinned maps and program (read-only use) for
 * the checks. Registered with the topology, so its teardown stops the agents first.
 *
 * <p>Run files live in {@code BASE/PREFIX} (BASE defaults to {@value #DEFAULT_BASE}): {@code fleet.yaml},
 * {@code tls/}, {@code data/}, {@code routes/} and one log per agent ({@code lbN.log}). Closing removes
 * everything but the config and the logs.
 */
public final class LbAgentFleet implements AutoCloseable {
    public static final String DEFAULT_BASE = "/tmp/ringfleet-runs";
    private static final String OPERATOR = "operator";
    private static final int CERT_DAYS = 2;
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(180);

    private final Topology topology;
    private final Path dir;
    private final DataDisks disks;
    private final FleetConfigFile.Limits limits;
    private final Consumer<String> log;
    private final List<AgentProcess> agents = new ArrayList<>();
    private final Map<Integer, BalancerNode> observers = new TreeMap<>();
    private final Optional<BgpRouting> bgp;
    private LbctlProcess lbctl;
    private Path config;
    private boolean closed;

    private LbAgentFleet(
            Topology topology,
            Path dir,
            FleetConfigFile.Limits limits,
            Optional<BgpRouting> bgp,
            Consumer<String> log) {
        this.topology = topology;
        this.bgp = bgp;
        this.dir = dir;
        this.disks = new DataDisks(dir.resolve("data"));
        this.limits = limits;
        this.log = log;
    }

    /**
     * Writes the run's files and starts one agent per LB (registered for teardown with topology); returns once
     * every agent answers {@code /readyz} with 200.
     */
    public static LbAgentFleet start(Topology topology, int maxVips, int maxReals, Consumer<String> log) {
        return start(topology, maxVips, maxReals, Optional.empty(), log);
    }

    /**
     * As {@link #start(Topology, int, int, Consumer)}, but the agents announce through real BGP: each one's
     * route hook is the shipped {@code scripts/route-hook-bird} driving its LB's BIRD, and each reads that BIRD's
     * state ({@code bird-socket}) for its status and metrics.
     */
    public static LbAgentFleet startWithBgp(
            Topology topology, int maxVips, int maxReals, BgpRouting bgp, Consumer<String> log) {
        return start(topology, maxVips, maxReals, Optional.of(bgp), log);
    }

    /**
     * As {@link #startWithBgp(Topology, int, int, BgpRouting, Consumer)}, every node loading this balancer build (see
     * {@link #start(Topology, int, int, BalancerBuild, Consumer)}).
     */
    public static LbAgentFleet startWithBgp(
            Topology topology,
            int maxVips,
            int maxReals,
            BalancerBuild balancer,
            BgpRouting bgp,
            Consumer<String> log) {
        return start(topology, new FleetConfigFile.Limits(maxVips, maxReals, balancer), Optional.of(bgp), log);
    }

    /**
     * As {@link #start(Topology, int, int, Consumer)}, every node loading this balancer build ({@code balancer} in
     * the fleet config; {@code SECOND_CHANCE} also writes each node's IPv6 link address as {@code
     * healthcheck-source-v6}, the outer source of its second-chance frames to IPv6 reals).
     */
    public static LbAgentFleet start(
            Topology topology, int maxVips, int maxReals, BalancerBuild balancer, Consumer<String> log) {
        return start(topology, new FleetConfigFile.Limits(maxVips, maxReals, balancer), Optional.empty(), log);
    }

    private static LbAgentFleet start(
            Topology topology, int maxVips, int maxReals, Optional<BgpRouting> bgp, Consumer<String> log) {
        return start(topology, new FleetConfigFile.Limits(maxVips, maxReals), bgp, log);
    }

    private static LbAgentFleet start(
            Topology topology, FleetConfigFile.Limits limits, Optional<BgpRouting> bgp, Consumer<String> log) {
        Path dir = Path.of(System.getProperty("ringfleet.runs", DEFAULT_BASE), topology.prefix() + "agents");
        LbAgentFleet fleet = new LbAgentFleet(topology, dir, limits, bgp, log);
        topology.onTeardown(fleet);
        fleet.writeFiles();
        for (AgentProcess a : fleet.agents) {
            a.start();
            log.accept(a.id() + ": lb-agent started (pid " + a.pid() + ") in namespace "
                    + a.lb().ns().name() + ", log " + a.logFile());
        }
        fleet.awaitReady(fleet.agents);
        return fleet;
    }

    private void writeFiles() {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("creating " + dir, e);
        }
        disks.mount(topology.lbs(), log);
        Path tls = dir.resolve("tls");
        makeCertificates(tls);
        Path hook = bgp.isPresent() ? BirdHookScript.write(dir, bgp.get()) : RouteHookScript.write(dir, topology);
        config = FleetConfigFile.write(dir, topology, tls, hook, bgp.map(BirdHookScript::birdSocketTemplate), limits);
        lbctl = new LbctlProcess(tls, OPERATOR);
        for (LbNode lb : topology.lbs()) {
            agents.add(new AgentProcess(lb, config, dir.resolve(lb.id() + ".log")));
        }
        log.accept("fleet config " + config + " (" + agents.size() + " voters, mutual TLS with a development CA in "
                + tls + "), route hook " + hook);
    }

    private void makeCertificates(Path tls) {
        DevCertificateAuthority ca = new DevCertificateAuthority(tls);
        try {
            ca.init(CERT_DAYS, true);
            for (LbNode lb : topology.lbs()) {
                ca.issue(Role.NODE, lb.id(), List.of(lb.controlAddress().getHostAddress()), CERT_DAYS, true);
            }
            ca.issue(Role.OPERATOR, OPERATOR, List.of(), CERT_DAYS, true);
        } catch (CertificateToolException e) {
            throw new IllegalStateException(
                    "making the run's certificates in " + tls + " failed: " + e.getMessage(), e);
        }
    }

    /** Waits until each of these agents answers /readyz with 200; fails with the end of its log otherwise. */
    public void awaitReady(List<AgentProcess> which) {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        List<AgentProcess> waiting = new ArrayList<>(which);
        while (!waiting.isEmpty()) {
            for (AgentProcess a : List.copyOf(waiting)) {
                if (!a.alive()) {
                    throw new IllegalStateException(a.id() + "'s agent exited with status " + a.exitStatus()
                            + " before it was ready; its log ends:\n" + tail(a.logFile(), 25));
                }
                if (a.ready()) {
                    waiting.remove(a);
                    log.accept(a.id() + ": ready (maps programmed up to the commit index it saw at start)");
                }
            }
            if (System.nanoTime() > deadline) {
                AgentProcess a = waiting.get(0);
                throw new IllegalStateException(a.id() + "'s agent was not ready within " + READY_TIMEOUT.toSeconds()
                        + " s; its log ends:\n" + tail(a.logFile(), 25));
            }
            Pause.millis(200);
        }
    }

    public List<AgentProcess> agents() {
        return List.copyOf(agents);
    }

    /** LB number n's agent (1-based). */
    public AgentProcess agent(int n) {
        return agents.get(n - 1);
    }

    /** lbctl with the run's operator certificate. */
    public LbctlProcess lbctl() {
        return lbctl;
    }

    public Path config() {
        return config;
    }

    public Path dir() {
        return dir;
    }

    /** Each LB's data disk (a small tmpfs), for disk-full faults. */
    public DataDisks disks() {
        return disks;
    }

    /** The agents' datapath settings (what {@link #observe} opens the pins with). */
    public DatapathConfig datapathConfig(LbNode lb) {
        return DatapathConfig.builder()
                .variant(
                        limits.balancer() == BalancerBuild.SECOND_CHANCE
                                ? BalancerVariant.SECOND_CHANCE
                                : BalancerVariant.BALANCER)
                .maxVips(limits.maxVips())
                .maxReals(limits.maxReals())
                .ringSize(DatapathConfig.RING_SIZE)
                .fallbackConnTableOnly()
                .healthCheck(false)
                .pinDir(PinDirs.of(topology.prefix(), lb.id()))
                .build();
    }

    /**
     * LB number n's balancer as its agent pinned it: maps and program opened from the pins, for reading maps and
     * counters and for BPF_PROG_TEST_RUN. Opened once and kept (the pins outlive agent restarts).
     */
    public synchronized BalancerNode observe(int n) {
        return observers.computeIfAbsent(n, k -> BalancerNode.observe(topology.lb(k), datapathConfig(topology.lb(k))));
    }

    /** LB number n's balancer opened again from its pins (after its agent re-created them, e.g. a rejoin). */
    public synchronized BalancerNode reobserve(int n) {
        BalancerNode old = observers.remove(n);
        if (old != null) {
            old.close();
        }
        return observe(n);
    }

    /** Every LB's balancer, observed (see {@link #observe}). */
    public List<BalancerNode> observeAll() {
        List<BalancerNode> out = new ArrayList<>();
        for (LbNode lb : topology.lbs()) {
            out.add(observe(lb.number()));
        }
        return out;
    }

    /** Stops every agent (SIGTERM), closes the observers, removes pins and the run's data, keeps config and logs. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (AgentProcess a : agents) {
            try {
                a.stop();
            } catch (RuntimeException e) {
                log.accept("stopping " + a.id() + "'s agent failed: " + e.getMessage());
            }
        }
        for (BalancerNode n : observers.values()) {
            try {
                n.close();
            } catch (RuntimeException e) {
                log.accept("closing the view of " + n + " failed: " + e.getMessage());
            }
        }
        observers.clear();
        int pins = PinDirs.deleteAll(topology.prefix());
        disks.unmount(log);
        for (String sub : List.of("data", "tls", "routes")) {
            deleteTree(dir.resolve(sub));
        }
        log.accept("teardown: " + agents.size() + " agents stopped, " + pins + " pin directories removed; config and"
                + " agent logs kept in " + dir);
    }

    /** Kills (SIGKILL) agent processes of earlier runs whose JVM is gone. Returns how many. */
    public static int killStale() {
        int killed = 0;
        for (ProcessHandle p : ProcessHandle.allProcesses().toList()) {
            String[] args = p.info().arguments().orElse(new String[0]);
            for (int i = 0; i + 1 < args.length; i++) {
                if (args[i].equals("--config")
                        && args[i + 1].startsWith(System.getProperty("ringfleet.runs", DEFAULT_BASE))
                        && !runAlive(Path.of(args[i + 1]))) {
                    p.destroyForcibly();
                    killed++;
                }
            }
        }
        return killed;
    }

    private static boolean runAlive(Path config) {
        String run = config.getParent().getFileName().toString(); // rfc-PID-XXXX-agents
        String[] parts = run.split("-");
        try {
            return ProcessHandle.of(Long.parseLong(parts[1]))
                    .map(ProcessHandle::isAlive)
                    .orElse(false);
        } catch (RuntimeException e) {
            return true; // not one of ours: leave it alone
        }
    }

    static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e.getMessage() + ")";
        }
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException("removing " + root, e);
        }
    }
}
