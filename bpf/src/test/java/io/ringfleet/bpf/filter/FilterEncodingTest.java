package io.ringfleet.bpf.filter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringfleet.bpf.AbiLayout;
import io.ringfleet.bpf.filter.FilterRule.Action;
import io.ringfleet.bpf.filter.FilterRule.DestinationPrefix;
import io.ringfleet.bpf.filter.FilterRule.DnsQuery;
import io.ringfleet.bpf.filter.FilterRule.PortRange;
import io.ringfleet.bpf.filter.FilterRule.SourcePrefix;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Rule → map entries and DNS name hashing (pure), and their layouts against rf_abi.h as the shim reports them. */
class FilterEncodingTest {

    private static void offset(String struct, String field, int javaOffset) {
        assertEquals(AbiLayout.offsetOf(struct, field), javaOffset, struct + "." + field);
    }

    @Test
    void layoutsMatchTheHeader() {
        assertEquals(AbiLayout.sizeOf("rf_filter_rule"), FilterEncoding.RULE_SIZE);
        assertEquals(AbiLayout.sizeOf("rf_filter_chain"), FilterEncoding.CHAIN_SIZE);
        assertEquals(AbiLayout.sizeOf("rf_filter_v4_key"), FilterEncoding.V4_KEY_SIZE);
        assertEquals(AbiLayout.sizeOf("rf_filter_v6_key"), FilterEncoding.V6_KEY_SIZE);
        assertEquals(AbiLayout.sizeOf("rf_filter_dns_key"), FilterEncoding.DNS_KEY_SIZE);
        assertEquals(AbiLayout.sizeOf("rf_filter_counter"), FilterCounter.SIZE);
        assertEquals(AbiLayout.sizeOf("rf_filter_bucket"), FilterProgram.BUCKET_SIZE);
        assertEquals(AbiLayout.sizeOf("rf_filter_dns_depths"), DnsDepths.SIZE);
        offset("rf_filter_dns_depths", "exact_any", DnsDepths.OFF_EXACT_ANY);
        offset("rf_filter_dns_depths", "exact_typed", DnsDepths.OFF_EXACT_TYPED);
        offset("rf_filter_dns_depths", "suffix_any", DnsDepths.OFF_SUFFIX_ANY);
        offset("rf_filter_dns_depths", "suffix_typed", DnsDepths.OFF_SUFFIX_TYPED);
        offset("rf_filter_rule", "action", FilterEncoding.OFF_ACTION);
        offset("rf_filter_rule", "flags", FilterEncoding.OFF_FLAGS);
        offset("rf_filter_rule", "proto", FilterEncoding.OFF_PROTO);
        offset("rf_filter_rule", "tcp_flags_mask", FilterEncoding.OFF_TCP_FLAGS_MASK);
        offset("rf_filter_rule", "tcp_flags_value", FilterEncoding.OFF_TCP_FLAGS_VALUE);
        offset("rf_filter_rule", "other_family", FilterEncoding.OFF_OTHER_FAMILY);
        offset("rf_filter_rule", "other_prefixlen", FilterEncoding.OFF_OTHER_PREFIXLEN);
        offset("rf_filter_rule", "over_action", FilterEncoding.OFF_OVER_ACTION);
        offset("rf_filter_rule", "sport_lo", FilterEncoding.OFF_SPORT_LO);
        offset("rf_filter_rule", "sport_hi", FilterEncoding.OFF_SPORT_HI);
        offset("rf_filter_rule", "dport_lo", FilterEncoding.OFF_DPORT_LO);
        offset("rf_filter_rule", "dport_hi", FilterEncoding.OFF_DPORT_HI);
        offset("rf_filter_rule", "len_min", FilterEncoding.OFF_LEN_MIN);
        offset("rf_filter_rule", "len_max", FilterEncoding.OFF_LEN_MAX);
        offset("rf_filter_rule", "other", FilterEncoding.OFF_OTHER);
        offset("rf_filter_rule", "rate_pps", FilterEncoding.OFF_RATE_PPS);
        offset("rf_filter_rule", "rate_bps", FilterEncoding.OFF_RATE_BPS);
        offset("rf_filter_dns_key", "qtype", FilterEncoding.DNS_OFF_QTYPE);
        offset("rf_filter_dns_key", "kind", FilterEncoding.DNS_OFF_KIND);
        offset("rf_filter_counter", "last_hit_ns", FilterCounter.OFF_LAST_HIT_NS);
        offset("rf_filter_counter", "over_rate", FilterCounter.OFF_OVER_RATE);
    }

