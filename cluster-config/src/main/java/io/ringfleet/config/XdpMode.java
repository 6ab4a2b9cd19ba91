package io.ringfleet.config;

/** Allowed values of a fleet config field; {@link #configName()} is how the file spells each one. */
public enum XdpMode {
    /** Native XDP in the NIC driver (XDP_FLAGS_DRV_MODE). */
    DRIVER("driver"),
    /** Generic (SKB) XDP, slower, works on any interface. */
    GENERIC("generic");

    private final String configName;

    XdpMode(String configName) {
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
