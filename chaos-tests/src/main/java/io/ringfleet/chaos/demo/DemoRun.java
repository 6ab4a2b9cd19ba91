package io.ringfleet.chaos.demo;

import static io.ringfleet.chaos.demo.Console.row;

import com.google.protobuf.util.JsonFormat;
import io.ringfleet.agent.cli.LbctlJson;
import io.ringfleet.api.AddReals;
import io.ringfleet.api.AddVip;
import io.ringfleet.api.ApplyRequest;
import io.ringfleet.api.Command;
import io.ringfleet.api.DrainNode;
import io.ringfleet.api.GetFleetSettingsResponse;
import io.ringfleet.api.GetStatusResponse;
import io.ringfleet.api.NodeStatus;
import io.ringfleet.api.Protocol;
import io.ringfleet.api.RealSpec;
import io.ringfleet.api.UndrainNode;
import io.ringfleet.api.VipKey;
import io.ringfleet.bpf.abi.FlowKey;
import io.ringfleet.chaos.agents.AgentProcess;
import io.ringfleet.chaos.agents.LbAgentFleet;
import io.ringfleet.chaos.agents.LbctlProcess;
import io.ringfleet.chaos.bgp.BgpRouting;
import io.ringfleet.chaos.bgp.HostFailure;
import io.ringfleet.chaos.flowsurvival.FleetWrites;
import io.ringfleet.chaos.flowsurvival.KernelRings;
import io.ringfleet.chaos.flowsurvival.SecondChanceCounters;
import io.ringfleet.chaos.netns.Addresses;
import io.ringfleet.chaos.netns.BackendNode;
import io.ringfleet.chaos.netns.BalancerNode;
import io.ringfleet.chaos.netns.BrokenFlow;
import io.ringfleet.chaos.netns.DatapathState;
import io.ringfleet.chaos.netns.ForwardingCheck;
import io.ringfleet.chaos.netns.LbCounters;
import io.ringfleet.chaos.netns.LbNode;
import io.ringfleet.chaos.netns.LocalFleetLog;
import io.ringfleet.chaos.netns.Namespaces;
import io.ringfleet.chaos.netns.OpenFlow;
import io.ringfleet.chaos.netns.PinDirs;
import io.ringfleet.chaos.netns.Topology;
import io.ringfleet.chaos.netns.Traffic;
import io.ringfleet.chaos.netns.TrafficSnapshot;
import io.ringfleet.config.BalancerBuild;
import io.ringfleet.state.FleetImage;
import io.ringfleet.state.FleetLimits;
import io.ringfleet.state.FleetRings;
import io.ringfleet.state.FleetVersions;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The demo's story, step by step, on a real {@link Topology} routed by real BGP ({@link BgpRouting}: FRR in the
 * router, BIRD with BFD in every LB) with a real {@link LbAgentFleet} (one lb-agent process per LB, announcing
 * through {@code scripts/route-hook-bird}): provision the fleet with lbctl through node 2, run traffic, drain an LB,
 * kill -9 an agent and restart it, fail an LB's host and bring it back, churn a real, show the fleet status and
 * check every LB's kernel maps; then tear everything down.
 * Used by {@link Demo} (full) and by the test (short).
 *
 * <p>The demo also applies every change it sends to a model of its own ({@link LocalFleetLog}: raft-state's
 * {@link io.ringfleet.state.command.BatchApplier} in this process), and requires every LB's kernel maps to equal
 * what that model says: an independent check that the agents computed the same maps from the replicated log.
 */
public final class DemoRun {
    private static final int MAX_VIPS = 4;
    private static final int MAX_REALS = 256;
    private static final int STEPS = 11;
    /** The LB whose host fails (not {@link #VIA}: lbctl goes through that one). */
    private static final int HOST_FAILURE_LB = 1;

    private static final int CHECKED_FLOWS = 10_000;
    private static final long CHECK_SEED = 5;
    /** The node every lbctl command goes through. */
    private static final int VIA = 2;

    private static final long CONVERGE_MILLIS = 30_000;
    /** System property of the sabotage run (the test must then fail). */
    private static final String SABOTAGE = "ringfleet.demo.sabotage";

    private static final String SABOTAGE_NO_FORWARD = "no-forward";

    private final DemoOptions options;
    private final Console console;
    private final List<VipKey> vips = new ArrayList<>();
    private Topology topology;
    private BgpRouting bgp;
    private LbAgentFleet agents;
    private LocalFleetLog model;
    private Traffic traffic;
    private FleetImage expected;
    private int changes;
    private int drains;
    private int ringChangesDuringDrains;
    private SecondChanceCounters secondChance = SecondChanceCounters.ZERO;
    private int kills;
    private int hostFailures;
    private boolean restartKeptMaps = true;
    private int movedFlows;
    private int movedSameReal;
    private long drainedLbPackets;
    private int checkedFlows;
    private int agreedFlows;

