package io.ringfleet.state.command;

import static io.ringfleet.state.testing.Commands.addFilterRule;
import static io.ringfleet.state.testing.Commands.deleteFilterRule;
import static io.ringfleet.state.testing.Commands.dropDns;
import static io.ringfleet.state.testing.Commands.dropFrom;
import static io.ringfleet.state.testing.Commands.setFilterRuleMode;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringfleet.api.Command;
import io.ringfleet.api.FilterAction;
import io.ringfleet.api.FilterConditions;
import io.ringfleet.api.FilterMode;
import io.ringfleet.api.FilterPortRange;
import io.ringfleet.api.FilterRate;
import io.ringfleet.api.FilterRuleEntry;
import io.ringfleet.api.FilterRuleSpec;
import io.ringfleet.api.FleetRecord;
import io.ringfleet.state.FleetImage;
import io.ringfleet.state.FleetLimits;
import io.ringfleet.state.FleetVersions;
import io.ringfleet.state.filter.FilterLimits;
import io.ringfleet.state.filter.FilterRule;
import io.ringfleet.state.testing.CommandLog;
import io.ringfleet.state.testing.Commands;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** What the pre-filter commands accept (fleet version 5): every refusal with its code, message and no change. */
class FilterRulesTest {
    private static final int V5 = FleetVersions.Rule.PRE_FILTER.version();

    private static CommandLog fleet() {
        return new CommandLog(FleetLimits.DEFAULT, V5);
    }

    /** A valid rule of every field: a rate limit on TCP SYNs from a /24 to a /24, observed. */
    private static FilterRuleSpec.Builder full() {
        return FilterRuleSpec.newBuilder()
                .setName("syn-flood.v4_1")
                .setPriority(10)
                .setSourcePrefix("198.51.100.0/24")
                .setOtherPrefix("203.0.113.0/24")
                .setConditions(FilterConditions.newBuilder()
                        .setProtocol(6)
                        .setSourcePorts(range(1024, 65535))
                        .setDestinationPorts(range(443, 443))
                        .setTcpFlagsMask(0x12)
                        .setTcpFlagsValue(0x02)
                        .setLengthMin(60)
                        .setLengthMax(1500))
                .setAction(FilterAction.FILTER_RATE_LIMIT)
                .setRate(FilterRate.newBuilder()
                        .setPacketsPerSecondPerCpu(50_000)
                        .setBytesPerSecondPerCpu(10_000_000)
                        .setOverRate(FilterAction.FILTER_DROP))
                .setMode(FilterMode.FILTER_OBSERVE);
    }

    private static FilterPortRange range(int from, int to) {
        return FilterPortRange.newBuilder().setFrom(from).setTo(to).build();
    }

    private static UnaryOperator<FilterRuleSpec.Builder> conditions(UnaryOperator<FilterConditions.Builder> change) {
        return b -> b.setConditions(change.apply(b.getConditions().toBuilder()));
    }

    /** The batch is refused with {@code code}, a one-line message containing {@code says}, and nothing changes. */
    private static void refused(CommandLog log, Command command, ErrorCode code, String says) {
        refusedBatch(log, code, says, command);
    }

    private static void refusedBatch(CommandLog log, ErrorCode code, String says, Command... commands) {
        FleetImage before = log.image();
        CommandResult r = log.submit(commands);
        Rejection why = r.rejection().orElseThrow(() -> new AssertionError("accepted, expected: " + says));
        assertEquals(code, why.code(), why.message());
        assertTrue(why.message().contains(says), "expected \"" + says + "\" in: " + why.message());
        assertFalse(why.message().contains("\n"), "one line: " + why.message());
        assertTrue(log.image().sameStateAs(before), "nothing changed");
    }

    private static void invalid(UnaryOperator<FilterRuleSpec.Builder> bad, String says) {
        refused(fleet(), addFilterRule(bad.apply(full())), ErrorCode.INVALID_ARGUMENT, says);
    }

    private static FilterRuleEntry added(CommandResult r) {
        assertTrue(r.isOk(), r.toString());
        FleetRecord record = r.records().get(0);
        assertTrue(record.hasFilterRuleAdded(), record.toString());
        return record.getFilterRuleAdded().getRule();
    }

