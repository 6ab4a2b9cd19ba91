package io.ringfleet.bpf.bench;

import io.ringfleet.bpf.AbiLayout;
import io.ringfleet.bpf.Bpf;
import io.ringfleet.bpf.BpfMap;
import io.ringfleet.bpf.BpfObject;
import io.ringfleet.bpf.BpfProgram;
import io.ringfleet.bpf.MapNames;
import io.ringfleet.bpf.MapType;
import io.ringfleet.bpf.UpdateFlag;
import io.ringfleet.bpf.abi.Conn;
import io.ringfleet.bpf.abi.Counter;
import io.ringfleet.bpf.abi.Ctl;
import io.ringfleet.bpf.abi.EncapSrc;
import io.ringfleet.bpf.abi.FlowKey;
import io.ringfleet.bpf.abi.Real;
import io.ringfleet.bpf.abi.VipKey;
import io.ringfleet.bpf.abi.VipMeta;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A loaded balancer (balancer.bpf.o) with small maps and one connection table per CPU, provisioned
 * directly through the bridge: for the benchmark and the real-interface tests, not for production
 * (lb-agent's map programmer does that from the FleetImage).
 */
public final class BalancerRig implements AutoCloseable {
    /** RF_RING_SIZE: ring slots per VIP. */
    public static final int RING_SIZE = (int) AbiLayout.constant("RF_RING_SIZE");

    private final BpfObject obj;
    private final BpfProgram program;
    private final List<BpfMap> inner = new ArrayList<>();
    private final BpfMap vips;
    private final BpfMap vipAddrs;
    private final BpfMap reals;
    private final BpfMap rings;
    private final BpfMap ctl;
    private final BpfMap globalStats;
    private final BpfMap connRate;
    private final BpfMap quicIds;

    /**
     * Loads the balancer object with room for maxVips VIPs and 16 reals, and gives every possible
     * CPU its own LRU connection table of flowsPerCpu flows.
     */
    public BalancerRig(Path object, int maxVips, int flowsPerCpu) {
        BpfObject opened = BpfObject.open(
                object,
                Map.of(
                        "vip_map",
                        16,
                        "vip_addrs",
                        16,
                        "reals",
                        16,
                        "real_stats",
                        16,
                        "vip_stats",
                        maxVips,
                        "ch_rings",
                        maxVips * RING_SIZE));
        if (opened.mapNames().contains(MapNames.CH_RINGS_PREV)) {
            opened.setMaxEntries(MapNames.CH_RINGS_PREV, maxVips * RING_SIZE);
        }
        obj = opened.load();
        try {
            program = obj.program("balancer_ingress");
            vips = obj.map("vip_map");
            vipAddrs = obj.map("vip_addrs");
            reals = obj.map("reals");
            rings = obj.map("ch_rings");
            ctl = obj.map("ctl_array");
            globalStats = obj.map("global_stats");
            connRate = obj.map("conn_rate");
            quicIds = obj.map("quic_ids");
            int cpus = Bpf.numPossibleCpus();
            try (BpfMap outer = obj.map("conn_lru_maps")) {
                for (int cpu = 0; cpu < cpus && cpu < outer.maxEntries(); cpu++) {
                    BpfMap m = BpfMap.builder(MapType.LRU_HASH)
                            .name("conn_cpu" + cpu)
                            .keySize(FlowKey.SIZE)
                            .valueSize(Conn.SIZE)
                            .maxEntries(flowsPerCpu * cpus)
                            .flags(BpfMap.F_NO_COMMON_LRU)
                            .create();
                    inner.add(m);
                    outer.setInnerMap(BpfMap.u32(cpu), m);
                }
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    public BpfProgram program() {
        return program;
    }

    public BpfObject object() {
        return obj;
    }

    /** A VIP whose whole ring points at realIndex. */
    public void addVip(InetAddress address, int port, int proto, int vipNum, int flags, int realIndex) {
        vips.update(new VipKey(address, port, proto).encode(), new VipMeta(flags, vipNum).encode());
        vipAddrs.update(new VipKey(address, 0, 0).encode(), BpfMap.u32(1));
        fillRing(rings, vipNum, realIndex);
    }

    /** Whether the object is a second-chance build (it has ch_rings_prev). */
    public boolean hasSecondChance() {
        return obj.mapNames().contains(MapNames.CH_RINGS_PREV);
    }

    /** Second-chance builds: vipNum's whole previous ring points at realIndex, and the GUE outer sources are set. */
    public void setPrevRing(int vipNum, int realIndex, InetAddress source4, InetAddress source6) {
        try (BpfMap prev = obj.map(MapNames.CH_RINGS_PREV);
                BpfMap sources = obj.map(MapNames.ENCAP_SRCS)) {
            fillRing(prev, vipNum, realIndex);
            for (InetAddress a : List.of(source4, source6)) {
                EncapSrc src = new EncapSrc(a);
                sources.update(BpfMap.u32(src.index()), src.encode());
            }
        }
    }

    private static void fillRing(BpfMap rings, int vipNum, int realIndex) {
        List<byte[]> keys = new ArrayList<>(RING_SIZE);
        List<byte[]> values = new ArrayList<>(RING_SIZE);
        byte[] real = BpfMap.u32(realIndex);
        for (int slot = 0; slot < RING_SIZE; slot++) {
            keys.add(BpfMap.u32(vipNum * RING_SIZE + slot));
            values.add(real);
        }
        for (int from = 0; from < RING_SIZE; from += 8192) {
            int to = Math.min(RING_SIZE, from + 8192);
            rings.updateBatch(keys.subList(from, to), values.subList(from, to), UpdateFlag.ANY);
        }
    }

    public void setReal(int index, InetAddress address) {
        reals.update(BpfMap.u32(index), new Real(address).encode());
    }

    /** QUIC packets whose connection id carries serverId go to realIndex. */
    public void setQuicServerId(int serverId, int realIndex) {
        quicIds.update(BpfMap.u32(serverId), BpfMap.u32(realIndex));
    }

    public void setGatewayMac(byte[] mac) {
        ctl.update(BpfMap.u32(Ctl.GATEWAY_MAC), new Ctl(mac).encode());
    }

    /** The summed global counter at index (enum rf_global_counter). */
    public Counter global(int index) {
        return Counter.sum(globalStats.lookupPerCpu(BpfMap.u32(index)).orElseThrow());
    }

    /** Resets the new-connection rate limiter's window on every CPU. */
    public void resetConnRate() {
        connRate.updateAllCpus(BpfMap.u32(0), new byte[connRate.valueSize()]);
    }

    @Override
    public void close() {
        for (AutoCloseable c :
                new AutoCloseable[] {program, vips, vipAddrs, reals, rings, ctl, globalStats, connRate, quicIds}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // best effort
            }
        }
        inner.forEach(BpfMap::close);
        obj.close();
    }
}
