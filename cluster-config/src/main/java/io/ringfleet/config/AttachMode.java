package io.ringfleet.config;

/** Allowed values of a fleet config field; {@link #configName()} is how the file spells each one. */
public enum AttachMode implements ConfigValue {
    /** The balancer is attached to the interface itself. */
    STANDALONE,
    /** The balancer is a tail-call target in a slot of a pinned xdp_root program array. */
    SHARED;

    @Override
    public String toString() {
        return configName();
    }
}
