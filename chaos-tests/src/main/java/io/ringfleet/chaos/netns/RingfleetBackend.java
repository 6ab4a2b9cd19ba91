package io.ringfleet.chaos.netns;

import io.ringfleet.bpf.Bpf;
import io.ringfleet.bpf.BpfMap;
import io.ringfleet.bpf.BpfObject;
import io.ringfleet.bpf.BpfProgram;
import io.ringfleet.bpf.MapNames;
import io.ringfleet.bpf.NetNs;
import io.ringfleet.bpf.Xdp;
import io.ringfleet.bpf.abi.BackendCounter;
import io.ringfleet.bpf.abi.Counter;
import io.ringfleet.bpf.abi.Ctl;

/**
 * The product's backend program, {@code ringfleet-backend} (bpf's {@code backend.bpf.o}), on one backend of a
 * {@link Topology}: attached in driver mode to the backend's link, it decapsulates IPIP / IP6IP6 / GUE and
 * second-chance frames, and sends a second-chance segment whose connection this host does not have on to the
 * second real (IPIP, XDP_TX to the gateway MAC written here). Installed as bpf/README.md says, without pins:
 * the program lives as long as this object. Closing detaches it.
 */
public final class RingfleetBackend implements AutoCloseable {
    static final String OBJECT = "backend";
    static final String PROGRAM = "ringfleet_backend";

    private final NetNs ns;
    private final int ifindex;
    private final BpfObject object;
    private final BpfProgram program;
    private final BpfMap ctl;
    private final BpfMap stats;
    private boolean attached;

    private RingfleetBackend(NetNs ns, int ifindex, BpfObject object) {
        this.ns = ns;
        this.ifindex = ifindex;
        this.object = object;
        this.program = object.program(PROGRAM);
        this.ctl = object.map(MapNames.BACKEND_CTL);
        this.stats = object.map(MapNames.BACKEND_STATS);
    }

    /**
     * Loads the shipped object, writes gatewayMac (the router's MAC on this link: where re-encapsulated segments
     * go) into backend_ctl and attaches the program to device inside ns.
     */
    public static RingfleetBackend attach(NetNs ns, String device, byte[] gatewayMac) {
        BpfObject obj = BpfObject.open(Bpf.shippedObject(OBJECT)).load();
        RingfleetBackend b;
        try {
            b = new RingfleetBackend(ns, ns.ifindex(device), obj);
        } catch (RuntimeException e) {
            obj.close();
            throw e;
        }
        try {
            b.setGateway(gatewayMac);
            ns.run(() -> Xdp.attach(b.ifindex, b.program, Xdp.Mode.DRIVER));
            b.attached = true;
            return b;
        } catch (RuntimeException e) {
            b.close();
            throw e;
        }
    }

    /**
     * Writes the gateway MAC re-encapsulated segments are sent to; all zeros makes the program deliver every
     * second-chance frame locally (bpf/README.md), which a sabotage run uses.
     */
    public void setGateway(byte[] mac) {
        ctl.update(BpfMap.u32(BackendCounter.CTL_GATEWAY_MAC), new Ctl(mac).encode());
    }

    /** One counter of backend_stats, summed over the CPUs. */
    public Counter count(BackendCounter which) {
        return Counter.sum(stats.lookupPerCpu(BpfMap.u32(which.index())).orElseThrow());
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
        ctl.close();
        program.close();
        object.close();
    }

    @Override
    public String toString() {
        return "RingfleetBackend[" + ns.name() + "]";
    }
}
