package io.ringfleet.config;

/**
 * Where the balancer remembers flows (fleet config {@code conn-table}); {@link #configName()} is how the file
 * spells each value.
 */
public enum ConnTable implements ConfigValue {
    /**
     * One LRU table per forwarding CPU (Katran's layout): no contention, but a flow must stay on one CPU, which
     * NIC receive-side scaling guarantees.
     */
    PER_CPU,
    /**
     * One table shared by every CPU: for interfaces without RSS (veth, some virtual NICs), where a flow's packets
     * arrive on varying CPUs and a per-CPU table would miss.
     */
    SHARED;

    @Override
    public String toString() {
        return configName();
    }
}
