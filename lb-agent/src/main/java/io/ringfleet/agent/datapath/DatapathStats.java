package io.ringfleet.agent.datapath;

import io.ringfleet.bpf.BpfMap;
import io.ringfleet.bpf.MapNames;
import io.ringfleet.bpf.abi.Counter;
import io.ringfleet.bpf.abi.GlobalCounter;
import io.ringfleet.bpf.abi.HcCounter;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The datapath's counters, summed over CPUs: per VIP and per real (packets and bytes the balancer matched to
 * the VIP / forwarded to the real), the balancer's global counters (LRU hits and misses, fallback hits, ICMP,
 * XDP actions, ...) and the health-check forwarder's. Reads the kernel on every call; thread-safe.
 */
public final class DatapathStats {
    private final BalancerDatapath datapath;

    public DatapathStats(BalancerDatapath datapath) {
        this.datapath = Objects.requireNonNull(datapath, "datapath");
    }

    /** One VIP's counter by vip_num. */
    public Counter vip(int vipNum) {
        return cell(Table.VIP_STATS, vipNum, datapath.config().maxVips(), "vip_num");
    }

    /** One real's counter by real index. */
    public Counter real(int realIndex) {
        return cell(Table.REAL_STATS, realIndex, datapath.config().maxReals(), "real index");
    }

    /** Every VIP counter that is not zero, by vip_num. */
    public SortedMap<Integer, Counter> vips() {
        return nonZero(Table.VIP_STATS);
    }

    /** Every real counter that is not zero, by real index. */
    public SortedMap<Integer, Counter> reals() {
        return nonZero(Table.REAL_STATS);
    }

    /** Every global counter of the balancer. */
    public Map<GlobalCounter, Counter> global() {
        EnumMap<GlobalCounter, Counter> out = new EnumMap<>(GlobalCounter.class);
        BpfMap map = datapath.map(MapNames.GLOBAL_STATS);
        for (GlobalCounter c : GlobalCounter.values()) {
            out.put(c, map.lookupPerCpu(BpfMap.u32(c.index())).map(Counter::sum).orElse(Counter.ZERO));
        }
        return Collections.unmodifiableMap(out);
    }

    public Counter global(GlobalCounter which) {
        return datapath.map(MapNames.GLOBAL_STATS)
                .lookupPerCpu(BpfMap.u32(which.index()))
                .map(Counter::sum)
                .orElse(Counter.ZERO);
    }

    /** The health-check forwarder's counters; empty when it is not loaded. */
    public Map<HcCounter, Counter> healthChecks() {
        EnumMap<HcCounter, Counter> out = new EnumMap<>(HcCounter.class);
        if (!datapath.hasMap(MapNames.HC_STATS)) {
            return out;
        }
        BpfMap map = datapath.map(MapNames.HC_STATS);
        for (HcCounter c : HcCounter.values()) {
            out.put(c, map.lookupPerCpu(BpfMap.u32(c.index())).map(Counter::sum).orElse(Counter.ZERO));
        }
        return Collections.unmodifiableMap(out);
    }

    private Counter cell(String map, int index, int size, String what) {
        if (index < 0 || index >= size) {
            throw new IllegalArgumentException(what + " must be 0.." + (size - 1) + ", got " + index);
        }
        return datapath.map(map)
                .lookupPerCpu(BpfMap.u32(index))
                .map(Counter::sum)
                .orElse(Counter.ZERO);
    }

    private SortedMap<Integer, Counter> nonZero(String mapName) {
        BpfMap map = datapath.map(mapName);
        TreeMap<Integer, Counter> out = new TreeMap<>();
        for (BpfMap.Entry e : map.entries()) {
            Counter c = Counter.sum(map.splitPerCpuValue(e.value()));
            if (!c.equals(Counter.ZERO)) {
                out.put(BpfMap.u32(e.key()), c);
            }
        }
        return Collections.unmodifiableSortedMap(out);
    }
}
