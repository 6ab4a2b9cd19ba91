package io.ringfleet.chaos.netnschaos;

import io.ringfleet.api.GetStatusResponse;
import io.ringfleet.api.NodeStatus;
import io.ringfleet.chaos.agents.AgentProcess;
import io.ringfleet.chaos.agents.LbAgentFleet;
import io.ringfleet.chaos.agents.LbctlProcess;
import io.ringfleet.chaos.netns.Addresses;
import io.ringfleet.chaos.netns.BackendNode;
import io.ringfleet.chaos.netns.BrokenFlow;
import io.ringfleet.chaos.netns.DatapathState;
import io.ringfleet.chaos.netns.ForwardingCheck;
import io.ringfleet.chaos.netns.LbCounters;
import io.ringfleet.chaos.netns.LbNode;
import io.ringfleet.chaos.netns.Namespaces;
import io.ringfleet.chaos.netns.PinDirs;
import io.ringfleet.chaos.netns.Topology;
import io.ringfleet.chaos.netns.Traffic;
import io.ringfleet.chaos.netns.TrafficSnapshot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.stream.IntStream;

/**
 * One seeded scenario of real-process chaos: a {@link Topology} (3 LBs, 3 backends, 2 clients), three real
 * lb-agent processes ({@link LbAgentFleet}), long-lived TCP and UDP flows through the traffic VIPs, and the
 * faults of a {@link ChaosSchedule} one after the other, each held while lbctl writes go through random nodes
 * ({@link OperatorWrites}), healed, then the fleet must converge. At the end: no flow broken whose real was not
 * removed, every acknowledged write present on every node and every failed one all or nothing, equal status and
 * kernel ring digests on 3/3, and ≥ 10,000 flows through every LB's program with the same answer.
 */
public final class NetnsChaosScenario {
    public static final int LONG_LIVED = 24;
    public static final int UDP_FLOWS = 4;
    static final int MAX_VIPS = 16;
    static final int MAX_REALS = 256;
    static final int ANCHOR_PORT = 9000;
    private static final long CONVERGE_MILLIS = 120_000;
    private static final long ROUTES_MILLIS = 60_000;
    private static final int CHECK_FLOWS_PER_TRAFFIC_VIP = 2_500;
    private static final int CHECK_FLOWS_PER_CHAOS_VIP = 500;
    private static final int CHECK_FLOWS_DURING_CHURN = 1_000;

    private final ChaosSchedule schedule;
    private final Consumer<String> out;
    private final Random random;
    private final List<String> violations = new ArrayList<>();
    private final List<String> rows = new ArrayList<>();
    private Topology topology;
    private LbAgentFleet fleet;
    private FleetReads reads;
    private Traffic traffic;
    private OperatorWrites writes;
    private int checkedFlows;

    private NetnsChaosScenario(ChaosSchedule schedule, Consumer<String> out) {
        this.schedule = schedule;
        this.out = out;
        this.random = new Random(schedule.seed() ^ 0x5DEECE66DL);
    }

    /** Runs the scenario of seed with that many faults; prints its schedule, tables and summary line to out. */
    public static NetnsChaosResult run(long seed, int faults, Consumer<String> out) {
        return new NetnsChaosScenario(ChaosSchedule.of(seed, faults), out).run();
    }