    private DemoRun(DemoOptions options, Console console) {
        this.options = options;
        this.console = console;
    }

    /** Runs the whole demo, printing to out; everything it created is gone when it returns or throws. */
    public static DemoResult run(DemoOptions options, PrintStream out) {
        return new DemoRun(options, new Console(out, STEPS)).run();
    }

    private DemoResult run() {
        try {
            preflight();
            buildTopology();
            startAgents();
            configure();
            TrafficSnapshot start = startTraffic();
            drain(options.drainLb());
            killAgent(options.lbs());
            hostFailure(HOST_FAILURE_LB);
            TrafficSnapshot end = traffic.snapshot();
            traffic.close();
            new HealthDemoStep(console, topology, agents, VIA).run();
            int equal = fleetStatus();
            int nodes = topology.lbs().size();
            console.step("teardown");
            topology.close();
            return result(start, end, equal, nodes);
        } finally {
            if (topology != null) {
                topology.close();
            }
        }
    }

    // ---- steps ----

    private void preflight() {
        console.step("preflight");
        console.line("kernel " + System.getProperty("os.version") + ", "
                + Runtime.getRuntime().availableProcessors() + " CPUs, Java " + System.getProperty("java.version"));
        int agentsLeft = LbAgentFleet.killStale();
        int stale = Namespaces.deleteStale();
        int pins = PinDirs.deleteStale();
        console.line("left by earlier runs that were killed: " + agentsLeft + " agent processes, " + stale
                + " namespaces, " + pins + " bpffs pin directories, removed");
        console.line("only addresses inside the namespaces this run creates are used (10.77.0.0/16, fd77::/16, "
                + "VIPs 10.200.0.1 and fd77:200::1)");
    }

    private void buildTopology() {
        console.step("topology: a router with one ECMP route per VIP (BGP), " + options.lbs() + " LBs, "
                + options.backends()
                + " backends, " + options.clients() + " client(s)");
        topology = Topology.builder()
                .lbs(options.lbs())
                .backends(options.backends())
                .clients(options.clients())
                // the product's backend program: it decapsulates and sends second-chance frames on
                .ringfleetBackend(true)
                .log(console::line)
                .build();
        if (SABOTAGE_NO_FORWARD.equals(System.getProperty(SABOTAGE))) {
            // shows the test can fail: ringfleet-backend then delivers every second-chance frame locally
            topology.ringfleetBackends().forEach(b -> b.setGateway(new byte[6]));
            console.line("SABOTAGE (" + SABOTAGE + "=" + SABOTAGE_NO_FORWARD + "): every backend's gateway MAC zeroed:"
                    + " second-chance frames are delivered locally, never sent on");
        }
    }

    private void startAgents() {
        console.step("agents: one lb-agent process per LB (Raft peer, map programmer, gRPC API, metrics), each"
                + " announcing its VIPs over BGP once ready");
        startBgp();
        agents = LbAgentFleet.startWithBgp(
                topology, MAX_VIPS, MAX_REALS, BalancerBuild.SECOND_CHANCE, bgp, console::line);
        for (BalancerNode node : agents.observeAll()) {
            console.line(node.lb().id() + ": balancer program " + node.attachedProgramId() + " attached to "
                    + node.lb().device() + " in driver mode by its agent; maps pinned in "
                    + node.datapath().config().pinDir().orElseThrow() + ", gateway MAC "
                    + node.lb().gatewayMacText()
                    + " (the router's port on its link)");
        }
        int version = fleetVersion();
        List<String> ids = topology.lbs().stream().map(LbNode::id).toList();
        // the model runs at the agents' version: from 4 on, a real a previous ring names keeps its index
        model = new LocalFleetLog(
                FleetLimits.builder().maxVips(MAX_VIPS).maxReals(MAX_REALS).build(), ids, version);
        expected = model.image();
    }

    /**
     * The fleet's finalised version and ring history depth, read back with lbctl: second chance needs version 4 (ring
     * histories) and a depth of at least 1 (each LB's ch_rings_prev holds the previous ring of every VIP).
     */
    private int fleetVersion() {
        GetFleetSettingsResponse s = new FleetWrites(topology, agents, console::line).settings();
        int depth = Math.max(1, s.getSettings().getRingHistoryDepth()); // 0 is the default, 1
        String variant = agents.observe(VIA).datapath().config().variant().objectName();
        console.line("every LB runs " + variant + " (balancer: second-chance); lbctl settings show: fleet version "
                + s.getFleetVersion() + ", ring history depth " + depth + " (each LB keeps every VIP's previous ring)");
        if (s.getFleetVersion() < FleetVersions.Rule.RING_HISTORY.version()) {
            throw new IllegalStateException("the fleet is at version " + s.getFleetVersion() + ", below "
                    + FleetVersions.Rule.RING_HISTORY.version() + ": no ring history, no second chance");
        }
        return s.getFleetVersion();
    }

