package io.ringfleet.chaos.bgp;

import io.ringfleet.bpf.NetNs;
import io.ringfleet.chaos.netns.LbNode;
import io.ringfleet.chaos.netns.Topology;
import java.util.List;

/**
 * The LB host failure fault: the host stops as a whole, not only its agent. In two steps, so that the router's
 * BFD, not a side effect, is what notices:
 *
 * <ol>
 *   <li>{@link #stop}: every process of the LB's namespace is frozen (SIGSTOP: BIRD, the agent, anything else;
 *       a frozen process sends nothing, not even the TCP FIN a killed one would) and its XDP program is
 *       detached. The host is silent; only BFD's missing packets tell the router.
 *   <li>{@link #bury}: the frozen processes are killed (SIGKILL) and the LB's links set down, as a powered-off
 *       host leaves them. Run after the router withdrew the routes (a link going down would let zebra see the
 *       failure by carrier loss, which a router behind a switch does not get).
 * </ol>
 *
 * {@link #revive} is the host coming back: links up, BIRD booted with nothing to announce; the agent is
 * started by its owner and announces once ready.
 */
public final class HostFailure {
    private HostFailure() {}

    /** Freezes every process of lb's namespace and detaches its XDP program; returns the frozen pids. */
    public static List<Long> stop(LbNode lb) {
        List<Long> pids = Daemons.processesOf(lb.ns());
        Daemons.signal("STOP", pids);
        detachXdp(lb.ns(), lb.device());
        return pids;
    }

    /** Kills the frozen processes and sets the LB's links down. */
    public static void bury(LbNode lb, List<Long> frozen) {
        Daemons.signal("KILL", frozen);
        for (String dev : List.of(lb.device(), Topology.CONTROL_DEVICE)) {
            // the host's configured addresses come back with it (a real one configures them at boot); the kernel
            // would otherwise flush the IPv6 ones on link down
            lb.ns().exec("sysctl", "-q", "-w", "net.ipv6.conf." + dev + ".keep_addr_on_down=1");
            lb.ns().ip("link", "set", dev, "down");
        }
        for (long pid : frozen) {
            ProcessHandle.of(pid).ifPresent(p -> p.onExit().join());
        }
    }

    /** Links up, default routes back, BIRD booted (announcing nothing until the agent's hook runs). */
    public static void revive(LbNode lb, BirdSpeaker speaker) {
        for (String dev : List.of(lb.device(), Topology.CONTROL_DEVICE)) {
            lb.ns().ip("link", "set", dev, "up");
        }
        // link down took the routes through the device with it; the topology's default routes point at the router
        lb.ns().ip("route", "replace", "default", "via", BgpRouting.routerAddress(lb));
        lb.ns().ip("-6", "route", "replace", "default", "via", routerAddress6(lb));
        speaker.boot();
    }

    /** The router's IPv6 address on the LB's link: the LB's /64 with host part 1. */
    static String routerAddress6(LbNode lb) {
        byte[] a = lb.address6().getAddress();
        byte[] r = java.util.Arrays.copyOf(a, 16);
        java.util.Arrays.fill(r, 8, 16, (byte) 0);
        r[15] = 1;
        try {
            return java.net.InetAddress.getByAddress(r).getHostAddress();
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void detachXdp(NetNs ns, String device) {
        for (String mode : List.of("xdpdrv", "xdpgeneric")) {
            try {
                ns.ip("link", "set", "dev", device, mode, "off");
            } catch (IllegalStateException nothingAttached) {
                // no program in this mode
            }
        }
    }
}
