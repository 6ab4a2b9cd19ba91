package io.ringfleet.chaos.sim;

import io.ringfleet.api.Command;
import io.ringfleet.api.CommandBatch;
import io.ringfleet.chaos.fault.FaultKind;
import io.ringfleet.chaos.fault.Harness;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * One step of a schedule, decided by the seed. {@code node} is a simulated node's number (0..2), or
 * {@link #ANY} where the target is resolved when the step runs ("the leader", "the node that is down").
 *
 * @param kind what happens: one of {@link Harness#SIMULATION}'s kinds (the vocabulary shared with the real-process
 *     chaos, where each kind says what it does)
 * @param node the node it happens to, or {@link #ANY}
 * @param ms a duration: how slow a slow peer is, how long a pause lasts
 * @param submissions the writes of the step: which node each agent sends through, and its batches
 * @param dwellMs how long the schedule lets the cluster run after the step, before the invariants are checked
 */
record Step(FaultKind kind, int node, int ms, List<Submission> submissions, int dwellMs) {
    static final int ANY = -1;

    Step {
        if (!kind.injectableBy(Harness.SIMULATION)) {
            throw new IllegalArgumentException(
                    kind + " is not a step the simulation takes: " + Harness.SIMULATION.kinds());
        }
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
        String commands = b.getCommandsList().stream()
                .map(Command::getKindCase)
                .map(Enum::name)
                .map(Step::camel)
                .collect(Collectors.joining("+"));
        return b.getRequestId() + "[" + commands + (b.hasExpectedStateIndex() ? " if@" + b.getExpectedStateIndex() : "")
                + "]";
    }

    private static String camel(String kindCase) {
        StringBuilder out = new StringBuilder();
        boolean up = false;
        for (char ch : kindCase.toLowerCase(Locale.ROOT).toCharArray()) {
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
            default -> throw new IllegalStateException(kind.toString()); // the constructor admits no other kind
        };
        return what + (dwellMs > 0 ? " +" + dwellMs + "ms" : "");
    }
}
