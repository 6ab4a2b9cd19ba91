package io.ringfleet.state;

import java.util.Objects;

/** A drained node: why, when (the log entry's timestamp) and by whom (the entry's principal). */
public record NodeDrain(String nodeId, String reason, long drainedAtMillis, String drainedBy) {
    public NodeDrain {
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(drainedBy, "drainedBy");
    }
}
