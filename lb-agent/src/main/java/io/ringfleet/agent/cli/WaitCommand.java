package io.ringfleet.agent.cli;

import io.ringfleet.api.ProgrammedProgress;
import io.ringfleet.api.WaitProgrammedRequest;
import io.ringfleet.api.WaitProgrammedResponse;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lbctl wait INDEX}: block until a log index is programmed (fleet-wide by default). */
@Command(name = "wait", description = "Wait until every live node (or the target only) has programmed a log index.")
final class WaitCommand extends ApiCommand {
    @Parameters(
            index = "0",
            paramLabel = "INDEX",
            converter = Args.IndexConverter.class,
            description = "A log index, e.g. from a write's output.")
    long index;

    @Option(names = "--local", description = "Wait for the target node only.")
    boolean local;

    @Option(
            names = "--wait-timeout",
            paramLabel = "DURATION",
            defaultValue = "30s",
            converter = Args.DurationConverter.class,
            description = "Give up after this long (default ${DEFAULT-VALUE}).")
    Duration waitTimeout;

    @Override
    int run(ApiConnection api, Output out) {
        WaitProgrammedResponse r = api.control(waitTimeout)
                .waitProgrammed(WaitProgrammedRequest.newBuilder()
                        .setIndex(index)
                        .setFleetWide(!local)
                        .setTimeoutMs(Args.millis(waitTimeout))
                        .build());
        ProgrammedProgress p = r.getProgress();
        if (out.json()) {
            out.json(r);
        } else {
            out.line((p.getTimedOut() ? "timed out: " : "programmed: ") + p.getNodesProgrammed() + "/"
                    + p.getNodesLive()
                    + " live nodes at index " + p.getIndex()
                    + (p.getLaggingNodesCount() > 0 ? ", lagging " + String.join(", ", p.getLaggingNodesList()) : ""));
        }
        return p.getTimedOut() ? ExitCodes.WAIT_TIMED_OUT : ExitCodes.OK;
    }
}
