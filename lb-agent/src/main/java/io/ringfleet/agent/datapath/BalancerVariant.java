package io.ringfleet.agent.datapath;

import io.ringfleet.config.BalancerBuild;

/** Which shipped build of the XDP balancer to load (bpf/README.md, "Balancer"). */
public enum BalancerVariant {
    /** Oversized VIP frames are dropped. */
    BALANCER("balancer"),
    /** Oversized VIP frames are answered with ICMP "fragmentation needed" / ICMPv6 "packet too big". */
    TOO_BIG("balancer_toobig"),
    /**
     * Second chance (node setting {@code balancer: second-chance}): as {@link #BALANCER}, plus the previous ring of
     * every VIP ({@code ch_rings_prev}) and the second-chance GUE frame (outer source from {@code encap_srcs}).
     */
    SECOND_CHANCE("balancer_sc");

    private final String objectName;

    BalancerVariant(String objectName) {
        this.objectName = objectName;
    }

    /** The build a node's config setting {@code balancer} names (the one mapping; the agent, doctor and tests use it). */
    public static BalancerVariant of(BalancerBuild configured) {
        return configured == BalancerBuild.SECOND_CHANCE ? SECOND_CHANCE : BALANCER;
    }

    /** Whether the build has ch_rings_prev and encap_srcs, which the agent then programs. */
    public boolean secondChance() {
        return this == SECOND_CHANCE;
    }

    /** The shipped object's name, as {@code io.ringfleet.bpf.Bpf#shippedObject} takes it. */
    public String objectName() {
        return objectName;
    }
}
