package io.ringfleet.agent.cli;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.Struct;
import com.google.protobuf.util.JsonFormat;
import io.ringfleet.state.PrintableText;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * Prints results as aligned tables (for people) or one JSON document per line (for scripts). Text for people is
 * escaped by {@link PrintableText}: a principal, request id or drain reason cannot print a newline or drive the
 * terminal with an ANSI escape. JSON escapes control characters itself ({@link ProtoJson}).
 */
final class Output {
    /** Longest text shown in a table cell or line before it is cut. */
    static final int MAX_CELL = 4096;

    /** Output formats of {@code -o}. */
    enum Format {
        table,
        json
    }

    private static final JsonFormat.Printer JSON = JsonFormat.printer()
            .alwaysPrintFieldsWithNoPresence()
            .preservingProtoFieldNames()
            .omittingInsignificantWhitespace()
            .sortingMapKeys();

    private final Format format;
    private final PrintWriter out;

    Output(Format format, PrintWriter out) {
        this.format = format;
        this.out = out;
    }

    boolean json() {
        return format == Format.json;
    }

    /** The message as one line of JSON (field names as in the .proto files, every field printed). */
    void json(MessageOrBuilder message) {
        out.println(toJson(message));
        out.flush();
    }

    /**
     * A response as {@link ProtoJson} prints it (numbers as numbers, digests in hex, addresses as text); a
     * {@code google.protobuf.Struct} (lbctl's own documents) as proto3 JSON, which is already plain for it.
     */
    static String toJson(MessageOrBuilder message) {
        if (!(message instanceof Struct)) {
            return ProtoJson.print(message);
        }
        try {
            return JSON.print(message);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("cannot print " + message.getClass().getSimpleName() + " as JSON", e);
        }
    }

    /** A line printed as it is: JSON that its writer escaped already. */
    void raw(String json) {
        out.println(json);
        out.flush();
    }

    void line(String text) {
        out.println(PrintableText.of(text, MAX_CELL));
        out.flush();
    }

    Table table(String... headers) {
        return new Table(headers);
    }

    /** The response as JSON, or else the text made of it; returns {@link ExitCodes#OK}. */
    int show(MessageOrBuilder response, Supplier<String> text) {
        if (json()) {
            json(response);
        } else {
            line(text.get());
        }
        return ExitCodes.OK;
    }

    /**
     * The response as JSON, or else a table under these headers with the rows that {@code rows} adds for each item;
     * returns {@link ExitCodes#OK}.
     */
    <T> int list(MessageOrBuilder response, List<T> items, BiConsumer<Table, T> rows, String... headers) {
        if (json()) {
            json(response);
            return ExitCodes.OK;
        }
        Table t = table(headers);
        for (T item : items) {
            rows.accept(t, item);
        }
        t.print();
        return ExitCodes.OK;
    }

    /** Columns padded to their widest cell; printed by {@link #print()}. */
    final class Table {
        private final List<String[]> rows = new ArrayList<>();
        private final int columns;

        Table(String... headers) {
            this.columns = headers.length;
            rows.add(headers);
        }

        Table row(Object... cells) {
            String[] r = new String[columns];
            for (int i = 0; i < columns; i++) {
                r[i] = i < cells.length && cells[i] != null ? PrintableText.of(String.valueOf(cells[i]), MAX_CELL) : "";
            }
            rows.add(r);
            return this;
        }

        void print() {
            print(true);
        }

        /** Prints the rows, with the header row or without it (widths count it either way). */
        void print(boolean header) {
            int[] width = new int[columns];
            for (String[] r : rows) {
                for (int i = 0; i < columns; i++) {
                    width[i] = Math.max(width[i], r[i].length());
                }
            }
            for (int row = header ? 0 : 1; row < rows.size(); row++) {
                String[] r = rows.get(row);
                StringBuilder sb = new StringBuilder();
                for (int i = 0; i < columns; i++) {
                    sb.append(r[i]);
                    if (i < columns - 1) {
                        sb.append(" ".repeat(width[i] - r[i].length() + 2));
                    }
                }
                out.println(sb.toString().stripTrailing());
            }
            out.flush();
        }
    }
}
