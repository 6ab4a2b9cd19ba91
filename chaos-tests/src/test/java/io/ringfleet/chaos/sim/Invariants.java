package io.ringfleet.chaos.sim;

import io.ringfleet.api.BatchReply;
import io.ringfleet.api.CommandBatch;
import io.ringfleet.api.FleetRecord;
import io.ringfleet.api.StateStatus;
import io.ringfleet.chaos.sim.Recorder.Applied;
import io.ringfleet.chaos.sim.SimCluster.Node;
import io.ringfleet.state.FleetImage;
import io.ringfleet.state.Provenance;
import io.ringfleet.state.command.BatchApplier;
import io.ringfleet.state.command.CommandValidator;
import io.ringfleet.state.raft.FleetStateMachine;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.raftlog.RaftLog;

/**
 * The safety invariants of the fleet log, checked against everything observed so far (all nodes, all
 * incarnations), after every step of a schedule:
 *
 * <ol>
 *   <li><b>election safety</b>: at most one leader per term. Every live node's (term, is leader) is sampled
 *       after each step and every few milliseconds in between (term read before and after the role, so a
 *       sample never mixes two terms).
 *   <li><b>applied index only grows</b> within an incarnation of a node (a restart with disk reloads its
 *       snapshot and replays its log; a wiped node starts from 0: each is a new incarnation).
 *   <li><b>equal applied index, equal state</b>: any two observations of the same applied index, by any node in
 *       any incarnation at any time, have the same image digest, state index and (where the ring digest was
 *       computed) ring digest. This covers every entry each recorder saw, not only the live statuses.
 *   <li><b>acknowledged writes are durable and ordered</b>: a write acknowledged at index i (the leader applied
 *       it and replied) is the entry at i on every node that reaches i: its records there equal the reply's,
 *       its bytes in every Raft log that still holds i equal the batch sent, no node that reached i skipped it,
 *       and no other acknowledged write claims i.
 *   <li><b>the pure core agrees</b>: after the liveness phase, a node whose log was never purged replays its
 *       committed log through {@code BatchApplier} from the empty image and must reach the image it reports.
 *   <li><b>log matching</b>: committed entries at the same index have the same term on every node, and a
 *       request id is committed at one index only (a retried write is applied at most once).
 * </ol>
 *
 * <p>Violations are collected with the step they were found at; the first one is what a failure shows first.
 */
final class Invariants {
    /** One acknowledged write. */
    record Ack(long index, CommandBatch batch, BatchReply reply, String via) {}

    record Violation(String invariant, String step, String detail) {
        @Override
        public String toString() {
            return "[" + invariant + "] at " + step + ": " + detail;
        }
    }

    private record Seen(byte[] digest, long stateIndex, String who) {}

    private final List<Violation> violations = new ArrayList<>();
    private final Map<Long, String> leaders = new HashMap<>();
    private final Map<Long, Seen> imageAt = new HashMap<>();
    private final Map<Long, Seen> ringAt = new HashMap<>();
    private final TreeMap<Long, Ack> acked = new TreeMap<>();
    private final List<Ack> newAcks = new ArrayList<>();
    private final Map<Recorder, Integer> cursors = new IdentityHashMap<>();
    private final Map<Recorder, Integer> regressionCursors = new IdentityHashMap<>();
    private final Map<Long, Seen> committedAt = new HashMap<>();
    private final Map<String, Long> requestAt = new HashMap<>();
    private final Map<RaftLog, Long> logCursors = new IdentityHashMap<>();
    private volatile String step = "start";
    private long maxCommitted;
    private int staleBelowSnapshot;
    private String staleExample;
    private int leaderSamples;

    synchronized void atStep(String label) {
        this.step = label;
    }

    synchronized List<Violation> violations() {
        return new ArrayList<>(violations);
    }

    synchronized boolean failed() {
        return !violations.isEmpty();
    }

    synchronized int leaderTerms() {
        return leaders.size();
    }

    synchronized int ackCount() {
        return acked.size();
    }

