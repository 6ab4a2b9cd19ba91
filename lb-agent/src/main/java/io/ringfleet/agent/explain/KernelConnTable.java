package io.ringfleet.agent.explain;

import io.ringfleet.agent.datapath.BalancerDatapath;
import io.ringfleet.agent.datapath.DatapathException;
import io.ringfleet.bpf.Bpf;
import io.ringfleet.bpf.BpfException;
import io.ringfleet.bpf.BpfMap;
import io.ringfleet.bpf.MapNames;
import io.ringfleet.bpf.abi.Conn;
import io.ringfleet.bpf.abi.FlowKey;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * A loaded balancer's connection table as the kernel holds it: every CPU's LRU registered in {@code conn_lru_maps}
 * (opened through its pin beside the other maps, {@link BalancerDatapath#connTablePin}, and checked to be the map
 * registered), then the shared {@code conn_fallback}. Each lookup reads the kernel now.
 */
public final class KernelConnTable implements ConnTable {
    private final BalancerDatapath datapath;

    public KernelConnTable(BalancerDatapath datapath) {
        this.datapath = Objects.requireNonNull(datapath, "datapath");
    }

    @Override
    public Optional<Entry> lookup(FlowKey key) {
        byte[] k = key.encode();
        try {
            BpfMap outer = datapath.map(MapNames.CONN_LRU_MAPS);
            int cpus = Math.min(Bpf.numPossibleCpus(), outer.maxEntries());
            for (int cpu = 0; cpu < cpus; cpu++) {
                Optional<byte[]> registered = outer.lookup(BpfMap.u32(cpu));
                if (registered.isPresent()) {
                    Optional<Entry> hit = lookupCpu(cpu, BpfMap.u32(registered.get()), k);
                    if (hit.isPresent()) {
                        return hit;
                    }
                }
            }
            return datapath.map(MapNames.CONN_FALLBACK).lookup(k).map(v -> entry(FALLBACK, v));
        } catch (BpfException e) {
            throw new DatapathException("reading the connection table failed: " + e.getMessage(), e);
        }
    }

    /** Looks the key up in the table of one CPU, the map of id {@code mapId} in conn_lru_maps. */
    private Optional<Entry> lookupCpu(int cpu, int mapId, byte[] key) {
        Path pinDir = datapath.config()
                .pinDir()
                .orElseThrow(() -> new DatapathException("the connection table of CPU " + cpu
                        + " cannot be read: this datapath has no pin dir to open it from"));
        try (BpfMap table = BpfMap.openPinned(BalancerDatapath.connTablePin(pinDir, cpu))) {
            if (table.id() != mapId) {
                throw new DatapathException("the connection table pinned for CPU " + cpu + " is map id " + table.id()
                        + ", but conn_lru_maps holds map id " + mapId + " for that CPU");
            }
            return table.lookup(key).map(v -> entry(cpu, v));
        }
    }

    private static Entry entry(int cpu, byte[] value) {
        Conn conn = Conn.decode(value);
        return new Entry(cpu, conn.realIndex(), conn.atimeNs());
    }
}
