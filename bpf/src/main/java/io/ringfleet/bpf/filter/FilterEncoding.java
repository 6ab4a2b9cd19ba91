package io.ringfleet.bpf.filter;

import io.ringfleet.bpf.filter.FilterRule.DestinationPrefix;
import io.ringfleet.bpf.filter.FilterRule.DnsQuery;
import io.ringfleet.bpf.filter.FilterRule.SourcePrefix;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Rules → the pre-filter's map entries (pure: no kernel). Each distinct source / destination prefix gets a chain:
 * the rules keyed by it and by every prefix covering it, in the order given (the trie returns only the longest
 * prefix, so a covering prefix's rules are copied into the chains of the prefixes inside it). DNS rules become
 * name-hash keys, and their label counts {@link DnsDepths}. Layouts are rf_abi.h's (checked against the shim by {@code FilterEncodingTest}).
 */
public final class FilterEncoding {
    /** struct rf_filter_rule. */
    public static final int RULE_SIZE = 56;

    public static final int OFF_ACTION = 0;
    public static final int OFF_FLAGS = 1;
    public static final int OFF_PROTO = 2;
    public static final int OFF_TCP_FLAGS_MASK = 3;
    public static final int OFF_TCP_FLAGS_VALUE = 4;
    public static final int OFF_OTHER_FAMILY = 5;
    public static final int OFF_OTHER_PREFIXLEN = 6;
    public static final int OFF_OVER_ACTION = 7;
    public static final int OFF_SPORT_LO = 8;
    public static final int OFF_SPORT_HI = 10;
    public static final int OFF_DPORT_LO = 12;
    public static final int OFF_DPORT_HI = 14;
    public static final int OFF_LEN_MIN = 16;
    public static final int OFF_LEN_MAX = 18;
    public static final int OFF_OTHER = 24;
    public static final int OFF_RATE_PPS = 40;
    public static final int OFF_RATE_BPS = 48;
    /** RF_FILTER_CHAIN_LEN: rule ids per chain. */
    public static final int CHAIN_LEN = 8;

    public static final int CHAIN_SIZE = 4 * CHAIN_LEN;
    public static final int V4_KEY_SIZE = 8;
    public static final int V6_KEY_SIZE = 20;
    public static final int DNS_KEY_SIZE = 16;
    public static final int DNS_OFF_QTYPE = 8;
    public static final int DNS_OFF_KIND = 10;
    public static final int DNS_EXACT = 1;
    public static final int DNS_SUFFIX = 2;
    public static final int FLAG_OBSERVE = 1;
    static final int FAMILY_V4 = 4;
    static final int FAMILY_V6 = 6;

    private FilterEncoding() {}

    /** One map entry. */
    public record Entry(byte[] key, byte[] value) {}

    /** Every entry of the rule maps, by map. */
    public record Tables(
            List<Entry> sourceV4,
            List<Entry> sourceV6,
            List<Entry> destinationV4,
            List<Entry> destinationV6,
            List<Entry> chains,
            List<Entry> rules,
            List<Entry> dns,
            DnsDepths dnsDepths) {}

    /** The entries for {@code rules} (tried in this order within a chain); {@code maxRules} is filter_rules' size. */
    public static Tables encode(List<FilterRule> rules, int maxRules) {
        Map<Integer, FilterRule> byId = new HashMap<>();
        List<Entry> ruleEntries = new ArrayList<>();
        for (FilterRule r : rules) {
            if (r.id() >= maxRules) {
                throw new IllegalArgumentException(
                        "filter rule id " + r.id() + " is over the maximum " + (maxRules - 1));
            }
            if (byId.putIfAbsent(r.id(), r) != null) {
                throw new IllegalArgumentException("filter rule id " + r.id() + " is used twice");
            }
            ruleEntries.add(new Entry(u32(r.id()), ruleValue(r)));
        }
        ChainBuilder chains = new ChainBuilder();
        return new Tables(
                chains.side(rules, true, false),
                chains.side(rules, true, true),
                chains.side(rules, false, false),
                chains.side(rules, false, true),
                chains.entries,
                ruleEntries,
                dnsEntries(rules),
                DnsDepths.of(rules));
    }

    /** Assigns chain ids (from 1) and collects the chains of the four tries. */
    private static final class ChainBuilder {
        final List<Entry> entries = new ArrayList<>();

        List<Entry> side(List<FilterRule> rules, boolean source, boolean v6) {
            Map<Prefix, List<FilterRule>> keyed = new LinkedHashMap<>();
            for (FilterRule r : rules) {
                Prefix p = prefixOf(r, source);
                if (p != null && p.isV6() == v6) {
                    keyed.computeIfAbsent(p, k -> new ArrayList<>()).add(r);
                }
            }
            Map<FilterRule, Integer> order = new HashMap<>();
            for (int i = 0; i < rules.size(); i++) {
                order.put(rules.get(i), i);
            }
            List<Entry> trie = new ArrayList<>();
            for (Prefix p : keyed.keySet()) {
                int chainId = entries.size() + 1;
                entries.add(new Entry(u32(chainId), chainValue(covering(keyed, order, p, source))));
                trie.add(new Entry(trieKey(p), u32(chainId)));
            }
            return trie;
        }

        /** The rules of p and of every prefix covering it, in input order (one lookup per shorter length). */
        private static List<FilterRule> covering(
                Map<Prefix, List<FilterRule>> keyed, Map<FilterRule, Integer> order, Prefix p, boolean source) {
            List<FilterRule> chain = new ArrayList<>();
            byte[] addr = p.address().getAddress();
            for (int len = 0; len <= p.length(); len++) {
                List<FilterRule> at = keyed.get(new Prefix(address(Prefix.masked(addr, len)), len));
                if (at != null) {
                    chain.addAll(at);
                }
            }
            chain.sort(java.util.Comparator.comparingInt(order::get));
            if (chain.size() > CHAIN_LEN) {
                throw new IllegalArgumentException((source ? "source" : "destination") + " prefix " + p + " needs "
                        + chain.size() + " rules (its own and those of prefixes covering it); at most " + CHAIN_LEN);
            }
            return chain;
        }

        private static java.net.InetAddress address(byte[] bytes) {
            try {
                return java.net.InetAddress.getByAddress(bytes);
            } catch (java.net.UnknownHostException e) {
                throw new IllegalStateException(e); // 4 or 16 bytes: cannot happen
            }
        }

        private static Prefix prefixOf(FilterRule r, boolean source) {
            if (source && r.target() instanceof SourcePrefix s) {
                return s.prefix();
            }
            if (!source && r.target() instanceof DestinationPrefix d) {
                return d.prefix();
            }
            return null;
        }
    }

    private static byte[] chainValue(List<FilterRule> chain) {
        ByteBuffer b = le(CHAIN_SIZE);
        for (int i = 0; i < chain.size(); i++) {
            b.putInt(4 * i, chain.get(i).id());
        }
        return b.array();
    }

    private static List<Entry> dnsEntries(List<FilterRule> rules) {
        Map<String, Integer> seen = new HashMap<>();
        List<Entry> out = new ArrayList<>();
        for (FilterRule r : rules) {
            if (r.target() instanceof DnsQuery q) {
                byte[] key = dnsKey(DnsNameHash.nameHash(q.labels()), q.qtype(), q.wildcard());
                Integer before = seen.putIfAbsent(java.util.HexFormat.of().formatHex(key), r.id());
                if (before != null) {
                    throw new IllegalArgumentException("filter rules " + before + " and " + r.id()
                            + " both match DNS pattern '" + q.pattern() + "' type " + q.qtype());
                }
                out.add(new Entry(key, u32(r.id())));
            }
        }
        return out;
    }

    /** struct rf_filter_dns_key. */
    public static byte[] dnsKey(long nameHash, int qtype, boolean suffix) {
        ByteBuffer b = le(DNS_KEY_SIZE);
        b.putLong(0, nameHash);
        b.putShort(DNS_OFF_QTYPE, (short) qtype);
        b.put(DNS_OFF_KIND, (byte) (suffix ? DNS_SUFFIX : DNS_EXACT));
        return b.array();
    }

    /** struct rf_filter_v4_key / rf_filter_v6_key. */
    public static byte[] trieKey(Prefix p) {
        byte[] addr = p.address().getAddress();
        ByteBuffer b = le(4 + addr.length);
        b.putInt(0, p.length());
        b.put(4, addr);
        return b.array();
    }

    /** struct rf_filter_rule. */
    public static byte[] ruleValue(FilterRule r) {
        ByteBuffer b = le(RULE_SIZE);
        b.put(OFF_ACTION, (byte) r.action().code);
        b.put(OFF_FLAGS, (byte) (r.observeOnly() ? FLAG_OBSERVE : 0));
        b.put(OFF_PROTO, (byte) r.protocol());
        b.put(OFF_TCP_FLAGS_MASK, (byte) r.tcpFlagsMask());
        b.put(OFF_TCP_FLAGS_VALUE, (byte) r.tcpFlagsValue());
        r.other().ifPresent(o -> {
            b.put(OFF_OTHER_FAMILY, (byte) (o.isV6() ? FAMILY_V6 : FAMILY_V4));
            b.put(OFF_OTHER_PREFIXLEN, (byte) o.length());
            b.put(OFF_OTHER, o.address().getAddress());
        });
        b.put(OFF_OVER_ACTION, (byte) (r.overRateAction() == null ? 0 : r.overRateAction().code));
        b.putShort(OFF_SPORT_LO, (short) r.sourcePorts().from());
        b.putShort(OFF_SPORT_HI, (short) r.sourcePorts().to());
        b.putShort(OFF_DPORT_LO, (short) r.destinationPorts().from());
        b.putShort(OFF_DPORT_HI, (short) r.destinationPorts().to());
        b.putShort(OFF_LEN_MIN, (short) r.lengthMin());
        b.putShort(OFF_LEN_MAX, (short) r.lengthMax());
        b.putLong(OFF_RATE_PPS, r.packetsPerSecondPerCpu());
        b.putLong(OFF_RATE_BPS, r.bytesPerSecondPerCpu());
        return b.array();
    }

    static byte[] u32(int v) {
        return le(4).putInt(0, v).array();
    }

    private static ByteBuffer le(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }
}
