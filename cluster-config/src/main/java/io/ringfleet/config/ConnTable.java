package io.ringfleet.config;

/**
 * Where the balancer remembers flows (fleet config {@code conn-table}); {@link #configName()} is how the file
 * spells each value.
 */
public enum ConnTable {
    /**
     * One LRU table per forwarding CPU (Katran's layout): no contention, but a flow must stay on one CPU, which
     * NIC receive-side scaling guarantees.
     */
    PER_CPU("per-cpu"),
    /**
     * One table shared by every CPU: for interfaces without RSS (veth, some virtual NICs), where a flow's packets
     * arrive on varying CPUs and a per-CPU table would miss.
     */
    SHARED("shared");

    private final String configName;

    ConnTable(String configName) {
        this.configName = configName;
    }

    /** The value as written in the config file. */
    public String configName() {
        return configName;
    }

    @Override
    public String toString() {
        return configName;
    }
}
