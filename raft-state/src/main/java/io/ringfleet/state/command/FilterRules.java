package io.ringfleet.state.command;

import static io.ringfleet.state.command.Reject.invalid;

import io.ringfleet.api.AddFilterRule;
import io.ringfleet.api.DeleteFilterRule;
import io.ringfleet.api.FilterConditions;
import io.ringfleet.api.FilterMode;
import io.ringfleet.api.FilterRuleAdded;
import io.ringfleet.api.FilterRuleEntry;
import io.ringfleet.api.FilterRuleModeChanged;
import io.ringfleet.api.FilterRuleRemoved;
import io.ringfleet.api.FilterRuleSpec;
import io.ringfleet.api.FleetRecord;
import io.ringfleet.api.SetFilterRuleMode;
import io.ringfleet.state.FilterImage;
import io.ringfleet.state.PrintableText;
import io.ringfleet.state.filter.DnsPattern;
import io.ringfleet.state.filter.FilterLimits;
import io.ringfleet.state.filter.FilterPrefix;
import io.ringfleet.state.filter.FilterRule;
import io.ringfleet.state.health.HealthReports;
import java.util.OptionalInt;
import java.util.SortedMap;

/**
 * Pre-filter rules (fleet version 5): add_filter_rule, delete_filter_rule, set_filter_rule_mode.
 *
 * <ul>
 *   <li>Operators only: a batch an agent wrote for itself (principal {@code agent:<node>}) is refused, so a
 *       compromised or buggy agent path cannot turn the fleet's drop rules on or off.
 *   <li>A rule on its own ({@link FilterRule#of}: name, canonical prefixes of one family, DNS pattern, ports,
 *       TCP flags, length, action and rate, mode), after the spec's text is made canonical here (prefixes parsed,
 *       the DNS pattern lower-cased, "any" port ranges dropped).
 *   <li>Against the other rules: a unique name and a unique DNS pattern and type (ALREADY_EXISTS), at most
 *       {@link FilterLimits#MAX_RULES} rules and {@link FilterLimits#MAX_DNS_RULES} DNS rules (RESOURCE_EXHAUSTED),
 *       and no prefix chain longer than {@link FilterLimits#CHAIN_LENGTH} (FAILED_PRECONDITION): what the datapath's
 *       maps can hold, so every log the fleet accepts can be programmed.
 *   <li>The rule number is allocated lowest free first and written into the record.
 * </ul>
 */
final class FilterRules {
    private FilterRules() {}

    static void add(CommandContext ctx, AddFilterRule c) throws Reject {
        checkOperator(ctx, "add_filter_rule");
        if (!c.hasRule()) {
            throw invalid("add_filter_rule needs a rule (name, a key, action, mode)");
        }
        FilterImage rules = ctx.state().filtersAfter();
        FilterRule rule = compile(c.getRule(), 1); // the number is allocated once the rule is known to be valid
        checkUnique(rules, rule);
        checkLimits(rules, rule);
        checkChains(rules, rule);
        int num = allocate(rules);
        ctx.emit(FleetRecord.newBuilder()
                .setFilterRuleAdded(FilterRuleAdded.newBuilder()
                        .setRule(rule.entry().toBuilder().setRuleNum(num))));
    }

    static void delete(CommandContext ctx, DeleteFilterRule c) throws Reject {
        checkOperator(ctx, "delete_filter_rule");
        FilterRule rule = existing(ctx, c.getName());
        ctx.emit(FleetRecord.newBuilder()
                .setFilterRuleRemoved(FilterRuleRemoved.newBuilder().setRuleNum(rule.ruleNum())));
    }

    static void setMode(CommandContext ctx, SetFilterRuleMode c) throws Reject {
        checkOperator(ctx, "set_filter_rule_mode");
        FilterRule rule = existing(ctx, c.getName());
        if (c.getMode() != FilterMode.FILTER_ENFORCE && c.getMode() != FilterMode.FILTER_OBSERVE) {
            throw invalid("set_filter_rule_mode: mode must be FILTER_ENFORCE or FILTER_OBSERVE, got "
                    + FilterRule.modeName(c.getModeValue()));
        }
        if (rule.mode() != c.getMode()) {
            ctx.emit(FleetRecord.newBuilder()
                    .setFilterRuleModeChanged(FilterRuleModeChanged.newBuilder()
                            .setRuleNum(rule.ruleNum())
                            .setMode(c.getMode())));
        }
    }

