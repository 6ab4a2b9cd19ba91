package io.ringfleet.agent.cli;

import io.ringfleet.api.Command;
import io.ringfleet.api.ControlServiceGrpc;
import io.ringfleet.api.DrainNode;
import io.ringfleet.api.JoinFleetRequest;
import io.ringfleet.api.LeaveFleetRequest;
import io.ringfleet.api.ListNodesRequest;
import io.ringfleet.api.ListNodesResponse;
import io.ringfleet.api.MembershipResponse;
import io.ringfleet.api.UndrainNode;
import java.time.Instant;
import java.util.function.BiFunction;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code lbctl node ...}: drain and undrain LB nodes (their VIP routes are withdrawn / announced); take a node out
 * of the Raft configuration and put it back (to clear its Raft storage: lb-agent/README.md).
 */
@picocli.CommandLine.Command(
        name = "node",
        description =
                "Drain or undrain a node; list drained nodes; a node" + " leaves or joins the Raft configuration.",
        subcommands = {
            NodeCommands.Drain.class,
            NodeCommands.Undrain.class,
            NodeCommands.ListNodes.class,
            NodeCommands.Leave.class,
            NodeCommands.Join.class
        })
final class NodeCommands {
    private NodeCommands() {}

    @picocli.CommandLine.Command(
            name = "drain",
            description = "Drain a node: it withdraws its VIP routes; its XDP"
                    + " program keeps serving packets that still arrive.")
    static final class Drain extends WriteCommand {
        @Parameters(index = "0", paramLabel = "NODE", description = "A peer id of the fleet.")
        String node;

        @Option(names = "--reason", defaultValue = "", description = "Why (recorded with who and when).")
        String reason;

        @Override
        Command.Builder command() {
            return Command.newBuilder()
                    .setDrainNode(DrainNode.newBuilder().setNodeId(node).setReason(reason));
        }

        @Override
        String noChange() {
            return "node " + node + " is already drained";
        }
    }

    @picocli.CommandLine.Command(name = "undrain", description = "Undrain a node: it announces its VIP routes again.")
    static final class Undrain extends WriteCommand {
        @Parameters(index = "0", paramLabel = "NODE", description = "A peer id of the fleet.")
        String node;

        @Override
        Command.Builder command() {
            return Command.newBuilder().setUndrainNode(UndrainNode.newBuilder().setNodeId(node));
        }

        @Override
        String noChange() {
            return "node " + node + " is not drained";
        }
    }

    @picocli.CommandLine.Command(name = "list", aliases = "ls", description = "List drained nodes.")
    static final class ListNodes extends ApiCommand {
        @Override
        int run(ApiConnection api, Output out) {
            ListNodesResponse r = api.control().listNodes(ListNodesRequest.getDefaultInstance());
            return out.list(
                    r,
                    r.getNodesList(),
                    (t, n) -> t.row(
                            n.getNodeId(),
                            n.getDrainedBy(),
                            Instant.ofEpochMilli(n.getDrainedAtMillis()),
                            n.getDrainReason()),
                    "NODE",
                    "DRAINED-BY",
                    "SINCE",
                    "REASON");
        }
    }

    /** A change of the Raft configuration for one node; prints the voters and listeners after it. */
    abstract static class Membership extends ApiCommand {
        @Parameters(index = "0", paramLabel = "NODE", description = "A peer id of the fleet config.")
        String node;

        private final String verb;
        private final BiFunction<ControlServiceGrpc.ControlServiceBlockingStub, String, MembershipResponse> change;

        Membership(
                String verb,
                BiFunction<ControlServiceGrpc.ControlServiceBlockingStub, String, MembershipResponse> change) {
            this.verb = verb;
            this.change = change;
        }

        @Override
        int run(ApiConnection api, Output out) {
            MembershipResponse r = change.apply(api.control(), node);
            return out.show(
                    r,
                    () -> node + " " + verb + "; voters " + String.join(",", r.getVotersList()) + "; listeners "
                            + (r.getListenersCount() == 0 ? "none" : String.join(",", r.getListenersList())));
        }
    }

    @picocli.CommandLine.Command(
            name = "leave",
            description =
                    "Take a node out of the Raft configuration (before"
                            + " clearing its Raft storage). Refused if fewer than 2 voters would stay. Writes nothing to the state log.")
    static final class Leave extends Membership {
        Leave() {
            super(
                    "left",
                    (control, node) -> control.leaveFleet(
                            LeaveFleetRequest.newBuilder().setNodeId(node).build()));
        }
    }

    @picocli.CommandLine.Command(
            name = "join",
            description = "Put a node back into the Raft configuration, in the"
                    + " role and at the Raft address of the fleet config. The node must be running; the leader brings it up to"
                    + " date (the log, or a snapshot where the leader's log was purged) before the change commits.")
    static final class Join extends Membership {
        Join() {
            super(
                    "joined",
                    (control, node) -> control.joinFleet(
                            JoinFleetRequest.newBuilder().setNodeId(node).build()));
        }
    }
}
