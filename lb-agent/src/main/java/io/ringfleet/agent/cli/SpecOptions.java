package io.ringfleet.agent.cli;

import io.ringfleet.config.spec.FleetPlan;
import io.ringfleet.config.spec.FleetPlanner;
import io.ringfleet.config.spec.FleetSpec;
import io.ringfleet.config.spec.FleetSpecException;
import io.ringfleet.config.spec.FleetSpecParser;
import io.ringfleet.config.spec.VipId;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import picocli.CommandLine.Option;

/** Options of {@code lbctl diff} and of {@code lbctl apply} with a spec: what to plan, against which state. */
final class SpecOptions {
    @Option(
            names = "--prune",
            description = "Also remove the VIPs, health-check marks and QUIC ids the spec does not list"
                    + " (without it they are shown as held back).")
    boolean prune;

    @Option(
            names = "--vip",
            paramLabel = "\"PROTO ADDRESS:PORT\"",
            description = "Plan only this VIP (repeatable), e.g. --vip 'tcp 10.0.0.1:80'; fleet-wide sections are"
                    + " left alone.")
    List<String> vips;

    /** Reads the file or stdin ({@code -}). */
    static String read(String file) throws LbctlException {
        try {
            return file.equals("-")
                    ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8)
                    : Files.readString(Path.of(file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new LbctlException(ExitCodes.USAGE, "cannot read " + file + ": " + e.getMessage());
        }
    }

    static FleetSpec parse(String file, String text) throws LbctlException {
        try {
            return FleetSpecParser.parse(text);
        } catch (FleetSpecException e) {
            throw new LbctlException(ExitCodes.USAGE, file + ": " + e.getMessage());
        }
    }

    Optional<Set<VipId>> filter() throws LbctlException {
        if (vips == null || vips.isEmpty()) {
            return Optional.empty();
        }
        Set<VipId> ids = new TreeSet<>();
        for (String v : vips) {
            try {
                ids.add(VipId.parse(v));
            } catch (IllegalArgumentException e) {
                throw new LbctlException(ExitCodes.USAGE, "--vip: " + e.getMessage());
            }
        }
        return Optional.of(ids);
    }

    /** Reads the fleet's state and plans the way to {@code spec}. */
    FleetPlan plan(ApiConnection api, FleetSpec spec) throws LbctlException {
        FleetStateReader.State state = FleetStateReader.read(api.control());
        return FleetPlanner.plan(spec, state.spec(), state.stateIndex(), prune, filter());
    }
}
