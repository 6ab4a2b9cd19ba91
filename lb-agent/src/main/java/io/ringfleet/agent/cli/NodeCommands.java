package io.ringfleet.agent.cli;

import io.ringfleet.api.Command;
import io.ringfleet.api.DrainNode;
import io.ringfleet.api.ListNodesRequest;
import io.ringfleet.api.ListNodesResponse;
import io.ringfleet.api.NodeInfo;
import io.ringfleet.api.UndrainNode;
import java.time.Instant;
import java.util.List;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lbctl node ...}: drain and undrain LB nodes (their VIP routes are withdrawn / announced). */
@picocli.CommandLine.Command(name = "node", description = "Drain or undrain a node; list drained nodes.",
    subcommands = {NodeCommands.Drain.class, NodeCommands.Undrain.class, NodeCommands.ListNodes.class})
final class NodeCommands {
  private NodeCommands() {}

  @picocli.CommandLine.Command(name = "drain", description = "Drain a node: it withdraws its VIP routes; its XDP"
      + " program keeps serving packets that still arrive.")
  static final class Drain extends ApiCommand {
    @Mixin WriteOptions write;

    @Parameters(index = "0", paramLabel = "NODE")
    String node;

    @Option(names = "--reason", defaultValue = "", description = "Why (recorded with who and when).")
    String reason;

    @Override
    int run(ApiConnection api, Output out) {
      return write.apply(api, out, List.of(Command.newBuilder()
          .setDrainNode(DrainNode.newBuilder().setNodeId(node).setReason(reason)).build()));
    }
  }

  @picocli.CommandLine.Command(name = "undrain", description = "Undrain a node: it announces its VIP routes again.")
  static final class Undrain extends ApiCommand {
    @Mixin WriteOptions write;

    @Parameters(index = "0", paramLabel = "NODE")
    String node;

    @Override
    int run(ApiConnection api, Output out) {
      return write.apply(api, out, List.of(Command.newBuilder()
          .setUndrainNode(UndrainNode.newBuilder().setNodeId(node)).build()));
    }
  }

  @picocli.CommandLine.Command(name = "list", aliases = "ls", description = "List drained nodes.")
  static final class ListNodes extends ApiCommand {
    @Override
    int run(ApiConnection api, Output out) {
      ListNodesResponse r = api.control().listNodes(ListNodesRequest.getDefaultInstance());
      if (out.json()) {
        out.json(r);
        return ExitCodes.OK;
      }
      Output.Table t = out.table("NODE", "DRAINED-BY", "SINCE", "REASON");
      for (NodeInfo n : r.getNodesList()) {
        t.row(n.getNodeId(), n.getDrainedBy(), Instant.ofEpochMilli(n.getDrainedAtMillis()), n.getDrainReason());
      }
      t.print();
      return ExitCodes.OK;
    }
  }
}
