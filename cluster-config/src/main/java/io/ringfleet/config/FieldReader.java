package io.ringfleet.config;

import io.ringfleet.config.Picked.State;
import io.ringfleet.config.Values.BadValue;
import io.ringfleet.config.Values.Parser;
import io.ringfleet.config.YamlTree.Entry;
import io.ringfleet.config.YamlTree.Kind;
import io.ringfleet.config.YamlTree.Node;
import io.ringfleet.config.YamlTree.Scalar;

/** Reads fields out of sections and reports every bad value, with its line and path, to one {@link Problems}. */
final class FieldReader {
    private final Problems problems;

    FieldReader(Problems problems) {
        this.problems = problems;
    }

    Problems problems() {
        return problems;
    }

    /**
     * A node's value of {@code field}: from the node's own section if there, else from {@code defaults}; both are
     * checked. Null when neither gives it.
     */
    <T> Picked<T> pick(Field<T> field, Section defaults, Section own, String nodeId) {
        Picked<T> fromDefaults = defaults.has(field.name()) ? one(defaults, field, nodeId, false) : null;
        Picked<T> fromOwn = own != null && own.has(field.name()) ? one(own, field, nodeId, true) : null;
        return fromOwn != null ? fromOwn : fromDefaults;
    }

    private <T> Picked<T> one(Section s, Field<T> field, String nodeId, boolean own) {
        Entry e = s.entry(field.name());
        String path = s.child(field.name());
        Node n = e.value();
        int line = n instanceof Scalar ? n.line() : e.keyLine();
        if (field.clearable() && n instanceof Scalar && ((Scalar) n).kind() == Kind.NULL) {
            return new Picked<>(null, State.CLEARED, line, path, own);
        }
        try {
            return new Picked<>(field.parser(nodeId).parse(n), State.SET, line, path, own);
        } catch (BadValue bad) {
            if (bad.getMessage() != null) {
                problems.error(line, path, bad.getMessage());
            }
            return new Picked<>(null, State.BAD, line, path, own);
        }
    }

    /** The value of a field the section must have; a missing one is reported with the field's rule. */
    <T> T required(Section s, Field<T> field) {
        Entry e = s.entry(field.name());
        if (e == null) {
            if (!s.wrongShape()) {
                problems.error(s.line(), s.path(), field.name() + " is missing; use " + field.rule());
            }
            return null;
        }
        return value(e, s.child(field.name()), field.parser(null));
    }

    /** The value of a field the section may leave out, else {@code fallback}; null when the value is bad. */
    <T> T optional(Section s, Field<T> field, T fallback) {
        Entry e = s.entry(field.name());
        return e == null ? fallback : value(e, s.child(field.name()), field.parser(null));
    }

    /** The parsed value of an entry, or null after reporting why it cannot be used. */
    <T> T value(Entry e, String path, Parser<T> parser) {
        try {
            return parser.parse(e.value());
        } catch (BadValue bad) {
            report(e, path, bad);
            return null;
        }
    }

    void report(Entry e, String path, BadValue bad) {
        if (bad.getMessage() != null) {
            problems.error(e.value() instanceof Scalar ? e.value().line() : e.keyLine(), path, bad.getMessage());
        }
    }
}
