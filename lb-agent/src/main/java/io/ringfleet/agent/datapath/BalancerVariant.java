package io.ringfleet.agent.datapath;

/** Which shipped build of the XDP balancer to load (bpf/README.md, "Balancer"). */
public enum BalancerVariant {
    /** Oversized VIP frames are dropped. */
    BALANCER("balancer"),
    /** Oversized VIP frames are answered with ICMP "fragmentation needed" / ICMPv6 "packet too big". */
    TOO_BIG("balancer_toobig");

    private final String objectName;

    BalancerVariant(String objectName) {
        this.objectName = objectName;
    }

    /** The shipped object's name, as {@code io.ringfleet.bpf.Bpf#shippedObject} takes it. */
    public String objectName() {
        return objectName;
    }
}
