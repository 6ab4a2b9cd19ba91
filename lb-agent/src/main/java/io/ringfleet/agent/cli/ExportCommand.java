package io.ringfleet.agent.cli;

import io.ringfleet.config.spec.FleetSpec;
import io.ringfleet.config.spec.FleetSpecPrinter;
import io.ringfleet.config.spec.VipId;
import io.ringfleet.config.spec.VipSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code lbctl export}: the fleet's current state as a spec, in the format 'lbctl apply -f' reads. */
@Command(
        name = "export",
        description = {
            "Write the fleet's current state as a fleet spec (YAML): export, then apply, plans no change.",
            "With --vip, a scoped spec of those VIPs only (scope: lists them; fleet-wide sections left out)."
        })
final class ExportCommand extends ApiCommand {
    @Mixin
    SpecOptions options;

    @Option(
            names = {"-f", "--file"},
            paramLabel = "SPEC",
            description = "Write to this file instead of stdout.")
    String file;

    @Override
    int run(ApiConnection api, Output out) throws LbctlException {
        FleetStateReader.State state = FleetStateReader.read(api.control());
        String text = "# state index " + state.stateIndex() + "\n"
                + FleetSpecPrinter.print(scoped(state.spec(), options.filter()));
        if (file == null) {
            out.raw(text.stripTrailing());
            return ExitCodes.OK;
        }
        try {
            Files.writeString(Path.of(file), text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new LbctlException(ExitCodes.FAILED, "cannot write " + file + ": " + e.getMessage());
        }
        out.line("wrote " + file + " (" + state.spec().vips().size() + " vip(s) at state index " + state.stateIndex()
                + ")");
        return ExitCodes.OK;
    }

    private static FleetSpec scoped(FleetSpec all, Optional<Set<VipId>> filter) {
        if (filter.isEmpty()) {
            return all;
        }
        SortedMap<VipId, VipSpec> vips = new TreeMap<>(all.vips());
        vips.keySet().retainAll(filter.get());
        return new FleetSpec(
                Optional.of(new TreeSet<>(filter.get())), Optional.empty(), vips, Optional.empty(), Optional.empty());
    }
}
