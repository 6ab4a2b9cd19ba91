package io.ringfleet.agent.health;

/** This node's own opinion of a (VIP, real) pair. */
public enum Verdict {
    /** Not enough probes yet for either rise or fall. */
    UNKNOWN,
    UP,
    DOWN
}
