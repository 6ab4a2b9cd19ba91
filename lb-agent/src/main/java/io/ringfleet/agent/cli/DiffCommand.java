package io.ringfleet.agent.cli;

import io.ringfleet.config.spec.FleetPlan;
import io.ringfleet.config.spec.FleetPlanJson;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code lbctl diff -f SPEC}: the plan from the fleet's state to the spec; changes nothing. */
@Command(
        name = "diff",
        description = {
            "Show what 'lbctl apply -f SPEC' would change: adds, changes, removals (held back without --prune).",
            "Changes nothing. Exit 0 either way; the last line says 'no changes' or how many."
        })
final class DiffCommand extends ApiCommand {
    @Mixin
    SpecOptions options;

    @Option(
            names = {"-f", "--file"},
            required = true,
            paramLabel = "SPEC",
            description = "Fleet spec (YAML, as 'lbctl export' writes it), or - for stdin.")
    String file;

    @Override
    int run(ApiConnection api, Output out) throws LbctlException {
        FleetPlan plan = options.plan(api, SpecOptions.parse(file, SpecOptions.read(file)));
        if (out.json()) {
            out.raw(FleetPlanJson.print(plan));
        } else {
            PlanPrinter.table(out, plan);
        }
        return ExitCodes.OK;
    }
}
