package io.ringfleet.state.filter;

import io.ringfleet.api.FilterAction;
import io.ringfleet.api.FilterMode;
import io.ringfleet.api.FilterRate;
import io.ringfleet.api.FilterRuleEntry;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One pre-filter rule as the image holds it: the {@link FilterRuleEntry} of its record, checked. An invalid one is
 * never built: {@link #of} throws {@link IllegalArgumentException} naming the field and the rule broken, so the same
 * checks guard validation (which builds the entry from an operator's spec) and replay (which reads it from a record
 * or a snapshot). What depends on the other rules (names, limits, chains) is {@code FilterRules}'.
 */
public final class FilterRule {
    /** A rule's name: 1..64 characters of [A-Za-z0-9._-], starting with a letter or digit. */
    public static final Pattern NAME =
            Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0," + (FilterLimits.MAX_NAME_CHARS - 1) + "}");

    /** What the rule is looked up by. */
    public enum Side {
        SOURCE,
        DESTINATION,
        DNS
    }

    private final FilterRuleEntry entry;
    private final Side side;
    private final FilterPrefix prefix;
    private final DnsPattern dns;

    private FilterRule(FilterRuleEntry entry, Side side, FilterPrefix prefix, DnsPattern dns) {
        this.entry = entry;
        this.side = side;
        this.prefix = prefix;
        this.dns = dns;
    }

    /**
     * The rule of {@code entry}, which must be canonical (prefixes with zero host bits, the DNS pattern lower case).
     *
     * @throws IllegalArgumentException naming the field and what is allowed
     */
    public static FilterRule of(FilterRuleEntry entry) {
        if (entry.getRuleNum() < 1 || entry.getRuleNum() > FilterLimits.MAX_RULES) {
            throw new IllegalArgumentException("rule_num " + Integer.toUnsignedString(entry.getRuleNum())
                    + " is not 1.." + FilterLimits.MAX_RULES);
        }
        checkName(entry.getName());
        FilterRule rule = switch (entry.getKeyCase()) {
            case SOURCE_PREFIX ->
                new FilterRule(entry, Side.SOURCE, prefix("source_prefix", entry.getSourcePrefix()), null);
            case DESTINATION_PREFIX ->
                new FilterRule(
                        entry, Side.DESTINATION, prefix("destination_prefix", entry.getDestinationPrefix()), null);
            case DNS -> new FilterRule(entry, Side.DNS, null, dns(entry));
            case KEY_NOT_SET ->
                throw new IllegalArgumentException("a rule needs a key: source_prefix, destination_prefix or dns");
        };
        rule.checkOther();
        FilterConditionsCheck.check(entry.getConditions(), rule.side == Side.DNS);
        checkAction(entry);
        if (entry.getMode() != FilterMode.FILTER_ENFORCE && entry.getMode() != FilterMode.FILTER_OBSERVE) {
            throw new IllegalArgumentException(
                    "mode must be FILTER_ENFORCE or FILTER_OBSERVE, got " + modeName(entry.getModeValue()));
        }
        return rule;
    }

    /** The same rule in {@code mode}. */
    public FilterRule withMode(FilterMode mode) {
        return of(entry.toBuilder().setMode(mode).build());
    }

    public FilterRuleEntry entry() {
        return entry;
    }

    public int ruleNum() {
        return entry.getRuleNum();
    }

    public String name() {
        return entry.getName();
    }

    public int priority() {
        return entry.getPriority();
    }

    public Side side() {
        return side;
    }

    /** The source or destination prefix the rule is keyed by; empty for a DNS rule. */
    public Optional<FilterPrefix> prefix() {
        return Optional.ofNullable(prefix);
    }

    /** The DNS pattern the rule is keyed by; empty for a prefix rule. */
    public Optional<DnsPattern> dns() {
        return Optional.ofNullable(dns);
    }

    /** The prefix the other address must lie in; empty: any. */
    public Optional<FilterPrefix> other() {
        return entry.hasOtherPrefix() ? Optional.of(FilterPrefix.fromProto(entry.getOtherPrefix())) : Optional.empty();
    }

    public FilterAction action() {
        return entry.getAction();
    }

    public FilterMode mode() {
        return entry.getMode();
    }

    public boolean observeOnly() {
        return entry.getMode() == FilterMode.FILTER_OBSERVE;
    }

    /** The enum constant's name, or "unknown value N" for a number this build does not know. */
    public static String actionName(int value) {
        FilterAction a = FilterAction.forNumber(value);
        return a == null ? "unknown value " + value : a.name();
    }

    /** The enum constant's name, or "unknown value N" for a number this build does not know. */
    public static String modeName(int value) {
        FilterMode m = FilterMode.forNumber(value);
        return m == null ? "unknown value " + value : m.name();
    }

    private static void checkName(String name) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("name \"" + io.ringfleet.state.PrintableText.of(name, 64)
                    + "\" is not 1.." + FilterLimits.MAX_NAME_CHARS
                    + " characters of [A-Za-z0-9._-] starting with a letter or digit");
        }
    }

    private static FilterPrefix prefix(String field, io.ringfleet.api.FilterPrefix proto) {
        try {
            return FilterPrefix.fromProto(proto);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(field + ": " + e.getMessage());
        }
    }

    private static DnsPattern dns(FilterRuleEntry entry) {
        DnsPattern p;
        try {
            p = DnsPattern.fromProto(entry.getDns());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("dns: " + e.getMessage());
        }
        if (!p.pattern().equals(entry.getDns().getPattern())) {
            throw new IllegalArgumentException("dns: pattern \""
                    + entry.getDns().getPattern() + "\" is not canonical (lower case, no final dot): " + p.pattern());
        }
        return p;
    }

    /** The other address's prefix: a prefix rule's must be of the key's family. */
    private void checkOther() {
        if (!entry.hasOtherPrefix()) {
            return;
        }
        FilterPrefix other = prefix("other_prefix", entry.getOtherPrefix());
        if (prefix != null && other.isV6() != prefix.isV6()) {
            throw new IllegalArgumentException("other_prefix " + other + " is not of the family of "
                    + (side == Side.SOURCE ? "source_prefix " : "destination_prefix ") + prefix
                    + ": a packet's source and destination are of one family");
        }
    }

    private static void checkAction(FilterRuleEntry entry) {
        FilterAction action = entry.getAction();
        if (action == FilterAction.FILTER_RATE_LIMIT) {
            if (!entry.hasRate()) {
                throw new IllegalArgumentException("a FILTER_RATE_LIMIT rule needs a rate (packets and/or bytes per"
                        + " second per CPU, and the over_rate action)");
            }
            checkRate(entry.getRate());
        } else if (action == FilterAction.FILTER_DROP || action == FilterAction.FILTER_PASS) {
            if (entry.hasRate()) {
                throw new IllegalArgumentException("rate is for FILTER_RATE_LIMIT rules only, not " + action);
            }
        } else {
            throw new IllegalArgumentException("action must be FILTER_DROP, FILTER_PASS or FILTER_RATE_LIMIT, got "
                    + actionName(entry.getActionValue()));
        }
    }

    private static void checkRate(FilterRate rate) {
        long pps = rate.getPacketsPerSecondPerCpu();
        long bps = rate.getBytesPerSecondPerCpu();
        if (Long.compareUnsigned(pps, FilterLimits.MAX_RATE_PER_CPU) > 0
                || Long.compareUnsigned(bps, FilterLimits.MAX_RATE_PER_CPU) > 0) {
            throw new IllegalArgumentException("rate: packets_per_second_per_cpu and bytes_per_second_per_cpu must be"
                    + " 0.." + FilterLimits.MAX_RATE_PER_CPU + ", got " + Long.toUnsignedString(pps) + " and "
                    + Long.toUnsignedString(bps));
        }
        if (pps == 0 && bps == 0) {
            throw new IllegalArgumentException(
                    "rate: set packets_per_second_per_cpu or bytes_per_second_per_cpu above 0"
                            + " (0 means no limit, and a rate limit needs one)");
        }
        if (rate.getOverRate() != FilterAction.FILTER_DROP && rate.getOverRate() != FilterAction.FILTER_PASS) {
            throw new IllegalArgumentException(
                    "rate: over_rate must be FILTER_DROP or FILTER_PASS, got " + actionName(rate.getOverRateValue()));
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FilterRule r && entry.equals(r.entry);
    }

    @Override
    public int hashCode() {
        return entry.hashCode();
    }

    @Override
    public String toString() {
        return "FilterRule{" + ruleNum() + " " + name() + " " + (prefix != null ? side + " " + prefix : "dns " + dns)
                + " " + action() + " " + mode() + "}";
    }
}
