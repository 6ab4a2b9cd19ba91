package io.ringfleet.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * A YAML document read into a small tree whose every node and key knows its line.
 *
 * <p>Built by walking {@link YAMLParser}'s token stream and recording {@link JsonLocation#getLineNr()} of
 * every token, because jackson's {@code JsonNode} tree forgets locations. Duplicate keys and aliases, which
 * the token stream passes through silently, are reported as problems here.
 */
final class YamlTree {
    /** Deep enough for any config; stops a hostile file from exhausting the stack. */
    static final int MAX_DEPTH = 64;

    /**
     * An empty plain value ({@code key:}) reads as null, a quoted one ({@code key: ''}) as "". The builder
     * does not turn this on by itself, unlike {@code new YAMLFactory()}, so it is set here explicitly.
     */
    private static final YAMLFactory FACTORY = YAMLFactory.builder()
            .enable(YAMLParser.Feature.EMPTY_STRING_AS_NULL)
            .build();

    private YamlTree() {}

    /** A node of the tree. */
    sealed interface Node permits Mapping, Sequence, Scalar {
        /** 1-based line where the node starts. */
        int line();
    }

    /** One {@code key: value} of a mapping. */
    record Entry(String key, int keyLine, Node value) {}

    /** A mapping, keys in file order. */
    record Mapping(int line, Map<String, Entry> entries) implements Node {
        Mapping {
            entries = Collections.unmodifiableMap(new LinkedHashMap<>(entries));
        }
    }

    /** A sequence, items in file order. */
    record Sequence(int line, List<Node> items) implements Node {
        Sequence {
            items = List.copyOf(items);
        }
    }

    /** What kind of scalar YAML resolved a value to. */
    enum Kind {
        STRING,
        INTEGER,
        FLOAT,
        BOOLEAN,
        NULL,
        INVALID
    }

    /**
     * A scalar value with its source text ({@code yes} stays {@code "yes"} even though YAML reads it as a
     * boolean). {@link Kind#INVALID} marks a value already reported as a problem (an alias).
     */
    record Scalar(int line, Kind kind, String text) implements Node {}

    /**
     * Reads {@code text} as one YAML document. Returns {@code null} for an empty document or after a syntax
     * error, which is reported; duplicate keys, aliases and a second document are reported and a tree is
     * still returned, so that the rest of the file can be checked too.
     */
    static Node read(String text, Problems problems) {
        try (YAMLParser parser = FACTORY.createParser(text)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                return null;
            }
            Node root = readValue(parser, problems, 1, "");
            JsonToken next = parser.nextToken();
            if (next != null) {
                problems.error(
                        line(parser), "", "a second YAML document starts here; a fleet config is exactly one document");
            }
            return root;
        } catch (JsonProcessingException e) {
            reportSyntax(e, problems);
            return null;
        } catch (IOException e) {
            // Reading from a String cannot fail with plain I/O; keep the cause visible all the same.
            problems.error(0, "", "cannot read YAML: " + e.getMessage());
            return null;
        }
    }

    private static Node readValue(YAMLParser parser, Problems problems, int depth, String path) throws IOException {
        JsonToken token = parser.currentToken();
        int line = line(parser);
        if (depth > MAX_DEPTH) {
            throw new JsonTooDeep(line);
        }
        switch (token) {
            case START_OBJECT: {
                Map<String, Entry> entries = new LinkedHashMap<>();
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String key = parser.currentName();
                    int keyLine = line(parser);
                    String child = path.isEmpty() ? key : path + "." + key;
                    parser.nextToken();
                    Node value = readValue(parser, problems, depth + 1, child);
                    Entry previous = entries.get(key);
                    if (previous != null) {
                        problems.error(
                                keyLine,
                                child,
                                "duplicate key; it is already set on line " + previous.keyLine()
                                        + ". Give each key once");
                    } else {
                        entries.put(key, new Entry(key, keyLine, value));
                    }
                }
                return new Mapping(line, entries);
            }
            case START_ARRAY: {
                List<Node> items = new ArrayList<>();
                while (parser.nextToken() != JsonToken.END_ARRAY) {
                    items.add(readValue(parser, problems, depth + 1, path + "[" + items.size() + "]"));
                }
                return new Sequence(line, items);
            }
            default:
                return scalar(parser, token, line, problems, path);
        }
    }

    private static Scalar scalar(YAMLParser parser, JsonToken token, int line, Problems problems, String path)
            throws IOException {
        String text = parser.getText();
        if (parser.isCurrentAlias()) {
            problems.error(
                    line,
                    path,
                    "the YAML alias *" + text
                            + " is not allowed; write the value out (anchors and aliases are not supported)");
            return new Scalar(line, Kind.INVALID, text);
        }
        Kind kind;
        switch (token) {
            case VALUE_STRING:
                kind = Kind.STRING;
                break;
            case VALUE_NUMBER_INT:
                kind = Kind.INTEGER;
                break;
            case VALUE_NUMBER_FLOAT:
                kind = Kind.FLOAT;
                break;
            case VALUE_TRUE:
            case VALUE_FALSE:
                kind = Kind.BOOLEAN;
                break;
            case VALUE_NULL:
                kind = Kind.NULL;
                break;
            default:
                kind = Kind.STRING;
                break; // embedded objects do not occur in YAML text
        }
        return new Scalar(line, kind, text == null ? "" : text);
    }

    private static int line(YAMLParser parser) {
        JsonLocation location = parser.currentTokenLocation();
        return location == null ? 0 : Math.max(location.getLineNr(), 0);
    }

    private static void reportSyntax(JsonProcessingException e, Problems problems) {
        if (e instanceof JsonTooDeep) {
            problems.error(
                    ((JsonTooDeep) e).line,
                    "",
                    "nesting is deeper than " + MAX_DEPTH + " levels; a fleet config needs only a few");
            return;
        }
        MarkedYAMLException marked = findMarked(e);
        if (marked != null && marked.getProblemMark() != null) {
            Mark mark = marked.getProblemMark();
            String problem = marked.getProblem() == null ? "syntax error" : marked.getProblem();
            String context = marked.getContext();
            String detail = context == null ? problem : problem + " (" + context + ")";
            problems.error(mark.getLine() + 1, "", "not valid YAML: " + detail);
            return;
        }
        JsonLocation location = e.getLocation();
        int line = location == null ? 0 : Math.max(location.getLineNr(), 0);
        String message = e.getOriginalMessage() == null ? "syntax error" : e.getOriginalMessage();
        problems.error(line, "", "not valid YAML: " + firstLine(message));
    }

    private static MarkedYAMLException findMarked(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof MarkedYAMLException) {
                return (MarkedYAMLException) t;
            }
        }
        return null;
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /** Thrown inside the reader when nesting passes {@link #MAX_DEPTH}. */
    private static final class JsonTooDeep extends JsonProcessingException {
        private final int line;

        JsonTooDeep(int line) {
            super("too deep");
            this.line = line;
        }
    }
}
