package io.ringfleet.chaos.netns;

import io.ringfleet.agent.datapath.BalancerDatapath;
import io.ringfleet.agent.datapath.DatapathConfig;
import io.ringfleet.agent.datapath.XdpTarget;
import io.ringfleet.bpf.BpfMap;
import io.ringfleet.bpf.Xdp;
import io.ringfleet.bpf.abi.Conn;
import io.ringfleet.bpf.abi.Counter;
import io.ringfleet.bpf.abi.FlowKey;
import io.ringfleet.bpf.abi.GlobalCounter;
import io.ringfleet.config.XdpMode;
import java.util.HashMap;
import java.util.Map;

/**
 * One LB's balancer: lb-agent's {@link BalancerDatapath} opened with the given config and attached to the LB's
 * device inside the LB's namespace (driver mode), or a view of the one an lb-agent process runs ({@link #observe}).
 * Reads its maps and counters for the demo. Closing an attached node detaches the program (the agent never does;
 * the demo owns the namespace); closing either closes this process's handles.
 */
public final class BalancerNode implements AutoCloseable {
    /** RF_RING_SIZE: ring slots per VIP. */
    public static final int RING_SIZE = DatapathConfig.RING_SIZE;

    private final LbNode lb;
    private final BalancerDatapath datapath;
    private final boolean owner;
    private int ifindex = -1;

    private BalancerNode(LbNode lb, BalancerDatapath datapath, boolean owner) {
        this.lb = lb;
        this.datapath = datapath;
        this.owner = owner;
    }

    /** Opens a datapath with config and attaches it to the LB's device. */
    public static BalancerNode attach(LbNode lb, DatapathConfig config) {
        BalancerNode node = new BalancerNode(lb, BalancerDatapath.open(config), true);
        try {
            int at = lb.ns().ifindex(lb.device());
            lb.ns().run(() -> node.datapath.attach(XdpTarget.standalone(lb.device(), XdpMode.DRIVER)));
            node.ifindex = at;
            return node;
        } catch (RuntimeException e) {
            node.close();
            throw e;
        }
    }

    /**
     * A view of the balancer an lb-agent runs on lb: its pinned maps and program, opened with the agent's sizes
     * and pin dir (config), never attached or detached by this object. Closing it closes only its own handles.
     */
    public static BalancerNode observe(LbNode lb, DatapathConfig config) {
        if (config.pinDir().isEmpty()) {
            throw new IllegalArgumentException("observing " + lb.id() + "'s balancer needs the agent's pin dir");
        }
        BalancerNode node = new BalancerNode(lb, BalancerDatapath.open(config), false);
        node.ifindex = lb.ns().ifindex(lb.device());
        return node;
    }

    public LbNode lb() {
        return lb;
    }

    public BalancerDatapath datapath() {
        return datapath;
    }

    /** The kernel id of the loaded program. */
    public int programId() {
        return datapath.program().id();
    }

    /** The id of the program attached to the LB's device now (0: none). */
    public int attachedProgramId() {
        int at = ifindex;
        return at <= 0 ? 0 : lb.ns().call(() -> Xdp.attachedId(at, Xdp.Mode.DRIVER));
    }

    /** A map of the balancer by its name in bpf/README.md (owned by the datapath: do not close it). */
    public BpfMap map(String name) {
        return datapath.map(name);
    }

    /** A global counter summed over CPUs. */
    public Counter global(GlobalCounter which) {
        return perCpuSum("global_stats", which.index());
    }

    /** Packets and bytes matched to VIP number vipNum, summed over CPUs. */
    public Counter vipStats(int vipNum) {
        return perCpuSum("vip_stats", vipNum);
    }

    /**
     * Every remembered flow of the shared connection table (conn_fallback, the only one when the datapath has
     * no per-CPU tables, as {@link DatapathFleet} opens it) and the real index it is pinned to.
     */
    public Map<FlowKey, Integer> connections() {
        Map<FlowKey, Integer> out = new HashMap<>();
        for (BpfMap.Entry e : map("conn_fallback").entries()) {
            out.putIfAbsent(FlowKey.decode(e.key()), Conn.decode(e.value()).realIndex());
        }
        return out;
    }

    private Counter perCpuSum(String name, int index) {
        return map(name).lookupPerCpu(BpfMap.u32(index)).map(Counter::sum).orElse(Counter.ZERO);
    }

    @Override
    public synchronized void close() {
        if (ifindex > 0 && owner) {
            int at = ifindex;
            try {
                lb.ns().run(() -> Xdp.detach(at, Xdp.Mode.DRIVER));
            } catch (RuntimeException gone) {
                // the namespace (and the device) may already be gone: the program went with it
            }
            ifindex = -1;
        }
        datapath.close();
    }

    @Override
    public String toString() {
        return "BalancerNode[" + lb.id() + " prog " + programId() + "]";
    }
}