    synchronized long highestAck() {
        return acked.isEmpty() ? 0 : acked.lastKey();
    }

    /** The highest commit index any node was seen at (a node's commit index counts only when it is checked). */
    synchronized long maxCommitted() {
        return maxCommitted;
    }

    synchronized int leaderSamples() {
        return leaderSamples;
    }

    synchronized void violation(String invariant, String detail) {
        if (violations.size() < 50) {
            violations.add(new Violation(invariant, step, detail));
        }
    }

    // ---- observations ----

    /** An acknowledged write: the leader applied it at {@code reply.log_index}. */
    synchronized void acknowledged(CommandBatch batch, BatchReply reply, String via) {
        Ack ack = new Ack(reply.getLogIndex(), batch, reply, via);
        Ack other = acked.putIfAbsent(ack.index(), ack);
        if (other != null && !other.batch().getRequestId().equals(batch.getRequestId())) {
            violation(
                    "acknowledged",
                    "two acknowledged writes at index " + ack.index() + ": " + Step.describe(other.batch())
                            + " (via " + other.via() + ", " + other.reply().getCode() + ") and " + Step.describe(batch)
                            + " (via " + via
                            + ", " + reply.getCode() + "): one of them is lost");
            return;
        }
        if (other == null) {
            newAcks.add(ack);
        }
    }

    /** Samples every live node's (term, leader) and checks election safety. */
    void sampleLeaders(SimCluster cluster) {
        for (Node n : cluster.nodes()) {
            RaftServer.Division d = n.division;
            if (d == null) {
                continue;
            }
            long t1;
            long t2;
            boolean leader;
            try {
                // No lock (Ratis holds the server's monitor for long stretches). Ratis steps a leader down by changing
                // its role first and its term after, and terms only grow: if the term is the same before and after
                // reading the role, the node was the leader of that term at that instant.
                t1 = d.getInfo().getCurrentTerm();
                leader = d.getInfo().isLeader();
                t2 = d.getInfo().getCurrentTerm();
            } catch (RuntimeException e) {
                continue; // stopping
            }
            if (leader && t1 == t2) {
                leaderSeen(t1, n.name());
            }
        }
    }

    synchronized void leaderSeen(long term, String node) {
        leaderSamples++;
        String other = leaders.putIfAbsent(term, node);
        if (other != null && !other.equals(node)) {
            violation("one leader per term", "term " + term + " has two leaders: " + other + " and " + node);
        }
    }

    /** Every check, after a step. */
    void check(SimCluster cluster) {
        sampleLeaders(cluster);
        Map<String, StateStatus> statuses = new TreeMap<>();
        List<Recorder> all = new ArrayList<>();
        List<Recorder> current = new ArrayList<>();
        Map<String, RaftLog> logs = new TreeMap<>();
        for (Node n : cluster.nodes()) {
            all.addAll(n.past);
            Recorder r = n.recorder;
            RaftServer.Division d = n.division;
            if (r != null && !all.contains(r)) {
                all.add(r);
            }
            if (d != null) {
                statuses.put(n.name(), ((FleetStateMachine) d.getStateMachine()).status());
                logs.put(n.name(), d.getRaftLog());
                if (r != null) {
                    current.add(r);
                }
            }
        }
        check(all, current, statuses, logs);
    }

    /**
     * The checks on what was observed: every incarnation's recorder, the recorders of the running incarnations,
     * the running nodes' statuses and Raft logs (by node name).
     */
    synchronized void check(
            List<Recorder> all, List<Recorder> running, Map<String, StateStatus> statuses, Map<String, RaftLog> logs) {
        for (Recorder r : all) {
            checkRecorder(r);
        }
        for (Ack ack : newAcks) {
            for (Recorder r : all) {
                for (Applied a : r.all()) {
                    if (a.index() == ack.index()) {
                        checkAck(r.label(), a, ack);
                    }
                }
            }
        }
        newAcks.clear();
        checkStatuses(statuses);
        for (Recorder r : running) {
            checkNoAckSkipped(r);
        }
        logs.forEach(this::checkLog);
    }

