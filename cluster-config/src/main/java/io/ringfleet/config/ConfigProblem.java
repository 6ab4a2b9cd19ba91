package io.ringfleet.config;

import java.util.Objects;

/**
 * One error or warning found in a fleet config file, with where it is.
 *
 * <p>{@link #toString()} is the line a person reads: {@code fleet.yaml:14: peers[2].role: "leader" is not
 * allowed; use voter or listener}. The line is omitted when unknown (0), the field when the problem is
 * about the whole file.
 *
 * @param file the file name as given to the loader
 * @param line 1-based line number, or 0 when not known (e.g. the file cannot be read)
 * @param field the field's path ({@code peers[2].role}, {@code nodes.lb1.interface}), or "" for the file
 * @param message what is wrong and what is allowed instead
 */
public record ConfigProblem(String file, int line, String field, String message) {
    public ConfigProblem {
        Objects.requireNonNull(file, "file must not be null; use the file name");
        Objects.requireNonNull(field, "field must not be null; use \"\" for the whole file");
        Objects.requireNonNull(message, "message must not be null");
        if (line < 0) {
            throw new IllegalArgumentException("line must be 0 (unknown) or a 1-based line number, got " + line);
        }
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(file);
        if (line > 0) {
            s.append(':').append(line);
        }
        s.append(": ");
        if (!field.isEmpty()) {
            s.append(field).append(": ");
        }
        return s.append(message).toString();
    }
}
