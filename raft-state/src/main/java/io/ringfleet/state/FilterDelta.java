package io.ringfleet.state;

import io.ringfleet.api.FilterMode;
import io.ringfleet.state.filter.FilterPrefix;
import io.ringfleet.state.filter.FilterRule;
import java.util.Optional;
import java.util.SortedSet;

/**
 * Changes to the pre-filter rules in one {@link FleetDelta}. Replay checks that a record fits (a number or name in
 * use, a DNS pattern taken, an unknown number: {@link ReplayException}) and never allocates. Read-only outside this
 * package.
 */
public final class FilterDelta {
    private final FilterImage base;
    private final MapDelta<Integer, FilterRule> byNum;
    private final MapDelta<String, Integer> byName;
    private final MapDelta<io.ringfleet.state.filter.DnsPattern, Integer> byDns;
    private final MapDelta<FilterPrefix, Integer> sources;
    private final MapDelta<FilterPrefix, Integer> destinations;

    FilterDelta(FilterImage base) {
        this.base = base;
        this.byNum = new MapDelta<>(base.map());
        this.byName = new MapDelta<>(base.nameMap());
        this.byDns = new MapDelta<>(base.dnsMap());
        this.sources = new MapDelta<>(base.prefixMap(FilterRule.Side.SOURCE));
        this.destinations = new MapDelta<>(base.prefixMap(FilterRule.Side.DESTINATION));
    }

    /** Rule numbers added, removed or changed, ascending. */
    public SortedSet<Integer> touchedRuleNums() {
        return byNum.touched();
    }

    public Optional<FilterRule> before(int ruleNum) {
        return byNum.before(ruleNum);
    }

    /** The rule after the delta; empty if removed (or never there). */
    public Optional<FilterRule> after(int ruleNum) {
        return byNum.get(ruleNum);
    }

    void add(FilterRule rule) {
        if (byNum.get(rule.ruleNum()).isPresent()) {
            throw new ReplayException("filter rule number " + rule.ruleNum() + " is already in use");
        }
        if (byName.get(rule.name()).isPresent()) {
            throw new ReplayException("a filter rule named " + rule.name() + " already exists");
        }
        rule.dns().ifPresent(p -> {
            if (byDns.get(p).isPresent()) {
                throw new ReplayException("a filter rule for dns pattern " + p + " already exists");
            }
            byDns.put(p, rule.ruleNum());
        });
        rule.prefix().ifPresent(p -> count(rule.side(), p, 1));
        byNum.put(rule.ruleNum(), rule);
        byName.put(rule.name(), rule.ruleNum());
    }

    void remove(int ruleNum) {
        FilterRule rule = existing(ruleNum);
        byNum.remove(ruleNum);
        byName.remove(rule.name());
        rule.dns().ifPresent(byDns::remove);
        rule.prefix().ifPresent(p -> count(rule.side(), p, -1));
    }

    /** Adds {@code change} to the number of rules {@code prefix} keys on {@code side}; a prefix at 0 goes. */
    private void count(FilterRule.Side side, FilterPrefix prefix, int change) {
        MapDelta<FilterPrefix, Integer> counts = side == FilterRule.Side.SOURCE ? sources : destinations;
        int now = counts.get(prefix).orElse(0) + change;
        if (now == 0) {
            counts.remove(prefix);
        } else {
            counts.put(prefix, now);
        }
    }

    void setMode(int ruleNum, FilterMode mode) {
        byNum.put(ruleNum, existing(ruleNum).withMode(mode));
    }

    private FilterRule existing(int ruleNum) {
        return byNum.get(ruleNum)
                .orElseThrow(() -> new ReplayException(
                        "filter rule number " + Integer.toUnsignedString(ruleNum) + " is not in use"));
    }

    /** The rules after the changes so far: O(1), shares everything with the delta's maps. */
    FilterImage current() {
        return byNum.isEmpty()
                ? base
                : new FilterImage(
                        byNum.current(), byName.current(), byDns.current(), sources.current(), destinations.current());
    }

    FilterImage apply() {
        return current();
    }
}
