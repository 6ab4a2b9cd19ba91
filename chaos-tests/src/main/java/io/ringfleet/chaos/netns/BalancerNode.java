package io.ringfleet.chaos.netns;

import io.ringfleet.bpf.Bpf;
import io.ringfleet.bpf.BpfMap;
import io.ringfleet.bpf.BpfObject;
import io.ringfleet.bpf.BpfProgram;
import io.ringfleet.bpf.MapType;
import io.ringfleet.bpf.Xdp;
import io.ringfleet.bpf.abi.Conn;
import io.ringfleet.bpf.abi.Counter;
import io.ringfleet.bpf.abi.FlowKey;
import io.ringfleet.bpf.abi.GlobalCounter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One LB's balancer: balancer.bpf.o loaded with maps sized for a small fleet, a per-CPU connection table,
 * and the program attached to the LB's device (inside the LB's namespace). Hands out its maps by name and
 * reads its counters. Closing detaches the program, then frees maps and program.
 */
public final class BalancerNode implements AutoCloseable {
    public static final String PROGRAM = "balancer_ingress";
    /** RF_RING_SIZE: ring slots per VIP. */
    public static final int RING_SIZE = 65537;

    private final LbNode lb;
    private final BpfObject object;
    private final BpfProgram program;
    private final Map<String, BpfMap> maps = new HashMap<>();
    private final List<BpfMap> connTables = new ArrayList<>();
    private final int maxVips;
    private final int maxReals;
    private final Xdp.Mode mode;
    private int ifindex = -1;

    private BalancerNode(LbNode lb, BpfObject object, int maxVips, int maxReals, Xdp.Mode mode) {
        this.lb = lb;
        this.object = object;
        this.program = object.program(PROGRAM);
        this.maxVips = maxVips;
        this.maxReals = maxReals;
        this.mode = mode;
    }

    /**
     * Loads a balancer for lb and attaches it to the LB's device in mode.
     *
     * @param objectFile the balancer object (normally {@code Bpf.shippedObject("balancer")})
     * @param maxVips VIP numbers 0..maxVips-1 (ch_rings holds maxVips rings)
     * @param maxReals real indexes 0..maxReals-1
     * @param tableFlows connection-table size: flows the shared table (conn_fallback) holds
     * @param flowsPerCpu flows of each per-CPU connection table, or 0 for none: every CPU then uses the
     *     shared table. On veths a flow's packets are not kept on one CPU (there is no RSS), so a per-CPU
     *     table misses whenever a flow changes CPU; the shared table does not.
     */
    public static BalancerNode attach(LbNode lb, Path objectFile, int maxVips, int maxReals, int tableFlows,
                                      int flowsPerCpu, Xdp.Mode mode) {
        BpfObject obj = BpfObject.open(objectFile, Map.of("vip_map", maxVips, "vip_addrs", maxVips,
                "vip_stats", maxVips, "ch_rings", maxVips * RING_SIZE, "reals", maxReals, "real_stats", maxReals,
                "down_reals", maxReals, "conn_fallback", tableFlows));
        BalancerNode node = null;
        try {
            obj.load();
            node = new BalancerNode(lb, obj, maxVips, maxReals, mode);
            if (flowsPerCpu > 0) {
                node.createConnTables(flowsPerCpu);
            }
            node.attachToDevice();
            return node;
        } catch (RuntimeException e) {
            if (node != null) {
                node.close();
            } else {
                obj.close();
            }
            throw e;
        }
    }

    private void createConnTables(int flowsPerCpu) {
        int cpus = Bpf.numPossibleCpus();
        BpfMap outer = map("conn_lru_maps");
        for (int cpu = 0; cpu < cpus && cpu < outer.maxEntries(); cpu++) {
            BpfMap inner = BpfMap.builder(MapType.LRU_HASH).name("rf_conn_cpu" + cpu).keySize(FlowKey.SIZE)
                    .valueSize(Conn.SIZE).maxEntries(flowsPerCpu * cpus).flags(BpfMap.F_NO_COMMON_LRU).create();
            connTables.add(inner);
            outer.setInnerMap(BpfMap.u32(cpu), inner);
        }
    }

    private void attachToDevice() {
        ifindex = lb.ns().ifindex(lb.device());
        int at = ifindex;
        lb.ns().run(() -> Xdp.attach(at, program, mode));
    }

    public LbNode lb() {
        return lb;
    }

    public int maxVips() {
        return maxVips;
    }

    public int maxReals() {
        return maxReals;
    }

    public Xdp.Mode mode() {
        return mode;
    }

    /** The kernel id of the loaded program. */
    public int programId() {
        return program.id();
    }

    /** The id of the program attached to the LB's device now (0: none). */
    public int attachedProgramId() {
        int at = ifindex;
        return lb.ns().call(() -> Xdp.attachedId(at, mode));
    }

    /** A map of the balancer by its name in bpf/README.md (owned by this node: do not close it). */
    public synchronized BpfMap map(String name) {
        return maps.computeIfAbsent(name, object::map);
    }

    /** A global counter summed over CPUs. */
    public Counter global(GlobalCounter which) {
        return perCpuSum("global_stats", which.index());
    }

    /** Packets and bytes matched to VIP number vipNum, summed over CPUs. */
    public Counter vipStats(int vipNum) {
        return perCpuSum("vip_stats", vipNum);
    }

    /** Packets and bytes forwarded to real index, summed over CPUs. */
    public Counter realStats(int realIndex) {
        return perCpuSum("real_stats", realIndex);
    }

    /** Flows in the per-CPU connection tables and the fallback table. */
    public int connectionTableSize() {
        int n = map("conn_fallback").keys().size();
        for (BpfMap t : connTables) {
            n += t.keys().size();
        }
        return n;
    }

    /**
     * Every remembered flow of the connection tables (per-CPU tables first, then the shared one) and the
     * real index it is pinned to. A flow in several tables keeps its first entry.
     */
    public Map<FlowKey, Integer> connections() {
        Map<FlowKey, Integer> out = new HashMap<>();
        List<BpfMap> tables = new ArrayList<>(connTables);
        tables.add(map("conn_fallback"));
        for (BpfMap t : tables) {
            for (BpfMap.Entry e : t.entries()) {
                out.putIfAbsent(FlowKey.decode(e.key()), Conn.decode(e.value()).realIndex());
            }
        }
        return out;
    }

    private Counter perCpuSum(String name, int index) {
        return map(name).lookupPerCpu(BpfMap.u32(index)).map(Counter::sum).orElse(Counter.ZERO);
    }

    @Override
    public synchronized void close() {
        if (ifindex > 0) {
            int at = ifindex;
            try {
                lb.ns().run(() -> Xdp.detach(at, mode));
            } catch (RuntimeException gone) {
                // the namespace (and the device) may already be gone: the program went with it
            }
            ifindex = -1;
        }
        maps.values().forEach(BpfMap::close);
        maps.clear();
        connTables.forEach(BpfMap::close);
        connTables.clear();
        program.close();
        object.close();
    }

    @Override
    public String toString() {
        return "BalancerNode[" + lb.id() + " prog " + program.id() + " " + mode + "]";
    }
}