    private void checkRecorder(Recorder r) {
        List<String> regressions = r.regressions();
        int rc = regressionCursors.getOrDefault(r, 0);
        for (int i = rc; i < regressions.size(); i++) {
            violation("applied index only grows", r.label() + ": " + regressions.get(i));
        }
        regressionCursors.put(r, regressions.size());
        int from = cursors.getOrDefault(r, 0);
        List<Applied> fresh = r.since(from);
        if (from == 0 && !fresh.isEmpty() && fresh.get(0).index() < r.mustStartAtLeast()) {
            violation(
                    "applied index only grows",
                    r.label() + " restarted with its disk from index "
                            + fresh.get(0).index() + ", below the snapshot at " + r.mustStartAtLeast()
                            + " it had on disk when it stopped");
        }
        cursors.put(r, from + fresh.size());
        for (Applied a : fresh) {
            String who =
                    r.label() + " (term " + a.term() + (a.jump() ? ", snapshot" : ", " + describe(a.records())) + ")";
            seenImage(a.index(), a.imageDigest(), a.stateIndex(), who);
            seenRings(a.index(), a.ringDigest(), who);
            Ack ack = acked.get(a.index());
            if (ack != null) {
                checkAck(r.label(), a, ack);
            }
        }
    }

    /** What an applied entry changed, for a report: its records' kinds. */
    private static String describe(List<FleetRecord> records) {
        if (records.isEmpty()) {
            return "no records";
        }
        StringBuilder b = new StringBuilder();
        for (FleetRecord record : records) {
            b.append(b.length() == 0 ? "" : "+").append(record.getKindCase());
            if (record.hasBatchAudited()) {
                b.append(' ')
                        .append(record.getBatchAudited().getRequestId())
                        .append(' ')
                        .append(record.getBatchAudited().getCode());
            }
        }
        return b.toString();
    }

    private void seenImage(long index, byte[] digest, long stateIndex, String who) {
        if (index == 0) {
            return; // the empty image and Raft's first entry: nothing to compare
        }
        Seen first = imageAt.putIfAbsent(index, new Seen(digest, stateIndex, who));
        if (first != null && (!Arrays.equals(first.digest(), digest) || first.stateIndex() != stateIndex)) {
            violation(
                    "equal index, equal state",
                    "applied index " + index + ": " + first.who() + " had image "
                            + hex(first.digest()) + " state index " + first.stateIndex() + ", " + who + " has image "
                            + hex(digest)
                            + " state index " + stateIndex);
        }
    }

    private void seenRings(long index, byte[] digest, String who) {
        if (index == 0) {
            return;
        }
        Seen first = ringAt.putIfAbsent(index, new Seen(digest, 0, who));
        if (first != null && !Arrays.equals(first.digest(), digest)) {
            violation(
                    "equal index, equal state",
                    "applied index " + index + ": " + first.who() + " had ring digest " + hex(first.digest()) + ", "
                            + who + " has " + hex(digest));
        }
    }

    private void checkAck(String who, Applied a, Ack ack) {
        if (a.jump()) {
            return; // a snapshot: covered by the digest of that index
        }
        if (!a.records().equals(ack.reply().getRecordsList())
                || a.stateIndex() != ack.reply().getStateIndex()) {
            violation(
                    "acknowledged",
                    who + " applied index " + a.index() + " as " + a.records().size()
                            + " records, state index " + a.stateIndex() + ", but the write acknowledged there ("
                            + Step.describe(ack.batch()) + " via " + ack.via() + ") replied "
                            + ack.reply().getCode() + " with "
                            + ack.reply().getRecordsCount() + " records, state index "
                            + ack.reply().getStateIndex());
        }
    }