    /** Filter rules are an operator's: an agent writes only its own votes and versions. */
    private static void checkOperator(CommandContext ctx, String command) throws Reject {
        String principal = ctx.batch().getPrincipal();
        if (principal.startsWith(HealthReports.AGENT_PRINCIPAL)) {
            throw new Reject(
                    ErrorCode.FAILED_PRECONDITION,
                    command + " is for operators, but the batch's principal " + quoted(principal)
                            + " is an agent's: filter rules are changed through the API with an operator certificate");
        }
    }

    private static FilterRule existing(CommandContext ctx, String name) throws Reject {
        if (!FilterRule.NAME.matcher(name).matches()) {
            throw invalid("filter rule name " + quoted(name) + " is not 1.." + FilterLimits.MAX_NAME_CHARS
                    + " characters of [A-Za-z0-9._-] starting with a letter or digit");
        }
        return ctx.state()
                .filtersAfter()
                .named(name)
                .orElseThrow(() -> Reject.notFound("no filter rule is named " + quoted(name)));
    }

    /** The spec as a checked rule numbered {@code num}: canonical prefixes and pattern, "any" ranges left out. */
    private static FilterRule compile(FilterRuleSpec spec, int num) throws Reject {
        String label = "filter rule " + quoted(spec.getName()) + ": ";
        try {
            FilterRuleEntry.Builder e = FilterRuleEntry.newBuilder()
                    .setRuleNum(num)
                    .setName(spec.getName())
                    .setPriority(spec.getPriority())
                    .setConditions(conditions(spec.getConditions()))
                    .setActionValue(spec.getActionValue())
                    .setModeValue(spec.getModeValue());
            key(spec, e);
            if (!spec.getOtherPrefix().isEmpty()) {
                e.setOtherPrefix(parse("other_prefix", spec.getOtherPrefix()));
            }
            if (spec.hasRate()) {
                e.setRate(spec.getRate());
            }
            return FilterRule.of(e.build());
        } catch (IllegalArgumentException ex) {
            throw invalid(label + ex.getMessage());
        }
    }

    private static void key(FilterRuleSpec spec, FilterRuleEntry.Builder e) {
        switch (spec.getKeyCase()) {
            case SOURCE_PREFIX -> e.setSourcePrefix(parse("source_prefix", spec.getSourcePrefix()));
            case DESTINATION_PREFIX -> e.setDestinationPrefix(parse("destination_prefix", spec.getDestinationPrefix()));
            case DNS -> {
                try {
                    e.setDns(DnsPattern.fromProto(spec.getDns()).toProto());
                } catch (IllegalArgumentException ex) {
                    throw new IllegalArgumentException("dns: " + ex.getMessage());
                }
            }
            case KEY_NOT_SET ->
                throw new IllegalArgumentException("a rule needs a key: source_prefix, destination_prefix or dns");
        }
    }

    private static io.ringfleet.api.FilterPrefix parse(String field, String text) {
        try {
            return FilterPrefix.parse(text).toProto();
        } catch (IllegalArgumentException ex) {
            throw new IllegalArgumentException(field + ": " + ex.getMessage());
        }
    }

    /** A 0-0 port range is "any", as is an unset one: the record leaves it out, so "any" has one form. */
    private static FilterConditions conditions(FilterConditions c) {
        FilterConditions.Builder b = c.toBuilder();
        if (c.hasSourcePorts()
                && c.getSourcePorts().getFrom() == 0
                && c.getSourcePorts().getTo() == 0) {
            b.clearSourcePorts();
        }
        if (c.hasDestinationPorts()
                && c.getDestinationPorts().getFrom() == 0
                && c.getDestinationPorts().getTo() == 0) {
            b.clearDestinationPorts();
        }
        return b.build();
    }

