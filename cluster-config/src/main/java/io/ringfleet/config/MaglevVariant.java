package io.ringfleet.config;

/** Allowed values of a fleet config field; {@link #configName()} is how the file spells each one. */
public enum MaglevVariant {
    /** Katran's original Maglev ({@code HashFunction::Maglev}). */
    V1("v1"),
    /** Katran's MaglevV2 ({@code HashFunction::MaglevV2}). */
    V2("v2");

    private final String configName;

    MaglevVariant(String configName) {
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
