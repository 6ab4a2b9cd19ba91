package io.ringfleet.agent.cli;

import io.ringfleet.agent.datapath.BalancerVariant;
import io.ringfleet.config.BalancerBuild;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * {@code lbctl doctor}'s "balancer" check: which balancer build the node's pin dir holds (the agent pins its XDP
 * program as {@code prog_xdp_<object>_<sha>}), and whether it is the one the node's {@code balancer} setting asks
 * for (a node switched to second-chance runs the old build until its agent restarts).
 */
final class BalancerCheck {
    private static final Pattern PIN = Pattern.compile("prog_xdp_(.+)_[0-9a-f]{12}");

    private BalancerCheck() {}

    static HostDoctor.Check of(Path pinDir, BalancerBuild configured) {
        BalancerVariant wanted = BalancerVariant.of(configured);
        Optional<BalancerVariant> running = pinned(pinDir);
        if (running.isEmpty()) {
            return new HostDoctor.Check(
                    "balancer",
                    HostDoctor.Status.warn,
                    "no balancer program pinned in " + pinDir + " (configured: " + configured + ")",
                    "start lb-agent for this node (it loads and pins " + wanted.objectName() + ")");
        }
        String detail = running.get().objectName() + " runs (" + label(running.get()) + ")";
        if (running.get() != wanted && (wanted.secondChance() || running.get().secondChance())) {
            return new HostDoctor.Check(
                    "balancer",
                    HostDoctor.Status.warn,
                    detail + ", but the node's balancer setting is " + configured,
                    "restart lb-agent for this node: it loads " + wanted.objectName() + " and swaps it in");
        }
        return new HostDoctor.Check("balancer", HostDoctor.Status.ok, detail, "");
    }

    private static String label(BalancerVariant v) {
        return v.secondChance() ? "second chance" : "no second chance";
    }

    /** The build whose program is pinned in {@code pinDir}, if one of the known ones is. */
    static Optional<BalancerVariant> pinned(Path pinDir) {
        try (Stream<Path> files = Files.list(pinDir)) {
            List<String> names =
                    files.map(p -> p.getFileName().toString()).sorted().toList();
            for (String name : names) {
                Matcher m = PIN.matcher(name);
                if (m.matches()) {
                    for (BalancerVariant v : BalancerVariant.values()) {
                        if (v.objectName().equals(m.group(1))) {
                            return Optional.of(v);
                        }
                    }
                }
            }
            return Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
