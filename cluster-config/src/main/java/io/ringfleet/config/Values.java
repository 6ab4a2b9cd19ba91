package io.ringfleet.config;

import io.ringfleet.config.YamlTree.Kind;
import io.ringfleet.config.YamlTree.Mapping;
import io.ringfleet.config.YamlTree.Node;
import io.ringfleet.config.YamlTree.Scalar;
import io.ringfleet.config.YamlTree.Sequence;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns tree nodes into typed values. A value that is wrong throws {@link BadValue} whose message says what
 * was found and what is allowed; the caller adds file, line and field.
 */
final class Values {
    private Values() {}

    /** A value that cannot be used. A {@code null} message means it was already reported. */
    static final class BadValue extends Exception {
        BadValue(String message) {
            super(message, null, false, false);
        }
    }

    /** Reads one node into a value. */
    @FunctionalInterface
    interface Parser<T> {
        T parse(Node node) throws BadValue;
    }

    /** How a node reads in a message: strings quoted, numbers and booleans as written. */
    static String describe(Node node) {
        if (node instanceof Mapping) {
            return ((Mapping) node).entries().isEmpty() ? "an empty mapping" : "a mapping";
        }
        if (node instanceof Sequence) {
            return ((Sequence) node).items().isEmpty() ? "an empty list" : "a list";
        }
        Scalar s = (Scalar) node;
        switch (s.kind()) {
            case NULL:
                return "an empty value";
            case STRING:
                return quote(s.text());
            default:
                return s.text();
        }
    }

    /** {@code "text"}, with quotes, backslashes and control characters escaped. */
    static String quote(String text) {
        StringBuilder out = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"':
                    out.append("\\\"");
                    break;
                case '\\':
                    out.append("\\\\");
                    break;
                case '\n':
                    out.append("\\n");
                    break;
                case '\t':
                    out.append("\\t");
                    break;
                default:
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
            }
        }
        return out.append('"').toString();
    }

    /** The standard complaint: {@code <found> is not allowed; use <allowed>}. */
    static BadValue notAllowed(Node node, String allowed) {
        if (node instanceof Scalar && ((Scalar) node).kind() == Kind.INVALID) {
            return new BadValue(null);
        }
        if (node instanceof Scalar && ((Scalar) node).kind() == Kind.NULL) {
            return new BadValue("has no value; use " + allowed);
        }
        return new BadValue(describe(node) + " is not allowed; use " + allowed);
    }

    /** As {@link #notAllowed(Node, String)}, with the reason in parentheses. */
    static BadValue notAllowed(Node node, String reason, String allowed) {
        if (!(node instanceof Scalar)
                || ((Scalar) node).kind() == Kind.NULL
                || ((Scalar) node).kind() == Kind.INVALID) {
            return notAllowed(node, allowed);
        }
        return new BadValue(describe(node) + " is not allowed (" + reason + "); use " + allowed);
    }

    /** The text of any non-empty scalar (a string, or a number or boolean as written). */
    static String text(Node node, String allowed) throws BadValue {
        if (node instanceof Scalar) {
            Scalar s = (Scalar) node;
            if (s.kind() != Kind.NULL && s.kind() != Kind.INVALID) {
                return s.text();
            }
        }
        throw notAllowed(node, allowed);
    }

    /** A decimal integer from {@code min} to {@code max}; '_' may separate digits (1_000_000). */
    static int integer(Node node, int min, int max) throws BadValue {
        String allowed = "an integer from " + min + " to " + max;
        if (!(node instanceof Scalar) || ((Scalar) node).kind() != Kind.INTEGER) {
            throw notAllowed(node, allowed);
        }
        String text = ((Scalar) node).text();
        String digits = text.startsWith("+") || text.startsWith("-") ? text.substring(1) : text;
        if (digits.isEmpty() || !digits.matches("[0-9](_?[0-9])*") || digits.length() > 1 && digits.charAt(0) == '0') {
            throw notAllowed(node, "write it in decimal without leading zeros", allowed);
        }
        String plain = text.replace("_", "");
        long value;
        try {
            value = Long.parseLong(plain);
        } catch (NumberFormatException e) {
            throw notAllowed(node, allowed);
        }
        if (value < min || value > max) {
            throw notAllowed(node, allowed);
        }
        return (int) value;
    }

    /** {@code true} or {@code false} (YAML 1.1's yes/no/on/off are refused: they surprise people). */
    static boolean bool(Node node) throws BadValue {
        String allowed = "true or false";
        if (node instanceof Scalar && ((Scalar) node).kind() == Kind.BOOLEAN) {
            String t = ((Scalar) node).text();
            if (t.equals("true") || t.equals("True") || t.equals("TRUE")) {
                return true;
            }
            if (t.equals("false") || t.equals("False") || t.equals("FALSE")) {
                return false;
            }
        }
        throw notAllowed(node, allowed);
    }

    /** {@code a}, {@code a or b}, {@code a, b or c}. */
    static String oneOf(List<String> names) {
        if (names.size() == 1) {
            return names.get(0);
        }
        return String.join(", ", names.subList(0, names.size() - 1)) + " or " + names.get(names.size() - 1);
    }

    /**
     * An id list: a cpulist string ({@code "0-3,6"}), one integer, or a YAML list of integers and range
     * strings.
     */
    static IdList idList(Node node, int max, String what) throws BadValue {
        String allowed = what + " numbers and ranges like \"0-3,6\", each from 0 to " + max;
        try {
            if (node instanceof Sequence) {
                List<String> items = new ArrayList<>();
                for (Node item : ((Sequence) node).items()) {
                    if (!(item instanceof Scalar)
                            || (((Scalar) item).kind() != Kind.INTEGER && ((Scalar) item).kind() != Kind.STRING)) {
                        throw new BadValue("the list item " + describe(item) + " is not allowed; use " + allowed);
                    }
                    items.add(((Scalar) item).text());
                }
                if (items.isEmpty()) {
                    throw notAllowed(node, allowed);
                }
                return IdList.parse(String.join(",", items), max);
            }
            if (node instanceof Scalar
                    && (((Scalar) node).kind() == Kind.STRING || ((Scalar) node).kind() == Kind.INTEGER)) {
                return IdList.parse(((Scalar) node).text(), max);
            }
        } catch (IllegalArgumentException e) {
            if (node instanceof Sequence) {
                throw new BadValue("the list is not allowed (" + e.getMessage() + "); use " + allowed);
            }
            throw notAllowed(node, e.getMessage(), allowed);
        }
        throw notAllowed(node, allowed);
    }

    /** Edit distance, for "did you mean" hints. */
    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
