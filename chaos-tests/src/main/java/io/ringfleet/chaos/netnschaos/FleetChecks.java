package io.ringfleet.chaos.netnschaos;

import io.ringfleet.api.GetStatusResponse;
import io.ringfleet.api.NodeStatus;
import io.ringfleet.chaos.agents.LbAgentFleet;
import io.ringfleet.chaos.netns.Addresses;
import io.ringfleet.chaos.netns.BackendNode;
import io.ringfleet.chaos.netns.BrokenFlow;
import io.ringfleet.chaos.netns.DatapathState;
import io.ringfleet.chaos.netns.ForwardingCheck;
import io.ringfleet.chaos.netns.LbNode;
import io.ringfleet.chaos.netns.Topology;
import io.ringfleet.chaos.netns.Traffic;
import io.ringfleet.chaos.netns.TrafficSnapshot;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The checks of the fleet's state: convergence after each fault (lbctl status on 3/3 and the kernels' ring
 * digests), and at the end: one fleet-wide status, the VIP lists read through lbctl on every node, the operator
 * writes against them, and the dual check through every LB's loaded program.
 */
final class FleetChecks {
    private static final long CONVERGE_MILLIS = 120_000;
    private static final int CHECK_FLOWS_PER_TRAFFIC_VIP = 2_500;
    private static final int CHECK_FLOWS_PER_CHAOS_VIP = 500;

    private final ChaosRun run;
    private final Consumer<String> out;
    private final Random random;
    private final List<String> violations;
    private final Topology topology;
    private final LbAgentFleet fleet;
    private final FleetReads reads;
    private final Traffic traffic;
    private final OperatorWrites writes;
    private int checkedFlows;

    FleetChecks(ChaosRun run) {
        this.run = run;
        this.out = run.out;
        this.random = run.random;
        this.violations = run.violations;
        this.topology = run.topology;
        this.fleet = run.fleet;
        this.reads = run.reads;
        this.traffic = run.traffic;
        this.writes = run.writes;
    }

    /** Flows run through every LB's program by the final check. */
    int checkedFlows() {
        return checkedFlows;
    }

    // ---- convergence ----

