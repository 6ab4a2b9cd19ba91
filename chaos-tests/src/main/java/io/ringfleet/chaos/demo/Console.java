package io.ringfleet.chaos.demo;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The demo's progress output: numbered steps, indented detail lines with the time since start, aligned
 * tables. Thread-safe (lines from the topology's log may come from any thread).
 */
final class Console {
    private final PrintStream out;
    private final long start = System.nanoTime();
    private final int steps;
    private int step;

    Console(PrintStream out, int steps) {
        this.out = out;
        this.steps = steps;
    }

    synchronized void step(String title) {
        step++;
        out.println();
        out.printf("%s ==> [%d/%d] %s%n", stamp(), step, steps, title);
        out.flush();
    }

    synchronized void line(String text) {
        out.printf("%s     %s%n", stamp(), text);
        out.flush();
    }

    synchronized void plain(String text) {
        out.println(text);
        out.flush();
    }

    /** Prints rows as a table, columns padded to their widest cell; the first row is the header. */
    synchronized void table(List<List<String>> rows) {
        if (rows.isEmpty()) {
            return;
        }
        int cols = rows.get(0).size();
        int[] width = new int[cols];
        for (List<String> r : rows) {
            for (int c = 0; c < cols; c++) {
                width[c] = Math.max(width[c], r.get(c).length());
            }
        }
        for (List<String> r : rows) {
            StringBuilder sb = new StringBuilder();
            for (int c = 0; c < cols; c++) {
                String cell = r.get(c);
                if (c == 0) {
                    sb.append(cell).append(" ".repeat(width[c] - cell.length()));
                } else {
                    sb.append("  ").append(" ".repeat(width[c] - cell.length())).append(cell);
                }
            }
            out.printf("%s       %s%n", stamp(), sb);
        }
        out.flush();
    }

    /** A table row from any values. */
    static List<String> row(Object... cells) {
        List<String> r = new ArrayList<>();
        for (Object c : cells) {
            r.add(String.valueOf(c));
        }
        return r;
    }

    private String stamp() {
        return String.format("[%6.1fs]", (System.nanoTime() - start) / 1e9);
    }
}