    private void checkStatuses(Map<String, StateStatus> statuses) {
        for (Map.Entry<String, StateStatus> e : statuses.entrySet()) {
            StateStatus s = e.getValue();
            // statuses carry no ring digest (the state machine holds no rings): the rings of every applied index
            // are checked from the recorders' entries
            seenImage(
                    s.getAppliedIndex(), s.getImageDigest().toByteArray(), s.getStateIndex(), e.getKey() + " (status)");
        }
    }

    /** A node that applied past an acknowledged index has a step for it, unless a snapshot carried it past. */
    private void checkNoAckSkipped(Recorder r) {
        List<Applied> history = r.all();
        if (history.isEmpty()) {
            return;
        }
        long applied = history.get(history.size() - 1).index();
        Map<Long, Applied> steps = new HashMap<>();
        long coveredBySnapshot = -1;
        for (Applied a : history) {
            if (a.jump()) {
                coveredBySnapshot = Math.max(coveredBySnapshot, a.index());
            } else {
                steps.put(a.index(), a);
            }
        }
        for (Ack ack : acked.headMap(applied, true).values()) {
            if (ack.index() > coveredBySnapshot && !steps.containsKey(ack.index())) {
                violation(
                        "acknowledged",
                        r.label() + " applied up to " + applied + " but never applied the write acknowledged at "
                                + ack.index() + " (" + Step.describe(ack.batch()) + ")");
            }
        }
    }

    /** Committed entries: bytes of acknowledged writes, terms across nodes, request ids at one index only. */
    private void checkLog(String who, RaftLog log) {
        long start;
        long commit;
        long snapshot;
        try {
            start = log.getStartIndex();
            commit = log.getLastCommittedIndex();
            snapshot = log.getSnapshotIndex();
        } catch (RuntimeException e) {
            return;
        }
        maxCommitted = Math.max(maxCommitted, commit);
        long from = Math.max(Math.max(start, 0), logCursors.getOrDefault(log, 0L));
        for (long i = from; i <= commit; i++) {
            LogEntryProto entry;
            try {
                entry = log.get(i);
            } catch (Exception e) {
                return; // purged or closing under us: the next check goes on
            }
            if (entry == null) {
                return;
            }
            if (i <= snapshot) {
                checkCoveredBySnapshot(who, i, entry, snapshot);
            } else {
                checkCommitted(who, i, entry, commit);
            }
            logCursors.put(log, i + 1);
        }
    }

    /**
     * An entry at or below the snapshot a node installed: the state comes from the snapshot, not from it. Ratis
     * 3.3 keeps such entries of the follower's own open segment after an install, even when they conflict with
     * the leader's (seed 1006: a deposed leader's uncommitted write stayed at the index where the new leader had
     * its configuration entry). Not a violation of the invariants here (nothing applies it), but counted and
     * reported: were that node to lead and send its log to a peer that needs those indexes, the stale entry
     * would be replicated, and the state checks would catch the divergence.
     */
    private void checkCoveredBySnapshot(String who, long i, LogEntryProto entry, long snapshot) {
        Seen first = committedAt.get(i);
        if (first != null && first.stateIndex() != entry.getTerm()) {
            staleBelowSnapshot++;
            if (staleExample == null) {
                staleExample = who + " keeps index " + i + " at term " + entry.getTerm() + " ("
                        + (entry.hasStateMachineLogEntry()
                                ? requestIdOf(entry)
                                : entry.getLogEntryBodyCase().toString())
                        + ") under its installed snapshot at " + snapshot
                        + ", where " + first.who() + " committed term " + first.stateIndex();
            }
        }
    }

    synchronized int staleBelowSnapshot() {
        return staleBelowSnapshot;
    }

    synchronized String staleExample() {
        return staleExample;
    }

