package io.ringfleet.agent.api;

import io.ringfleet.api.BatchReply;
import io.ringfleet.api.CommandBatch;
import io.ringfleet.api.NodeStatus;
import io.ringfleet.api.ReadConsistency;
import io.ringfleet.state.FleetImage;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * What the API servers need from the fleet log, and nothing else: the servers hold no Raft code. The
 * agent implements it over its Ratis peer and client; tests may implement it over an in-process applier.
 *
 * <p>Futures fail with {@link FleetUnavailableException} when the log cannot answer (no leader, no
 * quorum, shutting down); any other failure is a bug and reaches the caller as INTERNAL.
 */
public interface FleetGateway {
    /** This node's id (the fleet config's peer id). */
    String nodeId();

    /**
     * Appends the batch (already stamped with principal, time and request id) to the log and completes
     * once it is committed and applied, with the reply of the apply step: OK and its records, or the
     * rejection. A rejected batch changed nothing.
     */
    CompletableFuture<Committed> submit(CommandBatch batch);

    /**
     * The image a read is served from. LINEARIZABLE: at least as new as the leader's commit index when the
     * read arrived; LOCAL: this node's image now. Either waits until this node has applied at least
     * {@code minAppliedIndex} (0 = no wait), failing with {@link FleetUnavailableException} if that does not
     * happen within {@code timeout}.
     */
    CompletableFuture<FleetImage> read(ReadConsistency consistency, long minAppliedIndex, Duration timeout);

    /** This node now: role, term, commit, applied and programmed indexes, digests. */
    NodeStatus localStatus();

    /**
     * Every node of the fleet, ascending node id, self included; a node that did not answer within
     * {@code timeout} comes back with {@code live = false}.
     */
    CompletableFuture<List<NodeStatus>> fleetStatus(Duration timeout);

    /** The current leader's id, if this node knows one. */
    Optional<String> leaderId();

    /** The Raft configuration as this node knows it (the last configuration entry it has). */
    Membership membership();

    /**
     * Takes {@code nodeId} out of the Raft configuration (checked by {@link Membership#leaving} against the fleet
     * config's peers; a refusal fails the future with its status) and completes with the new configuration once
     * it is committed. Writes nothing to the state log.
     */
    CompletableFuture<Membership> leave(String nodeId);

    /**
     * Puts {@code nodeId} back into the Raft configuration in the role and at the Raft address the fleet config
     * gives it ({@link Membership#joining}); completes once the leader has brought it up to date and the new
     * configuration is committed. The node must be running.
     */
    CompletableFuture<Membership> join(String nodeId);

    /** The outcome of one submitted batch, with the term of the entry that carried it (0 if unknown). */
    record Committed(long term, BatchReply reply) {}
}