    @Test
    void aRuleOfEveryFieldIsAcceptedWithTheLowestFreeNumber() {
        CommandLog log = fleet();
        FilterRuleEntry first = added(log.submit(addFilterRule(full())));
        FilterRuleEntry second = added(log.submit(addFilterRule(dropFrom("b", "2001:db8::/32"))));
        assertEquals(1, first.getRuleNum());
        assertEquals(2, second.getRuleNum());
        log.apply(deleteFilterRule(full().getName()));
        assertEquals(
                1, added(log.submit(addFilterRule(dropFrom("c", "10.0.0.0/8")))).getRuleNum(), "reused");
        FilterRule kept = log.image().filters().named("b").orElseThrow();
        assertEquals(FilterRule.Side.SOURCE, kept.side());
        assertEquals("2001:db8::/32", kept.prefix().orElseThrow().toString());
    }

    @Test
    void theRecordIsCanonical() {
        CommandLog log = fleet();
        FilterRuleEntry dns = added(log.submit(addFilterRule(dropDns("d", "*.Flood.EXAMPLE.", 28)
                .setConditions(FilterConditions.newBuilder().setSourcePorts(range(0, 0))))));
        assertEquals("*.flood.example", dns.getDns().getPattern());
        assertEquals(28, dns.getDns().getQtype());
        assertFalse(dns.getConditions().hasSourcePorts(), "0-0 is any: left out");
        FilterRuleEntry host = added(log.submit(addFilterRule(dropFrom("h", "192.0.2.7"))));
        assertEquals(32, host.getSourcePrefix().getLength(), "a bare address is a host prefix");
    }

    @Test
    void badRulesAreRefusedNamingTheField() {
        invalid(b -> b.setName(""), "name \"\" is not 1..64 characters");
        invalid(b -> b.setName("-x"), "starting with a letter or digit");
        invalid(b -> b.setName("a b"), "[A-Za-z0-9._-]");
        invalid(b -> b.setName("x".repeat(65)), "is not 1..64 characters");
        invalid(b -> b.setName("bad\nname"), "bad\\nname");
        invalid(b -> b.clearSourcePrefix(), "a rule needs a key: source_prefix, destination_prefix or dns");
        invalid(b -> b.setSourcePrefix("198.51.100.1/24"), "source_prefix: 198.51.100.1/24 has host bits set");
        invalid(b -> b.setSourcePrefix("198.51.100.0/33"), "source_prefix: prefix length 33");
        invalid(b -> b.setSourcePrefix("198.51.100.0/"), "source_prefix: \"198.51.100.0/\" has no prefix length");
        invalid(b -> b.setSourcePrefix("example.com/8"), "source_prefix: \"example.com/8\" is not a prefix");
        invalid(b -> b.setSourcePrefix("::ffff:10.0.0.0/104"), "IPv4-mapped");
        invalid(b -> b.setDestinationPrefix("2001:db8::1/32"), "destination_prefix: 2001:db8::1/32 has host bits");
        invalid(b -> b.setOtherPrefix("10.0.0.1/8"), "other_prefix: 10.0.0.1/8 has host bits set");
        invalid(b -> b.setOtherPrefix("2001:db8::/32"), "other_prefix 2001:db8::/32 is not of the family");
        invalid(conditions(c -> c.setProtocol(256)), "conditions.protocol 256 is not 0..255");
        invalid(conditions(c -> c.setSourcePorts(range(80, 20))), "conditions.source_ports 80-20 is not a range");
        invalid(conditions(c -> c.setDestinationPorts(range(1, 65536))), "conditions.destination_ports 1-65536");
        invalid(conditions(c -> c.setDestinationPorts(range(5, 0))), "conditions.destination_ports 5-0");
        invalid(conditions(c -> c.setTcpFlagsMask(0x100)), "conditions.tcp_flags_mask 0x100");
        invalid(conditions(c -> c.setTcpFlagsValue(0x04)), "the value uses only bits of the mask");
        invalid(conditions(c -> c.setProtocol(17)), "conditions.tcp_flags_mask is for TCP");
        invalid(conditions(c -> c.setLengthMax(0)), "conditions.length_min 60 needs a length_max");
        invalid(conditions(c -> c.setLengthMin(1600)), "conditions.length_min 1600 / length_max 1500");
        invalid(conditions(c -> c.setLengthMax(65536)), "length_max 65536");
        invalid(b -> b.setAction(FilterAction.FILTER_ACTION_UNSPECIFIED), "action must be FILTER_DROP");
        invalid(
                b -> b.setActionValue(9),
                "action must be FILTER_DROP, FILTER_PASS or FILTER_RATE_LIMIT, got unknown value 9");
        invalid(b -> b.clearRate(), "a FILTER_RATE_LIMIT rule needs a rate");
        invalid(b -> b.setAction(FilterAction.FILTER_DROP), "rate is for FILTER_RATE_LIMIT rules only");
        invalid(
                b -> b.setRate(
                        b.getRate().toBuilder().setPacketsPerSecondPerCpu(0).setBytesPerSecondPerCpu(0)),
                "rate: set packets_per_second_per_cpu or bytes_per_second_per_cpu above 0");
        invalid(
                b -> b.setRate(b.getRate().toBuilder().setPacketsPerSecondPerCpu(FilterLimits.MAX_RATE_PER_CPU + 1)),
                "rate: packets_per_second_per_cpu and bytes_per_second_per_cpu must be 0..");
        invalid(b -> b.setRate(b.getRate().toBuilder().setBytesPerSecondPerCpu(-1)), "18446744073709551615");
        invalid(
                b -> b.setRate(b.getRate().toBuilder().setOverRate(FilterAction.FILTER_RATE_LIMIT)),
                "rate: over_rate must be FILTER_DROP or FILTER_PASS");
        invalid(b -> b.setMode(FilterMode.FILTER_MODE_UNSPECIFIED), "mode must be FILTER_ENFORCE or FILTER_OBSERVE");
    }

