package io.ringfleet.chaos.netnschaos;

import io.ringfleet.api.GetStatusResponse;
import io.ringfleet.api.NodeStatus;
import io.ringfleet.chaos.Pause;
import io.ringfleet.chaos.agents.AgentProcess;
import io.ringfleet.chaos.agents.DataDisks;
import io.ringfleet.chaos.agents.LbAgentFleet;
import io.ringfleet.chaos.agents.LbctlProcess;
import io.ringfleet.chaos.bgp.BgpRouting;
import io.ringfleet.chaos.bgp.HostFailure;
import io.ringfleet.chaos.netns.Addresses;
import io.ringfleet.chaos.netns.BackendNode;
import io.ringfleet.chaos.netns.ForwardingCheck;
import io.ringfleet.chaos.netns.LbCounters;
import io.ringfleet.chaos.netns.LbNode;
import io.ringfleet.chaos.netns.Topology;
import io.ringfleet.chaos.netns.Traffic;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.stream.IntStream;

/**
 * The faults of a scenario, each injected, held and healed, with the checks that are cheap at that moment. A
 * fault's method returns what happened, for the table; failed checks go to the run's violations.
 */
final class FaultActions {
    private static final long ROUTES_MILLIS = 60_000;
    private static final int CHECK_FLOWS_DURING_CHURN = 1_000;
    private static final int FULL_DISK_WATCH_MILLIS = 30_000;
    /**
     * How soon the router must stop routing to a failed host: BFD detects it in 300 ms (100 ms × 3), then bgpd
     * withdraws and zebra installs; past this the hold timer, not BFD, did it.
     */
    static final long HOST_WITHDRAW_MILLIS = 1_500;
    /** How long a host failure waits for the withdrawal before it sets the host's links down anyway. */
    private static final long HOST_WITHDRAW_WAIT_MILLIS = 10_000;

    private final ChaosRun run;
    private final Consumer<String> out;
    private final Random random;
    private final List<String> violations;
    private final Topology topology;
    private final BgpRouting bgp;
    private final LbAgentFleet fleet;
    private final FleetReads reads;
    private final Traffic traffic;

    FaultActions(ChaosRun run) {
        this.run = run;
        this.out = run.out;
        this.random = run.random;
        this.violations = run.violations;
        this.topology = run.topology;
        this.bgp = run.bgp;
        this.fleet = run.fleet;
        this.reads = run.reads;
        this.traffic = run.traffic;
    }

    String kill9(int n, int dwell) {
        AgentProcess agent = fleet.agent(n);
        int program = fleet.observe(n).attachedProgramId();
        long pid = agent.pid();
        agent.kill9();
        try {
            if (agent.alive()) {
                violations.add("lb" + n + "'s agent (pid " + pid + ") still runs after SIGKILL");
            }
            Pause.millis(dwell);
            int during = fleet.observe(n).attachedProgramId();
            if (during != program) {
                violations.add("lb" + n + "'s attached XDP program changed from " + program + " to " + during
                        + " while its agent was dead");
            }
        } finally {
            agent.start();
            fleet.awaitReady(List.of(agent));
        }
        return "pid " + pid + " killed; XDP program " + program + " stayed attached; restarted, ready";
    }

    int leader() {
        long deadline = System.currentTimeMillis() + 60_000;
        String last = "";
        while (System.currentTimeMillis() < deadline) {
            LbNode via = topology.lb(1 + random.nextInt(3));
            try {
                GetStatusResponse s = reads.status(via);
                for (LbNode lb : topology.lbs()) {
                    if (lb.id().equals(s.getLeaderId())) {
                        return lb.number();
                    }
                }
                last = "no leader known to " + via.id();
            } catch (FleetReads.ReadFailed e) {
                last = e.getMessage();
            }
        }
        throw new IllegalStateException("no Raft leader found within 60 s: " + last);
    }

    String partition(int n, int dwell) {
        RaftPartition cut = new RaftPartition(topology.lb(n));
        cut.cut();
        long dropped;
        try {
            Pause.millis(dwell);
        } finally {
            dropped = cut.heal();
        }
        if (dropped == 0) {
            violations.add("the partition of lb" + n + " dropped no Raft packet: it cut nothing");
        }
        return "iptables dropped " + dropped + " Raft packets of lb" + n + " on " + Topology.CONTROL_DEVICE
                + "; healed";
    }

