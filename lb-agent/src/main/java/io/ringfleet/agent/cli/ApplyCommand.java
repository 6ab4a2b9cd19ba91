package io.ringfleet.agent.cli;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.ringfleet.api.ApplyRequest;
import io.ringfleet.config.spec.FleetPlan;
import io.ringfleet.config.spec.FleetPlanJson;
import io.ringfleet.config.spec.FleetSpecParser;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code lbctl apply -f FILE}: a fleet spec (declarative: the plan from the state to the spec, applied as one batch
 * guarded by the state index it was planned against), or, as before, a JSON batch of commands (a document with a
 * top-level {@code commands} list).
 */
@Command(
        name = "apply",
        description = {
            "Make the fleet match a fleet spec (YAML, as 'lbctl export' writes it): the plan of 'lbctl diff -f' is",
            "applied as one atomic batch, refused if the state moved since the plan ('stale plan, re-run diff').",
            "Applying the same spec again prints 'no changes'. Removals of VIPs, health-check marks and QUIC ids",
            "only with --prune. --vip or the spec's scope: limits the apply to those VIPs.",
            "",
            "A JSON batch of imperative commands still works (a top-level \"commands\" list):",
            "  {\"commands\": [{\"add_vip\": {\"vip\": {\"address\": \"10.0.0.1\", \"port\": 80, \"protocol\": \"TCP\"}}}]}",
            "Field names are those of ringfleet/v1/commands.proto."
        })
final class ApplyCommand extends ApiCommand {
    @Mixin
    WriteOptions write;

    @Mixin
    SpecOptions spec;

    @Option(
            names = {"-f", "--file"},
            required = true,
            paramLabel = "FILE",
            description = "Fleet spec or JSON batch, or - for stdin.")
    String file;

    @Override
    int run(ApiConnection api, Output out) throws LbctlException {
        String text = SpecOptions.read(file);
        return FleetSpecParser.isCommandBatch(text) ? applyBatch(api, out, text) : applySpec(api, out, text);
    }

    private int applyBatch(ApiConnection api, Output out, String json) throws LbctlException {
        ApplyRequest.Builder b = ApplyRequest.newBuilder();
        try {
            JsonFormat.parser().merge(json, b);
        } catch (InvalidProtocolBufferException e) {
            throw new LbctlException(ExitCodes.USAGE, file + " is not a batch of commands: " + e.getMessage());
        }
        return write.apply(api, out, b.getCommandsList());
    }

    private int applySpec(ApiConnection api, Output out, String text) throws LbctlException {
        FleetPlan plan = spec.plan(api, SpecOptions.parse(file, text));
        if (out.json()) {
            out.raw(FleetPlanJson.print(plan));
        } else {
            PlanPrinter.table(out, plan);
        }
        if (plan.isEmpty()) {
            return ExitCodes.OK;
        }
        ApplyRequest request = write.request(plan.commands()).toBuilder()
                .setExpectedStateIndex(guard(plan))
                .build();
        try {
            return write.send(api, out, request, "the fleet already matched the spec");
        } catch (StatusRuntimeException e) {
            Status s = e.getStatus();
            if (s.getCode() == Status.Code.FAILED_PRECONDITION
                    && s.getDescription() != null
                    && s.getDescription().contains("expected state index")) {
                throw new LbctlException(
                        ExitCodes.REJECTED,
                        "stale plan, re-run diff: the fleet's state moved since the plan against state index "
                                + guard(plan) + " (" + s.getDescription() + "); nothing was applied");
            }
            throw e;
        }
    }

    /**
     * The state index the batch is guarded by: the one the reviewed diff showed ({@code --expect-state-index}),
     * else the one this apply planned against. Either way a write in between makes the fleet refuse the batch.
     */
    private long guard(FleetPlan plan) {
        return write.expectStateIndex != null ? write.expectStateIndex : plan.stateIndex();
    }
}
