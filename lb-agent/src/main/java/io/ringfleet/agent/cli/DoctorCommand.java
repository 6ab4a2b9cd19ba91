package io.ringfleet.agent.cli;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.ringfleet.config.ConfigException;
import io.ringfleet.config.FleetConfig;
import io.ringfleet.config.FleetConfigLoader;
import io.ringfleet.config.NodeSettings;
import io.ringfleet.config.XdpMode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code lbctl doctor}: checks this host for what the balancer needs (no agent is contacted). One line per
 * check: ok / warn / fail, what was found, and for the others how to fix it. Exit 1 when a check fails.
 */
@Command(
        name = "doctor",
        description = {
            "Check this host for what the balancer needs: bpffs, BPF JIT, XDP mode,",
            "gateway MAC reachable, LRO/GRO off, ipip/ip6tnl interfaces, rp_filter, and the BGP speaker",
            "(BIRD) answers on its control socket when one is configured. Changes nothing.",
            "Takes the interface, XDP mode, gateway MAC and bpffs from --config/--node, or from the options.",
            "Runs in the calling network namespace. Exit 1 when a check fails (warnings exit 0)."
        })
final class DoctorCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", description = "The fleet config (with --node).")
    Path config;

    @Option(names = "--node", paramLabel = "ID", description = "This host's node id in the config.")
    String node;

    @Option(names = "--interface", paramLabel = "IF", description = "The balancer's interface.")
    String interfaceName;

    @Option(names = "--xdp-mode", paramLabel = "MODE", description = "driver (default) or generic.")
    String xdpMode;

    @Option(names = "--gateway-mac", paramLabel = "MAC", description = "The next hop's MAC.")
    String gatewayMac;

    @Option(names = "--bpffs", paramLabel = "DIR", description = "The bpffs mount (default /sys/fs/bpf).")
    Path bpffs;

    @Option(
            names = "--bird-socket",
            paramLabel = "PATH",
            description = "The BGP speaker's (BIRD's) control socket; default: the node's bird-socket, if any.")
    Path birdSocket;

    @Override
    public Integer call() throws LbctlException {
        Optional<NodeSettings> settings = Optional.empty();
        if (config != null || node != null) {
            if (config == null || node == null) {
                throw new LbctlException(ExitCodes.USAGE, "--config and --node go together");
            }
            try {
                FleetConfig fleet = FleetConfigLoader.load(config);
                settings = Optional.of(fleet.node(node));
            } catch (ConfigException e) {
                throw new LbctlException(ExitCodes.USAGE, e.getMessage().replace('\n', ' '));
            } catch (IllegalArgumentException e) {
                throw new LbctlException(ExitCodes.USAGE, "--node " + node + ": " + e.getMessage());
            }
        }
        if (xdpMode != null && !xdpMode.equals("driver") && !xdpMode.equals("generic")) {
            throw new LbctlException(ExitCodes.USAGE, "--xdp-mode must be driver or generic, got " + xdpMode);
        }
        Optional<NodeSettings> s = settings;
        HostDoctor.Target target = new HostDoctor.Target(
                Optional.ofNullable(interfaceName).or(() -> s.map(NodeSettings::interfaceName)),
                Optional.ofNullable(xdpMode).or(() -> s.map(n -> n.xdpMode() == XdpMode.DRIVER ? "driver" : "generic")),
                Optional.ofNullable(gatewayMac)
                        .or(() -> s.map(n -> n.gatewayMac().toString())),
                bpffs != null ? bpffs : s.map(NodeSettings::bpffs).orElse(NodeSettings.DEFAULT_BPFFS));
        List<HostDoctor.Check> checks = new ArrayList<>(HostDoctor.run(target));
        Optional.ofNullable(birdSocket)
                .or(() -> s.flatMap(NodeSettings::birdSocket))
                .ifPresent(socket -> checks.add(SpeakerCheck.bird(socket)));
        s.ifPresent(n -> checks.add(BalancerCheck.of(n.pinDir(), n.balancer())));
        Output out = new Output(
                ((Lbctl) spec.root().userObject()).format, spec.commandLine().getOut());
        if (out.json()) {
            for (HostDoctor.Check c : checks) {
                out.line(Output.toJson(Struct.newBuilder()
                        .putFields(
                                "check",
                                Value.newBuilder().setStringValue(c.name()).build())
                        .putFields(
                                "status",
                                Value.newBuilder()
                                        .setStringValue(c.status().name())
                                        .build())
                        .putFields(
                                "detail",
                                Value.newBuilder().setStringValue(c.detail()).build())
                        .putFields(
                                "fix",
                                Value.newBuilder().setStringValue(c.fix()).build())
                        .build()));
            }
        } else {
            for (HostDoctor.Check c : checks) {
                out.line(String.format(Locale.ROOT, "%-4s  %-11s  %s", c.status(), c.name(), c.detail()));
                if (!c.fix().isEmpty()) {
                    out.line("      " + " ".repeat(13) + "fix: " + c.fix());
                }
            }
        }
        return checks.stream().anyMatch(c -> c.status() == HostDoctor.Status.fail) ? ExitCodes.FAILED : ExitCodes.OK;
    }
}
