package io.ringfleet.agent.api;

import io.grpc.ChannelCredentials;
import io.grpc.ConnectivityState;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import io.ringfleet.api.ControlServiceGrpc;
import io.ringfleet.api.ExplainFlowRequest;
import io.ringfleet.api.ExplainFlowResponse;
import io.ringfleet.api.FlowExplanation;
import io.ringfleet.api.GetStatusRequest;
import io.ringfleet.api.GetStatusResponse;
import io.ringfleet.api.NodeStatus;
import io.ringfleet.config.HostPort;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Asks other agents' APIs for their own status (GetStatus, this node only) and their own answer to ExplainFlow, over the node's client
 * credentials (mutual TLS with its node certificate; a node may read). One channel per peer, opened on
 * first use.
 */
public final class PeerApiStatus implements PeerStatusSource, AutoCloseable {
    private final Map<String, HostPort> apiAddresses;
    private final ChannelCredentials credentials;
    private final Map<String, ManagedChannel> channels = new TreeMap<>();

    /** @param apiAddresses API address of every peer, by node id */
    public PeerApiStatus(Map<String, HostPort> apiAddresses, ChannelCredentials credentials) {
        this.apiAddresses = Map.copyOf(apiAddresses);
        this.credentials = Objects.requireNonNull(credentials, "credentials");
    }

    private synchronized ManagedChannel channel(String nodeId) {
        return channels.computeIfAbsent(nodeId, id -> {
            HostPort address = apiAddresses.get(id);
            if (address == null) {
                throw new IllegalArgumentException(
                        "no API address for node " + id + ": known " + apiAddresses.keySet());
            }
            return Grpc.newChannelBuilderForAddress(address.host(), address.port(), credentials)
                    .build();
        });
    }

    @Override
    public CompletableFuture<NodeStatus> status(String nodeId, Duration timeout) {
        CompletableFuture<NodeStatus> result = new CompletableFuture<>();
        ManagedChannel channel = channel(nodeId);
        if (channel.getState(false) == ConnectivityState.TRANSIENT_FAILURE) {
            // gRPC backs off up to 2 minutes between reconnects; a peer that was down may be back now (a restart)
            channel.resetConnectBackoff();
        }
        ControlServiceGrpc.newStub(channel)
                .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .getStatus(GetStatusRequest.getDefaultInstance(), new StreamObserver<GetStatusResponse>() {
                    @Override
                    public void onNext(GetStatusResponse value) {
                        result.complete(value.getSelf());
                    }

                    @Override
                    public void onError(Throwable t) {
                        result.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                        result.completeExceptionally(
                                new IllegalStateException(nodeId + " answered GetStatus with nothing"));
                    }
                });
        return result;
    }

    /** The peer's own answer to ExplainFlow (the request must not be fleet-wide). */
    public CompletableFuture<FlowExplanation> explain(String nodeId, ExplainFlowRequest request, Duration timeout) {
        CompletableFuture<FlowExplanation> result = new CompletableFuture<>();
        ControlServiceGrpc.newStub(channel(nodeId))
                .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .explainFlow(request.toBuilder().setFleetWide(false).build(), new StreamObserver<>() {
                    @Override
                    public void onNext(ExplainFlowResponse value) {
                        if (value.getNodesCount() == 1) {
                            result.complete(value.getNodes(0));
                        } else {
                            result.completeExceptionally(new FleetUnavailableException(
                                    nodeId + " answered ExplainFlow with " + value.getNodesCount() + " nodes, not 1"));
                        }
                    }

                    @Override
                    public void onError(Throwable t) {
                        result.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                        result.completeExceptionally(
                                new FleetUnavailableException(nodeId + " answered ExplainFlow with nothing"));
                    }
                });
        return result;
    }

    @Override
    public synchronized void close() {
        channels.values().forEach(ManagedChannel::shutdownNow);
        channels.clear();
    }
}