    private void configure() {
        console.step("control plane: VIPs and reals");
        console.line("every change goes through " + topology.lb(VIA).id() + "'s agent with lbctl (run on that host,"
                + " operator certificate); the agents replicate it with Raft and each programs its own kernel");
        List<Command> commands = new ArrayList<>();
        for (InetAddress vip : List.of(topology.vip4(), topology.vip6())) {
            for (Protocol p : List.of(Protocol.TCP, Protocol.UDP)) {
                VipKey key = VipKey.newBuilder()
                        .setAddress(Addresses.text(vip))
                        .setPort(topology.echoPort())
                        .setProtocol(p)
                        .build();
                vips.add(key);
                commands.add(Command.newBuilder()
                        .setAddVip(AddVip.newBuilder().setVip(key))
                        .build());
            }
        }
        for (VipKey key : vips) {
            AddReals.Builder add = AddReals.newBuilder().setVip(key);
            for (BackendNode b : topology.backends()) {
                add.addReals(
                        RealSpec.newBuilder().setAddress(realAddress(key, b)).setWeight(1));
            }
            commands.add(Command.newBuilder().setAddReals(add).build());
        }
        apply(
                "add 4 VIPs (TCP and UDP on " + Addresses.text(topology.vip4()) + " and "
                        + Addresses.text(topology.vip6()) + " port " + topology.echoPort() + "), " + options.backends()
                        + " reals each",
                commands);
        DatapathState want = DatapathState.of(expected);
        List<List<String>> rows = new ArrayList<>();
        List<String> header = new ArrayList<>(List.of("VIP"));
        for (BackendNode b : topology.backends()) {
            header.add(b.name() + " slots");
        }
        rows.add(header);
        for (DatapathState.Vip v : want.vips().values()) {
            List<String> r = new ArrayList<>(List.of(v.describe()));
            for (BackendNode b : topology.backends()) {
                InetAddress a = v.describe().startsWith("[") ? b.address6() : b.address4();
                r.add(Integer.toString(want.slotsOf(v.vipNum(), want.realIndexOf(a))));
            }
            rows.add(r);
        }
        console.line("Maglev rings (65537 slots, Katran's algorithm), identical on every LB:");
        console.table(rows);
        digests();
    }

    private TrafficSnapshot startTraffic() {
        console.step("traffic: " + options.longLived() + " long-lived TCP connections (a round trip every 50 ms), "
                + options.udpFlows() + " UDP flows, " + options.shortPerSecond() + " short connections/s");
        traffic = Traffic.builder()
                .longLived(options.longLived())
                .udpFlows(options.udpFlows())
                .shortPerSecond(options.shortPerSecond())
                .start(topology);
        if (!traffic.awaitLongOpen(options.longLived(), 15_000)) {
            throw new IllegalStateException("only " + traffic.snapshot().longOpen() + " of " + options.longLived()
                    + " long-lived connections opened in 15 s; failures: " + traffic.failures());
        }
        TrafficSnapshot start = traffic.snapshot();
        console.line("all " + options.longLived() + " long-lived connections open; running "
                + options.phaseMillis() / 1000.0 + " s");
        phase("steady state", options.phaseMillis());
        return start;
    }

