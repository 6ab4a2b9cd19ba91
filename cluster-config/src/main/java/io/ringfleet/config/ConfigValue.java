package io.ringfleet.config;

import java.util.Locale;

/**
 * An enum whose constants are values of a config field. The file spells a constant as its name in lower case
 * with '-' for '_' ({@code PER_CPU} is {@code per-cpu}), so no enum repeats a table of spellings. Java gives an
 * interface no way to override {@code toString()}: each enum does it in one line, returning {@link #configName()}.
 */
public interface ConfigValue {
    /** The constant's name, as {@link Enum#name()} gives it. */
    String name();

    /** The value as written in the config file. */
    default String configName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