    @Test
    void constantsMatchTheHeader() {
        assertEquals(AbiLayout.constant("RF_FILTER_CHAIN_LEN"), FilterEncoding.CHAIN_LEN);
        // 64-bit constants: read whole (AbiLayout.constant narrows to int)
        assertEquals(AbiLayout.all().get("const.RF_FILTER_DNS_HASH_BASIS"), DnsNameHash.BASIS);
        assertEquals(AbiLayout.all().get("const.RF_FILTER_DNS_HASH_PRIME"), DnsNameHash.PRIME);
        assertEquals(AbiLayout.constant("RF_FILTER_DNS_MAX_LABELS"), DnsNameHash.MAX_LABELS);
        assertEquals(AbiLayout.constant("RF_FILTER_DNS_EXACT"), FilterEncoding.DNS_EXACT);
        assertEquals(AbiLayout.constant("RF_FILTER_DNS_SUFFIX"), FilterEncoding.DNS_SUFFIX);
        assertEquals(AbiLayout.constant("RF_FILTER_F_OBSERVE"), FilterEncoding.FLAG_OBSERVE);
        assertEquals(AbiLayout.constant("RF_FILTER_CTL_F_CHAINED"), FilterProgram.CTL_F_CHAINED);
        for (Action a : Action.values()) {
            assertEquals(AbiLayout.constant("RF_FILTER_A_" + a.name()), a.code, a.name());
        }
        for (FilterGlobal g : FilterGlobal.values()) {
            assertEquals(AbiLayout.constant(g.cName()), g.ordinal(), g.name());
        }
        assertEquals(AbiLayout.constant("RF_FG_COUNT"), FilterGlobal.values().length);
    }

    @Test
    void aNameHashIsTheFoldOfItsSuffixHashes() {
        List<String> name = DnsNameHash.labels("www.Example.COM.");
        assertEquals(List.of("www", "example", "com"), name);
        long suffix = DnsNameHash.nameHash(DnsNameHash.labels("example.com"));
        long folded = (suffix ^ DnsNameHash.labelHash("www")) * DnsNameHash.PRIME;
        assertEquals(folded, DnsNameHash.nameHash(name));
        assertEquals(DnsNameHash.nameHash(name), DnsNameHash.nameHash(DnsNameHash.labels("WWW.example.com")));
        // label boundaries count: "ab.c" and "a.bc" differ
        assertNotEquals(DnsNameHash.nameHash(List.of("ab", "c")), DnsNameHash.nameHash(List.of("a", "bc")));
    }