    String link(int n, int dwell) {
        LossyLink link = new LossyLink(topology.lb(n));
        String how = link.cut();
        long dropped;
        try {
            Pause.millis(dwell);
        } finally {
            dropped = link.heal();
        }
        if (dropped == 0) {
            violations.add("the lossy link of lb" + n + " dropped no packet: it did nothing");
        }
        return how + " on lb" + n + ": " + dropped + " packets dropped; healed";
    }

    /**
     * Fills lbN's data disk, kills its agent and starts it again on the full disk, holds the fault while writes go
     * on (every other one through lbN), then frees the disk and restarts the agent. A node on a full
     * disk must stop or refuse: what it acknowledges must be on disk, which the final ledger check verifies on
     * every node (a write acknowledged and then lost fails the scenario). What the agent did on the full disk
     * (exited, stayed unready, or started) is reported.
     */
    String diskFull(int n, int dwell) {
        DataDisks disks = fleet.disks();
        String id = topology.lb(n).id();
        long filled = disks.fill(id);
        long left = disks.free(id);
        AgentProcess agent = fleet.agent(n);
        agent.kill9();
        agent.start(); // on the full disk
        String onFull;
        try {
            onFull = watchOnFullDisk(agent, dwell);
        } finally {
            disks.release(id);
        }
        agent.kill9(); // whatever it did on the full disk, it restarts with room (a no-op when it exited)
        agent.start();
        fleet.awaitReady(List.of(agent));
        return String.format(
                "%s's disk filled (%d MiB written, %d KiB left); agent killed and restarted on it: %s; disk freed,"
                        + " %s restarted and ready",
                id, filled >> 20, left >> 10, onFull, id);
    }

    /**
     * Watches an agent started on a full disk until it exits or gets ready, for the dwell but at least {@link
     * #FULL_DISK_WATCH_MILLIS} (a JVM takes 5–15 s to get as far as its storage here): did it exit, stay unready,
     * or get ready?
     */
    private static String watchOnFullDisk(AgentProcess agent, int dwell) {
        long deadline = System.currentTimeMillis() + Math.max(dwell, FULL_DISK_WATCH_MILLIS);
        boolean wasReady = false;
        while (System.currentTimeMillis() < deadline && agent.alive() && !wasReady) {
            wasReady = agent.ready();
            Pause.millis(250);
        }
        if (!agent.alive()) {
            return "it exited (status " + agent.exitStatus() + ")";
        }
        return wasReady ? "it started and got ready (its log segment had room)" : "it ran but never got ready";
    }

    /**
     * Runs {@code primary} and, a third of its dwell after it started, {@code overlapping} (on another LB), so that
     * both are on at once; returns both reports. A failure of either is thrown after both have healed.
     */
    String overlapped(Fault primary, Fault overlapping, FaultRunner runner) {
        java.util.concurrent.CompletableFuture<String> first =
                java.util.concurrent.CompletableFuture.supplyAsync(() -> runner.run(primary));
        String second;
        try {
            Pause.millis(primary.dwellMillis() / 3);
            second = runner.run(overlapping);
        } finally {
            first.join(); // the primary heals itself; wait for it even when the second failed
        }
        return first.join() + " || overlapped by " + overlapping.kind().label() + " " + overlapping.targetText() + ": "
                + second;
    }

    /** Injects, holds and heals one fault, returning what happened. */
    @FunctionalInterface
    interface FaultRunner {
        String run(Fault f);
    }

    String drain(int n, int dwell) {
        LbNode lb = topology.lb(n);
        List<Integer> nums =
                IntStream.range(0, NetnsChaosScenario.MAX_VIPS).boxed().toList();
        long hashedBefore = hashedNonSynElsewhere(n, nums);
        long t0 = System.nanoTime();
        controlWrite("drain lb" + n, () -> drained(lb.id()), "node", "drain", lb.id(), "--reason", "netns-chaos");
        Set<Integer> others = new TreeSet<>(Set.of(1, 2, 3));
        others.remove(n);
        awaitRoutes(topology, others, "after draining lb" + n);
        double withdrawn = (System.nanoTime() - t0) / 1e9;
        LbCounters c0 = LbCounters.read(fleet.observe(n), nums);
        Pause.millis(dwell);
        long packets = LbCounters.read(fleet.observe(n), nums).since(c0).vipPackets();
        long moved = hashedNonSynElsewhere(n, nums) - hashedBefore;
        if (packets > 0) {
            violations.add("lb" + n + " received " + packets + " VIP packets while drained (its route was withdrawn)");
        }
        controlWrite("undrain lb" + n, () -> !drained(lb.id()), "node", "undrain", lb.id());
        awaitRoutes(topology, Set.of(1, 2, 3), "after undraining lb" + n);
        return String.format(
                "next hop withdrawn %.1f s after the drain; %d VIP packets reached lb%d while drained;"
                        + " %d TCP flows arrived at the others without a table entry (moved, hashed); undrained",
                withdrawn, packets, n, moved);
    }

