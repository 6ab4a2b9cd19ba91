package io.ringfleet.chaos.netnschaos;

import io.ringfleet.chaos.Pause;
import io.ringfleet.chaos.agents.LbAgentFleet;
import io.ringfleet.chaos.agents.LbctlProcess;
import io.ringfleet.chaos.bgp.BgpRouting;
import io.ringfleet.chaos.fault.FaultKind;
import io.ringfleet.chaos.netns.Addresses;
import io.ringfleet.chaos.netns.BackendNode;
import io.ringfleet.chaos.netns.BrokenFlow;
import io.ringfleet.chaos.netns.Namespaces;
import io.ringfleet.chaos.netns.PinDirs;
import io.ringfleet.chaos.netns.Topology;
import io.ringfleet.chaos.netns.Traffic;
import io.ringfleet.chaos.netns.TrafficSnapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * One seeded scenario of real-process chaos: a {@link Topology} (3 LBs, 3 backends, 2 clients) routed by real BGP
 * ({@link BgpRouting}: FRR in the router, BIRD with BFD in every LB), three real lb-agent processes ({@link
 * LbAgentFleet}) whose route hook is the shipped {@code scripts/route-hook-bird}, long-lived TCP and UDP flows through the traffic VIPs, and the
 * faults of a {@link ChaosSchedule} one after the other, each held while lbctl writes go through random nodes
 * ({@link OperatorWrites}), healed, then the fleet must converge. At the end: no flow broken whose real was not
 * removed, every acknowledged write present on every node and every failed one all or nothing, equal status and
 * kernel ring digests on 3/3, and ≥ 10,000 flows through every LB's program with the same answer.
 */
public final class NetnsChaosScenario {
    public static final int LONG_LIVED = 24;
    public static final int UDP_FLOWS = 4;
    static final int MAX_VIPS = 32;
    static final int MAX_REALS = 256;
    static final int ANCHOR_PORT = 9000;

    private final ChaosSchedule schedule;
    private final boolean bfd;
    private final Consumer<String> out;
    private final Random random;
    private final List<String> violations =
            java.util.Collections.synchronizedList(new ArrayList<>()); // 2 faults at once
    private final List<String> rows = new ArrayList<>();
    private Topology topology;
    private BgpRouting bgp;
    private LbAgentFleet fleet;
    private Traffic traffic;
    private OperatorWrites writes;
    private FaultActions faults;
    private FleetChecks checks;
    private int injected;
    private int hostFailures;
    private int overlapping;
    private int disk;
    private int link;

    private NetnsChaosScenario(ChaosSchedule schedule, boolean bfd, Consumer<String> out) {
        this.schedule = schedule;
        this.bfd = bfd;
        this.out = out;
        this.random = new Random(schedule.seed() ^ 0x5DEECE66DL);
    }

    /** Runs the scenario of seed with that many faults; prints its schedule, tables and summary line to out. */
    public static NetnsChaosResult run(long seed, int faults, Consumer<String> out) {
        return run(seed, faults, true, out);
    }

