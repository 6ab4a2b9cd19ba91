package io.ringfleet.state.command;

import java.util.Objects;

/**
 * Why a batch was rejected: a code, the 0-based position of the rejected command (-1 when the batch
 * itself was rejected) and a detail that says what is allowed. {@link #message()} is the text the caller
 * gets verbatim: the detail, prefixed by the command's position and kind.
 */
public record Rejection(ErrorCode code, int commandIndex, String command, String detail) {
    public Rejection {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(detail, "detail");
    }

    static Rejection ofBatch(ErrorCode code, String detail) {
        return new Rejection(code, -1, "", detail);
    }

    /** E.g. {@code command 1 (add_reals): weight 70000 of real 10.0.0.1 is out of range: allowed 0..65535 ...}. */
    public String message() {
        return commandIndex < 0 ? detail : "command " + commandIndex + " (" + command + "): " + detail;
    }

    @Override
    public String toString() {
        return code + ": " + message();
    }
}
