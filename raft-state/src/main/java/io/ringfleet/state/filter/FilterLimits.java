package io.ringfleet.state.filter;

/**
 * The pre-filter's limits, in one place. They are the datapath's capacities (bpf: {@code filter_consts.h} and
 * {@code rf_abi.h}), not fleet settings: the agent loads the filter with those map sizes whatever the log says, so a
 * log that accepted more than they hold could not be programmed. If the map sizes ever become fleet settings
 * ({@code FleetSettingsSpec} fields 22-23 are kept for it), these become their defaults.
 */
public final class FilterLimits {
    /** Rule numbers are 1 .. this: {@code RF_FILTER_MAX_RULES} (16384) ids, id 0 meaning "no rule". */
    public static final int MAX_RULES = 16383;
    /** DNS rules: each is one key of {@code filter_dns}, {@code RF_FILTER_MAX_DNS} entries. */
    public static final int MAX_DNS_RULES = 4096;
    /**
     * Rules in one prefix's chain ({@code RF_FILTER_CHAIN_LEN}): its own rules and those of every prefix covering
     * it, on the same side (source or destination) and family. The trie returns only the longest prefix, so the
     * agent copies the covering prefixes' rules into each chain.
     */
    public static final int CHAIN_LENGTH = 8;
    /** Labels of a DNS pattern ({@code RF_FILTER_DNS_MAX_LABELS}: the program keeps the last 16 of a name). */
    public static final int MAX_DNS_LABELS = 16;
    /** Characters of a DNS label (RFC 1035; longer length bytes are compression pointers). */
    public static final int MAX_DNS_LABEL_CHARS = 63;
    /** Characters of a DNS name without its final dot (255 bytes encoded, RFC 1035). */
    public static final int MAX_DNS_NAME_CHARS = 253;
    /** Characters of a rule's name. */
    public static final int MAX_NAME_CHARS = 64;
    /** Largest rate per CPU: rate x 1e9 ns of burst must fit the program's 64-bit token counts. */
    public static final long MAX_RATE_PER_CPU = 10_000_000_000L;

    private FilterLimits() {}
}