    @Test
    void badDnsPatternsAreRefused() {
        dnsRefused("", "has no name");
        dnsRefused("*.", "a '*'");
        dnsRefused("a..example", "a label of 0 characters");
        dnsRefused("x".repeat(64) + ".example", "a label of 64 characters: labels are 1..63");
        dnsRefused(("a".repeat(60) + ".").repeat(5) + "com", "over 253");
        dnsRefused("a.".repeat(16) + "com", "has 17 labels, over 16");
        dnsRefused("www.*.example", "a '*'");
        dnsRefused("*example.com", "a '*'");
        dnsRefused("**.example.com", "a '*'");
        dnsRefused("a b.example", "character U+0020");
        dnsRefused("caf\u00e9.example", "character U+00E9");
        refused(
                fleet(),
                addFilterRule(dropDns("q", "example.com", 65536)),
                ErrorCode.INVALID_ARGUMENT,
                "qtype 65536 is not 0..65535");
        FilterConditions.Builder tcp = FilterConditions.newBuilder().setProtocol(6);
        refused(
                fleet(),
                addFilterRule(dropDns("t", "example.com", 0).setConditions(tcp)),
                ErrorCode.INVALID_ARGUMENT,
                "conditions.protocol 6 on a dns rule");
        FilterConditions.Builder port = FilterConditions.newBuilder().setDestinationPorts(range(53, 53));
        refused(
                fleet(),
                addFilterRule(dropDns("p", "example.com", 0).setConditions(port)),
                ErrorCode.INVALID_ARGUMENT,
                "not for dns rules");
        // The limits themselves pass: 63-character labels, 253 characters, 16 labels.
        CommandLog log = fleet();
        String longest = ("a".repeat(63) + ".").repeat(3) + "b".repeat(61);
        assertEquals(253, longest.length());
        added(log.submit(addFilterRule(dropDns("long", longest, 0))));
        added(log.submit(addFilterRule(dropDns("deep", "*." + "a.".repeat(14) + "com", 0))));
    }

    private static void dnsRefused(String pattern, String says) {
        refused(fleet(), addFilterRule(dropDns("d", pattern, 0)), ErrorCode.INVALID_ARGUMENT, says);
    }

    @Test
    void namesAndDnsPatternsAreUnique() {
        CommandLog log = fleet();
        log.apply(addFilterRule(dropFrom("a", "10.0.0.0/8")), addFilterRule(dropDns("d", "*.example.com", 1)));
        refused(
                log,
                addFilterRule(dropFrom("a", "11.0.0.0/8")),
                ErrorCode.ALREADY_EXISTS,
                "a filter rule named a already exists");
        refused(
                log,
                addFilterRule(dropDns("e", "*.EXAMPLE.com.", 1)),
                ErrorCode.ALREADY_EXISTS,
                "filter rule d already matches dns pattern *.example.com type 1");
        // Another type, the exact name and the same name without the wildcard are other keys.
        log.apply(
                addFilterRule(dropDns("e", "*.example.com", 0)),
                addFilterRule(dropDns("f", "example.com", 1)),
                addFilterRule(dropDns("g", "*.example.com", 28)));
        // Within one batch, the second add sees the first.
        refusedBatch(
                log,
                ErrorCode.ALREADY_EXISTS,
                "a filter rule named x already exists",
                addFilterRule(dropFrom("x", "12.0.0.0/8")),
                addFilterRule(dropFrom("x", "13.0.0.0/8")));
    }

