package io.ringfleet.chaos.sim;

import io.ringfleet.api.BatchReply;
import io.ringfleet.api.Command;
import io.ringfleet.api.CommandBatch;
import io.ringfleet.api.StateStatus;
import io.ringfleet.api.UndrainNode;
import io.ringfleet.chaos.fault.FaultKind;
import io.ringfleet.chaos.sim.Invariants.Violation;
import io.ringfleet.chaos.sim.SimCluster.Node;
import io.ringfleet.chaos.sim.Step.Submission;
import io.ringfleet.state.raft.FleetStateMachine;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.util.ExitUtils;

/**
 * Runs one schedule against a fresh simulated cluster: each step, a dwell, the invariants; then the heal
 * and the liveness check: every fault is lifted (links restored, slow peers fast, stopped nodes restarted with
 * their disks) and within {@link #CONVERGE_MS} all three nodes must be at one applied index, at or past every
 * acknowledged write and a fresh probe write, with equal image and ring digests.
 */
final class Simulation {
    /** The liveness bound: from the end of the heal to three equal nodes. */
    static final long CONVERGE_MS = 10_000;

    /**
     * The resource lock of the simulation's test classes: they run beside the real-process tests, one at a time
     * among themselves (several budgets at once would starve each other's Ratis timers).
     */
    static final String ONE_AT_A_TIME = "ringfleet-simulation";

