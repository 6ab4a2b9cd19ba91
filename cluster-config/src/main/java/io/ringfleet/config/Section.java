package io.ringfleet.config;

import io.ringfleet.config.YamlTree.Entry;
import io.ringfleet.config.YamlTree.Kind;
import io.ringfleet.config.YamlTree.Mapping;
import io.ringfleet.config.YamlTree.Node;
import io.ringfleet.config.YamlTree.Scalar;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A mapping of the file with a fixed set of allowed keys, and where it is. Reading one reports a value that
 * is not a mapping and every unknown key (with a "did you mean" when a known key is close).
 */
final class Section {
    private final String path;
    private final int line;
    private final boolean present;
    private final boolean wrongShape;
    private final Map<String, Entry> entries;

    private Section(String path, int line, boolean present, boolean wrongShape, Map<String, Entry> entries) {
        this.path = path;
        this.line = line;
        this.present = present;
        this.wrongShape = wrongShape;
        this.entries = entries;
    }

    /** A section that is not in the file; {@code line} is where errors about it are reported. */
    static Section absent(String path, int line) {
        return new Section(path, line, false, false, Map.of());
    }

    /**
     * Reads {@code node} (the value of a key on {@code keyLine}) as a section. An empty value counts as an
     * empty section.
     *
     * @param what what the section holds, for the message when it is not a mapping
     * @param elsewhere keys that belong in another section, with where they go (for unknown-key hints)
     */
    static Section read(
            Node node,
            int keyLine,
            String path,
            List<String> allowed,
            String what,
            Map<String, String> elsewhere,
            Problems problems) {
        if (node instanceof Scalar && ((Scalar) node).kind() == Kind.NULL) {
            return new Section(path, keyLine, true, false, Map.of());
        }
        if (!(node instanceof Mapping)) {
            if (!(node instanceof Scalar && ((Scalar) node).kind() == Kind.INVALID)) {
                problems.error(
                        node instanceof Scalar ? node.line() : keyLine,
                        path,
                        Values.describe(node) + " is not allowed; use a mapping of " + what);
            }
            return new Section(path, keyLine, true, true, Map.of());
        }
        Mapping map = (Mapping) node;
        for (Entry e : map.entries().values()) {
            if (!allowed.contains(e.key())) {
                problems.error(e.keyLine(), join(path, e.key()), unknown(e.key(), allowed, elsewhere));
            }
        }
        return new Section(path, keyLine, true, false, map.entries());
    }

    static String join(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    private static String unknown(String key, List<String> allowed, Map<String, String> elsewhere) {
        String hint = "";
        String where = elsewhere.get(key);
        if (where != null) {
            hint = " " + key + " belongs in " + where + ".";
        } else {
            String close = closest(key, allowed);
            if (close != null) {
                hint = " Did you mean " + close + "?";
            }
        }
        return "unknown field." + hint + " Allowed here: " + String.join(", ", allowed);
    }

    private static String closest(String key, List<String> allowed) {
        String squashed = squash(key);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : allowed) {
            if (squash(candidate).equals(squashed)) {
                return candidate;
            }
            int d = Values.distance(key.toLowerCase(Locale.ROOT), candidate);
            if (d < bestDistance) {
                bestDistance = d;
                best = candidate;
            }
        }
        int tolerance = key.length() <= 4 ? 1 : 2;
        return bestDistance <= tolerance ? best : null;
    }

    /** raft_address, raftAddress and raft-address all squash to "raftaddress". */
    private static String squash(String key) {
        return key.replace("-", "").replace("_", "").toLowerCase(Locale.ROOT);
    }

    /** The section's path ("" for the top level). */
    String path() {
        return path;
    }

    /** The line errors about the whole section point at. */
    int line() {
        return line;
    }

    /** Whether the section is in the file. */
    boolean present() {
        return present;
    }

    /** Whether the value was not a mapping (already reported): say nothing more about what it lacks. */
    boolean wrongShape() {
        return wrongShape;
    }

    boolean has(String key) {
        return entries.containsKey(key);
    }

    /** The entry for {@code key}, or null. */
    Entry entry(String key) {
        return entries.get(key);
    }

    Map<String, Entry> entries() {
        return entries;
    }

    /** The path of a key of this section. */
    String child(String key) {
        return join(path, key);
    }
}