    @Test
    void deleteAndModeNameAnExistingRule() {
        CommandLog log = fleet();
        refused(log, deleteFilterRule("nope"), ErrorCode.NOT_FOUND, "no filter rule is named \"nope\"");
        refused(
                log,
                setFilterRuleMode("nope", FilterMode.FILTER_ENFORCE),
                ErrorCode.NOT_FOUND,
                "no filter rule is named \"nope\"");
        refused(log, deleteFilterRule("a b"), ErrorCode.INVALID_ARGUMENT, "filter rule name \"a b\" is not 1..64");
        log.apply(addFilterRule(full()));
        refused(
                log,
                setFilterRuleMode(full().getName(), FilterMode.FILTER_MODE_UNSPECIFIED),
                ErrorCode.INVALID_ARGUMENT,
                "mode must be FILTER_ENFORCE or FILTER_OBSERVE");
        CommandResult enforce = log.submit(setFilterRuleMode(full().getName(), FilterMode.FILTER_ENFORCE));
        assertTrue(enforce.isOk());
        assertEquals(1, enforce.records().size());
        FilterRule rule = log.image().filters().named(full().getName()).orElseThrow();
        assertEquals(FilterMode.FILTER_ENFORCE, rule.mode());
        assertEquals(1, rule.ruleNum(), "the number (and so the counters) stays");
        assertTrue(
                log.submit(setFilterRuleMode(full().getName(), FilterMode.FILTER_ENFORCE))
                        .records()
                        .isEmpty(),
                "setting the mode it has emits nothing");
        assertTrue(log.submit(deleteFilterRule(full().getName())).isOk());
        assertTrue(log.image().filters().isEmpty());
        refused(log, deleteFilterRule(full().getName()), ErrorCode.NOT_FOUND, "no filter rule is named");
    }

    @Test
    void onlyOperatorsChangeFilterRules() {
        CommandLog log = fleet();
        log.apply(addFilterRule(dropFrom("a", "10.0.0.0/8")));
        log.as("agent:lb1");
        refused(
                log,
                addFilterRule(dropFrom("b", "11.0.0.0/8")),
                ErrorCode.FAILED_PRECONDITION,
                "add_filter_rule is for operators, but the batch's principal \"agent:lb1\" is an agent's");
        refused(log, deleteFilterRule("a"), ErrorCode.FAILED_PRECONDITION, "delete_filter_rule is for operators");
        refused(
                log,
                setFilterRuleMode("a", FilterMode.FILTER_OBSERVE),
                ErrorCode.FAILED_PRECONDITION,
                "set_filter_rule_mode is for operators");
        log.as("ops-alice"); // control: the same commands from an operator pass
        assertTrue(log.submit(addFilterRule(dropFrom("b", "11.0.0.0/8"))).isOk());
        assertTrue(log.submit(deleteFilterRule("a")).isOk());
    }