    private static final ExecutorService AGENTS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "sim-agent");
        t.setDaemon(true);
        return t;
    });

    /** What running one schedule gave. */
    record Outcome(Schedule schedule, List<String> trace, List<Violation> violations, Stats stats, long millis) {
        boolean ok() {
            return violations.isEmpty();
        }

        /** The failure report: the seed to reproduce, the first violation, all of them, the schedule and the trace. */
        String report() {
            StringBuilder b = new StringBuilder();
            b.append("chaos: VIOLATION in schedule seed=")
                    .append(schedule.seed())
                    .append(": ")
                    .append(violations.get(0));
            b.append(String.format(
                    "%nreproduce with seed=%d  (scripts/chaos.sh --seeds 1 --from %d)",
                    schedule.seed(), schedule.seed()));
            if (violations.size() > 1) {
                b.append(String.format("%nall %d violations:", violations.size()));
                violations.forEach(v -> b.append(String.format("%n  %s", v)));
            }
            b.append(String.format("%n%s%nwhat happened:", schedule));
            trace.forEach(t -> b.append(String.format("%n  %s", t)));
            return b.toString();
        }
    }

    /** Counters of what a schedule exercised. */
    static final class Stats {
        final AtomicInteger acked = new AtomicInteger();
        final AtomicInteger unacked = new AtomicInteger();
        final AtomicInteger rejected = new AtomicInteger();
        /** Acknowledged health records: LB votes taken, and fleet verdict changes (pairs and panics) they led to. */
        final AtomicInteger votes = new AtomicInteger();

        final AtomicInteger verdicts = new AtomicInteger();
        int kills;
        int restarts;
        int wipes;
        int partitions;
        int slows;
        int snapshots;
        int snapshotInstalls;
        int transfers;
        int leaderTerms;
        int replays;
        int staleBelowSnapshot;
        long convergeMs;

        void add(Stats o) {
            acked.addAndGet(o.acked.get());
            unacked.addAndGet(o.unacked.get());
            rejected.addAndGet(o.rejected.get());
            votes.addAndGet(o.votes.get());
            verdicts.addAndGet(o.verdicts.get());
            kills += o.kills;
            restarts += o.restarts;
            wipes += o.wipes;
            partitions += o.partitions;
            slows += o.slows;
            snapshots += o.snapshots;
            snapshotInstalls += o.snapshotInstalls;
            transfers += o.transfers;
            leaderTerms += o.leaderTerms;
            replays += o.replays;
            staleBelowSnapshot += o.staleBelowSnapshot;
            convergeMs = Math.max(convergeMs, o.convergeMs);
        }

        @Override
        public String toString() {
            return acked + " writes acknowledged (" + rejected + " of them rejected by validation), " + unacked
                    + " unacknowledged; " + votes + " health votes, " + verdicts + " fleet verdict changes; " + kills
                    + " kills, " + restarts + " restarts (" + wipes + " wiped), "
                    + partitions
                    + " partitions, " + slows + " slow peers, " + snapshots + " snapshots, " + snapshotInstalls
                    + " snapshot installs seen, " + transfers + " leadership transfers, " + leaderTerms
                    + " leader terms, " + replays
                    + " committed logs replayed through the pure core; slowest convergence "
                    + convergeMs + " ms"
                    + (staleBelowSnapshot == 0
                            ? ""
                            : "; " + staleBelowSnapshot
                                    + " conflicting log entries kept under an installed snapshot (Ratis; see README)");
        }
    }

    private final Schedule schedule;
    private final Invariants invariants = new Invariants();
    private final List<String> trace = new ArrayList<>();
    private final Stats stats = new Stats();
    private SimCluster cluster;
    private volatile boolean sampling;

    private final Options options;

    private Simulation(Schedule schedule, Options options) {
        this.schedule = schedule;
        this.options = options;
    }

    /** Runs the schedule of {@code seed} and waits for its cluster to be gone. */
    static Outcome run(long seed) {
        return start(seed).join();
    }

    /**
     * Runs the schedule of {@code seed}; returns once the checks are done, with the outcome completing when the
     * cluster has also shut down (in the background: a shutdown that fails is a violation too).
     */
    static CompletableFuture<Outcome> start(long seed) {
        return start(seed, Options.NORMAL);
    }

    static CompletableFuture<Outcome> start(long seed, Options options) {
        return new Simulation(Schedule.of(seed), options).runAndClose();
    }

    /**
     * How a run departs from the normal one, to show what the checks catch.
     *
     * @param unsafeWipes clear a peer's storage even when the others do not hold everything committed
     * @param mutantReplicas replicas (0 or 1) whose state machine validates with other limits
     */
    record Options(boolean unsafeWipes, int mutantReplicas) {
        static final Options NORMAL = new Options(Boolean.getBoolean("chaos.unsafeWipes"), 0);
    }

    private CompletableFuture<Outcome> runAndClose() {
        long start = System.nanoTime();
        Thread sampler = null;
        try {
            long s0 = System.nanoTime();
            cluster = SimCluster.start(schedule.config(), options.mutantReplicas());
            StringBuilder peers = new StringBuilder();
            for (SimCluster.Node n : cluster.nodes()) {
                peers.append(peers.length() == 0 ? "" : ", ")
                        .append(n.name())
                        .append('=')
                        .append(n.peerId);
            }
            // The peer ids name the nodes in Ratis's own log (-Dchaos.ratisLog=info).
            trace.add("cluster started (" + (System.nanoTime() - s0) / 1_000_000 + " ms; " + peers + ")");
            sampling = true;
            sampler = new Thread(this::sampleLeaders, "sim-leader-sampler");
            sampler.setDaemon(true);
            sampler.start();
            invariants.atStep("start");
            invariants.check(cluster);
            List<Step> steps = schedule.steps();
            for (int i = 0; i < steps.size() && !invariants.failed(); i++) {
                Step step = steps.get(i);
                String label = String.format("#%02d %s", i + 1, step.kind());
                invariants.atStep(label);
                long t0 = System.nanoTime();
                String what = execute(step);
                trace.add(label + ": " + what + " (" + (System.nanoTime() - t0) / 1_000_000 + " ms)");
                if (step.dwellMs() > 0) {
                    Thread.sleep(step.dwellMs());
                }
                long c0 = System.nanoTime();
                invariants.check(cluster);
                checkNotTerminated();
                long checkMs = (System.nanoTime() - c0) / 1_000_000;
                if (checkMs > 50) {
                    trace.add(label + ": checks took " + checkMs + " ms");
                }
            }
            if (!invariants.failed()) {
                invariants.atStep("heal");
                heal();
                invariants.atStep("liveness");
                converge();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            invariants.violation("harness", "interrupted");
        } catch (Exception | AssertionError e) {
            invariants.violation("harness", "the simulation itself failed: " + e);
            trace.add("harness failure: " + stackOf(e));
        } finally {
            sampling = false;
            if (sampler != null) {
                sampler.interrupt();
            }
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        stats.leaderTerms = invariants.leaderTerms();
        stats.staleBelowSnapshot = invariants.staleBelowSnapshot();
        if (invariants.staleExample() != null) {
            trace.add("observation: " + invariants.staleExample());
        }
        if (cluster == null) {
            return CompletableFuture.completedFuture(outcome(millis));
        }
        stats.snapshotInstalls = snapshotInstalls();
        invariants.atStep("shutdown");
        return cluster.closeAsync().handle((ok, e) -> {
            if (e != null) {
                // MiniRaftCluster asserts at shutdown that no server asked the JVM to exit (Ratis does on fatal
                // errors).
                invariants.violation("server terminated", "the cluster did not shut down cleanly: " + e);
            }
            checkNotTerminated();
            return outcome(millis);
        });
    }

    private Outcome outcome(long millis) {
        return new Outcome(schedule, trace, invariants.violations(), stats, millis);
    }

    /** Ratis asks the JVM to exit on a fatal error (disabled in MiniRaftCluster: it is recorded instead). */
    private void checkNotTerminated() {
        if (ExitUtils.isTerminated()) {
            ExitUtils.ExitException e = ExitUtils.getFirstExitException();
            ExitUtils.clear();
            invariants.violation(
                    "server terminated",
                    "a Ratis server hit a fatal error and asked to exit: " + e
                            + (e != null && e.getCause() != null ? " caused by " + e.getCause() : ""));
        }
    }

    /** Snapshots received from a leader: a jump in an incarnation's history after its start. */
    private int snapshotInstalls() {
        int n = 0;
        for (Node node : cluster.nodes()) {
            List<Recorder> recorders = new ArrayList<>(node.past);
            if (node.recorder != null && !recorders.contains(node.recorder)) {
                recorders.add(node.recorder);
            }
            for (Recorder r : recorders) {
                List<Recorder.Applied> all = r.all();
                for (int i = 1; i < all.size(); i++) {
                    n += all.get(i).jump() ? 1 : 0;
                }
            }
        }
        return n;
    }

    private void sampleLeaders() {
        while (sampling) {
            invariants.sampleLeaders(cluster);
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    // ---- steps ----

    private String execute(Step step) throws Exception {
        switch (step.kind()) {
            case SUBMIT:
            case DRAIN:
            case UNDRAIN:
            case CONCURRENT:
                return submitAll(step.submissions());
            case KILL: {
                Node n = cluster.node(step.node());
                if (!cluster.kill(n)) {
                    return n.name() + " already down";
                }
                stats.kills++;
                return "stopped " + n.name();
            }
            case KILL_LEADER: {
                Node leader = cluster.leader();
                if (leader == null) {
                    return "no leader right now: nothing stopped";
                }
                long term = leader.division.getInfo().getCurrentTerm();
                cluster.kill(leader);
                stats.kills++;
                return "stopped " + leader.name() + " (leader, term " + term + ")";
            }
            case RESTART:
            case RESTART_WIPED: {
                Node n = step.node() == Step.ANY ? firstDown() : cluster.node(step.node());
                if (n == null || n.isUp()) {
                    return (n == null ? "nobody" : n.name()) + " is down: nothing restarted";
                }
                boolean wipe = step.kind() == FaultKind.RESTART_WIPED;
                String refused = wipe ? unsafeToWipe(n, 500) : null;
                wipe &= refused == null;
                cluster.restart(n, wipe);
                stats.restarts++;
                stats.wipes += wipe ? 1 : 0;
                return "restarted " + n.name() + (wipe ? " wiped" : " with its disk") + " (incarnation "
                        + n.incarnations + ")" + (refused == null ? "" : "; not wiped: " + refused);
            }
            case PARTITION: {
                Node n = cluster.node(step.node());
                cluster.partition(n);
                stats.partitions++;
                return "cut " + n.name() + " off" + (n.isUp() ? "" : " (it is down)");
            }
            case PARTITION_LEADER: {
                Node leader = cluster.leader();
                if (leader == null) {
                    return "no leader right now: nothing cut";
                }
                cluster.partition(leader);
                stats.partitions++;
                return "cut " + leader.name() + " (leader) off";
            }
            case HEAL: {
                List<String> healed = new ArrayList<>();
                for (Node n : cluster.nodes()) {
                    if (cluster.heal(n)) {
                        healed.add(n.name());
                    }
                }
                return "reconnected " + healed;
            }
            case SLOW: {
                Node n = cluster.node(step.node());
                cluster.faults().slow(n.peerId.toString(), step.ms());
                stats.slows++;
                return n.name() + " handles Raft traffic " + step.ms() + " ms late";
            }
            case UNSLOW: {
                Node n = cluster.node(step.node());
                cluster.faults().slow(n.peerId.toString(), 0);
                return n.name() + " is fast again";
            }
            case SNAPSHOT:
                return snapshot(cluster.node(step.node()));
            case SNAPSHOT_INSTALL:
                return snapshotInstall(step);
            case TRANSFER_LEADER:
                return transfer(cluster.node(step.node()));
            case PAUSE:
                Thread.sleep(step.ms());
                return "waited " + step.ms() + " ms";
            default:
                throw new AssertionError(step.kind());
        }
    }

    private Node firstDown() {
        for (Node n : cluster.nodes()) {
            if (!n.isUp()) {
                return n;
            }
        }
        return null;
    }

    /** Each submission in its own agent thread (one for SUBMIT, two or three for CONCURRENT), batches in order. */
    private String submitAll(List<Submission> submissions) throws InterruptedException {
        List<Future<String>> futures = new ArrayList<>();
        for (Submission s : submissions) {
            futures.add(AGENTS.submit(() -> submitEach(s)));
        }
        List<String> results = new ArrayList<>();
        for (Future<String> f : futures) {
            try {
                results.add(f.get(60, TimeUnit.SECONDS));
            } catch (Exception e) {
                results.add("agent failed: " + e);
            }
        }
        return String.join("; ", results);
    }

    private String submitEach(Submission s) {
        Node via = cluster.node(s.via());
        List<String> out = new ArrayList<>();
        int failures = 0;
        for (CommandBatch batch : s.batches()) {
            if (failures >= 2) {
                // An agent whose last two writes got no answer stops for now (each costs the whole retry budget).
                out.add(batch.getRequestId() + " not sent");
                continue;
            }
            try {
                BatchReply reply = cluster.submit(via, batch);
                invariants.acknowledged(batch, reply, via.name());
                stats.acked.incrementAndGet();
                if (reply.getCode() != io.ringfleet.api.ReplyCode.OK) {
                    stats.rejected.incrementAndGet();
                }
                countHealth(reply);
                out.add(batch.getRequestId() + "@" + reply.getLogIndex() + " " + reply.getCode());
                failures = 0;
            } catch (IOException | RuntimeException e) {
                failures++;
                stats.unacked.incrementAndGet();
                out.add(batch.getRequestId() + " unacknowledged ("
                        + e.getClass().getSimpleName() + ")");
            }
        }
        return "via " + via.name() + ": " + String.join(", ", out);
    }

    private void countHealth(BatchReply reply) {
        for (io.ringfleet.api.FleetRecord r : reply.getRecordsList()) {
            if (r.hasRealHealthReported()) {
                stats.votes.incrementAndGet();
            } else if (r.hasFleetVerdictChanged()) {
                stats.verdicts.incrementAndGet();
            }
        }
    }

    private String snapshot(Node n) {
        if (!n.isUp()) {
            return n.name() + " is down: no snapshot";
        }
        try {
            RaftClientReply r = cluster.snapshot(n, 3000);
            if (r.isSuccess()) {
                stats.snapshots++;
                return n.name() + " took a snapshot at " + r.getLogIndex();
            }
            return n.name() + ": snapshot refused: " + r.getException();
        } catch (IOException e) {
            return n.name() + ": snapshot failed: " + e;
        }
    }

    private String snapshotInstall(Step step) throws Exception {
        Node victim = cluster.node(step.node());
        List<String> parts = new ArrayList<>();
        if (cluster.kill(victim)) {
            stats.kills++;
        }
        parts.add("stopped " + victim.name());
        parts.add(submitAll(step.submissions()));
        for (Node n : cluster.nodes()) {
            if (n.isUp()) {
                parts.add(snapshot(n));
            }
        }
        // The log purges in its own thread after a snapshot: give it a moment to let the old segments go.
        long deadline = System.nanoTime() + 400_000_000L;
        while (System.nanoTime() < deadline && !purged()) {
            Thread.sleep(20);
        }
        parts.add(purged() ? "logs purged" : "logs not purged (the wiped node may catch up from the log)");
        String refused = unsafeToWipe(victim, 1000);
        cluster.restart(victim, refused == null);
        stats.restarts++;
        if (refused == null) {
            stats.wipes++;
            parts.add("restarted " + victim.name() + " wiped (incarnation " + victim.incarnations + ")");
        } else {
            parts.add("restarted " + victim.name() + " with its disk (incarnation " + victim.incarnations
                    + "); not wiped: " + refused);
        }
        return String.join("; ", parts);
    }

    /**
     * The operating rule for clearing a peer's storage (raft-state README: "clear its storage directory and start
     * it again; the leader installs its snapshot"): only while every other peer is up, connected, follows the same
     * leader in a term at least the cleared peer's last one, and has applied everything committed so far.
     * Otherwise the cleared peer, which has forgotten its log and its votes, can help a minority win: seed 6 lost
     * every acknowledged write (two peers cleared one after the other, the second before the first had caught
     * up: the two empty peers elected a leader with an empty log); seed 1212 elected two leaders in one term (a
     * peer cleared before the others agreed on a leader voted again in a term it had voted in). Returns why not,
     * or null if safe; waits up to {@code waitMs} for the others to get there. {@code -Dchaos.unsafeWipes=true}
     * turns the rule off to show what it prevents.
     */
    private String unsafeToWipe(Node victim, long waitMs) throws InterruptedException {
        if (options.unsafeWipes()) {
            return null;
        }
        long deadline = System.nanoTime() + waitMs * 1_000_000;
        while (true) {
            String why = wipeBlocker(victim);
            if (why == null || System.nanoTime() > deadline || why.endsWith("down") || why.endsWith("cut off")) {
                return why;
            }
            Thread.sleep(20);
        }
    }

    private String wipeBlocker(Node victim) {
        long target = Math.max(invariants.highestAck(), invariants.maxCommitted());
        Object leader = null;
        long term = -1;
        for (Node n : cluster.nodes()) {
            if (n == victim) {
                continue;
            }
            RaftServer.Division d = n.division;
            if (d == null) {
                return n.name() + " is down";
            }
            if (n.partitioned) {
                return n.name() + " is cut off";
            }
            long applied = ((FleetStateMachine) d.getStateMachine()).image().index();
            if (applied < target) {
                return n.name() + " has applied " + applied + " of " + target + " committed";
            }
            Object l = d.getInfo().getLeaderId();
            long t = d.getInfo().getCurrentTerm();
            if (l == null) {
                return n.name() + " knows no leader";
            }
            if (leader != null && (!leader.equals(l) || term != t)) {
                return "the others do not agree on a leader yet";
            }
            leader = l;
            term = t;
        }
        if (term < victim.termAtStop) {
            return victim.name() + " was at term " + victim.termAtStop + ", the others are at " + term;
        }
        return null;
    }

    private boolean purged() {
        for (Node n : cluster.nodes()) {
            RaftServer.Division d = n.division;
            if (d != null && d.getRaftLog().getStartIndex() <= Invariants.FIRST_LOG_INDEX) {
                return false;
            }
        }
        return true;
    }

    private String transfer(Node to) {
        if (!to.isUp()) {
            return to.name() + " is down: no transfer";
        }
        try {
            RaftClientReply r = cluster.transferLeadership(to, 2000);
            if (r.isSuccess()) {
                stats.transfers++;
                return "leadership transferred to " + to.name();
            }
            return "transfer to " + to.name() + " refused: " + r.getException();
        } catch (IOException e) {
            return "transfer to " + to.name() + " failed: " + e.getClass().getSimpleName();
        }
    }

    // ---- heal and liveness ----

    private void heal() throws IOException {
        List<String> done = new ArrayList<>();
        for (Node n : cluster.nodes()) {
            cluster.heal(n);
            cluster.faults().slow(n.peerId.toString(), 0);
        }
        for (Node n : cluster.nodes()) {
            if (!n.isUp()) {
                cluster.restart(n, false);
                stats.restarts++;
                done.add("restarted " + n.name());
            }
        }
        trace.add("heal: every link restored, every peer fast" + (done.isEmpty() ? "" : ", " + done));
    }

    /** All nodes equal, past every acknowledged write and a fresh probe write, within the bound. */
    private void converge() throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + CONVERGE_MS * 1_000_000;
        CommandBatch probe = CommandBatch.newBuilder()
                .addCommands(Command.newBuilder()
                        .setUndrainNode(UndrainNode.newBuilder().setNodeId("lb-probe")))
                .setPrincipal("sim-probe")
                .setViaNode("lb1")
                .setTimestampMillis(1_800_000_000_000L)
                .setRequestId("sim-probe-" + schedule.seed())
                .build();
        long probeIndex = -1;
        int probeAttempts = 0;
        int via = (int) Math.floorMod(schedule.seed(), (long) Schedule.NODES);
        Map<String, StateStatus> statuses = new TreeMap<>();
        String lastProbeError = "";
        while (System.nanoTime() < deadline) {
            if (probeIndex < 0) {
                // Another node's client is another Ratis client, so a new attempt there is a new write, not a
                // retry the retry cache would answer: it gets its own request id (seed 19: an attempt that failed
                // had been committed at 73, the next one through another node at 76, under one id).
                CommandBatch attempt = probe.toBuilder()
                        .setRequestId(probe.getRequestId() + "-" + (++probeAttempts))
                        .build();
                try {
                    BatchReply reply = cluster.submit(cluster.node(via), attempt);
                    invariants.acknowledged(attempt, reply, "n" + via);
                    probeIndex = reply.getLogIndex();
                } catch (IOException | RuntimeException e) {
                    lastProbeError = e.toString();
                    via = (via + 1) % Schedule.NODES;
                }
            }
            statuses.clear();
            for (Node n : cluster.nodes()) {
                statuses.put(n.name(), ((FleetStateMachine) n.division.getStateMachine()).status());
            }
            long target = Math.max(probeIndex, invariants.highestAck());
            if (probeIndex >= 0 && equal(statuses, target)) {
                stats.convergeMs = (System.nanoTime() - start) / 1_000_000;
                invariants.check(cluster);
                for (Node n : cluster.nodes()) {
                    if (everInstalledSnapshot(n)) {
                        continue; // its log may keep stale entries under the snapshot (seed 1006): not its history
                    }
                    if (invariants.replayMatchesPureCore(n.name(), n.division.getRaftLog(), statuses.get(n.name()))) {
                        stats.replays++;
                    }
                }
                trace.add("converged in " + stats.convergeMs + " ms at applied index "
                        + statuses.values().iterator().next().getAppliedIndex() + " (probe write at " + probeIndex
                        + ")");
                return;
            }
            Thread.sleep(20);
        }
        invariants.check(cluster);
        StringBuilder b = new StringBuilder("not converged within " + CONVERGE_MS + " ms of healing");
        b.append(
                probeIndex < 0
                        ? "; the probe write was never acknowledged (" + lastProbeError + ")"
                        : "; probe at " + probeIndex);
        statuses.forEach((id, s) -> b.append("; ")
                .append(id)
                .append(" applied ")
                .append(s.getAppliedIndex())
                .append(" image ")
                .append(Invariants.hex(s.getImageDigest().toByteArray())));
        for (Node n : cluster.nodes()) {
            b.append("; ")
                    .append(n.name())
                    .append(" ")
                    .append(n.division.getInfo().getCurrentRole())
                    .append(" term ")
                    .append(n.division.getInfo().getCurrentTerm());
        }
        invariants.violation("liveness", b.toString());
    }

    private static boolean equal(Map<String, StateStatus> statuses, long atLeast) {
        StateStatus first = null;
        for (StateStatus s : statuses.values()) {
            if (s.getAppliedIndex() < atLeast) {
                return false;
            }
            if (first == null) {
                first = s;
            } else if (s.getAppliedIndex() != first.getAppliedIndex()
                    || !Arrays.equals(
                            s.getImageDigest().toByteArray(),
                            first.getImageDigest().toByteArray())) {
                return false;
            }
        }
        return first != null;
    }

    private static String stackOf(Throwable e) {
        StringWriter w = new StringWriter();
        e.printStackTrace(new PrintWriter(w));
        return w.toString();
    }

    /** Whether any incarnation of the node (its disk may be older than the current one) installed a snapshot. */
    private static boolean everInstalledSnapshot(Node n) {
        if (n.recorder != null && n.recorder.installedSnapshot()) {
            return true;
        }
        return n.past.stream().anyMatch(Recorder::installedSnapshot);
    }
}
