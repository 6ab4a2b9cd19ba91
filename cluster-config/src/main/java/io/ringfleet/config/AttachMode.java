package io.ringfleet.config;

/** Allowed values of a fleet config field; {@link #configName()} is how the file spells each one. */
public enum AttachMode {
    /** The balancer is attached to the interface itself. */
    STANDALONE("standalone"),
    /** The balancer is a tail-call target in a slot of a pinned xdp_root program array. */
    SHARED("shared");

    private final String configName;

    AttachMode(String configName) {
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
