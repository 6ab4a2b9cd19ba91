package io.ringfleet.state.health;

import io.ringfleet.api.Command;
import io.ringfleet.api.CommandBatch;
import io.ringfleet.api.RealHealth;
import io.ringfleet.api.ReportRealHealth;
import io.ringfleet.api.VipKey;

/**
 * How an agent writes its own verdict changes: one batch, stamped as the state machine requires of a vote
 * (principal {@code agent:<node>}, via_node = node), submitted through the node's own Raft client (never the
 * API, which refuses report_real_health).
 */
public final class HealthReports {
    /** The principal prefix an agent stamps on what it writes itself; a vote's principal is it + node id. */
    public static final String AGENT_PRINCIPAL = "agent:";

    private HealthReports() {}

    /** The command: node's verdict on pair is now up (or down). */
    public static Command command(String node, HealthPair pair, boolean up) {
        io.ringfleet.state.VipKey key = pair.vip();
        return Command.newBuilder()
                .setReportRealHealth(ReportRealHealth.newBuilder()
                        .setNodeId(node)
                        .setVip(VipKey.newBuilder()
                                .setAddress(key.address().toString())
                                .setPort(key.port())
                                .setProtocol(key.protocol().toProto()))
                        .setAddress(pair.real().toString())
                        .setHealth(up ? RealHealth.REAL_UP : RealHealth.REAL_DOWN))
                .build();
    }

    /** A batch of node's verdict changes, stamped at {@code nowMillis} (the agent's wall clock: the log time). */
    public static CommandBatch batch(String node, long nowMillis, String requestId, Iterable<Command> commands) {
        return CommandBatch.newBuilder()
                .addAllCommands(commands)
                .setPrincipal(AGENT_PRINCIPAL + node)
                .setViaNode(node)
                .setTimestampMillis(nowMillis)
                .setRequestId(requestId)
                .build();
    }
}
