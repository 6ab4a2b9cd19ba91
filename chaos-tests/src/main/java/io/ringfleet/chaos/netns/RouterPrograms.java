package io.ringfleet.chaos.netns;

import io.ringfleet.bpf.Bpf;
import io.ringfleet.bpf.BpfObject;
import io.ringfleet.bpf.BpfProgram;
import io.ringfleet.bpf.NetNs;
import io.ringfleet.bpf.Tc;
import io.ringfleet.bpf.Xdp;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The router namespace's two helper programs ({@code router.bpf.c}): {@code router_pass} (XDP) on the
 * router's end of each LB link, so frames the balancer sends back with XDP_TX are received; and
 * {@code router_rehash} (tc ingress) on each client link, so the router computes its own multipath hash
 * over addresses and ports instead of reusing the flow hash of the client's socket. Closing detaches both.
 */
public final class RouterPrograms implements AutoCloseable {
    public static final String RESOURCE = "/chaos/router.bpf.o";

    private final NetNs router;
    private final BpfObject object;
    private final BpfProgram pass;
    private final BpfProgram rehash;
    private final List<Integer> xdpDevices = new ArrayList<>();
    private final List<Tc.Attachment> tcAttachments = new ArrayList<>();

    private RouterPrograms(NetNs router, BpfObject object) {
        this.router = router;
        this.object = object;
        this.pass = object.program("router_pass");
        this.rehash = object.program("router_rehash");
    }

    public static RouterPrograms load(NetNs router) {
        BpfObject obj = BpfObject.open(Bpf.resourceFile(RESOURCE), Map.of()).load();
        try {
            return new RouterPrograms(router, obj);
        } catch (RuntimeException e) {
            obj.close();
            throw e;
        }
    }

    /** router_pass on the router's end of an LB link (driver mode). */
    public synchronized void onLbLink(String device) {
        int ifindex = router.ifindex(device);
        router.run(() -> Xdp.attach(ifindex, pass, Xdp.Mode.DRIVER));
        xdpDevices.add(ifindex);
    }

    /** router_pass on the router's end of a backend link whose backend sends with XDP_TX (ringfleet-backend). */
    public void onBackendLink(String device) {
        onLbLink(device);
    }

    /** router_rehash at ingress of the router's end of a client link. */
    public synchronized void onClientLink(String device) {
        int ifindex = router.ifindex(device);
        tcAttachments.add(router.call(() -> Tc.attach(ifindex, Tc.Direction.INGRESS, rehash, 1, 1, true)));
    }

    @Override
    public synchronized void close() {
        try {
            for (int ifindex : xdpDevices) {
                router.run(() -> Xdp.detach(ifindex, Xdp.Mode.DRIVER));
            }
            for (Tc.Attachment a : tcAttachments) {
                router.run(() -> Tc.detach(a));
            }
        } catch (RuntimeException gone) {
            // the router namespace went first: its devices took the programs with them
        }
        xdpDevices.clear();
        tcAttachments.clear();
        pass.close();
        rehash.close();
        object.close();
    }

    @Override
    public String toString() {
        return "RouterPrograms[" + router.name() + "]";
    }
}
