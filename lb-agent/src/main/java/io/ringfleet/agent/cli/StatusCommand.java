package io.ringfleet.agent.cli;

import com.google.protobuf.ByteString;
import io.ringfleet.api.GetStatusRequest;
import io.ringfleet.api.GetStatusResponse;
import io.ringfleet.api.NodeStatus;
import io.ringfleet.api.PeerRole;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code lbctl status}: the fleet table, asked of any node. */
@Command(
        name = "status",
        description = "The fleet: per node role, leader, applied and programmed index, digests," + " drained, live.")
final class StatusCommand extends ApiCommand {
    @Option(names = "--local", description = "Only the target node (do not ask the others).")
    boolean local;

    @Override
    int run(ApiConnection api, Output out) {
        GetStatusResponse r = api.control()
                .getStatus(GetStatusRequest.newBuilder().setFleetWide(!local).build());
        if (out.json()) {
            out.json(r);
            return ExitCodes.OK;
        }
        List<NodeStatus> nodes = local || r.getNodesCount() == 0 ? List.of(r.getSelf()) : r.getNodesList();
        Output.Table t = out.table(
                "NODE",
                "ROLE",
                "LEADER",
                "TERM",
                "COMMIT",
                "APPLIED",
                "PROGRAMMED",
                "STATE",
                "STATE-DIGEST",
                "RINGS-DIGEST",
                "DRAINED",
                "LIVE",
                "ERROR");
        for (NodeStatus n : nodes) {
            boolean live =
                    local || n.getLive() || n.getNodeId().equals(r.getSelf().getNodeId());
            if (!live) {
                // a node that did not answer: nothing it reported is known (its drained flag comes from the log)
                t.row(
                        n.getNodeId(),
                        n.getRole() == PeerRole.NOT_MEMBER ? roleName(n) : "?",
                        "",
                        "-",
                        "-",
                        "-",
                        "-",
                        "-",
                        "-",
                        "-",
                        n.getDrained() ? "yes" : "no",
                        "no",
                        n.getError());
                continue;
            }
            t.row(
                    n.getNodeId(),
                    roleName(n),
                    n.getNodeId().equals(r.getLeaderId()) ? "*" : "",
                    n.getTerm(),
                    n.getCommitIndex(),
                    n.getAppliedIndex(),
                    n.getProgrammedIndex(),
                    n.getStateIndex(),
                    shortHex(n.getStateDigest()),
                    shortHex(n.getRingsDigest()),
                    n.getDrained() ? "yes" : "no",
                    "yes",
                    n.getError());
        }
        t.print();
        printRoutes(out, nodes);
        printSettings(out, r.getSelf(), nodes);
        if (r.getLeaderId().isEmpty()) {
            out.line("no leader known to " + r.getSelf().getNodeId());
        }
        return ExitCodes.OK;
    }

    /**
     * One line per node whose agent reads a BGP speaker (its config names a {@code bird-socket}): whether its
     * routes are announced and the speaker's BGP and BFD session state. Nodes without one print nothing here.
     */
    private static void printRoutes(Output out, List<NodeStatus> nodes) {
        for (NodeStatus n : nodes) {
            if (n.getBgpState().isEmpty()) {
                continue;
            }
            out.line("routes " + n.getNodeId() + ": " + (n.getAnnouncing() ? "announced" : "withdrawn") + ", speaker"
                    + " exports " + n.getAnnouncedRoutes() + " route(s), BGP " + n.getBgpState() + ", BFD "
                    + (n.getBfdState().isEmpty() ? "none" : n.getBfdState()));
        }
    }

    /**
     * The fleet settings line (once the log holds settings) and one line per node whose config differs from them:
     * such a node follows the log.
     */
    private static void printSettings(Output out, NodeStatus self, List<NodeStatus> nodes) {
        if (self.getFleetVersion() > 0) {
            out.line("fleet version " + self.getFleetVersion() + ", settings digest "
                    + shortHex(self.getSettingsDigest()));
        }
        for (NodeStatus n : nodes) {
            if (!n.getSettingsMismatch().isEmpty()) {
                out.line("settings mismatch on " + n.getNodeId() + " (it follows the log): " + n.getSettingsMismatch());
            }
        }
    }

    /** leader, follower, candidate, listener; not-member for a peer outside the Raft configuration. */
    static String roleName(NodeStatus n) {
        return n.getRole().name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    static String shortHex(ByteString digest) {
        if (digest.isEmpty()) {
            return "-";
        }
        String hex = HexFormat.of().formatHex(digest.toByteArray());
        return hex.substring(0, Math.min(12, hex.length()));
    }
}
