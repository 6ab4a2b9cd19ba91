package io.ringfleet.agent.api;

import io.ringfleet.api.NodeStatus;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** How one node learns another node's own report of itself (for fleet-wide status and progress). */
@FunctionalInterface
public interface PeerStatusSource {
    /** The status {@code nodeId} reports about itself; fails if it does not answer within {@code timeout}. */
    CompletableFuture<NodeStatus> status(String nodeId, Duration timeout);
}
