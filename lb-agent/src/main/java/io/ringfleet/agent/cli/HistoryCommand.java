package io.ringfleet.agent.cli;

import io.ringfleet.api.HistoryEntry;
import io.ringfleet.api.HistoryRequest;
import io.ringfleet.api.HistoryResponse;
import io.ringfleet.api.ReplyCode;
import java.time.Instant;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code lbctl history [-n N]}: the audit trail, newest first: who changed what through which node, when, and
 * whether it was applied. Every node answers the same (the trail is in the replicated image).
 */
@Command(
        name = "history",
        description = "The last changes written to the fleet log, newest first: log index, time, principal,"
                + " via node, request id, commands and result (applied, or the rejection).")
final class HistoryCommand extends ApiCommand {
    @Option(
            names = {"-n", "--limit"},
            description = "At most this many entries (1..1000; default 20).",
            defaultValue = "20")
    int limit;

    @Override
    int run(ApiConnection api, Output out) throws LbctlException {
        if (limit < 1 || limit > 1000) {
            throw new LbctlException(ExitCodes.USAGE, "-n " + limit + " is out of range: allowed 1..1000");
        }
        HistoryResponse r = api.control()
                .history(HistoryRequest.newBuilder().setLimit(limit).build());
        return out.list(
                r,
                r.getEntriesList(),
                (t, e) -> t.row(
                        e.getLogIndex(),
                        Instant.ofEpochMilli(e.getTimestampMillis()),
                        e.getPrincipal(),
                        e.getViaNode(),
                        e.getRequestId(),
                        e.getCommandCount(),
                        result(e)),
                "INDEX",
                "TIME",
                "PRINCIPAL",
                "VIA",
                "REQUEST",
                "COMMANDS",
                "RESULT");
    }

    private static String result(HistoryEntry e) {
        return e.getCode() == ReplyCode.OK ? "applied" : e.getCode() + ": " + e.getMessage();
    }
}