    @Test
    void aPrefixChainHoldsAtMostEightRules() {
        CommandLog log = fleet();
        // 10.0.0.0/8 and the prefixes inside it, one rule each, plus one more rule on /8: a /32 chain of 8.
        log.apply(
                addFilterRule(dropFrom("p8", "10.0.0.0/8")),
                addFilterRule(dropFrom("p8b", "10.0.0.0/8")),
                addFilterRule(dropFrom("p12", "10.0.0.0/12")),
                addFilterRule(dropFrom("p16", "10.0.0.0/16")),
                addFilterRule(dropFrom("p20", "10.0.0.0/20")),
                addFilterRule(dropFrom("p24", "10.0.0.0/24")),
                addFilterRule(dropFrom("p28", "10.0.0.0/28")),
                addFilterRule(dropFrom("p32", "10.0.0.1/32")));
        // A ninth in the /32's chain, from either end: a covering prefix, the same prefix, or one inside.
        refused(
                log,
                addFilterRule(dropFrom("all", "0.0.0.0/0")),
                ErrorCode.FAILED_PRECONDITION,
                "would give source prefix 10.0.0.1/32 9 rules");
        refused(
                log,
                addFilterRule(dropFrom("p28b", "10.0.0.0/28")),
                ErrorCode.FAILED_PRECONDITION,
                "would give source prefix 10.0.0.1/32 9 rules");
        refused(
                log,
                addFilterRule(dropFrom("p30", "10.0.0.0/30")),
                ErrorCode.FAILED_PRECONDITION,
                "would give source prefix 10.0.0.1/32 9 rules");
        refused(
                log,
                addFilterRule(dropFrom("p32b", "10.0.0.1/32")),
                ErrorCode.FAILED_PRECONDITION,
                "would give source prefix 10.0.0.1/32 9 rules");
        // Controls: a sibling outside the /28, the destination side, the other family, and DNS rules are other chains.
        assertTrue(log.submit(addFilterRule(dropFrom("p32c", "10.0.0.16/32"))).isOk());
        assertTrue(log.submit(addFilterRule(
                        dropFrom("all-dst", "0.0.0.0/0").clearSourcePrefix().setDestinationPrefix("0.0.0.0/0")))
                .isOk());
        assertTrue(log.submit(addFilterRule(dropFrom("all6", "::/0"))).isOk());
        // Deleting one makes room again.
        log.apply(deleteFilterRule("p8b"));
        assertTrue(log.submit(addFilterRule(dropFrom("all", "0.0.0.0/0"))).isOk());
    }

    @Test
    void theRuleLimitsAreTheDatapathsCapacities() {
        CommandLog log = fleet();
        addMany(log, FilterLimits.MAX_DNS_RULES, i -> addFilterRule(dropDns("d" + i, "n" + i + ".example", 0)));
        refused(
                log,
                addFilterRule(dropDns("one-more", "more.example", 0)),
                ErrorCode.RESOURCE_EXHAUSTED,
                "the fleet has 4096 dns filter rules, the most the datapath holds (4096)");
        addMany(
                log,
                FilterLimits.MAX_RULES - FilterLimits.MAX_DNS_RULES,
                i -> addFilterRule(dropFrom("s" + i, "10." + (i >> 16) + "." + ((i >> 8) & 255) + "." + (i & 255))));
        assertEquals(FilterLimits.MAX_RULES, log.image().filters().size());
        refused(
                log,
                addFilterRule(dropFrom("one-more", "11.0.0.0/8")),
                ErrorCode.RESOURCE_EXHAUSTED,
                "the fleet has 16383 filter rules, the most the datapath holds (16383)");
        log.apply(deleteFilterRule("s77"));
        assertEquals(
                FilterLimits.MAX_DNS_RULES + 78,
                added(log.submit(addFilterRule(dropFrom("one-more", "11.0.0.0/8"))))
                        .getRuleNum(),
                "the freed number is handed out again");
    }

    private static void addMany(CommandLog log, int count, java.util.function.IntFunction<Command> command) {
        List<Command> batch = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            batch.add(command.apply(i));
            if (batch.size() == 1000 || i == count - 1) {
                log.apply(batch.toArray(Command[]::new));
                batch.clear();
            }
        }
    }

    @Test
    void theCommandsNeedFleetVersionFive() {
        CommandLog v4 = new CommandLog(FleetLimits.DEFAULT, V5 - 1);
        refused(
                v4,
                addFilterRule(full()),
                ErrorCode.FAILED_PRECONDITION,
                "add_filter_rule needs fleet version 5 but the fleet's finalised version is 4");
        refused(v4, deleteFilterRule("a"), ErrorCode.FAILED_PRECONDITION, "delete_filter_rule needs fleet version 5");
        refused(
                v4,
                setFilterRuleMode("a", FilterMode.FILTER_OBSERVE),
                ErrorCode.FAILED_PRECONDITION,
                "set_filter_rule_mode needs fleet version 5");
        // Finalise 5 (every peer reports it first): the same command passes.
        for (String node : List.of("lb1", "lb2", "lb3")) {
            v4.apply(Commands.reportVersion(node, V5));
        }
        v4.apply(Commands.finalizeVersion(V5));
        assertTrue(v4.submit(addFilterRule(full())).isOk());
    }
}
