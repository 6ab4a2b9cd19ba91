package io.ringfleet.state;

import io.ringfleet.state.collect.PersistentSortedMap;
import io.ringfleet.state.filter.DnsPattern;
import io.ringfleet.state.filter.FilterPrefix;
import io.ringfleet.state.filter.FilterRule;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;

/**
 * The pre-filter rules of an image (fleet version 5): by rule number (the datapath's rule id), with the indexes
 * validation needs (by name, by DNS pattern and type). Immutable; persistent maps, so an image after one rule change
 * shares everything else with the one before.
 */
public final class FilterImage {
    public static final FilterImage EMPTY = new FilterImage(
            PersistentSortedMap.empty(),
            PersistentSortedMap.empty(),
            PersistentSortedMap.empty(),
            PersistentSortedMap.empty(),
            PersistentSortedMap.empty());

    /** The order the datapath tries rules in: priority, then name (names are unique). */
    public static final Comparator<FilterRule> TRY_ORDER = Comparator.comparingLong(
                    (FilterRule r) -> Integer.toUnsignedLong(r.priority()))
            .thenComparing(FilterRule::name);

    private final PersistentSortedMap<Integer, FilterRule> byNum;
    private final PersistentSortedMap<String, Integer> byName;
    private final PersistentSortedMap<DnsPattern, Integer> byDns;
    /** How many rules each source prefix keys (for the chain-length check: one lookup per covering length). */
    private final PersistentSortedMap<FilterPrefix, Integer> sources;
    /** Likewise for destination prefixes. */
    private final PersistentSortedMap<FilterPrefix, Integer> destinations;

    FilterImage(
            PersistentSortedMap<Integer, FilterRule> byNum,
            PersistentSortedMap<String, Integer> byName,
            PersistentSortedMap<DnsPattern, Integer> byDns,
            PersistentSortedMap<FilterPrefix, Integer> sources,
            PersistentSortedMap<FilterPrefix, Integer> destinations) {
        this.byNum = byNum;
        this.byName = byName;
        this.byDns = byDns;
        this.sources = sources;
        this.destinations = destinations;
    }

    /** The rules by number as the persistent map itself (for diffs between images). */
    public PersistentSortedMap<Integer, FilterRule> map() {
        return byNum;
    }

    PersistentSortedMap<String, Integer> nameMap() {
        return byName;
    }

    PersistentSortedMap<DnsPattern, Integer> dnsMap() {
        return byDns;
    }

    /**
     * The prefixes rules of {@code side} (SOURCE or DESTINATION) are keyed by, each with how many rules it keys;
     * ordered IPv4 before IPv6, then by address and length, so the prefixes inside one follow it.
     */
    public SortedMap<FilterPrefix, Integer> prefixCounts(FilterRule.Side side) {
        return switch (side) {
            case SOURCE -> sources;
            case DESTINATION -> destinations;
            case DNS -> throw new IllegalArgumentException("dns rules have no prefix");
        };
    }

    PersistentSortedMap<FilterPrefix, Integer> prefixMap(FilterRule.Side side) {
        return side == FilterRule.Side.SOURCE ? sources : destinations;
    }

    public Optional<FilterRule> rule(int ruleNum) {
        return Optional.ofNullable(byNum.get(ruleNum));
    }

    public Optional<FilterRule> named(String name) {
        Integer num = byName.get(name);
        return num == null ? Optional.empty() : rule(num);
    }

    /** The DNS rule for exactly this pattern and query type. */
    public Optional<FilterRule> dnsRule(DnsPattern pattern) {
        Integer num = byDns.get(pattern);
        return num == null ? Optional.empty() : rule(num);
    }

    /** Every rule, ascending rule number. */
    public Collection<FilterRule> all() {
        return byNum.values();
    }

    /** The rule numbers in use, ascending. */
    public SortedSet<Integer> ruleNums() {
        return byNum.keySet();
    }

    /** Every rule in the order the datapath tries them ({@link #TRY_ORDER}). */
    public List<FilterRule> inTryOrder() {
        List<FilterRule> out = new ArrayList<>(byNum.values());
        out.sort(TRY_ORDER);
        return out;
    }

    public int size() {
        return byNum.size();
    }

    /** The DNS rules (each one key of the datapath's filter_dns). */
    public int dnsCount() {
        return byDns.size();
    }

    public boolean isEmpty() {
        return byNum.isEmpty();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FilterImage f && byNum.equals(f.byNum);
    }

    @Override
    public int hashCode() {
        return byNum.hashCode();
    }

    @Override
    public String toString() {
        return "FilterImage" + byNum.values();
    }
}
