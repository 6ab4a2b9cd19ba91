package io.ringfleet.config;

/** Allowed values of a fleet config field; {@link #configName()} is how the file spells each one. */
public enum XdpMode implements ConfigValue {
    /** Native XDP in the NIC driver (XDP_FLAGS_DRV_MODE). */
    DRIVER,
    /** Generic (SKB) XDP, slower, works on any interface. */
    GENERIC;

    @Override
    public String toString() {
        return configName();
    }
}
