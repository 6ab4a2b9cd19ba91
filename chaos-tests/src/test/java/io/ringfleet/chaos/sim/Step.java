package io.ringfleet.chaos.sim;

import io.ringfleet.api.Command;
import io.ringfleet.api.CommandBatch;
import java.util.List;
import java.util.stream.Collectors;

/**
 * One step of a schedule, decided by the seed. {@code node} is a simulated node's number (0..2), or
 * {@link #ANY} where the target is resolved when the step runs ("the leader", "the node that is down").
 *
 * @param kind what happens
 * @param node the node it happens to, or {@link #ANY}
 * @param ms a duration: how slow a slow peer is, how long a pause lasts
 * @param submissions the writes of the step: which node each agent sends through, and its batches
 * @param dwellMs how long the schedule lets the cluster run after the step, before the invariants are checked
 */
record Step(Kind kind, int node, int ms, List<Submission> submissions, int dwellMs) {
  static final int ANY = -1;

  enum Kind {
    /** One agent sends a few batches through its own node, one after the other. */
    SUBMIT,
    /** Two or three agents send batches through their own nodes at the same time. */
    CONCURRENT,
    /** An agent drains (or undrains) an LB node: a DrainNode / UndrainNode batch. */
    DRAIN,
    UNDRAIN,
    /** A node's server stops (its disk stays). */
    KILL,
    /** Whichever node leads the majority at that moment stops. */
    KILL_LEADER,
    /** A stopped node starts again with its disk (node = which; ANY = the first stopped). */
    RESTART,
    /** A stopped node's storage is deleted and it starts empty: it catches up from the log or a snapshot. */
    RESTART_WIPED,
    /** A node's Raft traffic is cut both ways. */
    PARTITION,
    /** The leader's Raft traffic is cut both ways. */
    PARTITION_LEADER,
    /** Every cut link is restored. */
    HEAL,
    /** A node handles (and has handled) its Raft traffic {@code ms} late. */
    SLOW,
    UNSLOW,
    /** A node takes a snapshot (and purges its log as configured). */
    SNAPSHOT,
    /**
     * Snapshot install: the node stops and is wiped, the others take batches, snapshot and purge their logs,
     * and the node restarts empty: it can only catch up through the leader's snapshot.
     */
    SNAPSHOT_INSTALL,
    /** Leadership is transferred to the node. */
    TRANSFER_LEADER,
    /** Nothing but time passes. */
    PAUSE
  }

  /** One agent's writes: sent through node {@code via}, in order. */
  record Submission(int via, List<CommandBatch> batches) {
    @Override
    public String toString() {
      return "via n" + via + ": " + batches.stream().map(Step::describe).collect(Collectors.joining(", "));
    }
  }

  /** A short text of a batch: request id and the kinds of its commands. */
  static String describe(CommandBatch b) {
    String commands = b.getCommandsList().stream().map(Command::getKindCase).map(Enum::name).map(Step::camel)
        .collect(Collectors.joining("+"));
    return b.getRequestId() + "[" + commands + (b.hasExpectedStateIndex() ? " if@" + b.getExpectedStateIndex() : "")
        + "]";
  }

  private static String camel(String kindCase) {
    StringBuilder out = new StringBuilder();
    boolean up = false;
    for (char ch : kindCase.toLowerCase(java.util.Locale.ROOT).toCharArray()) {
      if (ch == '_') {
        up = true;
      } else {
        out.append(up ? Character.toUpperCase(ch) : ch);
        up = false;
      }
    }
    return out.toString();
  }

  String target() {
    return node == ANY ? "?" : "n" + node;
  }

  @Override
  public String toString() {
    String what = switch (kind) {
      case SUBMIT, CONCURRENT, DRAIN, UNDRAIN -> kind + " " + submissions;
      case KILL, RESTART, RESTART_WIPED, PARTITION, UNSLOW, SNAPSHOT, TRANSFER_LEADER -> kind + " " + target();
      case SLOW -> kind + " " + target() + " by " + ms + " ms";
      case SNAPSHOT_INSTALL -> kind + " " + target() + " (meanwhile " + submissions + ")";
      case PAUSE -> kind + " " + ms + " ms";
      case KILL_LEADER, PARTITION_LEADER, HEAL -> kind.toString();
    };
    return what + (dwellMs > 0 ? " +" + dwellMs + "ms" : "");
  }
}