    /**
     * Drains LB n and undrains it. With the ring change on ({@code realChurn}), the drain's log entry also sets one
     * real of the TCP VIPs to weight 0 ({@link DrainRingChange}), restored after the undrain: the drained LB's flows
     * reach LBs with no table entry for them whose ring just changed, and only second chance keeps that real's.
     */
    private void drain(int n) {
        LbNode lb = topology.lb(n);
        console.step(
                options.realChurn()
                        ? "canary drain of " + lb.id()
                                + " with a ring change in the same log entry: its flows move to LBs"
                                + " whose TCP rings just changed (second chance)"
                        : "canary drain of " + lb.id()
                                + ": its flows move to the other LBs, whose rings are identical");
        Map<Integer, Map<FlowKey, Integer>> before = connectionTables();
        Set<FlowKey> openBefore = openFlowsByKey().keySet();
        FlowMoves now = FlowMoves.of(n, before, before, openBefore);
        console.line(now.onDrained() + " of " + openBefore.size() + " open long-lived TCP connections are in "
                + lb.id() + "'s connection table; per LB " + lbNames(now.perLb()) + "; in more than one LB's table: "
                + now.inSeveral() + ", in none: " + now.inNone());
        DrainRingChange change = options.realChurn()
                ? DrainRingChange.pick(topology.backends(), vips, before.get(n), openBefore, DatapathState.of(expected))
                : null;
        SecondChanceCounters sc0 = SecondChanceCounters.read(topology, agents);
        Mark drainStart = mark();
        DatapathState ringsBefore = DatapathState.of(expected);
        submitDrain(lb, change);
        drains++;
        awaitRoutes(n, false);
        console.line(lb.id() + "'s agent ran route-hook-bird withdraw (its BIRD sent the BGP withdraw; FRR on the"
                + " router removed it): the router's routes now go via "
                + names(topology.nextHops4()) + " (IPv4) and " + names(topology.nextHops6()) + " (IPv6)");
        if (change != null) {
            ringChangeLine(change, ringsBefore);
        }
        LbCounters drainedBefore = LbCounters.read(agents.observe(n), vipNums());
        phase("drained", options.phaseMillis(), drainStart);
        drainedLbPackets = LbCounters.read(agents.observe(n), vipNums())
                .since(drainedBefore)
                .vipPackets();
        movedLines(n, before, openBefore);
        if (change != null) {
            SecondChanceCounters sc =
                    SecondChanceCounters.read(topology, agents).since(sc0);
            secondChance = sc;
            console.line("second chance while drained: the LBs met " + sc.lbMissesNonSyn() + " non-SYN TCP packets"
                    + " without a table entry and sent " + sc.lbSecondChance() + " second-chance frames; the"
                    + " backends sent " + sc.backendForwarded() + " on to the previous real ("
                    + change.real().name()
                    + "), kept " + sc.backendLocal() + " (own socket), " + sc.backendUnroutable() + " unroutable");
        }
        console.line(lb.id() + " received " + drainedLbPackets + " VIP packets while drained");

        Mark undrainStart = mark();
        lbctl("undrain " + lb.id(), "node", "undrain", lb.id(), "--wait");
        expected = model.submit(
                "undrain",
                List.of(Command.newBuilder()
                        .setUndrainNode(UndrainNode.newBuilder().setNodeId(lb.id()))
                        .build()));
        awaitRoutes(n, true);
        console.line(lb.id() + " announced again: routes via " + names(topology.nextHops4()) + " (IPv4) and "
                + names(topology.nextHops6()) + " (IPv6)");
        if (change != null) {
            apply(change.real().name() + " back to weight 1 on the TCP VIPs, after the undrain", change.weight(1));
        }
        phase("undrained", Math.max(1000, options.phaseMillis() / 2), undrainStart);
    }

    /** The drain: {@code lbctl node drain}, or with a ring change one batch holding both (one log entry). */
    private void submitDrain(LbNode lb, DrainRingChange change) {
        Command drain = Command.newBuilder()
                .setDrainNode(DrainNode.newBuilder().setNodeId(lb.id()).setReason("canary"))
                .build();
        if (change == null) {
            lbctl("drain " + lb.id() + " (canary)", "node", "drain", lb.id(), "--reason", "canary", "--wait");
            expected = model.submit("drain", List.of(drain));
            return;
        }
        // one entry: every LB programs the new ring (and keeps the old one as previous) at the drain's index, and the
        // drained LB withdraws its routes only once it programmed that index, so every moved flow meets the change
        List<Command> batch = new ArrayList<>(List.of(drain));
        batch.addAll(change.weight(0));
        apply(
                "drain " + lb.id() + " (canary) and " + change.real().name() + " to weight 0 on the TCP VIPs, one log"
                        + " entry",
                batch);
        ringChangesDuringDrains++;
    }

    /** What the drain's ring change did, from the model and from every LB's kernel (current and previous ring). */
    private void ringChangeLine(DrainRingChange change, DatapathState before) {
        DatapathState after = DatapathState.of(expected);
        KernelRings kernels = KernelRings.readEqualOnEvery(agents);
        List<String> parts = new ArrayList<>();
        for (DatapathState.Vip v : after.vips().values()) {
            if (v.describe().endsWith("/tcp")) {
                parts.add(v.describe() + " " + before.slotsDiffering(after, v.vipNum()) + " slots changed, "
                        + kernels.slotsChanged(v.vipNum()) + " with a second chance");
            }
        }
        console.line("ring change: " + change.real().name() + " (" + change.flowsOnDrained() + " of the moving"
                + " connections are its) left the TCP rings: " + String.join("; ", parts) + " ("
                + BalancerNode.RING_SIZE
                + " slots; ch_rings and ch_rings_prev equal on "
                + agents.observeAll().size() + " LBs)");
    }

    /** Where the drained LB's connections went: an LB's table (same real?) or second chance (no entry). */
    private void movedLines(int n, Map<Integer, Map<FlowKey, Integer>> before, Set<FlowKey> openBefore) {
        Set<FlowKey> open = new HashSet<>(openBefore);
        open.retainAll(openFlowsByKey().keySet());
        Map<Integer, Map<FlowKey, Integer>> after = connectionTables();
        FlowMoves m = FlowMoves.of(n, before, after, open);
        console.line("moved off " + topology.lb(n).id() + ": " + m.moved() + " connections " + lbNames(m.movedTo())
                + "; the new LB, with no connection-table entry for them, hashed them on its ring to the same real "
                + "for " + m.sameReal() + "/" + m.moved());
        int withoutEntry = inNoOtherTable(n, before, after, open);
        if (withoutEntry > 0) {
            console.line(withoutEntry + " more, still open, are in no other LB's table: their slot changed, so each"
                    + " packet went by second chance (never written to the table)");
        }
        if (m.betweenOthers() > 0) {
            console.line("also moved between the remaining LBs (the router's hash ranges shifted): " + m.betweenOthers()
                    + " connections");
        }
        movedFlows += m.moved();
        movedSameReal += m.sameReal();
    }

