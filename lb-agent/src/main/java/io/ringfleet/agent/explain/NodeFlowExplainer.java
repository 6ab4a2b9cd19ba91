package io.ringfleet.agent.explain;

import io.ringfleet.agent.api.FleetUnavailableException;
import io.ringfleet.agent.datapath.DatapathException;
import io.ringfleet.api.FlowExplanation;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * This node's answer for one flow: {@link FlowExplainer} over what its kernel holds now (the programmed state and
 * the kernel's connection table), stamped with the node id.
 */
public final class NodeFlowExplainer {
    private final String nodeId;
    private final Supplier<Optional<ProgrammedState>> programmed;
    private final ConnTable table;
    private final LongSupplier monotonicNanos;

    /**
     * @param programmed the programmed state now; empty before the first programming run
     * @param monotonicNanos the clock of the connection table's UDP times (CLOCK_MONOTONIC: System::nanoTime)
     */
    public NodeFlowExplainer(
            String nodeId,
            Supplier<Optional<ProgrammedState>> programmed,
            ConnTable table,
            LongSupplier monotonicNanos) {
        this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
        this.programmed = Objects.requireNonNull(programmed, "programmed");
        this.table = Objects.requireNonNull(table, "table");
        this.monotonicNanos = Objects.requireNonNull(monotonicNanos, "monotonicNanos");
    }

    public String nodeId() {
        return nodeId;
    }

    /**
     * @throws FleetUnavailableException before the node programmed anything
     *     or cannot read its connection table
     */
    public FlowExplanation explain(FlowQuery flow) {
        ProgrammedState state = programmed
                .get()
                .orElseThrow(() -> new FleetUnavailableException(
                        "node " + nodeId + " has programmed nothing yet: it cannot say what its balancer picks"));
        try {
            return FlowExplainer.explain(flow, state, table, monotonicNanos.getAsLong())
                    .setNodeId(nodeId)
                    .build();
        } catch (DatapathException e) {
            throw new FleetUnavailableException("node " + nodeId + ": " + e.getMessage(), e);
        }
    }
}
