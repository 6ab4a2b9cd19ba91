package io.ringfleet.state.filter;

import io.ringfleet.api.DnsQueryMatch;
import io.ringfleet.state.PrintableText;
import java.util.Locale;

/**
 * A DNS query pattern of a pre-filter rule, canonical: lower case, no final dot. {@code www.example.com} matches that
 * name only; {@code *.example.com} matches names with at least one more label before {@code example.com}, not the
 * name itself (as the datapath's suffix keys do). {@code qtype} 0 matches any query type. Ordered by pattern, then
 * type.
 */
public record DnsPattern(String pattern, int qtype) implements Comparable<DnsPattern> {
    private static final String WILDCARD = "*.";

    /**
     * The canonical pattern of {@code text} (case folded, one final dot dropped) and {@code qtype}.
     *
     * @throws IllegalArgumentException naming the rule broken
     */
    public static DnsPattern of(String text, int qtype) {
        if (qtype < 0 || qtype > 65535) {
            throw new IllegalArgumentException(
                    "qtype " + Integer.toUnsignedString(qtype) + " is not 0..65535 (0: any)");
        }
        String name = text.endsWith(".") ? text.substring(0, text.length() - 1) : text;
        boolean wildcard = name.startsWith(WILDCARD);
        String suffix = wildcard ? name.substring(WILDCARD.length()) : name;
        if (suffix.isEmpty()) {
            throw new IllegalArgumentException(quote(text) + " has no name: write www.example.com or *.example.com");
        }
        if (name.length() > FilterLimits.MAX_DNS_NAME_CHARS) {
            throw new IllegalArgumentException(
                    quote(text) + " is " + name.length() + " characters, over " + FilterLimits.MAX_DNS_NAME_CHARS);
        }
        String[] labels = suffix.split("\\.", -1);
        int count = labels.length + (wildcard ? 1 : 0);
        if (count > FilterLimits.MAX_DNS_LABELS) {
            throw new IllegalArgumentException(
                    quote(text) + " has " + count + " labels, over " + FilterLimits.MAX_DNS_LABELS
                            + " (the datapath keeps the last " + FilterLimits.MAX_DNS_LABELS + ")");
        }
        for (String label : labels) {
            checkLabel(text, label);
        }
        return new DnsPattern(name.toLowerCase(Locale.ROOT), qtype);
    }

    public static DnsPattern fromProto(DnsQueryMatch proto) {
        return of(proto.getPattern(), proto.getQtype());
    }

    public DnsQueryMatch toProto() {
        return DnsQueryMatch.newBuilder().setPattern(pattern).setQtype(qtype).build();
    }

    /** A {@code *.suffix} pattern. */
    public boolean wildcard() {
        return pattern.startsWith(WILDCARD);
    }

    private static void checkLabel(String text, String label) {
        if (label.isEmpty() || label.length() > FilterLimits.MAX_DNS_LABEL_CHARS) {
            throw new IllegalArgumentException(quote(text) + " has a label of " + label.length()
                    + " characters: labels are 1.." + FilterLimits.MAX_DNS_LABEL_CHARS);
        }
        for (int i = 0; i < label.length(); i++) {
            char c = label.charAt(i);
            if (c <= 0x20 || c >= 0x7f || c == '*') {
                throw new IllegalArgumentException(quote(text) + " has " + describe(c) + " in a label: labels are"
                        + " printable ASCII without spaces, and '*' is only the whole first label (*.example.com)");
            }
        }
    }

    private static String describe(char c) {
        return c == '*' ? "a '*'" : String.format("character U+%04X", (int) c);
    }

    @Override
    public int compareTo(DnsPattern o) {
        int c = pattern.compareTo(o.pattern);
        return c != 0 ? c : Integer.compare(qtype, o.qtype);
    }

    @Override
    public String toString() {
        return pattern + (qtype == 0 ? "" : " type " + qtype);
    }

    private static String quote(String text) {
        return "dns pattern \"" + PrintableText.of(text, 64) + "\"";
    }
}
