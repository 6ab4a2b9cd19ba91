package io.ringfleet.agent.cli;

import io.ringfleet.api.ApplyRequest;
import io.ringfleet.api.ApplyResponse;
import io.ringfleet.api.Command;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Option;

/** Options of every write: wait for programming, dry run, optimistic concurrency, request id. */
final class WriteOptions {
    @Option(
            names = "--wait",
            description = "Return once every live node has programmed the change (exit 6 if the" + " wait times out).")
    boolean waitProgrammed;

    @Option(
            names = "--wait-timeout",
            paramLabel = "DURATION",
            defaultValue = "30s",
            converter = Args.DurationConverter.class,
            description = "Bound of --wait (default ${DEFAULT-VALUE}, at most 10m).")
    Duration waitTimeout;

    @Option(
            names = "--dry-run",
            description = "Validate against the current state and show what would change;" + " commit nothing.")
    boolean dryRun;

    @Option(
            names = "--expect-state-index",
            paramLabel = "N",
            converter = Args.IndexConverter.class,
            description = "Apply only if the state is still at"
                    + " index N (from 'lbctl status' or a previous write); otherwise exit 3.")
    Long expectStateIndex;

    @Option(names = "--request-id", paramLabel = "ID", description = "Your id for this request (logged, echoed back).")
    String requestId;

    ApplyRequest request(List<Command> commands) {
        ApplyRequest.Builder b = ApplyRequest.newBuilder()
                .addAllCommands(commands)
                .setDryRun(dryRun)
                .setWaitProgrammedFleetWide(waitProgrammed && !dryRun);
        if (waitProgrammed) {
            b.setWaitTimeoutMs(Args.millis(waitTimeout));
        }
        if (expectStateIndex != null) {
            b.setExpectedStateIndex(expectStateIndex);
        }
        if (requestId != null) {
            b.setRequestId(requestId);
        }
        return b.build();
    }

    /** Applies the commands and prints the outcome; returns the exit code. */
    int apply(ApiConnection api, Output out, List<Command> commands) {
        return apply(api, out, commands, "nothing to change");
    }

    /**
     * As {@link #apply(ApiConnection, Output, List)}; when the fleet emitted no record the line says so, with
     * {@code noChange} (e.g. "node lb2 is already drained") as the reason.
     */
    int apply(ApiConnection api, Output out, List<Command> commands, String noChange) {
        return send(api, out, request(commands), noChange);
    }

    /** Sends the request and prints the outcome; returns the exit code. */
    int send(ApiConnection api, Output out, ApplyRequest request, String noChange) {
        ApplyResponse response =
                api.control(waitProgrammed ? waitTimeout : Duration.ZERO).apply(request);
        boolean timedOut = response.hasProgrammed() && response.getProgrammed().getTimedOut();
        if (out.json()) {
            out.json(response);
        } else if (dryRun) {
            out.line("dry run ok: would emit " + response.getRecordsCount() + " record(s) at state index "
                    + response.getStateIndex() + "; nothing was committed");
        } else {
            String ok = response.getRecordsCount() == 0 ? "ok (no change: " + noChange + ")" : "ok";
            out.line(ok + ": log index " + response.getLogIndex() + ", state index " + response.getStateIndex() + ", "
                    + response.getRecordsCount() + " record(s), request " + response.getRequestId());
            if (response.hasProgrammed()) {
                var p = response.getProgrammed();
                out.line((timedOut ? "not yet programmed everywhere: " : "programmed: ") + p.getNodesProgrammed() + "/"
                        + p.getNodesLive() + " live nodes"
                        + (p.getLaggingNodesCount() > 0
                                ? ", lagging " + String.join(", ", p.getLaggingNodesList())
                                : ""));
            }
        }
        return timedOut ? ExitCodes.WAIT_TIMED_OUT : ExitCodes.OK;
    }
}
