package io.ringfleet.config;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A fleet config file that cannot be used. Carries every error found, not only the first; the message
 * lists them one per line, in line order.
 */
public final class ConfigException extends Exception {
    private final List<ConfigProblem> errors;

    public ConfigException(List<ConfigProblem> errors) {
        super(format(errors));
        this.errors = List.copyOf(errors);
    }

    /** The errors, in line order; never empty. */
    public List<ConfigProblem> errors() {
        return errors;
    }

    private static String format(List<ConfigProblem> errors) {
        if (errors == null || errors.isEmpty()) {
            throw new IllegalArgumentException("a ConfigException needs at least one error");
        }
        return errors.stream().map(ConfigProblem::toString).collect(Collectors.joining("\n"));
    }
}