    /** Open connections that were in LB n's table before and are in no other LB's table now. */
    private static int inNoOtherTable(
            int n,
            Map<Integer, Map<FlowKey, Integer>> before,
            Map<Integer, Map<FlowKey, Integer>> after,
            Set<FlowKey> open) {
        int count = 0;
        for (FlowKey k : open) {
            boolean elsewhere = after.entrySet().stream()
                    .anyMatch(e -> e.getKey() != n && e.getValue().containsKey(k));
            count += before.get(n).containsKey(k) && !elsewhere ? 1 : 0;
        }
        return count;
    }

    private void killAgent(int n) {
        LbNode lb = topology.lb(n);
        AgentProcess agent = agents.agent(n);
        console.step("kill -9 of " + lb.id() + "'s agent while traffic flows (XDP stays attached), and its restart");
        BalancerNode node = agents.observe(n);
        int program = node.attachedProgramId();
        String mapsBefore = DatapathState.read(node).digestHex();
        int remembered = node.connections().size();
        Mark deadStart = mark();
        long pid = agent.pid();
        agent.kill9();
        kills++;
        console.line("kill -9 " + pid + " (" + lb.id() + "'s lb-agent): exit status " + agent.exitStatus()
                + "; XDP program " + program + " on " + lb.device() + ": "
                + (node.attachedProgramId() == program
                        ? "still attached"
                        : "NOT attached (" + node.attachedProgramId() + ")")
                + "; its connection table keeps " + remembered + " flows; its BIRD keeps its routes announced: "
                + names(topology.nextHops4()));
        status("the fleet as " + topology.lb(VIA).id() + " sees it, with " + lb.id() + "'s agent dead");
        phase(lb.id() + "'s agent dead, its balancer still forwarding", options.phaseMillis(), deadStart);

        Mark backStart = mark();
        agent.start();
        console.line(lb.id() + ": lb-agent started again (pid " + agent.pid() + "), same config and data dir");
        agents.awaitReady(List.of(agent));
        int programAfter = node.attachedProgramId();
        String mapsAfter = DatapathState.read(node).digestHex();
        boolean same = programAfter == program && mapsAfter.equals(mapsBefore);
        restartKeptMaps &= same;
        console.line(lb.id() + " after the restart: attached program " + programAfter
                + (programAfter == program ? " (the same: reused from its pin, never detached)" : " (CHANGED)")
                + "; kernel maps " + (mapsAfter.equals(mapsBefore) ? "unchanged" : "CHANGED") + " (digest "
                + mapsAfter.substring(0, 12) + ")");
        phase(lb.id() + "'s agent back", Math.max(1000, options.phaseMillis() / 2), backStart);
    }

    // ---- BGP: the router's FRR, the LBs' BIRDs, host failure ----