    private NetnsChaosResult run() {
        long t0 = System.nanoTime();
        out.accept("netns-chaos: seed " + schedule.seed());
        schedule.describe().forEach(out);
        TrafficSnapshot end = null;
        try {
            requireRoot();
            int stale = Namespaces.deleteStale() + PinDirs.deleteStale() + LbAgentFleet.killStale();
            if (stale > 0) {
                out.accept("preflight: removed " + stale + " namespaces, pin dirs or agents of dead runs");
            }
            topology = Topology.builder().lbs(3).backends(3).clients(2).log(out).build();
            try {
                end = runOn();
            } finally {
                topology.close();
            }
        } catch (RuntimeException | Error e) {
            violations.add("scenario error: " + e);
            out.accept("scenario error: " + e);
            StackTraceElement[] st = e.getStackTrace();
            for (int i = 0; i < Math.min(8, st.length); i++) {
                out.accept("    at " + st[i]);
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        long connections = end == null ? 0 : end.longOpened();
        int broken = end == null ? 0 : end.unexpectedBroken().size();
        int expected = end == null ? 0 : end.expectedBroken();
        NetnsChaosResult result = new NetnsChaosResult(schedule.seed(), schedule.faults().size(), connections, broken,
                expected, checkedFlows, violations, seconds);
        report(result, end);
        return result;
    }

    private TrafficSnapshot runOn() {
        long started = System.nanoTime();
        out.accept("namespaces " + topology.prefix() + "*");
        fleet = LbAgentFleet.start(topology, MAX_VIPS, MAX_REALS, out);
        reads = new FleetReads(fleet);
        provision();
        awaitRoutes(Set.of(1, 2, 3), "after provisioning");
        traffic = Traffic.builder().longLived(LONG_LIVED).udpFlows(UDP_FLOWS).shortPerSecond(0).start(topology);
        if (!traffic.awaitLongOpen(LONG_LIVED, 60_000)) {
            throw new IllegalStateException("only " + traffic.snapshot().longOpen() + " of " + LONG_LIVED
                    + " long-lived connections opened within 60 s: " + traffic.failures());
        }
        out.accept(String.format("setup took %.1f s", (System.nanoTime() - started) / 1e9));
        out.accept("traffic: " + LONG_LIVED + " long-lived TCP connections and " + UDP_FLOWS
                + " UDP flows open, by real " + traffic.snapshot().longByReal());
        writes = new OperatorWrites(fleet, topology, schedule.seed(), out);
        rows.add(String.format("%-3s %-15s %-12s %6s %6s %5s %4s %5s %6s %6s  %s", "#", "fault", "target", "writes",
                "failed", "flows", "exp", "BROKE", "conv s", "took s", "what happened"));
        int i = 0;
        for (Fault f : schedule.faults()) {
            i++;
            runFault(i, f);
        }
        long checks = System.nanoTime();
        TrafficSnapshot end = finalChecks();
        out.accept(String.format("final checks took %.1f s", (System.nanoTime() - checks) / 1e9));
        return end;
    }

    // ---- setup ----

    private void provision() {
        CommandJson batch = new CommandJson();
        for (String proto : List.of("TCP", "UDP")) {
            addVip(batch, CommandJson.key(topology.vip4(), topology.echoPort(), proto), false);
            addVip(batch, CommandJson.key(topology.vip6(), topology.echoPort(), proto), true);
        }
        // anchors: every backend stays a member of some VIP during real churn, so its real index is never
        // freed and reused for another address that stale connection-table entries would then follow
        addVip(batch, CommandJson.key(topology.vip4(), ANCHOR_PORT, "TCP"), false);
        addVip(batch, CommandJson.key(topology.vip6(), ANCHOR_PORT, "TCP"), true);
        LbctlProcess.Result r = fleet.lbctl().run(topology.lb(1), "apply", "-f", file("provision.json", batch.json()),
                "--wait");
        if (!r.ok()) {
            throw new IllegalStateException("provisioning failed: " + r.shown() + " exit " + r.exit() + ": " + r.err());
        }
        out.accept("provisioned through lb1: tcp/udp " + topology.vip4().getHostAddress() + " and "
                + Addresses.text(topology.vip6()) + " port " + topology.echoPort() + " with be1..be3 (traffic), anchors"
                + " on port " + ANCHOR_PORT + "; chaos writes go to tcp " + topology.vip4().getHostAddress() + ":"
                + OperatorWrites.FIRST_PORT + " and up");
    }

    private void addVip(CommandJson batch, String key, boolean v6) {
        Map<String, Integer> reals = new TreeMap<>();
        for (BackendNode b : topology.backends()) {
            reals.put(address(b, v6), 1);
        }
        batch.addVip(key).addReals(key, reals);
    }

    private static String address(BackendNode b, boolean v6) {
        return Addresses.text(v6 ? b.address6() : b.address4());
    }

    // ---- faults ----

    private void runFault(int number, Fault f) {
        out.accept(String.format("fault %d/%d: %s", number, schedule.faults().size(), f));
        long t0 = System.nanoTime();
        TrafficSnapshot before = traffic.snapshot();
        int acked0 = writes.acknowledged();
        int failed0 = writes.failed();
        int violations0 = violations.size();
        String target = f.targetText();
        String what;
        writes.start();
        try {
            pause(random.nextInt(1500)); // a write is usually in flight when the fault lands
            what = switch (f.kind()) {
                case KILL9 -> kill9(f.target(), f.dwellMillis());
                case KILL9_LEADER -> {
                    int leader = leader();
                    target = "lb" + leader + " (leader)";
                    yield kill9(leader, f.dwellMillis());
                }
                case PARTITION -> partition(f.target(), f.dwellMillis());
                case DRAIN -> drain(f.target(), f.dwellMillis());
                case CHURN -> "";
            };
        } finally {
            writes.stop();
        }
        if (f.kind() == Fault.Kind.CHURN) {
            what = churn(topology.backends().get(f.target() - 1), f.dwellMillis()); // its own writes: --wait
        }
        double converged = awaitConverged("fault " + number + " (" + f.kind().label() + ")");
        TrafficSnapshot phase = traffic.snapshot().since(before);
        for (BrokenFlow b : phase.unexpectedBroken()) {
            violations.add("fault " + number + " (" + f + "): broken " + b);
        }
        String verdict = violations.size() > violations0 ? " [VIOLATION]" : "";
        rows.add(String.format("%-3d %-15s %-12s %6d %6d %5d %4d %5d %6.1f %6.1f  %s%s", number, f.kind().label(),
                target, writes.acknowledged() - acked0 + writes.failed() - failed0, writes.failed() - failed0,
                phase.longOpen(), phase.expectedBroken(), phase.unexpectedBroken().size(), converged,
                (System.nanoTime() - t0) / 1e9, what, verdict));
        out.accept("  " + rows.get(rows.size() - 1).substring(4).strip());
    }

    private String kill9(int n, int dwell) {
        AgentProcess agent = fleet.agent(n);
        int program = fleet.observe(n).attachedProgramId();
        long pid = agent.pid();
        agent.kill9();
        try {
            if (agent.alive()) {
                violations.add("lb" + n + "'s agent (pid " + pid + ") still runs after SIGKILL");
            }
            pause(dwell);
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

    private int leader() {
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

    private String partition(int n, int dwell) {
        RaftPartition cut = new RaftPartition(topology.lb(n));
        cut.cut();
        long dropped;
        try {
            pause(dwell);
        } finally {
            dropped = cut.heal();
        }
        if (dropped == 0) {
            violations.add("the partition of lb" + n + " dropped no Raft packet: it cut nothing");
        }
        return "iptables dropped " + dropped + " Raft packets of lb" + n + " on " + Topology.CONTROL_DEVICE
                + "; healed";
    }

    private String drain(int n, int dwell) {
        LbNode lb = topology.lb(n);
        long t0 = System.nanoTime();
        controlWrite("drain lb" + n, () -> drained(lb.id()), "node", "drain", lb.id(), "--reason", "netns-chaos");
        Set<Integer> others = new java.util.TreeSet<>(Set.of(1, 2, 3));
        others.remove(n);
        awaitRoutes(others, "after draining lb" + n);
        double withdrawn = (System.nanoTime() - t0) / 1e9;
        List<Integer> nums = IntStream.range(0, MAX_VIPS).boxed().toList();
        LbCounters c0 = LbCounters.read(fleet.observe(n), nums);
        pause(dwell);
        long packets = LbCounters.read(fleet.observe(n), nums).since(c0).vipPackets();
        if (packets > 0) {
            violations.add("lb" + n + " received " + packets + " VIP packets while drained (its route was withdrawn)");
        }
        controlWrite("undrain lb" + n, () -> !drained(lb.id()), "node", "undrain", lb.id());
        awaitRoutes(Set.of(1, 2, 3), "after undraining lb" + n);
        return String.format("next hop withdrawn %.1f s after the drain; %d VIP packets reached lb%d while drained;"
                + " undrained, announced again", withdrawn, packets, n);
    }

    private boolean drained(String id) {
        for (NodeStatus s : reads.status(topology.lb(1 + random.nextInt(3))).getNodesList()) {
            if (s.getNodeId().equals(id)) {
                return s.getDrained();
            }
        }
        return false;
    }

    private String churn(BackendNode be, int dwell) {
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
        controlWrite("remove " + be.name(), () -> !inTrafficVips(be), "apply", "-f",
                file("churn-remove-" + be.name() + ".json", remove.json()));
        ForwardingCheck during = ForwardingCheck.run(fleet.observeAll(), topology.vip4(), topology.echoPort(), 6,
                CHECK_FLOWS_DURING_CHURN, ~schedule.seed(), this::realName); // other flows than the final check's
        if (during.agreed() != during.flows() || during.byReal().containsKey(be.name())) {
            violations.add("while " + be.name() + " was out of the traffic VIPs, new flows through every LB's program: "
                    + during.agreed() + "/" + during.flows() + " agreed, by real " + during.byReal() + " "
                    + during.firstDisagreement());
        }
        pause(dwell);
        int kept = traffic.snapshot().longByReal().getOrDefault(be.name(), 0);
        controlWrite("add " + be.name() + " back", () -> inTrafficVips(be), "apply", "-f",
                file("churn-add-" + be.name() + ".json", add.json()));
        traffic.realRestored(be.name());
        return String.format("%s out of the 4 traffic VIPs: %d new flows through every LB's program went to %s;"
                + " %d of its %d connections kept it (connection table); added back", be.name(), during.flows(),
                during.byReal().keySet(), kept, onReal);
    }

    private boolean inTrafficVips(BackendNode be) {
        SortedMap<String, SortedMap<String, Integer>> vips = reads.vips(topology.lb(1 + random.nextInt(3)));
        int in = 0;
        for (String proto : List.of("TCP", "UDP")) {
            for (boolean v6 : List.of(false, true)) {
                InetAddress vip = v6 ? topology.vip6() : topology.vip4();
                SortedMap<String, Integer> reals = vips.get(FleetReads.vipText(proto,
                        Addresses.text(vip), topology.echoPort()));
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
            String[] all = java.util.Arrays.copyOf(args, args.length + 3);
            all[args.length] = "--wait";
            all[args.length + 1] = "--timeout";
            all[args.length + 2] = "30s";
            LbctlProcess.Result r = fleet.lbctl().run(via, all);
            if (r.ok() || r.exit() == 6) {
                return;
            }
            last = r.shown() + " via " + via.id() + ": exit " + r.exit() + " " + r.err().strip();
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

    private void awaitRoutes(Set<Integer> expected, String when) {
        long deadline = System.currentTimeMillis() + ROUTES_MILLIS;
        while (System.currentTimeMillis() < deadline) {
            if (topology.nextHops4().equals(expected) && topology.nextHops6().equals(expected)) {
                return;
            }
            pause(100);
        }
        throw new IllegalStateException("the router's VIP routes are " + topology.nextHops4() + " / "
                + topology.nextHops6() + " " + ROUTES_MILLIS / 1000 + " s " + when + ", expected LBs " + expected);
    }

    // ---- convergence ----

    /** Waits until lbctl status shows 3 live nodes at one applied = programmed index with equal digests and the
     * kernels' ring digests equal it; returns the seconds it took (a violation after 120 s). */
    private double awaitConverged(String after) {
        long t0 = System.nanoTime();
        long deadline = System.currentTimeMillis() + CONVERGE_MILLIS;
        String last = "";
        int via = 0;
        while (System.currentTimeMillis() < deadline) {
            LbNode lb = topology.lb(1 + via++ % 3);
            GetStatusResponse s;
            try {
                s = reads.status(lb);
            } catch (FleetReads.ReadFailed e) {
                last = e.getMessage();
                continue;
            }
            String why = notConverged(s);
            if (why.isEmpty()) {
                String rings = FleetReads.hex(s.getNodes(0).getRingsDigest());
                List<String> kernel = kernelRingDigests();
                if (kernel.stream().allMatch(rings::equals)) {
                    return (System.nanoTime() - t0) / 1e9;
                }
                why = "kernel ring digests " + kernel.stream().map(d -> d.substring(0, 12)).toList()
                        + " vs status " + rings.substring(0, 12);
            }
            last = "via " + lb.id() + ": " + why + "; " + FleetReads.describe(s);
        }
        violations.add("not converged " + CONVERGE_MILLIS / 1000 + " s after " + after + ": " + last);
        return (System.nanoTime() - t0) / 1e9;
    }

    private static String notConverged(GetStatusResponse s) {
        if (s.getNodesCount() != 3) {
            return s.getNodesCount() + " nodes in the status";
        }
        if (s.getLeaderId().isEmpty()) {
            return "no leader";
        }
        NodeStatus first = s.getNodes(0);
        for (NodeStatus n : s.getNodesList()) {
            if (!n.getLive()) {
                return n.getNodeId() + " not live";
            }
            if (n.getDrained()) {
                return n.getNodeId() + " drained";
            }
            if (n.getAppliedIndex() != first.getAppliedIndex() || n.getProgrammedIndex() != n.getAppliedIndex()) {
                return "applied/programmed indexes differ";
            }
            if (!n.getRingsDigest().equals(first.getRingsDigest()) || !n.getStateDigest().equals(first.getStateDigest())) {
                return "digests differ";
            }
        }
        return "";
    }

    private List<String> kernelRingDigests() {
        List<String> out = new ArrayList<>();
        for (LbNode lb : topology.lbs()) {
            out.add(DatapathState.read(fleet.observe(lb.number())).ringDigestHex());
        }
        return out;
    }

    // ---- the end ----

    private TrafficSnapshot finalChecks() {
        traffic.close();
        TrafficSnapshot end = traffic.snapshot();
        for (BrokenFlow b : end.unexpectedBroken()) {
            out.accept("broken: " + b);
        }
        List<CompletableFuture<GetStatusResponse>> statuses = new ArrayList<>();
        List<CompletableFuture<SortedMap<String, SortedMap<String, Integer>>>> lists = new ArrayList<>();
        for (LbNode lb : topology.lbs()) {
            statuses.add(CompletableFuture.supplyAsync(() -> reads.status(lb)));
            lists.add(CompletableFuture.supplyAsync(() -> reads.vips(lb)));
        }
        checkStatuses(statuses.stream().map(CompletableFuture::join).toList());
        checkVipLists(lists.stream().map(CompletableFuture::join).toList());
        forwardingCheck(lists.get(0).join());
        return end;
    }

    private void checkStatuses(List<GetStatusResponse> statuses) {
        List<String> kernel = kernelRingDigests();
        out.accept(String.format("%-5s %-9s %-6s %8s %10s %-14s %-14s %-7s", "node", "role", "leader", "applied",
                "programmed", "rings (status)", "rings (kernel)", "drained"));
        NodeStatus first = statuses.get(0).getSelf();
        int equal = 0;
        for (int i = 0; i < statuses.size(); i++) {
            NodeStatus self = statuses.get(i).getSelf();
            String rings = FleetReads.hex(self.getRingsDigest());
            out.accept(String.format("%-5s %-9s %-6s %8d %10d %-14s %-14s %-7s", self.getNodeId(),
                    self.getRole().name().toLowerCase(java.util.Locale.ROOT), statuses.get(i).getLeaderId(),
                    self.getAppliedIndex(), self.getProgrammedIndex(), FleetReads.shortHex(self.getRingsDigest()),
                    kernel.get(i).substring(0, 12), self.getDrained()));
            boolean same = self.getAppliedIndex() == first.getAppliedIndex()
                    && self.getProgrammedIndex() == self.getAppliedIndex()
                    && self.getRingsDigest().equals(first.getRingsDigest())
                    && self.getStateDigest().equals(first.getStateDigest()) && rings.equals(kernel.get(i))
                    && !self.getDrained();
            if (same) {
                equal++;
            } else {
                violations.add(self.getNodeId() + " differs at the end: " + FleetReads.describe(statuses.get(i)));
            }
        }
        out.accept("status and kernel ring digests equal on " + equal + "/" + statuses.size() + " nodes");
    }

    private void checkVipLists(List<SortedMap<String, SortedMap<String, Integer>>> lists) {
        for (int i = 1; i < lists.size(); i++) {
            if (!lists.get(i).equals(lists.get(0))) {
                violations.add("lbctl vip list on lb" + (i + 1) + " differs from lb1's: " + lists.get(i) + " vs "
                        + lists.get(0));
            }
        }
        SortedMap<String, Integer> all = new TreeMap<>();
        topology.backends().forEach(b -> all.put(address(b, false), 1));
        SortedMap<String, Integer> all6 = new TreeMap<>();
        topology.backends().forEach(b -> all6.put(address(b, true), 1));
        for (String proto : List.of("TCP", "UDP")) {
            expectVip(lists.get(0), FleetReads.vipText(proto, Addresses.text(topology.vip4()), topology.echoPort()), all);
            expectVip(lists.get(0), FleetReads.vipText(proto, Addresses.text(topology.vip6()), topology.echoPort()), all6);
        }
        int applied = 0;
        int absent = 0;
        for (int i = 0; i < lists.size(); i++) {
            OperatorWrites.Verdict v = writes.verify(topology.lb(i + 1).id(), lists.get(i));
            violations.addAll(v.violations());
            applied = v.unknownApplied();
            absent = v.unknownAbsent();
        }
        out.accept(String.format("operator writes: %d acknowledged (every one found on 3/3 nodes: %s), %d failed"
                        + " (%d found applied in full, %d absent, the rest left the state as it was), on %d chaos VIPs",
                writes.acknowledged(), violationsAbout("holds") ? "NO" : "yes", writes.failed(), applied, absent,
                writes.vipsWritten()));
    }

    private boolean violationsAbout(String word) {
        return violations.stream().anyMatch(v -> v.contains(word));
    }

    private void expectVip(SortedMap<String, SortedMap<String, Integer>> list, String vip, SortedMap<String, Integer> reals) {
        if (!reals.equals(list.get(vip))) {
            violations.add("traffic VIP " + vip + " holds " + list.get(vip) + " at the end, expected " + reals);
        }
    }

    private String realName(InetAddress a) {
        for (BackendNode b : topology.backends()) {
            if (a.equals(b.address4()) || a.equals(b.address6())) {
                return b.name();
            }
        }
        return Addresses.text(a);
    }

    private void forwardingCheck(SortedMap<String, SortedMap<String, Integer>> vips) {
        out.accept(String.format("%-26s %7s %7s  %s", "dual check (BPF_PROG_TEST_RUN)", "flows", "agreed", "by real"));
        int flows = 0;
        int agreed = 0;
        long seed = schedule.seed();
        for (String proto : List.of("TCP", "UDP")) {
            for (InetAddress vip : List.of(topology.vip4(), topology.vip6())) {
                ForwardingCheck c = ForwardingCheck.run(fleet.observeAll(), vip, topology.echoPort(),
                        proto.equals("TCP") ? 6 : 17, CHECK_FLOWS_PER_TRAFFIC_VIP, seed++,
                        this::realName);
                flows += c.flows();
                agreed += record(FleetReads.vipText(proto, Addresses.text(vip), topology.echoPort()), c);
            }
        }
        for (String key : vips.keySet()) {
            int port = Integer.parseInt(key.substring(key.lastIndexOf(':') + 1));
            if (key.startsWith("tcp " + topology.vip4().getHostAddress() + ":") && port >= OperatorWrites.FIRST_PORT
                    && !vips.get(key).isEmpty()) {
                ForwardingCheck c = ForwardingCheck.run(fleet.observeAll(), topology.vip4(), port, 6,
                        CHECK_FLOWS_PER_CHAOS_VIP, seed++, this::realName);
                flows += c.flows();
                agreed += record(key, c);
            }
        }
        checkedFlows = flows;
        out.accept("dual check: " + agreed + "/" + flows + " flows got the same real on all 3 LBs");
    }

    private int record(String vip, ForwardingCheck c) {
        out.accept(String.format("%-26s %7d %7d  %s", vip, c.flows(), c.agreed(), c.byReal()));
        if (c.agreed() != c.flows()) {
            violations.add("dual check on " + vip + ": " + (c.flows() - c.agreed()) + " of " + c.flows()
                    + " flows differ between LBs; first: " + c.firstDisagreement());
        }
        return c.agreed();
    }

    private void report(NetnsChaosResult r, TrafficSnapshot end) {
        out.accept("");
        out.accept("faults of seed " + r.seed() + " (writes = lbctl writes through random nodes while the fault was"
                + " on; flows = long-lived TCP open after it; exp = flows ended because their real was removed):");
        rows.forEach(out);
        if (end != null) {
            out.accept(String.format("flows: %d TCP connections opened, %d round trips (slowest %d ms), %d UDP answers"
                            + " / %d lost, %d broken as expected (real removed), %d broken otherwise; %d flows"
                            + " through every LB's program", end.longOpened(), end.roundTrips(),
                    end.maxRoundTripMillis(), end.udpReplies(), end.udpLost(), end.expectedBroken(),
                    end.unexpectedBroken().size(), r.checkedFlows()));
        }
        out.accept(String.format("scenario took %.1f s", r.seconds()));
        if (!r.passed()) {
            out.accept("FAILED: " + r.violations().size() + " violations; reproduce with seed=" + r.seed() + " (faults="
                    + r.faults() + ")");
            r.violations().forEach(v -> out.accept("  violation: " + v));
        }
        out.accept(r.summary());
    }

    // ---- helpers ----

    private String file(String name, String content) {
        Path p = fleet.dir().resolve(name);
        try {
            Files.writeString(p, content);
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + p, e);
        }
        return p.toString();
    }

    private static void requireRoot() {
        String uid = "";
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    uid = line.split("\\s+")[2];
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc/self/status: " + e.getMessage(), e);
        }
        if (!uid.equals("0")) {
            throw new IllegalStateException("netns-chaos needs root (network namespaces, XDP, BPF maps, iptables);"
                    + " running as uid " + uid + ": run with sudo");
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
