package io.ringfleet.chaos.netns;

import io.ringfleet.bpf.Bpf;
import io.ringfleet.bpf.Xdp;
import io.ringfleet.state.FleetImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * STAND-IN for three lb-agents until they exist: one balancer per LB of a {@link Topology}, attached to the
 * LB's device, every one programmed from the same {@link FleetImage} by a {@link MapProvisioner}; the
 * node-local gateway MAC comes from the topology (the router's MAC on that LB's link), not from the image.
 * After programming, each LB's route hook runs as the agent's would: a drained node's next hop is withdrawn
 * from the router, an undrained one announced.
 */
public final class DatapathFleet implements AutoCloseable {
    private final Topology topology;
    private final List<BalancerNode> nodes = new ArrayList<>();
    private final List<MapProvisioner> provisioners = new ArrayList<>();
    private final Consumer<String> log;

    private DatapathFleet(Topology topology, Consumer<String> log) {
        this.topology = topology;
        this.log = log;
    }

    /**
     * Loads and attaches a balancer on every LB of topology (registered for teardown with it).
     *
     * @param maxVips rings the maps hold (VIP numbers 0..maxVips-1)
     * @param maxReals real indexes 0..maxReals-1
     * @param tableFlows size of each LB's connection table (one table shared by all CPUs, see
     *     {@link BalancerNode#attach})
     */
    public static DatapathFleet attach(Topology topology, int maxVips, int maxReals, int tableFlows, Xdp.Mode mode,
                                       Consumer<String> log) {
        Objects.requireNonNull(topology, "topology");
        DatapathFleet fleet = new DatapathFleet(topology, Objects.requireNonNull(log, "log"));
        topology.onTeardown(fleet);
        Path object = Bpf.shippedObject("balancer");
        for (LbNode lb : topology.lbs()) {
            BalancerNode node = BalancerNode.attach(lb, object, maxVips, maxReals, tableFlows, 0, mode);
            fleet.nodes.add(node);
            MapProvisioner p = new MapProvisioner(node);
            p.gatewayMac(lb.gatewayMac());
            fleet.provisioners.add(p);
            log.accept(lb.id() + ": balancer program " + node.programId() + " attached to " + lb.device() + " ("
                    + mode.name().toLowerCase() + " mode), gateway MAC " + lb.gatewayMacText() + " (node-local)");
        }
        return fleet;
    }

    public List<BalancerNode> nodes() {
        return List.copyOf(nodes);
    }

    /** LB number n's balancer (1-based). */
    public BalancerNode node(int n) {
        return nodes.get(n - 1);
    }

    /**
     * Programs every LB from image, then runs each LB's route hook (drained: withdraw, else announce).
     * Returns the ring slots written per LB.
     */
    public long[] program(FleetImage image) {
        DatapathState want = DatapathState.of(image);
        long[] written = new long[nodes.size()];
        for (int i = 0; i < nodes.size(); i++) {
            written[i] = provisioners.get(i).apply(want);
        }
        for (BalancerNode node : nodes) {
            LbNode lb = node.lb();
            if (image.nodes().isDrained(lb.id())) {
                topology.withdraw(lb.number());
            } else {
                topology.announce(lb.number());
            }
        }
        return written;
    }

    /** What LB number n's kernel maps hold now. */
    public DatapathState kernelState(int n) {
        return DatapathState.read(node(n));
    }

    @Override
    public void close() {
        for (BalancerNode n : nodes) {
            try {
                n.close();
            } catch (RuntimeException e) {
                log.accept("closing " + n + " failed: " + e.getMessage());
            }
        }
        nodes.clear();
    }

    @Override
    public String toString() {
        return "DatapathFleet[" + nodes.size() + " LBs]";
    }
}
