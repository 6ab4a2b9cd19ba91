package io.ringfleet.agent.health;

/**
 * Told when this node's verdict on a pair changes, never per probe: the edge-triggered feed the log side turns
 * into {@code RealHealthReported} entries. Called on the prober's event loop: return quickly (hand the change
 * to another thread for anything that blocks, such as a log write). An exception is logged and ignored.
 */
@FunctionalInterface
public interface VerdictListener {
    void verdictChanged(VerdictChange change);
}