    /**
     * Fails lbN's host ({@link HostFailure}): every process of its namespace freezes and its XDP program is
     * detached, so that only the router's BFD can notice; the router must stop routing to it within {@link
     * #HOST_WITHDRAW_MILLIS} (its flows stall meanwhile, then move to the other LBs, whose rings are the same). Its
     * processes are then killed and its links set down for the dwell. The host returns (links up, BIRD booted
     * announcing nothing): it must not be routed to before its agent is ready, and must be once it is.
     */
    String hostFailure(int n, int dwell) {
        LbNode lb = topology.lb(n);
        Set<Integer> others = new TreeSet<>(Set.of(1, 2, 3));
        others.remove(n);
        long t0 = System.nanoTime();
        List<Long> frozen = HostFailure.stop(lb);
        boolean withdrawn = routesBecome(others, HOST_WITHDRAW_WAIT_MILLIS);
        long withdrawMs = (System.nanoTime() - t0) / 1_000_000;
        if (!withdrawn || withdrawMs > HOST_WITHDRAW_MILLIS) {
            violations.add("the router still routed to lb" + n + " " + withdrawMs + " ms after its host stopped (BFD "
                    + (bgp.bfd() ? "on" : "off") + ", must be ≤ " + HOST_WITHDRAW_MILLIS + " ms): routes "
                    + topology.nextHops4() + " / " + topology.nextHops6());
        }
        HostFailure.bury(lb, frozen);
        AgentProcess agent = fleet.agent(n);
        agent.kill9(); // the host killed it; this reaps our handle on the process
        Pause.millis(dwell);
        long back = System.nanoTime();
        HostFailure.revive(lb, bgp.speaker(n));
        bgp.awaitSessions(List.of(lb));
        if (topology.nextHops4().contains(n) || topology.nextHops6().contains(n)) {
            violations.add("lb" + n + " was routed to again before its agent was ready (after its host returned)");
        }
        agent.start();
        fleet.awaitReady(List.of(agent));
        awaitRoutes(topology, Set.of(1, 2, 3), "after lb" + n + "'s host returned");
        return String.format(
                "%d processes frozen, XDP detached: the router withdrew lb%d after %d ms (BFD %s); processes killed,"
                        + " links down; host back: BIRD announcing nothing until the agent was ready, routed to"
                        + " again %.1f s after its return",
                frozen.size(), n, withdrawMs, bgp.bfd() ? "on" : "off", (System.nanoTime() - back) / 1e9);
    }

    /** Polls the router's kernel routes until both VIPs go to exactly these LBs; false after timeoutMillis. */
    private boolean routesBecome(Set<Integer> expected, long timeoutMillis) {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        while (System.nanoTime() < deadline) {
            if (topology.nextHops4().equals(expected) && topology.nextHops6().equals(expected)) {
                return true;
            }
            Pause.millis(10);
        }
        return false;
    }

    /** Non-SYN TCP packets the other LBs had no connection-table entry for: about one per flow that moved there. */
    private long hashedNonSynElsewhere(int n, List<Integer> nums) {
        long sum = 0;
        for (LbNode other : topology.lbs()) {
            if (other.number() != n) {
                sum += LbCounters.read(fleet.observe(other.number()), nums).hashedNonSyn();
            }
        }
        return sum;
    }

    private boolean drained(String id) {
        for (NodeStatus s : reads.status(topology.lb(1 + random.nextInt(3))).getNodesList()) {
            if (s.getNodeId().equals(id)) {
                return s.getDrained();
            }
        }
        return false;
    }

