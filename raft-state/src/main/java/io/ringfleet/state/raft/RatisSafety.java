package io.ringfleet.state.raft;

import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.server.RaftServerConfigKeys;

/**
 * The Ratis settings Raft's safety needs here, whatever else a node configures. {@link FleetNode} applies them to
 * every peer, and the seeded simulation (chaos-tests' {@code SimCluster}) applies the same method, so the
 * simulation checks what production runs.
 *
 * <p><b>Follower append composition is off.</b> Ratis 3.3 queues a follower's log appends on a future chain
 * ({@code raft.server.log.append-entries.compose.enabled}, on by default) and lets a request whose previous entry
 * is only <i>queued</i> pass the consistency check. A heartbeat does not wait for the queue: it raises the commit
 * index at once to its previous entry, capped only by what the log has flushed. On a deposed leader that still
 * holds an uncommitted entry of its own at that index (it took a write just before it learnt of the new term), the
 * cap is that stale entry: the follower commits and applies it, and only then does the queued append truncate it.
 * That replica's state then differs from the fleet's at the same index, for good (chaos seed 187: an addVip the
 * fleet committed twelve entries later was applied at 31 on the ex-leader only). With composition off, a follower
 * appends within the request, so a heartbeat's previous entry must already be in the log: a stale entry there
 * fails the check and is truncated before anything commits past it. What it costs: a follower appends one request
 * at a time (the leader still pipelines), which the fleet log's rate of a few batches a second does not notice.
 */
public final class RatisSafety {
    private RatisSafety() {}

    /** Writes the safety settings into {@code properties} (after anything else, so nothing overrides them). */
    public static void applyTo(RaftProperties properties) {
        RaftServerConfigKeys.Log.setAppendEntriesComposeEnabled(properties, false);
    }
}
