package io.ringfleet.agent.health;

import io.ringfleet.agent.api.BatchWriter;
import io.ringfleet.agent.api.FleetGateway;
import io.ringfleet.agent.security.Caller;
import io.ringfleet.agent.security.Role;
import io.ringfleet.api.Command;
import io.ringfleet.api.ReplyCode;
import io.ringfleet.state.health.HealthPair;
import io.ringfleet.state.health.HealthReports;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * {@link VerdictWriter} through this node's own write path ({@link BatchWriter} over the {@link FleetGateway}):
 * the batch is stamped {@code via_node} = this node and principal {@code agent:<node>}, which is what the state
 * machine requires of a {@code ReportRealHealth} (a node votes only for itself, through its own agent). At most
 * {@link BatchWriter#MAX_COMMANDS} verdicts go in one batch; the reporter writes the rest once it is applied.
 */
public final class GatewayVerdictWriter implements VerdictWriter {
    private final String nodeId;
    private final BatchWriter writer;
    private final Caller agent;

    public GatewayVerdictWriter(FleetGateway gateway, Clock clock) {
        this.nodeId = gateway.nodeId();
        this.writer = new BatchWriter(gateway, clock);
        this.agent = new Caller(HealthReports.AGENT_PRINCIPAL + nodeId, Role.NODE);
    }

    @Override
    public CompletableFuture<Long> write(SortedMap<HealthPair, Verdict> verdicts) {
        List<Command> commands = new ArrayList<>();
        for (Map.Entry<HealthPair, Verdict> e : verdicts.entrySet()) {
            if (commands.size() == BatchWriter.MAX_COMMANDS) {
                break;
            }
            commands.add(command(e.getKey(), e.getValue()));
        }
        return writer.submit(writer.stampOwnVotes(commands, agent)).thenApply(committed -> {
            if (committed.reply().getCode() != ReplyCode.OK) {
                throw new CompletionException(new IllegalStateException("health report rejected: "
                        + committed.reply().getCode() + " " + committed.reply().getMessage()));
            }
            return committed.reply().getLogIndex();
        });
    }

    private Command command(HealthPair pair, Verdict verdict) {
        if (verdict == Verdict.UNKNOWN) {
            throw new IllegalArgumentException("an unsettled verdict is never reported: " + pair);
        }
        return HealthReports.command(nodeId, pair, verdict == Verdict.UP);
    }
}
