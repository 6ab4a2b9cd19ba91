package io.ringfleet.agent.api;

import io.ringfleet.api.ExplainFlowRequest;
import io.ringfleet.api.ExplainFlowResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** ExplainFlow's answer: this node's, or every node's (the seam to {@code io.ringfleet.agent.explain}). */
@FunctionalInterface
public interface FlowExplainService {
    /**
     * @param timeout how long to wait for the other nodes
     * @throws IllegalArgumentException at once, with one line saying what is allowed, for a bad flow
     */
    CompletableFuture<ExplainFlowResponse> explain(ExplainFlowRequest request, Duration timeout);
}
