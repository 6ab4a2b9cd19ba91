package io.ringfleet.config;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;

/** Collects errors and warnings while a file is checked; duplicates are kept once, order is by line. */
final class Problems {
    private final String file;
    private final LinkedHashSet<ConfigProblem> errors = new LinkedHashSet<>();
    private final LinkedHashSet<ConfigProblem> warnings = new LinkedHashSet<>();

    Problems(String file) {
        this.file = file;
    }

    String file() {
        return file;
    }

    private int reported;

    void error(int line, String field, String message) {
        reported++;
        errors.add(new ConfigProblem(file, line, field, message));
    }

    /** How many times {@link #error} was called, duplicates included: lets a caller see that a step failed. */
    int reported() {
        return reported;
    }

    void warn(int line, String field, String message) {
        warnings.add(new ConfigProblem(file, line, field, message));
    }

    boolean hasErrors() {
        return !errors.isEmpty();
    }

    List<ConfigProblem> errors() {
        return sorted(errors);
    }

    List<ConfigProblem> warnings() {
        return sorted(warnings);
    }

    /** Stable sort: problems on the same line keep the order they were found in. */
    private static List<ConfigProblem> sorted(LinkedHashSet<ConfigProblem> set) {
        List<ConfigProblem> list = new ArrayList<>(set);
        list.sort(Comparator.comparingInt(ConfigProblem::line));
        return List.copyOf(list);
    }
}