    /** Waits until lbctl status shows 3 live nodes at one applied = programmed index with equal digests and the
     * kernels' ring digests equal it; returns the seconds it took (a violation after 120 s). */
    double awaitConverged(String after) {
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
                why = "kernel ring digests "
                        + kernel.stream().map(d -> d.substring(0, 12)).toList() + " vs status "
                        + rings.substring(0, 12);
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
            if (!n.getRingsDigest().equals(first.getRingsDigest())
                    || !n.getStateDigest().equals(first.getStateDigest())) {
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

    TrafficSnapshot finalChecks() {
        traffic.close();
        TrafficSnapshot end = traffic.snapshot();
        for (BrokenFlow b : end.unexpectedBroken()) {
            out.accept("broken: " + b);
        }
        List<CompletableFuture<SortedMap<String, SortedMap<String, Integer>>>> lists = new ArrayList<>();
        for (LbNode lb : topology.lbs()) {
            lists.add(CompletableFuture.supplyAsync(() -> reads.vips(lb)));
        }
        checkStatus(reads.status(topology.lb(1 + random.nextInt(3))));
        checkVipLists(lists.stream().map(CompletableFuture::join).toList());
        forwardingCheck(lists.get(0).join());
        return end;
    }

    /** The fleet-wide status (every node's own report, as one node gathers them) against the kernels. */
    private void checkStatus(GetStatusResponse status) {
        List<String> kernel = kernelRingDigests();
        out.accept(String.format(
                "%-5s %-9s %8s %10s %-14s %-14s %-7s %s",
                "node",
                "role",
                "applied",
                "programmed",
                "rings (status)",
                "rings (kernel)",
                "drained",
                "(lbctl status via " + status.getSelf().getNodeId() + ", leader " + status.getLeaderId() + ")"));
        int equal = 0;
        for (int i = 0; i < topology.lbs().size(); i++) {
            String id = topology.lb(i + 1).id();
            NodeStatus n = status.getNodesList().stream()
                    .filter(x -> x.getNodeId().equals(id))
                    .findFirst()
                    .orElse(NodeStatus.getDefaultInstance());
            NodeStatus first = status.getNodesCount() > 0 ? status.getNodes(0) : n;
            out.accept(String.format(
                    "%-5s %-9s %8d %10d %-14s %-14s %-7s",
                    id,
                    n.getRole().name().toLowerCase(Locale.ROOT),
                    n.getAppliedIndex(),
                    n.getProgrammedIndex(),
                    FleetReads.shortHex(n.getRingsDigest()),
                    kernel.get(i).substring(0, 12),
                    n.getDrained()));
            boolean same = n.getLive()
                    && n.getAppliedIndex() == first.getAppliedIndex()
                    && n.getProgrammedIndex() == n.getAppliedIndex()
                    && n.getRingsDigest().equals(first.getRingsDigest())
                    && n.getStateDigest().equals(first.getStateDigest())
                    && FleetReads.hex(n.getRingsDigest()).equals(kernel.get(i))
                    && !n.getDrained();
            if (same) {
                equal++;
            } else {
                violations.add(id + " differs at the end: " + FleetReads.describe(status) + "; kernel rings " + kernel);
            }
        }
        out.accept("status and kernel ring digests equal on " + equal + "/"
                + topology.lbs().size() + " nodes");
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
            expectVip(
                    lists.get(0), FleetReads.vipText(proto, Addresses.text(topology.vip4()), topology.echoPort()), all);
            expectVip(
                    lists.get(0),
                    FleetReads.vipText(proto, Addresses.text(topology.vip6()), topology.echoPort()),
                    all6);
        }
        WriteLedger ledger = writes.ledger();
        WriteLedger.Verdict first = null;
        int bad = 0;
        for (int i = 0; i < lists.size(); i++) {
            WriteLedger.Verdict v = ledger.verify(topology.lb(i + 1).id(), lists.get(i));
            violations.addAll(v.violations());
            bad += v.violations().size();
            first = first == null ? v : first;
        }
        out.accept(String.format(
                "operator writes: %d acknowledged, %d failed (on %d chaos VIPs); read back through"
                        + " lbctl on %d nodes: %s; failed writes found applied in full %d, absent %d",
                ledger.acknowledged(),
                ledger.failed(),
                ledger.vipsWritten(),
                lists.size(),
                bad == 0 ? "every acknowledged write there, no write in part" : bad + " VIPs WRONG",
                first.unknownApplied(),
                first.unknownAbsent()));
        first.appliedFailedWrites().forEach(w -> out.accept("  failed write found applied in full: " + w));
    }

    private void expectVip(
            SortedMap<String, SortedMap<String, Integer>> list, String vip, SortedMap<String, Integer> reals) {
        if (!reals.equals(list.get(vip))) {
            violations.add("traffic VIP " + vip + " holds " + list.get(vip) + " at the end, expected " + reals);
        }
    }

    private void forwardingCheck(SortedMap<String, SortedMap<String, Integer>> vips) {
        out.accept(String.format("%-26s %7s %7s  %s", "dual check (BPF_PROG_TEST_RUN)", "flows", "agreed", "by real"));
        int flows = 0;
        int agreed = 0;
        long seed = run.schedule.seed();
        for (String proto : List.of("TCP", "UDP")) {
            for (InetAddress vip : List.of(topology.vip4(), topology.vip6())) {
                ForwardingCheck c = ForwardingCheck.run(
                        fleet.observeAll(),
                        vip,
                        topology.echoPort(),
                        proto.equals("TCP") ? 6 : 17,
                        CHECK_FLOWS_PER_TRAFFIC_VIP,
                        seed++,
                        run::realName);
                flows += c.flows();
                agreed += record(FleetReads.vipText(proto, Addresses.text(vip), topology.echoPort()), c);
            }
        }
        for (String key : vips.keySet()) {
            int port = Integer.parseInt(key.substring(key.lastIndexOf(':') + 1));
            if (key.startsWith("tcp " + Addresses.text(topology.vip4()) + ":")
                    && port >= WriteLedger.FIRST_PORT
                    && !vips.get(key).isEmpty()) {
                ForwardingCheck c = ForwardingCheck.run(
                        fleet.observeAll(), topology.vip4(), port, 6, CHECK_FLOWS_PER_CHAOS_VIP, seed++, run::realName);
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

    private static String address(BackendNode b, boolean v6) {
        return ChaosRun.address(b, v6);
    }
}
