package io.ringfleet.agent.cli;

import io.grpc.Status;
import io.ringfleet.api.ExplainFlowRequest;
import io.ringfleet.api.ExplainFlowResponse;
import io.ringfleet.api.FlowDecision;
import io.ringfleet.api.FlowExplanation;
import io.ringfleet.api.Protocol;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code lbctl explain PROTO SRC:PORT VIP:PORT}: per node, the real its balancer picks for the flow and why (from
 * what each node's kernel holds), and whether all nodes agree. Exit {@link ExitCodes#DISAGREE} when they do not.
 */
@Command(
        name = "explain",
        description = "Which real every LB picks for one flow, and why: connection table, server id, ring slot;"
                + " whether all agree.")
final class ExplainCommand extends ApiCommand {
    @Parameters(index = "0", paramLabel = "PROTO", description = "tcp or udp", converter = Args.ProtocolConverter.class)
    Protocol protocol;

    @Parameters(
            index = "1",
            paramLabel = "SRC:PORT",
            description = "The client: ADDRESS:PORT, e.g. 10.0.0.1:40000 or [fd00::1]:40000",
            converter = Args.EndpointConverter.class)
    Args.Endpoint source;

    @Parameters(
            index = "2",
            paramLabel = "VIP:PORT",
            description = "The packet's destination, e.g. 10.1.1.1:80 or [fc00::1]:443",
            converter = Args.EndpointConverter.class)
    Args.Endpoint vip;

    @Option(names = "--syn", description = "A TCP SYN (a new connection): the connection table is not read.")
    boolean syn;

    @Option(
            names = "--server-id",
            paramLabel = "ID",
            converter = Args.Uint32Converter.class,
            description = "The QUIC / UDP stable-routing server id the packet carries (1..4294967295).")
    Integer serverId;

    @Option(names = "--local", description = "Only the target node (do not ask the others).")
    boolean local;

    @Option(
            names = {"-v", "--steps"},
            description = "Also print each node's steps, in the program's order.")
    boolean steps;

    @Override
    int run(ApiConnection api, Output out) {
        ExplainFlowRequest.Builder request = ExplainFlowRequest.newBuilder()
                .setProtocol(protocol)
                .setSourceAddress(source.address())
                .setSourcePort(source.port())
                .setVipAddress(vip.address())
                .setVipPort(vip.port())
                .setSyn(syn)
                .setFleetWide(!local);
        if (serverId != null) {
            request.setServerId(Integer.toUnsignedLong(serverId));
        }
        ExplainFlowResponse r = api.control().explainFlow(request.build());
        if (noVipAnywhere(r)) {
            throw Status.NOT_FOUND
                    .withDescription("no VIP " + Args.protocolName(protocol) + " " + vip + " (nor port 0 of "
                            + vip.address() + ") on " + (r.getNodesCount() == 1 ? "the node" : "any node")
                            + ": lbctl vip list shows the VIPs")
                    .asRuntimeException();
        }
        if (out.json()) {
            out.json(r);
        } else {
            print(r, out);
        }
        return r.getAgree() ? ExitCodes.OK : ExitCodes.DISAGREE;
    }

    /** Every node answered and none has the VIP: bad input, not a disagreement. */
    private static boolean noVipAnywhere(ExplainFlowResponse r) {
        return r.getNodesCount() > 0
                && r.getNodesList().stream()
                        .allMatch(n -> n.getAnswered() && n.getDecision() == FlowDecision.FLOW_DECISION_NO_VIP);
    }

    private void print(ExplainFlowResponse r, Output out) {
        Output.Table t = out.table("NODE", "REAL", "WHY", "SLOT", "RING-DIGEST", "INDEX");
        for (FlowExplanation n : r.getNodesList()) {
            if (!n.getAnswered()) {
                t.row(n.getNodeId(), "?", "no answer: " + n.getError(), "-", "-", "-");
                continue;
            }
            t.row(
                    n.getNodeId(),
                    n.getReal().isEmpty() ? "-" : n.getReal(),
                    why(n),
                    n.getVipMatch() == io.ringfleet.api.VipMatch.VIP_MATCH_NONE ? "-" : n.getRingSlot(),
                    StatusCommand.shortHex(n.getRingDigest()),
                    n.getProgrammedIndex());
        }
        t.print();
        if (steps) {
            for (FlowExplanation n : r.getNodesList()) {
                for (String step : n.getStepsList()) {
                    out.line(n.getNodeId() + ": " + step);
                }
            }
        }
        out.line(verdict(r));
    }

    static String why(FlowExplanation n) {
        List<String> parts = new ArrayList<>();
        switch (n.getDecision()) {
            case FLOW_DECISION_NO_VIP -> parts.add("no vip (passed)");
            case FLOW_DECISION_SERVER_ID -> parts.add("server id");
            case FLOW_DECISION_CONN_TABLE ->
                parts.add("conn table (" + (n.getConnTableCpu() < 0 ? "fallback" : "cpu " + n.getConnTableCpu()) + ")");
            case FLOW_DECISION_RING -> parts.add("ring");
            case FLOW_DECISION_DROP -> parts.add("drop (empty slot)");
            default -> parts.add(n.getDecision().name());
        }
        if (n.getVipMatch() == io.ringfleet.api.VipMatch.VIP_MATCH_PORT_ZERO) {
            parts.add("port-0 vip");
        }
        if (n.getRealMarkedDown()) {
            parts.add("real marked down");
        }
        if (n.getRealHealthDown()) {
            parts.add("real health down");
        }
        return String.join(", ", parts);
    }

    /** The last line: all agree on one real, or who picked what. */
    static String verdict(ExplainFlowResponse r) {
        int nodes = r.getNodesCount();
        if (r.getAgree()) {
            FlowExplanation first = r.getNodes(0);
            String what = first.getReal().isEmpty() ? why(first) : "real " + first.getReal();
            return "agree: " + what + " on " + nodes + "/" + nodes + " node" + (nodes == 1 ? "" : "s");
        }
        TreeMap<String, TreeSet<String>> byAnswer = new TreeMap<>();
        for (FlowExplanation n : r.getNodesList()) {
            String answer = !n.getAnswered() ? "no answer" : n.getReal().isEmpty() ? why(n) : n.getReal();
            byAnswer.computeIfAbsent(answer, k -> new TreeSet<>()).add(n.getNodeId());
        }
        List<String> parts = new ArrayList<>();
        byAnswer.forEach((answer, ids) -> parts.add(answer + " on " + String.join(",", ids)));
        return "DISAGREE: " + String.join("; ", parts);
    }
}
