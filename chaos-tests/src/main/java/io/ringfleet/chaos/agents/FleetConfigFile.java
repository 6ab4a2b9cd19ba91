package io.ringfleet.chaos.agents;

import io.ringfleet.chaos.netns.LbNode;
import io.ringfleet.chaos.netns.PinDirs;
import io.ringfleet.chaos.netns.Topology;
import io.ringfleet.config.BalancerBuild;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The fleet config (cluster-config's YAML) of a {@link Topology}'s LBs: one voter per LB, Raft and API on the LB's
 * control address ({@code 10.77.0.N}, the br-ctl bridge in the router), the balancer in driver mode on the LB's
 * {@code eth0} with one shared connection table (veths have no RSS), each node's gateway MAC the router's port
 * on its link, its link address as the health-check forwarder's outer source (and, with the second-chance
 * balancer, of second-chance frames, IPv6 too), pins and data per run, mutual TLS
 * with the run's development CA.
 */
final class FleetConfigFile {
    static final int RAFT_PORT = 9870;
    static final int API_PORT = 9871;
    static final int METRICS_PORT = 9180;

    private FleetConfigFile() {}

    private static boolean secondChance(Limits limits) {
        return limits.balancer() == BalancerBuild.SECOND_CHANCE;
    }

    /**
     * The limits every agent of the run gets (small rings would change nothing; these are the demo's sizes), and the
     * balancer build every node loads ({@code balancer}; {@code PLAIN} writes nothing, the config's default).
     */
    record Limits(int maxVips, int maxReals, BalancerBuild balancer) {
        Limits(int maxVips, int maxReals) {
            this(maxVips, maxReals, BalancerBuild.PLAIN);
        }
    }

    static Path write(Path dir, Topology topology, Path tlsDir, Path routeHook, Limits limits) {
        return write(dir, topology, tlsDir, routeHook, java.util.Optional.empty(), limits);
    }

    /** As above; birdSocket (with {@code {id}}) names each node's BIRD control socket ({@code bird-socket}). */
    static Path write(
            Path dir,
            Topology topology,
            Path tlsDir,
            Path routeHook,
            java.util.Optional<String> birdSocket,
            Limits limits) {
        StringBuilder y = new StringBuilder();
        y.append("# Written by chaos-tests' FleetConfigFile for the run ")
                .append(topology.prefix())
                .append('\n')
                .append("version: 1\nfleet-id: demo\npeers:\n");
        for (LbNode lb : topology.lbs()) {
            String host = lb.controlAddress().getHostAddress();
            y.append("  - id: ")
                    .append(lb.id())
                    .append('\n')
                    .append("    raft-address: ")
                    .append(host)
                    .append(':')
                    .append(RAFT_PORT)
                    .append('\n')
                    .append("    api-address: ")
                    .append(host)
                    .append(':')
                    .append(API_PORT)
                    .append('\n')
                    .append("    role: voter\n");
        }
        y.append("defaults:\n")
                .append("  netns: ")
                .append(topology.prefix())
                .append("{id}\n")
                .append("  interface: ")
                .append(Topology.NODE_DEVICE)
                .append('\n')
                .append("  xdp-mode: driver\n")
                .append("  conn-table: shared\n")
                .append("  pin-dir: ")
                .append(PinDirs.of(topology.prefix(), "{id}"))
                .append('\n')
                .append("  data-dir: ")
                .append(dir.resolve("data"))
                .append("/{id}\n")
                .append("  route-hook: ")
                .append(routeHook)
                .append('\n')
                .append(birdSocket.map(b -> "  bird-socket: " + b + "\n").orElse(""))
                .append("  metrics-address: 0.0.0.0:")
                .append(METRICS_PORT)
                .append('\n')
                .append("nodes:\n");
        for (LbNode lb : topology.lbs()) {
            y.append("  ")
                    .append(lb.id())
                    .append(":\n")
                    .append("    gateway-mac: \"")
                    .append(lb.gatewayMacText())
                    .append("\"\n")
                    // the tc health-check forwarder's outer source: the LB's own address towards the router
                    .append("    healthcheck-source-v4: ")
                    .append(lb.address4().getHostAddress())
                    .append('\n');
            if (secondChance(limits)) {
                // second-chance frames to IPv6 reals need the node's IPv6 source as well
                y.append("    balancer: ")
                        .append(BalancerBuild.SECOND_CHANCE.configName())
                        .append('\n')
                        .append("    healthcheck-source-v6: \"")
                        .append(lb.address6().getHostAddress())
                        .append("\"\n");
            }
        }
        y.append("tls:\n")
                .append("  ca-cert: ")
                .append(tlsDir.resolve("ca.pem"))
                .append('\n')
                .append("  node-cert: ")
                .append(tlsDir)
                .append("/{id}.pem\n")
                .append("  node-key: ")
                .append(tlsDir)
                .append("/{id}-key.pem\n")
                .append("limits:\n")
                .append("  max-vips: ")
                .append(limits.maxVips())
                .append('\n')
                .append("  max-reals: ")
                .append(limits.maxReals())
                .append('\n')
                .append("  ring-size: 65537\n");
        Path file = dir.resolve("fleet.yaml");
        try {
            Files.writeString(file, y);
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + file, e);
        }
        return file;
    }
}
