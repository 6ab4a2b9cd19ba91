package io.ringfleet.chaos.netns;

import io.ringfleet.bpf.Bpf;
import io.ringfleet.bpf.BpfMap;
import io.ringfleet.bpf.BpfObject;
import io.ringfleet.bpf.BpfProgram;
import io.ringfleet.bpf.NetNs;
import io.ringfleet.bpf.Xdp;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;

/**
 * A backend's decapsulation by XDP ({@code backend_decap.bpf.c}, shipped in this module's jar), for kernels
 * without IPIP / IPv6 tunnel devices: the outer header the balancer added is stripped on the backend's link
 * and the client's packet goes up the stack as if it had come straight from the client. Closing detaches it.
 */
public final class BackendDecap implements AutoCloseable {
    public static final String RESOURCE = "/chaos/backend_decap.bpf.o";
    public static final String PROGRAM = "backend_decap";

    private final NetNs ns;
    private final int ifindex;
    private final BpfObject object;
    private final BpfProgram program;
    private final BpfMap stats;
    private boolean attached;

    private BackendDecap(NetNs ns, int ifindex, BpfObject object) {
        this.ns = ns;
        this.ifindex = ifindex;
        this.object = object;
        this.program = object.program(PROGRAM);
        this.stats = object.map("decap_stats");
    }

    /** Loads the program and attaches it (driver mode) to device inside ns. */
    public static BackendDecap attach(NetNs ns, String device) {
        BpfObject obj = BpfObject.open(Bpf.resourceFile(RESOURCE), Map.of()).load();
        BackendDecap d;
        try {
            d = new BackendDecap(ns, ns.ifindex(device), obj);
        } catch (RuntimeException e) {
            obj.close();
            throw e;
        }
        try {
            ns.run(() -> Xdp.attach(d.ifindex, d.program, Xdp.Mode.DRIVER));
            d.attached = true;
            return d;
        } catch (RuntimeException e) {
            d.close();
            throw e;
        }
    }

    /** Frames whose outer IPv4 (index 0) or IPv6 (index 1) header was stripped, summed over CPUs. */
    public long decapsulated(int outerFamilyIndex) {
        List<byte[]> perCpu = stats.lookupPerCpu(BpfMap.u32(outerFamilyIndex)).orElseThrow();
        long sum = 0;
        for (byte[] v : perCpu) {
            sum += ByteBuffer.wrap(v).order(ByteOrder.LITTLE_ENDIAN).getLong();
        }
        return sum;
    }

    @Override
    public synchronized void close() {
        if (attached) {
            attached = false;
            try {
                ns.run(() -> Xdp.detach(ifindex, Xdp.Mode.DRIVER));
            } catch (RuntimeException gone) {
                // the namespace went first; the program went with its device
            }
        }
        stats.close();
        program.close();
        object.close();
    }

    @Override
    public String toString() {
        return "BackendDecap[" + ns.name() + "]";
    }
}
