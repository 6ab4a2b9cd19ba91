package io.ringfleet.config;

/** Allowed values of a fleet config field; {@link #configName()} is how the file spells each one. */
public enum MaglevVariant implements ConfigValue {
    /** Katran's original Maglev ({@code HashFunction::Maglev}). */
    V1,
    /** Katran's MaglevV2 ({@code HashFunction::MaglevV2}). */
    V2;

    @Override
    public String toString() {
        return configName();
    }
}
