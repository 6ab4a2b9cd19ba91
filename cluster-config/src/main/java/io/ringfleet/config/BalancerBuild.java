package io.ringfleet.config;

/**
 * Which build of the XDP balancer a node loads (fleet config {@code balancer}); {@link #configName()} is how the
 * file spells each value.
 */
public enum BalancerBuild implements ConfigValue {
    /** The Katran-conformant balancer: a flow that moves to this LB after its VIP's ring changed may break. */
    PLAIN,
    /**
     * Second-chance forwarding (issue 13): a non-SYN TCP segment without a connection-table entry whose ring slot
     * changed is sent to the current real naming the previous ring's real, which the real's ringfleet-backend
     * forwards it to when it has no socket for it. Needs fleet version 4 for the ring history, and an outer source
     * address (healthcheck-source-v4 / -v6: the LB's own address) for its GUE frames.
     */
    SECOND_CHANCE;

    @Override
    public String toString() {
        return configName();
    }
}
