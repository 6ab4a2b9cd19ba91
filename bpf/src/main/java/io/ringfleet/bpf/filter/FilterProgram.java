package io.ringfleet.bpf.filter;

import io.ringfleet.bpf.Bpf;
import io.ringfleet.bpf.BpfMap;
import io.ringfleet.bpf.BpfObject;
import io.ringfleet.bpf.BpfProgram;
import io.ringfleet.bpf.MapNames;
import io.ringfleet.bpf.UpdateFlag;
import io.ringfleet.bpf.abi.Counter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The loaded pre-filter ({@code filter.bpf.o}, program {@code xdp_filter}): standalone (packets not dropped are
 * passed) or in an xdp_root slot (handed on to the next slot). {@link #install} writes a rule set: new and changed
 * entries first (rules, then chains, then the tries and DNS keys that point at them), then removes what the previous
 * set had and this one has not, so no lookup ever finds a chain or rule that is not written yet. filter_dns_depths
 * covers both sets while DNS keys change and the new set's alone afterwards.
 */
public final class FilterProgram implements AutoCloseable {
    public static final String OBJECT = "filter";
    public static final String PROGRAM = "xdp_filter";
    static final int CTL_F_CHAINED = 1;
    static final int BUCKET_SIZE = 24;

    private final BpfObject object;
    private final BpfProgram program;
    private FilterEncoding.Tables installed = FilterEncoding.encode(List.of(), 1);

    private FilterProgram(BpfObject object) {
        this.object = object;
        this.program = object.program(PROGRAM);
    }

    /** Loads the shipped object alone; {@code maxEntries} resizes maps by name (e.g. filter_rules). */
    public static FilterProgram standalone(Map<String, Integer> maxEntries) {
        return new FilterProgram(
                BpfObject.open(Bpf.shippedObject(OBJECT), maxEntries).load());
    }

    /** Loads the shipped object sharing xdp_root's pinned {@code root_array}; register {@link #program} in {@code slot}. */
    public static FilterProgram chained(Path rootArrayPin, int slot, Map<String, Integer> maxEntries) {
        BpfObject obj = BpfObject.open(Bpf.shippedObject(OBJECT), maxEntries)
                .setPinPath(MapNames.ROOT_ARRAY, rootArrayPin)
                .load();
        FilterProgram f = new FilterProgram(obj);
        ByteBuffer ctl = le(8).putInt(0, CTL_F_CHAINED).putInt(4, slot);
        f.map(MapNames.FILTER_CTL).update(FilterEncoding.u32(0), ctl.array());
        return f;
    }

    public BpfProgram program() {
        return program;
    }

    public BpfMap map(String name) {
        return object.map(name);
    }

    /** Replaces the installed rules by {@code rules} (tried in this order within each chain). */
    public void install(List<FilterRule> rules) {
        FilterEncoding.Tables next =
                FilterEncoding.encode(rules, map(MapNames.FILTER_RULES).maxEntries());
        int maxChains = map(MapNames.FILTER_CHAINS).maxEntries();
        if (next.chains().size() >= maxChains) {
            throw new IllegalArgumentException("the rules need " + next.chains().size()
                    + " prefix chains; filter_chains holds " + (maxChains - 1));
        }
        write(MapNames.FILTER_RULES, next.rules());
        write(MapNames.FILTER_CHAINS, next.chains());
        write(MapNames.FILTER_SRC_V4, next.sourceV4());
        write(MapNames.FILTER_SRC_V6, next.sourceV6());
        write(MapNames.FILTER_DST_V4, next.destinationV4());
        write(MapNames.FILTER_DST_V6, next.destinationV6());
        write(MapNames.FILTER_DNS, next.dns());
        // the depths of both sets while keys of either may be in filter_dns, then the new set's alone
        writeDnsDepths(installed.dnsDepths().union(next.dnsDepths()));
        delete(MapNames.FILTER_SRC_V4, installed.sourceV4(), next.sourceV4());
        delete(MapNames.FILTER_SRC_V6, installed.sourceV6(), next.sourceV6());
        delete(MapNames.FILTER_DST_V4, installed.destinationV4(), next.destinationV4());
        delete(MapNames.FILTER_DST_V6, installed.destinationV6(), next.destinationV6());
        delete(MapNames.FILTER_DNS, installed.dns(), next.dns());
        // arrays: a stale chain or rule is zeroed (an all-zero rule never matches, an all-zero chain is empty)
        zero(MapNames.FILTER_CHAINS, installed.chains(), next.chains(), FilterEncoding.CHAIN_SIZE);
        zero(MapNames.FILTER_RULES, installed.rules(), next.rules(), FilterEncoding.RULE_SIZE);
        writeDnsDepths(next.dnsDepths());
        installed = next;
    }

    private void writeDnsDepths(DnsDepths depths) {
        map(MapNames.FILTER_DNS_DEPTHS).update(FilterEncoding.u32(0), depths.encode(), UpdateFlag.ANY);
    }

    /** A rule's counters summed over CPUs. */
    public FilterCounter counter(int ruleId) {
        return map(MapNames.FILTER_STATS)
                .lookupPerCpu(FilterEncoding.u32(ruleId))
                .map(FilterCounter::sum)
                .orElse(FilterCounter.ZERO);
    }

    public Counter global(FilterGlobal which) {
        return map(MapNames.FILTER_GLOBAL)
                .lookupPerCpu(FilterEncoding.u32(which.ordinal()))
                .map(Counter::sum)
                .orElse(Counter.ZERO);
    }

    /**
     * Sets a rate rule's token buckets on every CPU (tokens: 1e9 per packet / per byte). A stamp ahead of the clock
     * holds the buckets unrefilled until then: how tests fix the tokens a run starts with.
     */
    public void setBuckets(int ruleId, long stampNs, long packetTokens, long byteTokens) {
        ByteBuffer b =
                le(BUCKET_SIZE).putLong(0, stampNs).putLong(8, packetTokens).putLong(16, byteTokens);
        map(MapNames.FILTER_BUCKETS).updateAllCpus(FilterEncoding.u32(ruleId), b.array());
    }

    private void write(String map, List<FilterEncoding.Entry> entries) {
        BpfMap m = map(map);
        for (FilterEncoding.Entry e : entries) {
            m.update(e.key(), e.value(), UpdateFlag.ANY);
        }
    }

    private void delete(String map, List<FilterEncoding.Entry> before, List<FilterEncoding.Entry> now) {
        Set<String> keep = keys(now);
        for (FilterEncoding.Entry e : before) {
            if (!keep.contains(hex(e.key()))) {
                map(map).delete(e.key());
            }
        }
    }

    private void zero(String map, List<FilterEncoding.Entry> before, List<FilterEncoding.Entry> now, int size) {
        Set<String> keep = keys(now);
        for (FilterEncoding.Entry e : before) {
            if (!keep.contains(hex(e.key()))) {
                map(map).update(e.key(), new byte[size], UpdateFlag.ANY);
            }
        }
    }

    private static Set<String> keys(List<FilterEncoding.Entry> entries) {
        Set<String> out = new HashSet<>();
        entries.forEach(e -> out.add(hex(e.key())));
        return out;
    }

    private static String hex(byte[] b) {
        return java.util.HexFormat.of().formatHex(b);
    }

    private static ByteBuffer le(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public void close() {
        object.close();
    }
}