    private void startBgp() {
        Path dir = Path.of(System.getProperty("ringfleet.runs", LbAgentFleet.DEFAULT_BASE), topology.prefix() + "bgp");
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("creating " + dir, e);
        }
        bgp = BgpRouting.start(topology, dir, true, console::line);
    }

    /**
     * lbN's host fails as a whole ({@link HostFailure}): every process on it freezes and its XDP program is
     * detached, so only the router's BFD notices; its flows move to the other LBs. Then its processes are killed
     * and its links go down; the host returns (BIRD up, announcing nothing), its agent starts and, once ready,
     * announces again.
     */
    private void hostFailure(int n) {
        LbNode lb = topology.lb(n);
        AgentProcess agent = agents.agent(n);
        console.step("host failure of " + lb.id() + ": every process on it stops, its XDP program is detached and its"
                + " links go down; BFD tells the router; then the host returns");
        Mark downStart = mark();
        long t0 = System.nanoTime();
        List<Long> frozen = HostFailure.stop(lb);
        awaitRoutes(n, false);
        long withdrawnMs = (System.nanoTime() - t0) / 1_000_000;
        hostFailures++;
        console.line(frozen.size() + " processes of " + lb.id() + " frozen (its agent and its BIRD), XDP detached: the"
                + " router's BFD session went down and FRR withdrew " + lb.id() + " " + withdrawnMs + " ms later;"
                + " routes via " + names(topology.nextHops4()) + " (IPv4) and " + names(topology.nextHops6())
                + " (IPv6)");
        HostFailure.bury(lb, frozen);
        agent.kill9(); // the host killed it; this reaps the demo's handle on the process
        console.line(lb.id() + "'s processes killed and its links down, as a powered-off host leaves them");
        phase(lb.id() + "'s host down", options.phaseMillis(), downStart);

        Mark backStart = mark();
        HostFailure.revive(lb, bgp.speaker(n));
        bgp.awaitSessions(List.of(lb));
        console.line(lb.id() + "'s host is back: links up, BIRD's session Established with BFD Up, announcing"
                + " nothing until its agent is ready: routes via " + names(topology.nextHops4()));
        agent.start();
        agents.awaitReady(List.of(agent));
        awaitRoutes(n, true);
        BalancerNode node = agents.observe(n);
        console.line(lb.id() + ": lb-agent ready (pid " + agent.pid() + "), XDP program "
                + (node.attachedProgramId() == node.programId() ? "attached again" : "NOT attached")
                + "; route-hook-bird announced: routes via " + names(topology.nextHops4()) + " (IPv4) and "
                + names(topology.nextHops6()) + " (IPv6)");
        phase(lb.id() + "'s host back", Math.max(1000, options.phaseMillis() / 2), backStart);
    }

    private int fleetStatus() {
        console.step("fleet status");
        GetStatusResponse status =
                status("lbctl status through " + topology.lb(VIA).id());
        String expectedRings = FleetRings.of(expected, BalancerNode.RING_SIZE).digestHex();
        DatapathState want = DatapathState.of(expected);
        console.line(
                "the demo's own model of the same changes: ring digest (FleetRings) " + expectedRings.substring(0, 12)
                        + "; per LB, what its agent reports and what its kernel maps hold, read back now:");
        Map<String, NodeStatus> reported = new HashMap<>();
        for (NodeStatus n : status.getNodesList()) {
            reported.put(n.getNodeId(), n);
        }
        List<List<String>> rows = new ArrayList<>();
        rows.add(row(
                "LB",
                "XDP program",
                "agent: programmed index",
                "agent: ring digest",
                "kernel: ring digest",
                "kernel maps = model"));
        int equal = 0;
        for (BalancerNode node : agents.observeAll()) {
            DatapathState has = DatapathState.read(node);
            String kernelRings = has.ringDigestHex();
            NodeStatus n = reported.getOrDefault(node.lb().id(), NodeStatus.getDefaultInstance());
            String agentRings = HexFormat.of().formatHex(n.getRingsDigest().toByteArray());
            if (kernelRings.equals(expectedRings) && agentRings.equals(expectedRings)) {
                equal++;
            }
            rows.add(row(
                    node.lb().id(),
                    node.attachedProgramId() == node.programId() ? "attached" : "NOT attached",
                    n.getProgrammedIndex(),
                    agentRings.isEmpty() ? "-" : agentRings.substring(0, 12),
                    kernelRings.substring(0, 12),
                    has.digestHex().equals(want.digestHex()) ? "yes" : "NO"));
        }
        console.table(rows);
        forwardingCheck();
        return equal;
    }

    /** 10,000 new flows through every LB's program: every LB must pick the same real for each. */
    private void forwardingCheck() {
        int perVip = CHECKED_FLOWS / vips.size();
        console.line("traffic stopped; dual check: " + perVip * vips.size() + " new flows (" + perVip + " per VIP, "
                + "seed " + CHECK_SEED + ") run through every LB's loaded program (BPF_PROG_TEST_RUN):");
        Map<InetAddress, String> names = new HashMap<>();
        for (BackendNode b : topology.backends()) {
            names.put(b.address4(), b.name());
            names.put(b.address6(), b.name());
        }
        List<List<String>> rows = new ArrayList<>();
        rows.add(row("VIP", "flows", "same real on every LB", "per real"));
        for (VipKey key : vips) {
            ForwardingCheck c = ForwardingCheck.run(
                    agents.observeAll(),
                    Addresses.address(key.getAddress()),
                    key.getPort(),
                    key.getProtocolValue(),
                    perVip,
                    CHECK_SEED,
                    a -> names.getOrDefault(a, Addresses.text(a)));
            checkedFlows += c.flows();
            agreedFlows += c.agreed();
            rows.add(row(describe(key), c.flows(), c.agreed(), c.byReal()));
            if (!c.firstDisagreement().isEmpty()) {
                console.line("  LBs disagree: " + c.firstDisagreement());
            }
        }
        console.table(rows);
    }

    private static String describe(VipKey key) {
        String a = key.getAddress();
        return (a.contains(":") ? "[" + a + "]" : a) + ":" + key.getPort() + "/"
                + key.getProtocol().name().toLowerCase();
    }

    private DemoResult result(TrafficSnapshot start, TrafficSnapshot end, int equal, int nodes) {
        TrafficSnapshot all = end.since(start);
        int unexpected = all.unexpectedBroken().size();
        int broken = unexpected + (int) all.shortFailed();
        console.line("long-lived TCP connections opened: " + end.longOpened() + ", round trips: " + end.roundTrips()
                + ", slowest " + end.maxRoundTripMillis() + " ms; short connections: " + end.shortOk() + " ok, "
                + end.shortFailed() + " failed; UDP: " + end.udpReplies() + " answers, " + end.udpLost() + " lost");
        console.line("broken flows whose real was not removed: " + unexpected + "; ended because their real was "
                + "removed (expected): " + all.expectedBroken());
        for (BrokenFlow b : all.unexpectedBroken()) {
            console.line("  BROKEN " + b);
        }
        for (String f : traffic.failures()) {
            console.line("  failed: " + f);
        }
        return new DemoResult(
                end.longOpened(),
                drains,
                ringChangesDuringDrains,
                secondChance.lbSecondChance(),
                secondChance.backendForwarded(),
                kills,
                hostFailures,
                restartKeptMaps,
                broken,
                all.expectedBroken(),
                equal,
                nodes,
                movedFlows,
                movedSameReal,
                drainedLbPackets,
                checkedFlows,
                agreedFlows);
    }

    // ---- helpers ----

    /**
     * One atomic batch through node VIA with {@code lbctl apply --wait} (returns once every live node programmed
     * it); then the same batch in the demo's model, and every LB's kernel maps must equal the model's.
     */
    private void apply(String what, List<Command> commands) {
        Path file = agents.dir().resolve("change-" + (++changes) + ".json");
        try {
            Files.writeString(
                    file, JsonFormat.printer().print(ApplyRequest.newBuilder().addAllCommands(commands)));
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + file, e);
        }
        lbctl(what, "apply", "-f", file.toString(), "--wait");
        expected = model.submit("demo-" + changes, commands);
        awaitKernelsEqualModel();
    }

    /** Runs lbctl on node VIA's host; prints the command and its answer; a failure ends the demo. */
    private LbctlProcess.Result lbctl(String what, String... args) {
        LbctlProcess.Result r = agents.lbctl().run(topology.lb(VIA), args);
        console.line(
                "$ " + r.shown() + "    # " + what + ", on " + topology.lb(VIA).id());
        for (String line : r.out().strip().split("\n")) {
            if (!line.isBlank()) {
                console.line("  " + line);
            }
        }
        if (!r.ok()) {
            throw new IllegalStateException(r.shown() + " failed with exit status " + r.exit() + ": "
                    + r.err().strip());
        }
        return r;
    }

    private GetStatusResponse status(String title) {
        console.line(title + ":");
        lbctl("fleet status", "status");
        LbctlProcess.Result json = agents.lbctl().run(topology.lb(VIA), "-o", "json", "status");
        GetStatusResponse.Builder b = GetStatusResponse.newBuilder();
        try {
            LbctlJson.mergeIgnoringUnknown(json.out(), b);
        } catch (Exception e) {
            throw new IllegalStateException("lbctl -o json status printed no status: " + json.out() + json.err(), e);
        }
        return b.build();
    }

    private void awaitKernelsEqualModel() {
        String want = DatapathState.of(expected).digestHex();
        long deadline = System.currentTimeMillis() + CONVERGE_MILLIS;
        List<String> lagging;
        do {
            lagging = new ArrayList<>();
            for (BalancerNode node : agents.observeAll()) {
                if (!DatapathState.read(node).digestHex().equals(want)) {
                    lagging.add(node.lb().id());
                }
            }
        } while (!lagging.isEmpty() && System.currentTimeMillis() < deadline && pause(100));
        console.line(
                lagging.isEmpty()
                        ? "every LB's kernel maps equal the model's (read back from "
                                + topology.lbs().size() + " kernels)"
                        : "kernel maps differ from the model on " + lagging);
    }

    private void awaitRoutes(int n, boolean announced) {
        long deadline = System.currentTimeMillis() + CONVERGE_MILLIS;
        while (System.currentTimeMillis() < deadline) {
            if (topology.nextHops4().contains(n) == announced
                    && topology.nextHops6().contains(n) == announced) {
                return;
            }
            pause(10);
        }
        throw new IllegalStateException("the router's routes still " + (announced ? "lack" : "have") + " lb" + n
                + " after " + CONVERGE_MILLIS / 1000 + " s (see its agent log "
                + agents.agent(n).logFile()
                + "); router:\n" + bgp.router().sessions());
    }

    /** A moment to measure a phase from: traffic figures and every LB's counters. */
    private record Mark(TrafficSnapshot traffic, Map<Integer, LbCounters> counters) {}

    private Mark mark() {
        return new Mark(traffic.snapshot(), counters());
    }

    /** One phase of traffic: waits, then prints what happened in it, per real and per LB. */
    private void phase(String name, int millis) {
        phase(name, millis, mark());
    }

    /** One phase of traffic measured from since (taken before the change that starts the phase). */
    private void phase(String name, int millis, Mark since) {
        TrafficSnapshot t0 = since.traffic();
        Map<Integer, LbCounters> c0 = since.counters();
        pause(millis);
        TrafficSnapshot t = traffic.snapshot().since(t0);
        Map<Integer, LbCounters> c1 = counters();
        console.line(String.format(
                "%s, %.1f s: %d round trips, %d broken, short connections %d ok / %d failed, "
                        + "UDP %d answers / %d lost",
                name,
                t.elapsedMillis() / 1000.0,
                t.roundTrips(),
                t.broken().size(),
                t.shortOk(),
                t.shortFailed(),
                t.udpReplies(),
                t.udpLost()));
        Map<String, Integer> ended = new TreeMap<>();
        for (BrokenFlow b : t.broken()) {
            if (b.expected()) {
                ended.merge(
                        b.real() + ": " + (b.flow().startsWith("udp") ? "UDP " : "TCP ")
                                + b.reason().replaceAll(" at .*", ""),
                        1,
                        Integer::sum);
            } else {
                console.line("  BROKEN: " + b);
            }
        }
        ended.forEach((what, count) ->
                console.line("  ended because their real was removed (expected): " + count + " flows of " + what));
        List<List<String>> rows = new ArrayList<>();
        rows.add(row("real", "long-lived open", "short ok", "UDP answers"));
        for (BackendNode b : topology.backends()) {
            rows.add(row(
                    b.name(),
                    t.longByReal().getOrDefault(b.name(), 0),
                    t.shortByReal().getOrDefault(b.name(), 0L),
                    t.udpByReal().getOrDefault(b.name(), 0L)));
        }
        console.table(rows);
        Set<Integer> announced = topology.nextHops4();
        List<List<String>> lbRows = new ArrayList<>();
        lbRows.add(row(
                "LB", "route", "VIP packets", "XDP_TX", "dropped", "table hits", "SYNs", "hashed non-SYN", "passed"));
        for (LbNode lb : topology.lbs()) {
            LbCounters d = c1.get(lb.number()).since(c0.get(lb.number()));
            lbRows.add(row(
                    lb.id(),
                    announced.contains(lb.number()) ? "announced" : "withdrawn",
                    d.vipPackets(),
                    d.tx(),
                    d.drop(),
                    d.tableHits(),
                    d.syns(),
                    d.hashedNonSyn(),
                    d.pass()));
        }
        console.table(lbRows);
    }

    private void digests() {
        StringBuilder sb = new StringBuilder("ring digest (reals + rings) read back from each LB's kernel maps: ");
        for (BalancerNode node : agents.observeAll()) {
            sb.append(node.lb().id())
                    .append(' ')
                    .append(DatapathState.read(node).ringDigestHex(), 0, 12)
                    .append(", ");
        }
        console.line(sb.append("model ")
                .append(FleetRings.of(expected, BalancerNode.RING_SIZE).digestHex(), 0, 12)
                .toString());
    }

    private Map<Integer, LbCounters> counters() {
        Map<Integer, LbCounters> out = new HashMap<>();
        for (BalancerNode node : agents.observeAll()) {
            out.put(node.lb().number(), LbCounters.read(node, vipNums()));
        }
        return out;
    }

    private List<Integer> vipNums() {
        return new ArrayList<>(expected.vips().vipNums());
    }

    private Map<Integer, Map<FlowKey, Integer>> connectionTables() {
        Map<Integer, Map<FlowKey, Integer>> out = new HashMap<>();
        for (BalancerNode node : agents.observeAll()) {
            out.put(node.lb().number(), node.connections());
        }
        return out;
    }

    private Map<FlowKey, OpenFlow> openFlowsByKey() {
        Map<FlowKey, OpenFlow> out = new HashMap<>();
        for (OpenFlow f : traffic.openFlows()) {
            out.put(f.key(), f);
        }
        return out;
    }

    private String realAddress(VipKey key, BackendNode b) {
        return Addresses.text(key.getAddress().contains(":") ? b.address6() : b.address4());
    }

    private static String lbNames(Map<Integer, Integer> counts) {
        StringBuilder sb = new StringBuilder("{");
        counts.forEach((n, c) -> sb.append(sb.length() > 1 ? ", " : "")
                .append("lb")
                .append(n)
                .append(": ")
                .append(c));
        return sb.append('}').toString();
    }

    private static String names(Set<Integer> lbs) {
        List<String> out = new ArrayList<>();
        for (int n : lbs) {
            out.add("lb" + n);
        }
        return out.isEmpty() ? "(none)" : String.join(", ", out);
    }

    private static boolean pause(long millis) {
        try {
            Thread.sleep(millis);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
