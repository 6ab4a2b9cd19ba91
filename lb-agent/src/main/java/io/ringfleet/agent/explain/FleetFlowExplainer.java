package io.ringfleet.agent.explain;

import io.ringfleet.agent.api.FlowExplainService;
import io.ringfleet.agent.api.Statuses;
import io.ringfleet.api.ExplainFlowRequest;
import io.ringfleet.api.ExplainFlowResponse;
import io.ringfleet.api.FlowExplanation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * ExplainFlow for one node or the whole fleet: this node answers from its own kernel, each other peer is asked for
 * its own answer (the flow without fleet_wide) over the API; a peer that does not answer in time is a row with its
 * error. The fleet agrees when every node answered and all picked the same real (or all picked none the same way).
 */
public final class FleetFlowExplainer implements FlowExplainService {
    /** Asks another node's API for its own answer. */
    @FunctionalInterface
    public interface Peers {
        CompletableFuture<FlowExplanation> explain(String nodeId, ExplainFlowRequest request, Duration timeout);
    }

    private final NodeFlowExplainer local;
    private final List<String> nodeIds;
    private final Peers peers;
    private final Executor io;

    /**
     * @param nodeIds every peer of the fleet, this node included
     * @param io where this node's kernel is read (not a gRPC event loop)
     */
    public FleetFlowExplainer(NodeFlowExplainer local, List<String> nodeIds, Peers peers, Executor io) {
        this.local = Objects.requireNonNull(local, "local");
        this.nodeIds = List.copyOf(new TreeSet<>(nodeIds));
        this.peers = Objects.requireNonNull(peers, "peers");
        this.io = Objects.requireNonNull(io, "io");
        if (!this.nodeIds.contains(local.nodeId())) {
            throw new IllegalArgumentException("node ids " + nodeIds + " do not include this node " + local.nodeId());
        }
    }

    @Override
    public CompletableFuture<ExplainFlowResponse> explain(ExplainFlowRequest request, Duration timeout) {
        return explain(FlowQuery.of(request), request.getFleetWide(), timeout);
    }

    /** This node's answer alone, or every node's (ascending node id). */
    public CompletableFuture<ExplainFlowResponse> explain(FlowQuery flow, boolean fleetWide, Duration timeout) {
        if (!fleetWide) {
            return CompletableFuture.supplyAsync(() -> local.explain(flow), io).thenApply(e -> response(List.of(e)));
        }
        ExplainFlowRequest one = flow.toRequest();
        List<CompletableFuture<FlowExplanation>> each = new ArrayList<>();
        for (String id : nodeIds) {
            CompletableFuture<FlowExplanation> answer = id.equals(local.nodeId())
                    ? CompletableFuture.supplyAsync(() -> local.explain(flow), io)
                    : peers.explain(id, one, timeout).orTimeout(timeout.toMillis() + 100, TimeUnit.MILLISECONDS);
            each.add(answer.exceptionally(e -> unanswered(id, e)));
        }
        return CompletableFuture.allOf(each.toArray(new CompletableFuture<?>[0]))
                .thenApply(
                        v -> response(each.stream().map(CompletableFuture::join).toList()));
    }

    private static FlowExplanation unanswered(String nodeId, Throwable failure) {
        return FlowExplanation.newBuilder()
                .setNodeId(nodeId)
                .setAnswered(false)
                .setError(
                        Statuses.of(failure, "explain on " + nodeId).getStatus().getDescription())
                .build();
    }

    static ExplainFlowResponse response(List<FlowExplanation> nodes) {
        return ExplainFlowResponse.newBuilder()
                .addAllNodes(nodes)
                .setAgree(agree(nodes))
                .build();
    }

    /** Every node answered, and all picked the same real; with no real, all decided the same (no VIP, drop). */
    public static boolean agree(List<FlowExplanation> nodes) {
        if (nodes.isEmpty()) {
            return false;
        }
        String first = outcome(nodes.get(0));
        for (FlowExplanation n : nodes) {
            if (!n.getAnswered() || !outcome(n).equals(first)) {
                return false;
            }
        }
        return true;
    }

    private static String outcome(FlowExplanation n) {
        return n.getReal().isEmpty() ? n.getDecision().name() : n.getReal();
    }
}
