package io.ringfleet.chaos.netns;

import io.ringfleet.bpf.abi.FlowKey;
import java.net.InetSocketAddress;

/**
 * A long-lived TCP flow that is open now.
 *
 * @param flow its name, e.g. {@code tcp#12 cl1 -> 10.200.0.1:8080}
 * @param real the real answering it
 * @param local the client's end
 * @param remote the VIP end
 */
public record OpenFlow(String flow, String real, InetSocketAddress local, InetSocketAddress remote) {
    /** The flow as the balancer's connection table keys it (client to VIP, TCP). */
    public FlowKey key() {
        return new FlowKey(local.getAddress(), remote.getAddress(), local.getPort(), remote.getPort(), 6);
    }
}