    String churn(BackendNode be, int dwell) {
        int onReal = traffic.snapshot().longByReal().getOrDefault(be.name(), 0);
        traffic.realRemoved(be.name());
        CommandJson remove = new CommandJson();
        CommandJson add = new CommandJson();
        for (String proto : List.of("TCP", "UDP")) {
            for (boolean v6 : List.of(false, true)) {
                String key = CommandJson.key(v6 ? topology.vip6() : topology.vip4(), topology.echoPort(), proto);
                remove.removeReals(key, List.of(address(be, v6)));
                add.addReals(key, Map.of(address(be, v6), 1));
            }
        }
        controlWrite(
                "remove " + be.name(),
                () -> !inTrafficVips(be),
                "apply",
                "-f",
                run.file("churn-remove-" + be.name() + ".json", remove.json()));
        ForwardingCheck during = ForwardingCheck.run(
                fleet.observeAll(),
                topology.vip4(),
                topology.echoPort(),
                6,
                CHECK_FLOWS_DURING_CHURN,
                ~run.schedule.seed(),
                run::realName); // other flows than the final check's
        if (during.agreed() != during.flows() || during.byReal().containsKey(be.name())) {
            violations.add("while " + be.name() + " was out of the traffic VIPs, new flows through every LB's program: "
                    + during.agreed() + "/" + during.flows() + " agreed, by real " + during.byReal() + " "
                    + during.firstDisagreement());
        }
        Pause.millis(dwell);
        int kept = traffic.snapshot().longByReal().getOrDefault(be.name(), 0);
        controlWrite(
                "add " + be.name() + " back",
                () -> inTrafficVips(be),
                "apply",
                "-f",
                run.file("churn-add-" + be.name() + ".json", add.json()));
        traffic.realRestored(be.name());
        return String.format(
                "%s out of the 4 traffic VIPs: %d new flows through every LB's program went to %s;"
                        + " %d of its %d connections kept it (connection table); added back",
                be.name(), during.flows(), during.byReal().keySet(), kept, onReal);
    }

    private boolean inTrafficVips(BackendNode be) {
        SortedMap<String, SortedMap<String, Integer>> vips = reads.vips(topology.lb(1 + random.nextInt(3)));
        int in = 0;
        for (String proto : List.of("TCP", "UDP")) {
            for (boolean v6 : List.of(false, true)) {
                InetAddress vip = v6 ? topology.vip6() : topology.vip4();
                SortedMap<String, Integer> reals =
                        vips.get(FleetReads.vipText(proto, Addresses.text(vip), topology.echoPort()));
                if (reals != null && reals.containsKey(address(be, v6))) {
                    in++;
                }
            }
        }
        if (in != 0 && in != 4) {
            throw new IllegalStateException(be.name() + " is in " + in + " of the 4 traffic VIPs: a batch was split");
        }
        return in == 4;
    }

    /**
     * A write of the scenario itself (drain, churn): through a random node, waiting until programmed everywhere;
     * after a failure, done when the state says so, else tried again (at most 5 times).
     */
    private void controlWrite(String what, BooleanSupplier done, String... args) {
        String last = "";
        for (int attempt = 1; attempt <= 5; attempt++) {
            LbNode via = topology.lb(1 + random.nextInt(3));
            String[] all = Arrays.copyOf(args, args.length + 3);
            all[args.length] = "--wait";
            all[args.length + 1] = "--timeout";
            all[args.length + 2] = "30s";
            LbctlProcess.Result r = fleet.lbctl().run(via, all);
            if (r.ok() || r.exit() == 6) {
                return;
            }
            last = r.shown() + " via " + via.id() + ": exit " + r.exit() + " "
                    + r.err().strip();
            out.accept("  " + what + " failed (attempt " + attempt + "): " + last);
            try {
                if (done.getAsBoolean()) {
                    return;
                }
            } catch (FleetReads.ReadFailed e) {
                out.accept("  reading the state failed: " + e.getMessage());
            }
        }
        throw new IllegalStateException(what + " failed 5 times; last: " + last);
    }

    static void awaitRoutes(Topology topology, Set<Integer> expected, String when) {
        long deadline = System.currentTimeMillis() + ROUTES_MILLIS;
        while (System.currentTimeMillis() < deadline) {
            if (topology.nextHops4().equals(expected) && topology.nextHops6().equals(expected)) {
                return;
            }
            Pause.millis(100);
        }
        throw new IllegalStateException("the router's VIP routes are " + topology.nextHops4() + " / "
                + topology.nextHops6() + " " + ROUTES_MILLIS / 1000 + " s " + when + ", expected LBs " + expected);
    }

    private static String address(BackendNode b, boolean v6) {
        return ChaosRun.address(b, v6);
    }
}
