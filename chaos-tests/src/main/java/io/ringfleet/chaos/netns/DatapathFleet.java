package io.ringfleet.chaos.netns;

import io.ringfleet.agent.datapath.DatapathConfig;
import io.ringfleet.agent.datapath.MapProgrammer;
import io.ringfleet.agent.datapath.ProgramReport;
import io.ringfleet.state.FleetImage;
import io.ringfleet.state.MacAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The balancers of a {@link Topology} run from this process, for tests of the topology itself (the demo runs real
 * lb-agent processes: {@link io.ringfleet.chaos.agents.LbAgentFleet}): in this JVM, one
 * lb-agent {@link io.ringfleet.agent.datapath.BalancerDatapath} per LB of a {@link Topology}, attached to the
 * LB's device, and one lb-agent {@link MapProgrammer} each, all fed the same {@link FleetImage} (what the
 * replicated log guarantees the agents). The gateway MAC is node-local: each programmer's default is the
 * router's MAC on that LB's link, and the image carries none (an image gateway MAC would override every
 * node's). After programming, each LB's route hook runs as the agent's would: a drained node's next hop is
 * withdrawn from the router, an undrained one announced.
 *
 * <p>The connection table is the shared one (no per-CPU tables): on veths a flow's packets are not kept on one
 * CPU (there is no RSS), so a per-CPU table would miss whenever a flow changes CPU, and a miss hashes the flow
 * on the current ring — harmless while rings stay equal, a broken flow once a real was added.
 */
public final class DatapathFleet implements AutoCloseable {
    private final Topology topology;
    private final List<BalancerNode> nodes = new ArrayList<>();
    private final List<MapProgrammer> programmers = new ArrayList<>();
    private final Consumer<String> log;

    private DatapathFleet(Topology topology, Consumer<String> log) {
        this.topology = topology;
        this.log = log;
    }

    /**
     * Opens and attaches a balancer on every LB of topology (registered for teardown with it).
     *
     * @param maxVips rings the maps hold (VIP numbers 0..maxVips-1)
     * @param maxReals real indexes 0..maxReals-1
     */
    public static DatapathFleet attach(Topology topology, int maxVips, int maxReals, Consumer<String> log) {
        Objects.requireNonNull(topology, "topology");
        DatapathFleet fleet = new DatapathFleet(topology, Objects.requireNonNull(log, "log"));
        topology.onTeardown(fleet);
        for (LbNode lb : topology.lbs()) {
            DatapathConfig config = DatapathConfig.builder()
                    .maxVips(maxVips)
                    .maxReals(maxReals)
                    .fallbackConnTableOnly()
                    .healthCheck(false)
                    .pinDir(PinDirs.of(topology.prefix(), lb.id()))
                    .build();
            BalancerNode node = BalancerNode.attach(lb, config);
            fleet.nodes.add(node);
            fleet.programmers.add(MapProgrammer.builder(node.datapath())
                    .defaultGatewayMac(MacAddress.fromBytes(lb.gatewayMac()))
                    .build());
            log.accept(lb.id() + ": lb-agent's BalancerDatapath, program " + node.programId() + " attached to "
                    + lb.device() + " (driver mode), maps pinned in "
                    + config.pinDir().orElseThrow()
                    + "; MapProgrammer with gateway MAC " + lb.gatewayMacText() + " (node-local)");
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

    /** LB number n's map programmer (1-based). */
    public MapProgrammer programmer(int n) {
        return programmers.get(n - 1);
    }

    /**
     * Programs every LB from image (each MapProgrammer diffs against its kernel and writes what differs), then
     * runs each LB's route hook (drained: withdraw, else announce). Returns each LB's report.
     */
    public List<ProgramReport> program(FleetImage image) {
        if (image.gatewayMac().isPresent()) {
            throw new IllegalArgumentException("the image sets a fleet-wide gateway MAC ("
                    + image.gatewayMac().get()
                    + "), but each LB of this topology has its own upstream MAC: leave it unset");
        }
        List<ProgramReport> reports = new ArrayList<>();
        for (MapProgrammer p : programmers) {
            reports.add(p.program(image));
        }
        for (BalancerNode node : nodes) {
            LbNode lb = node.lb();
            if (image.nodes().isDrained(lb.id())) {
                topology.withdraw(lb.number());
            } else {
                topology.announce(lb.number());
            }
        }
        return reports;
    }

    /** What LB number n's kernel maps hold now. */
    public DatapathState kernelState(int n) {
        return DatapathState.read(node(n));
    }

    /** Detaches and closes every balancer, then removes the run's pin directories. */
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
        int removed = PinDirs.deleteAll(topology.prefix());
        log.accept(
                "teardown: removed " + removed + " pin directories " + PinDirs.BPFFS + "/" + topology.prefix() + "*");
    }

    @Override
    public String toString() {
        return "DatapathFleet[" + nodes.size() + " LBs]";
    }
}