    @Test
    void badNamesAreRefusedWithOneLine() {
        for (String bad : List.of(
                "",
                ".",
                "a..b",
                "x".repeat(64) + ".com",
                "bad label.com",
                String.join(".", java.util.Collections.nCopies(17, "a")))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DnsNameHash.labels(bad));
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
        }
        String label63 = "x".repeat(63);
        assertThrows(
                IllegalArgumentException.class,
                () -> DnsNameHash.labels(String.join(".", label63, label63, label63, label63)));
    }

    @Test
    void aPrefixChainHoldsTheRulesOfEveryCoveringPrefixInOrder() {
        List<FilterRule> rules = List.of(
                rule(1, new SourcePrefix(Prefix.parse("10.0.0.0/8"))),
                rule(2, new SourcePrefix(Prefix.parse("10.1.0.0/16"))),
                rule(3, new SourcePrefix(Prefix.parse("10.2.0.0/16"))),
                rule(4, new SourcePrefix(Prefix.parse("10.1.0.0/16"))),
                rule(5, new DestinationPrefix(Prefix.parse("10.1.0.0/16"))),
                rule(6, new SourcePrefix(Prefix.parse("2001:db8::/32"))));
        FilterEncoding.Tables t = FilterEncoding.encode(rules, 100);
        assertEquals(3, t.sourceV4().size());
        assertEquals(1, t.sourceV6().size());
        assertEquals(1, t.destinationV4().size());
        assertEquals(List.of(1, 2, 4), chainOf(t, t.sourceV4(), "10.1.0.0/16"));
        assertEquals(List.of(1), chainOf(t, t.sourceV4(), "10.0.0.0/8"));
        assertEquals(List.of(1, 3), chainOf(t, t.sourceV4(), "10.2.0.0/16"));
        assertEquals(List.of(5), chainOf(t, t.destinationV4(), "10.1.0.0/16"));
        assertEquals(List.of(6), chainOf(t, t.sourceV6(), "2001:db8::/32"));
        assertEquals(6, t.rules().size());
    }

    @Test
    void tooManyRulesForOnePrefixAreRefused() {
        List<FilterRule> rules = new ArrayList<>();
        for (int i = 1; i <= FilterEncoding.CHAIN_LEN + 1; i++) {
            rules.add(rule(i, new SourcePrefix(Prefix.parse("10.0.0.0/" + (8 + i)))));
        }
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> FilterEncoding.encode(rules, 100));
        assertTrue(e.getMessage().contains("10.0.0.0/17"), e.getMessage());
        assertTrue(FilterEncoding.encode(rules.subList(0, FilterEncoding.CHAIN_LEN), 100)
                        .chains()
                        .size()
                > 0);
    }

    @Test
    void dnsPatternsBecomeExactOrSuffixKeys() {
        FilterEncoding.Tables t = FilterEncoding.encode(
                List.of(rule(1, new DnsQuery("*.example.com", 0)), rule(2, new DnsQuery("example.com", 28))), 100);
        long h = DnsNameHash.nameHash(List.of("example", "com"));
        assertArrayEquals(FilterEncoding.dnsKey(h, 0, true), t.dns().get(0).key());
        assertArrayEquals(FilterEncoding.dnsKey(h, 28, false), t.dns().get(1).key());
        assertThrows(
                IllegalArgumentException.class,
                () -> FilterEncoding.encode(
                        List.of(rule(1, new DnsQuery("*.example.com", 0)), rule(2, new DnsQuery("*.EXAMPLE.com", 0))),
                        100));
    }

    @Test
    void dnsDepthsHaveOneBitPerLabelCountByKindAndType() {
        List<FilterRule> rules = List.of(
                FilterRule.builder(1, new DnsQuery("a.example.net", 0), Action.DROP)
                        .build(),
                FilterRule.builder(2, new DnsQuery("*.example.com", 0), Action.DROP)
                        .build(),
                FilterRule.builder(3, new DnsQuery("*.x.y.example.org", 28), Action.DROP)
                        .build(),
                FilterRule.builder(4, new DnsQuery("example", 1), Action.DROP).build(),
                FilterRule.builder(5, new SourcePrefix(Prefix.parse("10.0.0.0/8")), Action.DROP)
                        .build());
        DnsDepths d = FilterEncoding.encode(rules, 16).dnsDepths();
        assertEquals(new DnsDepths(1 << 2, 1 << 0, 1 << 1, 1 << 3), d);
        assertEquals(
                DnsDepths.NONE, FilterEncoding.encode(rules.subList(4, 5), 16).dnsDepths());
        assertEquals(new DnsDepths(1 << 2, 1, 1 << 1, 1 << 3), DnsDepths.NONE.union(d));
    }

    @Test
    void aRuleEncodesItsConditions() {
        FilterRule r = FilterRule.builder(9, new DestinationPrefix(Prefix.parse("192.0.2.0/24")), Action.RATE)
                .protocol(6)
                .destinationPorts(new PortRange(80, 443))
                .tcpFlags(0x12, 0x02)
                .length(60, 1500)
                .other(Prefix.parse("198.51.100.0/24"))
                .rate(1000, 2_000_000, Action.ALLOW)
                .observeOnly()
                .build();
        ByteBuffer b = ByteBuffer.wrap(FilterEncoding.ruleValue(r)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(Action.RATE.code, b.get(FilterEncoding.OFF_ACTION));
        assertEquals(FilterEncoding.FLAG_OBSERVE, b.get(FilterEncoding.OFF_FLAGS));
        assertEquals(Action.ALLOW.code, b.get(FilterEncoding.OFF_OVER_ACTION));
        assertEquals(80, b.getShort(FilterEncoding.OFF_DPORT_LO));
        assertEquals(443, b.getShort(FilterEncoding.OFF_DPORT_HI));
        assertEquals(0, b.getShort(FilterEncoding.OFF_SPORT_HI));
        assertEquals(24, b.get(FilterEncoding.OFF_OTHER_PREFIXLEN));
        assertEquals((byte) 198, b.get(FilterEncoding.OFF_OTHER));
        assertEquals(2_000_000, b.getLong(FilterEncoding.OFF_RATE_BPS));
    }

    @Test
    void badRulesAreRefusedWithOneLine() {
        List<Runnable> bad = List.of(
                () -> Prefix.parse("10.0.0.1/8"),
                () -> Prefix.parse("10.0.0.0/33"),
                () -> Prefix.parse("nonsense"),
                () -> new PortRange(90, 80),
                () -> FilterRule.builder(0, new SourcePrefix(Prefix.parse("10.0.0.0/8")), Action.DROP)
                        .build(),
                () -> FilterRule.builder(1, new SourcePrefix(Prefix.parse("10.0.0.0/8")), Action.RATE)
                        .build(),
                () -> FilterRule.builder(1, new SourcePrefix(Prefix.parse("10.0.0.0/8")), Action.DROP)
                        .protocol(17)
                        .tcpFlags(2, 2)
                        .build(),
                () -> FilterRule.builder(1, new DnsQuery("*.", 0), Action.DROP).build(),
                () -> FilterEncoding.encode(
                        List.of(rule(5, new DnsQuery("a.b", 0)), rule(5, new DnsQuery("c.d", 0))), 100),
                () -> FilterEncoding.encode(List.of(rule(100, new DnsQuery("a.b", 0))), 100));
        for (Runnable r : bad) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
        }
    }

    private static FilterRule rule(int id, FilterRule.Target target) {
        return FilterRule.builder(id, target, Action.DROP).build();
    }

    private static List<Integer> chainOf(FilterEncoding.Tables t, List<FilterEncoding.Entry> trie, String prefix) {
        byte[] key = FilterEncoding.trieKey(Prefix.parse(prefix));
        FilterEncoding.Entry e = trie.stream()
                .filter(x -> java.util.Arrays.equals(x.key(), key))
                .findFirst()
                .orElseThrow();
        FilterEncoding.Entry chain = t.chains().stream()
                .filter(x -> java.util.Arrays.equals(x.key(), e.value()))
                .findFirst()
                .orElseThrow();
        ByteBuffer b = ByteBuffer.wrap(chain.value()).order(ByteOrder.LITTLE_ENDIAN);
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < FilterEncoding.CHAIN_LEN && b.getInt(4 * i) != 0; i++) {
            ids.add(b.getInt(4 * i));
        }
        return ids;
    }
}
