package io.ringfleet.chaos.netnschaos;

import io.ringfleet.chaos.agents.LbAgentFleet;
import io.ringfleet.chaos.bgp.BgpRouting;
import io.ringfleet.chaos.netns.Addresses;
import io.ringfleet.chaos.netns.BackendNode;
import io.ringfleet.chaos.netns.Topology;
import io.ringfleet.chaos.netns.Traffic;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

/**
 * What the parts of one scenario share: its schedule and output, the seeded random source of its choices, the
 * violations found so far, and the running topology, BGP (FRR and the LBs' BIRDs), agents, traffic and write load.
 */
final class ChaosRun {
    final ChaosSchedule schedule;
    final Consumer<String> out;
    final Random random;
    final List<String> violations;
    final Topology topology;
    final BgpRouting bgp;
    final LbAgentFleet fleet;
    final FleetReads reads;
    final Traffic traffic;
    final OperatorWrites writes;

    ChaosRun(
            ChaosSchedule schedule,
            Consumer<String> out,
            Random random,
            List<String> violations,
            Topology topology,
            BgpRouting bgp,
            LbAgentFleet fleet,
            Traffic traffic,
            OperatorWrites writes) {
        this.schedule = schedule;
        this.out = out;
        this.random = random;
        this.violations = violations;
        this.topology = topology;
        this.bgp = bgp;
        this.fleet = fleet;
        this.reads = new FleetReads(fleet);
        this.traffic = traffic;
        this.writes = writes;
    }

    /** A backend's address as the API writes it. */
    static String address(BackendNode b, boolean v6) {
        return Addresses.text(v6 ? b.address6() : b.address4());
    }

    /** The backend's name for one of its addresses, else the address. */
    String realName(InetAddress a) {
        for (BackendNode b : topology.backends()) {
            if (a.equals(b.address4()) || a.equals(b.address6())) {
                return b.name();
            }
        }
        return Addresses.text(a);
    }

    /** Writes a file of the run (batches for lbctl apply); returns its path. */
    String file(String name, String content) {
        return file(fleet, name, content);
    }

    /** Writes a file into the fleet's run directory; returns its path. */
    static String file(LbAgentFleet fleet, String name, String content) {
        Path p = fleet.dir().resolve(name);
        try {
            Files.writeString(p, content);
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + p, e);
        }
        return p.toString();
    }
}
