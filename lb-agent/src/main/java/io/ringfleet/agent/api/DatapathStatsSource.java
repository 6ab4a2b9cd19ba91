package io.ringfleet.agent.api;

import io.ringfleet.agent.datapath.DatapathStats;
import io.ringfleet.bpf.BpfException;
import io.ringfleet.bpf.abi.GlobalCounter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The API's view of this node's BPF counters, read through the datapath's {@link DatapathStats}. Global
 * counters are named after {@link GlobalCounter}, lower case ({@code lru_hit}, {@code icmp_too_big}), in
 * the datapath's order.
 */
public final class DatapathStatsSource implements StatsSource {
    private final DatapathStats stats;

    public DatapathStatsSource(DatapathStats stats) {
        this.stats = Objects.requireNonNull(stats, "stats");
    }

    /** The API name of a datapath global counter. */
    public static String name(GlobalCounter counter) {
        return counter.name().toLowerCase(Locale.ROOT);
    }

    @Override
    public Snapshot read() {
        try {
            List<NamedCounter> global = new ArrayList<>();
            for (Map.Entry<GlobalCounter, io.ringfleet.bpf.abi.Counter> e :
                    stats.global().entrySet()) {
                global.add(new NamedCounter(name(e.getKey()), convert(e.getValue())));
            }
            return new Snapshot(convert(stats.vips()), convert(stats.reals()), global);
        } catch (BpfException e) {
            throw new FleetUnavailableException("the datapath counters cannot be read: " + e.getMessage(), e);
        }
    }

    private static Counter convert(io.ringfleet.bpf.abi.Counter c) {
        return new Counter(c.packets(), c.bytes());
    }

    private static SortedMap<Integer, Counter> convert(SortedMap<Integer, io.ringfleet.bpf.abi.Counter> in) {
        TreeMap<Integer, Counter> out = new TreeMap<>();
        in.forEach((k, v) -> out.put(k, convert(v)));
        return out;
    }
}
