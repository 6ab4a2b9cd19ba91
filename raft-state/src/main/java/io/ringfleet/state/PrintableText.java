package io.ringfleet.state;

/**
 * The one owner of how text that came from outside (certificate CNs, principals, request ids, drain reasons,
 * rejection messages quoting them) is made safe to log or print: every character that could forge a log line
 * or drive a terminal is escaped, so what is shown is one line that reads back unambiguously.
 *
 * <p>Escaped: backslash ({@code \\}), newline ({@code \n}), carriage return ({@code \r}), tab ({@code \t}),
 * escape ({@code \e}, the start of every ANSI sequence), every other C0/C1 control and DEL ({@code \xHH}),
 * the invisible and direction-changing format characters (zero-width, line/paragraph separators, bidi
 * embeddings, overrides and isolates, BOM) and unpaired surrogates (a backslash, then {@code u{HHHH}} with the
 * code in hex). Everything else,
 * including non-ASCII letters and emoji, is kept.
 */
public final class PrintableText {
    /** Longest text shown by {@link #of(String)}; longer text is cut and marked. */
    public static final int DEFAULT_MAX_CHARS = 256;

    private PrintableText() {}

    /** {@code text} escaped and cut at {@link #DEFAULT_MAX_CHARS} characters; "null" for null. */
    public static String of(String text) {
        return of(text, DEFAULT_MAX_CHARS);
    }

    /** {@code text} escaped and cut at {@code maxChars} input characters (then "...(N more)"). */
    public static String of(String text, int maxChars) {
        if (text == null) {
            return "null";
        }
        int end = Math.min(text.length(), maxChars);
        StringBuilder out = new StringBuilder(end + 16);
        for (int i = 0; i < end; i++) {
            append(out, text, i);
        }
        if (end < text.length()) {
            out.append("...(").append(text.length() - end).append(" more)");
        }
        return out.toString();
    }

    /** True if {@link #of(String)} would show {@code text} unchanged (short enough, nothing to escape). */
    public static boolean isPrintable(String text) {
        return text != null && text.length() <= DEFAULT_MAX_CHARS && of(text).equals(text);
    }

    private static void append(StringBuilder out, String s, int i) {
        char c = s.charAt(i);
        switch (c) {
            case '\\' -> out.append("\\\\");
            case '\n' -> out.append("\\n");
            case '\r' -> out.append("\\r");
            case '\t' -> out.append("\\t");
            case 0x1b -> out.append("\\e");
            default -> {
                if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) {
                    out.append(String.format("\\x%02x", (int) c));
                } else if (invisible(c) || unpaired(s, i)) {
                    out.append(String.format("\\u{%04X}", (int) c));
                } else {
                    out.append(c);
                }
            }
        }
    }

    /** Zero-width, line/paragraph separators, bidi controls, word joiners and invisible operators, BOM. */
    private static boolean invisible(char c) {
        return (c >= 0x200b && c <= 0x200f)
                || (c >= 0x2028 && c <= 0x202e)
                || (c >= 0x2060 && c <= 0x206f)
                || c == 0x061c
                || c == 0xfeff
                || (c >= 0xfff9 && c <= 0xfffb);
    }

    private static boolean unpaired(String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1));
        }
        if (Character.isLowSurrogate(c)) {
            return i == 0 || !Character.isHighSurrogate(s.charAt(i - 1));
        }
        return false;
    }
}