    /**
     * As {@link #run(long, int, Consumer)}; {@code bfd} false is the control run: the BGP sessions run without BFD,
     * so a failed host stays in the router's routes until the BGP hold timer expires, and the scenario must fail.
     */
    public static NetnsChaosResult run(long seed, int faults, boolean bfd, Consumer<String> out) {
        return new NetnsChaosScenario(ChaosSchedule.of(seed, faults), bfd, out).run();
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
        if (end == null && traffic != null) {
            end = traffic.snapshot(); // the scenario stopped early: the flows' figures so far still count
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        long connections = end == null ? 0 : end.longOpened();
        int broken = end == null ? 0 : end.unexpectedBroken().size();
        int expected = end == null ? 0 : end.expectedBroken();
        NetnsChaosResult result = new NetnsChaosResult(
                schedule.seed(),
                injected,
                hostFailures,
                overlapping,
                disk,
                link,
                connections,
                broken,
                expected,
                checks == null ? 0 : checks.checkedFlows(),
                violations,
                seconds);
        report(result, end);
        return result;
    }

    private TrafficSnapshot runOn() {
        long started = System.nanoTime();
        out.accept("namespaces " + topology.prefix() + "*");
        bgp = BgpRouting.start(topology, runDir("bgp"), bfd, out);
        fleet = LbAgentFleet.startWithBgp(topology, MAX_VIPS, MAX_REALS, bgp, out);
        provision();
        FaultActions.awaitRoutes(topology, Set.of(1, 2, 3), "after provisioning");
        traffic = Traffic.builder()
                .longLived(LONG_LIVED)
                .udpFlows(UDP_FLOWS)
                .shortPerSecond(0)
                .start(topology);
        if (!traffic.awaitLongOpen(LONG_LIVED, 60_000)) {
            throw new IllegalStateException("only " + traffic.snapshot().longOpen() + " of " + LONG_LIVED
                    + " long-lived connections opened within 60 s: " + traffic.failures());
        }
        out.accept(String.format("setup took %.1f s", (System.nanoTime() - started) / 1e9));
        out.accept("traffic: " + LONG_LIVED + " long-lived TCP connections and " + UDP_FLOWS
                + " UDP flows open, by real " + traffic.snapshot().longByReal());
        writes = new OperatorWrites(fleet, topology, schedule.seed(), out);
        ChaosRun run = new ChaosRun(schedule, out, random, violations, topology, bgp, fleet, traffic, writes);
        faults = new FaultActions(run);
        checks = new FleetChecks(run);
        rows.add(String.format(
                "%-3s %-15s %-12s %6s %6s %5s %4s %5s %6s %6s  %s",
                "#",
                "fault",
                "target",
                "writes",
                "failed",
                "flows",
                "exp",
                "BROKE",
                "conv s",
                "took s",
                "what happened"));
        int i = 0;
        for (Fault f : schedule.faults()) {
            i++;
            runFault(i, f);
        }
        long checksStarted = System.nanoTime();
        TrafficSnapshot end = checks.finalChecks();
        out.accept(String.format("final checks took %.1f s", (System.nanoTime() - checksStarted) / 1e9));
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
        LbctlProcess.Result r = fleet.lbctl()
                .run(topology.lb(1), "apply", "-f", ChaosRun.file(fleet, "provision.json", batch.json()), "--wait");
        if (!r.ok()) {
            throw new IllegalStateException("provisioning failed: " + r.shown() + " exit " + r.exit() + ": " + r.err());
        }
        out.accept("provisioned through lb1: tcp/udp " + topology.vip4().getHostAddress() + " and "
                + Addresses.text(topology.vip6()) + " port " + topology.echoPort() + " with be1..be3 (traffic), anchors"
                + " on port " + ANCHOR_PORT + "; chaos writes go to tcp "
                + topology.vip4().getHostAddress() + ":"
                + WriteLedger.FIRST_PORT + " and up");
    }

    private void addVip(CommandJson batch, String key, boolean v6) {
        Map<String, Integer> reals = new TreeMap<>();
        for (BackendNode b : topology.backends()) {
            reals.put(ChaosRun.address(b, v6), 1);
        }
        batch.addVip(key).addReals(key, reals);
    }

    // ---- faults ----

    private void runFault(int number, Fault f) {
        out.accept(String.format("fault %d/%d: %s", number, schedule.faults().size(), f));
        long t0 = System.nanoTime();
        TrafficSnapshot before = traffic.snapshot();
        int acked0 = writes.ledger().acknowledged();
        int failed0 = writes.ledger().failed();
        int violations0 = violations.size();
        String target = f.targetText();
        String what;
        writes.focus(f.target()); // 0 (none yet) for the leader's faults; a churn's target is a backend, see below
        if (f.kind() == FaultKind.CHURN) {
            writes.focus(0);
        }
        writes.start();
        try {
            Pause.millis(random.nextInt(1500)); // a write is usually in flight when the fault lands
            if (f.overlapping() != null) {
                overlapping++;
                target = target + " + " + f.overlapping().targetText();
                what = faults.overlapped(f, f.overlapping(), this::inject);
            } else {
                what = inject(f);
            }
        } finally {
            writes.stop();
        }
        if (writes.error() != null) {
            throw new IllegalStateException("the operator write load failed", writes.error());
        }
        if (f.kind() == FaultKind.CHURN) {
            what = faults.churn(topology.backends().get(f.target() - 1), f.dwellMillis()); // its own writes: --wait
        }
        double converged =
                checks.awaitConverged("fault " + number + " (" + f.kind().label() + ")");
        TrafficSnapshot phase = traffic.snapshot().since(before);
        for (BrokenFlow b : phase.unexpectedBroken()) {
            violations.add("fault " + number + " (" + f + "): broken " + b);
        }
        String verdict = violations.size() > violations0 ? " [VIOLATION]" : "";
        rows.add(String.format(
                "%-3d %-15s %-12s %6d %6d %5d %4d %5d %6.1f %6.1f  %s%s",
                number,
                f.kind().label(),
                target,
                writes.ledger().acknowledged() - acked0 + writes.ledger().failed() - failed0,
                writes.ledger().failed() - failed0,
                phase.longOpen(),
                phase.expectedBroken(),
                phase.unexpectedBroken().size(),
                converged,
                (System.nanoTime() - t0) / 1e9,
                what,
                verdict));
        out.accept("  " + rows.get(rows.size() - 1).substring(4).strip());
    }

    /** Injects, holds and heals one fault (a churn only counts here: it runs after the write load, below). */
    private String inject(Fault f) {
        synchronized (this) {
            injected++;
            disk += f.kind() == FaultKind.DISK ? 1 : 0;
            link += f.kind() == FaultKind.LINK ? 1 : 0;
            hostFailures += f.kind() == FaultKind.HOST_FAILURE ? 1 : 0;
        }
        return switch (f.kind()) {
            case KILL -> faults.kill9(f.target(), f.dwellMillis());
            case KILL_LEADER -> {
                int leader = faults.leader();
                writes.focus(leader);
                yield "lb" + leader + " (leader): " + faults.kill9(leader, f.dwellMillis());
            }
            case PARTITION -> faults.partition(f.target(), f.dwellMillis());
            case DRAIN -> faults.drain(f.target(), f.dwellMillis());
            case LINK -> faults.link(f.target(), f.dwellMillis());
            case DISK -> {
                if (!fleet.disks().available()) {
                    yield "not injected: " + fleet.disks().refusal();
                }
                int leader = faults.leader();
                writes.focus(leader);
                yield "lb" + leader + " (leader): " + faults.diskFull(leader, f.dwellMillis());
            }
            case HOST_FAILURE -> faults.hostFailure(f.target(), f.dwellMillis());
            case CHURN -> "";
            default -> throw new IllegalStateException(f.kind() + " is not a real-process fault");
        };
    }

    private void report(NetnsChaosResult r, TrafficSnapshot end) {
        out.accept("");
        out.accept("faults of seed " + r.seed() + " (writes = lbctl writes through random nodes while the fault was"
                + " on; flows = long-lived TCP open after it; exp = flows ended because their real was removed):");
        rows.forEach(out);
        if (end != null) {
            out.accept(String.format(
                    "flows: %d TCP connections opened, %d round trips (slowest %d ms), %d UDP answers"
                            + " / %d lost, %d broken as expected (real removed), %d broken otherwise; %d flows"
                            + " through every LB's program",
                    end.longOpened(),
                    end.roundTrips(),
                    end.maxRoundTripMillis(),
                    end.udpReplies(),
                    end.udpLost(),
                    end.expectedBroken(),
                    end.unexpectedBroken().size(),
                    r.checkedFlows()));
        }
        out.accept(String.format("scenario took %.1f s", r.seconds()));
        if (!r.passed()) {
            out.accept("FAILED: " + r.violations().size() + " violations; reproduce with seed=" + r.seed() + " (faults="
                    + schedule.faults().size() + ")");
            r.violations().forEach(v -> out.accept("  violation: " + v));
        }
        out.accept(r.summary());
    }

    // ---- helpers ----

    /** A directory of this run beside the agents' ({@code BASE/PREFIX<name>}), e.g. FRR's and the BIRDs' files. */
    private Path runDir(String name) {
        Path dir = Path.of(System.getProperty("ringfleet.runs", LbAgentFleet.DEFAULT_BASE), topology.prefix() + name);
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("creating " + dir, e);
        }
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
}
