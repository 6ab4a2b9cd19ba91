package io.ringfleet.config;

import io.ringfleet.config.Values.Parser;
import java.util.List;
import java.util.function.Function;

/**
 * One key of a section of the file, declared once: its name, how its value is read, what is allowed (the text
 * a message quotes when the key is missing) and whether a node's own section may clear it. The sections'
 * known-key lists are made from these, so a field cannot be known under one name and read under another.
 *
 * @param name the key as written in the file
 * @param parserFor the value's parser for a node id ({@code {id}} templates need it; null outside node sections)
 * @param rule what is allowed, for "is missing" messages
 * @param clearable whether an empty value in a node's section drops an inherited value
 */
record Field<T>(String name, Function<String, Parser<T>> parserFor, String rule, boolean clearable) {

    /** A field whose value reads the same for every node. */
    static <T> Field<T> of(String name, String rule, Parser<T> parser) {
        return new Field<>(name, id -> parser, rule, false);
    }

    /** A field whose text may contain {@code {id}}, which becomes the node's id before the value is checked. */
    static <T> Field<T> perNode(String name, String rule, Function<String, Parser<T>> parserFor) {
        return new Field<>(name, parserFor, rule, false);
    }

    /** The same field, clearable in a node's section. */
    Field<T> asClearable() {
        return new Field<>(name, parserFor, rule, true);
    }

    /** The parser for values of node {@code nodeId} (null: not in a node's context). */
    Parser<T> parser(String nodeId) {
        return parserFor.apply(nodeId);
    }

    /** The names of {@code fields}, in order: a section's known keys. */
    static List<String> names(List<Field<?>> fields) {
        return fields.stream().map(Field::name).toList();
    }
}