    private static void checkUnique(FilterImage rules, FilterRule rule) throws Reject {
        if (rules.named(rule.name()).isPresent()) {
            throw new Reject(
                    ErrorCode.ALREADY_EXISTS,
                    "a filter rule named " + rule.name() + " already exists: delete it first, or pick another name");
        }
        if (rule.dns().isPresent()) {
            FilterRule other = rules.dnsRule(rule.dns().get()).orElse(null);
            if (other != null) {
                throw new Reject(
                        ErrorCode.ALREADY_EXISTS,
                        "filter rule " + other.name() + " already matches dns pattern "
                                + rule.dns().get() + ": one rule per pattern and query type");
            }
        }
    }

    private static void checkLimits(FilterImage rules, FilterRule rule) throws Reject {
        if (rules.size() >= FilterLimits.MAX_RULES) {
            throw new Reject(
                    ErrorCode.RESOURCE_EXHAUSTED,
                    "the fleet has " + rules.size() + " filter rules, the most the datapath holds ("
                            + FilterLimits.MAX_RULES + "): delete one first");
        }
        if (rule.dns().isPresent() && rules.dnsCount() >= FilterLimits.MAX_DNS_RULES) {
            throw new Reject(
                    ErrorCode.RESOURCE_EXHAUSTED,
                    "the fleet has " + rules.dnsCount() + " dns filter rules, the most the datapath holds ("
                            + FilterLimits.MAX_DNS_RULES + "): delete one first");
        }
    }

    /**
     * The datapath finds a prefix rule through the longest prefix holding the address, whose chain lists its own
     * rules and those of every prefix covering it: at most {@link FilterLimits#CHAIN_LENGTH}. A new rule joins the
     * chain of its prefix and of every prefix inside it (they follow it in the counts' order).
     */
    private static void checkChains(FilterImage rules, FilterRule rule) throws Reject {
        if (rule.prefix().isEmpty()) {
            return;
        }
        FilterPrefix prefix = rule.prefix().get();
        SortedMap<FilterPrefix, Integer> counts = rules.prefixCounts(rule.side());
        int own = chainLength(counts, prefix) + 1;
        if (own > FilterLimits.CHAIN_LENGTH) {
            throw chainTooLong(rule, prefix, own);
        }
        for (FilterPrefix inside : counts.tailMap(prefix).keySet()) {
            if (!prefix.covers(inside)) {
                break; // past the prefixes inside this one
            }
            int length = chainLength(counts, inside) + 1;
            if (!inside.equals(prefix) && length > FilterLimits.CHAIN_LENGTH) {
                throw chainTooLong(rule, inside, length);
            }
        }
    }

    /** The rules of {@code prefix} and of every prefix covering it: one lookup per shorter length. */
    private static int chainLength(SortedMap<FilterPrefix, Integer> counts, FilterPrefix prefix) {
        int length = 0;
        for (int bits = 0; bits <= prefix.length(); bits++) {
            length += counts.getOrDefault(prefix.shortened(bits), 0);
        }
        return length;
    }

    private static Reject chainTooLong(FilterRule rule, FilterPrefix at, int length) {
        String side = rule.side() == FilterRule.Side.SOURCE ? "source" : "destination";
        return new Reject(
                ErrorCode.FAILED_PRECONDITION,
                "filter rule " + rule.name() + " would give " + side + " prefix " + at + " " + length
                        + " rules (its own and those of prefixes covering it); the datapath tries at most "
                        + FilterLimits.CHAIN_LENGTH + " per prefix: merge rules or use fewer nested prefixes");
    }

    /** The caller's text in quotes, escaped (one line whatever it holds) and cut at 64 characters. */
    private static String quoted(String text) {
        return "\"" + PrintableText.of(text, 64) + "\"";
    }

    private static int allocate(FilterImage rules) throws Reject {
        OptionalInt num = new IndexAllocator(rules.ruleNums(), 1, FilterLimits.MAX_RULES).next();
        if (num.isEmpty()) {
            throw new Reject(
                    ErrorCode.RESOURCE_EXHAUSTED, "no filter rule number is free (1.." + FilterLimits.MAX_RULES + ")");
        }
        return num.getAsInt();
    }
}