    private void checkCommitted(String who, long i, LogEntryProto entry, long commit) {
        String entryText = entry.hasStateMachineLogEntry()
                ? requestIdOf(entry)
                : entry.getLogEntryBodyCase().toString();
        Seen first = committedAt.putIfAbsent(i, new Seen(null, entry.getTerm(), who + " (" + entryText + ")"));
        if (first != null && first.stateIndex() != entry.getTerm()) {
            violation(
                    "log matching",
                    who + " (commit index " + commit + ") has index " + i + " committed at term " + entry.getTerm()
                            + " (" + entryText + ") but " + first.who() + " committed it at term "
                            + first.stateIndex());
        }
        Ack ack = acked.get(i);
        if (!entry.hasStateMachineLogEntry()) {
            if (ack != null) {
                violation(
                        "acknowledged",
                        who + " committed a Raft entry (" + entry.getLogEntryBodyCase() + ") at index " + i + " where "
                                + Step.describe(ack.batch()) + " was acknowledged");
            }
            return;
        }
        byte[] data = entry.getStateMachineLogEntry().getLogData().toByteArray();
        if (ack != null && !Arrays.equals(data, ack.batch().toByteArray())) {
            violation(
                    "acknowledged",
                    who + " committed other bytes at index " + i + " than the write acknowledged there ("
                            + Step.describe(ack.batch()) + ")");
        }
        try {
            String requestId = CommandBatch.parseFrom(data).getRequestId();
            Long at = requestAt.putIfAbsent(requestId, i);
            if (at != null && at != i) {
                violation(
                        "applied at most once",
                        who + ": request " + requestId + " is committed at index " + at + " and again at index " + i
                                + " (a retried write applied twice)");
            }
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            violation("log matching", who + ": committed entry " + i + " is not a CommandBatch");
        }
    }

    /**
     * Where a log that was never purged starts: 1, above the genesis snapshot (the empty image at index 0) every
     * replica starts from (FleetStateMachine).
     */
    static final long FIRST_LOG_INDEX = FleetImage.EMPTY.index() + 1;

    /**
     * The pure core agrees with the replica: the node's whole committed log (when it was never purged), replayed
     * through {@link BatchApplier} from the empty image, gives the image the node reports. Returns whether the
     * log could be replayed (a purged log cannot). The caller leaves out nodes that installed a snapshot: Ratis may
     * keep their own conflicting entries under it (seed 1006).
     */
    synchronized boolean replayMatchesPureCore(String who, RaftLog log, StateStatus status) {
        try {
            long start = Math.max(log.getStartIndex(), 0);
            if (start > FIRST_LOG_INDEX || log.getLastCommittedIndex() < status.getAppliedIndex()) {
                return false;
            }
            BatchApplier applier = new BatchApplier(new CommandValidator());
            FleetImage image = FleetImage.EMPTY; // the genesis snapshot's image, at index 0
            for (long i = start; i <= status.getAppliedIndex(); i++) {
                LogEntryProto e = log.get(i);
                if (e == null) {
                    return false;
                }
                Provenance at = new Provenance(e.getTerm(), i);
                image = e.hasStateMachineLogEntry()
                        ? applier.apply(
                                        image,
                                        CommandBatch.parseFrom(e.getStateMachineLogEntry()
                                                .getLogData()
                                                .toByteArray()),
                                        at)
                                .image()
                        : image.withProvenance(at);
            }
            if (!Arrays.equals(image.digest(), status.getImageDigest().toByteArray())
                    || image.stateIndex() != status.getStateIndex()) {
                violation(
                        "equal index, equal state",
                        who + " at applied index " + status.getAppliedIndex() + " has image "
                                + hex(status.getImageDigest().toByteArray()) + " state index " + status.getStateIndex()
                                + ", but its committed log replayed through the pure core gives " + hex(image.digest())
                                + " state index "
                                + image.stateIndex());
            }
            return true;
        } catch (Exception e) {
            return false; // purged or closing under us
        }
    }

    private static String requestIdOf(LogEntryProto entry) {
        try {
            return CommandBatch.parseFrom(
                            entry.getStateMachineLogEntry().getLogData().toByteArray())
                    .getRequestId();
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            return "not a batch";
        }
    }

    static String hex(byte[] b) {
        return HexFormat.of().formatHex(b).substring(0, Math.min(16, 2 * b.length));
    }
}
