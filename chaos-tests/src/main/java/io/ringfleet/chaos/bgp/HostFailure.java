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
            lb.ns().ip("link", "set", dev, "down");
        }
        for (long pid : frozen) {
            ProcessHandle.of(pid).ifPresent(p -> p.onExit().join());
        }
    }

    /** Links up and BIRD booted (announcing nothing until the agent's hook runs). */
    public static void revive(LbNode lb, BirdSpeaker speaker) {
        for (String dev : List.of(lb.device(), Topology.CONTROL_DEVICE)) {
            lb.ns().ip("link", "set", dev, "up");
        }
        speaker.boot();
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
