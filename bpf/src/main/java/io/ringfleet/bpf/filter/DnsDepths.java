package io.ringfleet.bpf.filter;

import io.ringfleet.bpf.filter.FilterRule.DnsQuery;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * struct rf_filter_dns_depths: which filter_dns keys exist, by kind (exact name / suffix), by whether they name a
 * query type, and by label count (bit d-1: a pattern of d labels, after "*." for a suffix). The program looks up
 * only the depths set here, so a DNS query that matches nothing costs one hash lookup per depth that has rules,
 * and with no DNS rule the name is not read at all.
 */
public record DnsDepths(int exactAny, int exactTyped, int suffixAny, int suffixTyped) {
    public static final DnsDepths NONE = new DnsDepths(0, 0, 0, 0);
    /** sizeof(struct rf_filter_dns_depths). */
    public static final int SIZE = 16;

    public static final int OFF_EXACT_ANY = 0;
    public static final int OFF_EXACT_TYPED = 4;
    public static final int OFF_SUFFIX_ANY = 8;
    public static final int OFF_SUFFIX_TYPED = 12;

    /** The depths of the DNS rules among {@code rules}. */
    public static DnsDepths of(List<FilterRule> rules) {
        DnsDepths d = NONE;
        for (FilterRule r : rules) {
            if (r.target() instanceof DnsQuery q) {
                d = d.with(q);
            }
        }
        return d;
    }

    private DnsDepths with(DnsQuery q) {
        int bit = 1 << (q.labels().size() - 1);
        boolean typed = q.qtype() != 0;
        if (q.wildcard()) {
            return typed
                    ? new DnsDepths(exactAny, exactTyped, suffixAny, suffixTyped | bit)
                    : new DnsDepths(exactAny, exactTyped, suffixAny | bit, suffixTyped);
        }
        return typed
                ? new DnsDepths(exactAny, exactTyped | bit, suffixAny, suffixTyped)
                : new DnsDepths(exactAny | bit, exactTyped, suffixAny, suffixTyped);
    }

    /** Every depth of both: what the program may look up while one rule set replaces another. */
    public DnsDepths union(DnsDepths other) {
        return new DnsDepths(
                exactAny | other.exactAny,
                exactTyped | other.exactTyped,
                suffixAny | other.suffixAny,
                suffixTyped | other.suffixTyped);
    }

    public byte[] encode() {
        return ByteBuffer.allocate(SIZE)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putInt(OFF_EXACT_ANY, exactAny)
                .putInt(OFF_EXACT_TYPED, exactTyped)
                .putInt(OFF_SUFFIX_ANY, suffixAny)
                .putInt(OFF_SUFFIX_TYPED, suffixTyped)
                .array();
    }
}
