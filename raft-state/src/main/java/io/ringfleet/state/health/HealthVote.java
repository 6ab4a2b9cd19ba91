package io.ringfleet.state.health;

import java.util.Objects;

/**
 * One LB's verdict on a pair as the log holds it ({@code RealHealthReported}): the node, the pair, up or down,
 * and the log timestamp of the entry (stamped at the API edge; never a local clock at apply time).
 */
public record HealthVote(String node, HealthPair pair, boolean up, long atMillis) {
    public HealthVote {
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(pair, "pair");
    }
}
