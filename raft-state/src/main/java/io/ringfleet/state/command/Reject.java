package io.ringfleet.state.command;

/**
 * A command's rejection, thrown by a domain's rules and turned into the batch's {@link Rejection} by
 * {@link CommandValidator}, which adds the command's position and kind.
 */
final class Reject extends Exception {
    private static final long serialVersionUID = 1L;
    final ErrorCode code;

    Reject(ErrorCode code, String message) {
        // No stack trace: a rejection is an answer to the caller, not a failure here.
        super(message, null, false, false);
        this.code = code;
    }

    static Reject invalid(String message) {
        return new Reject(ErrorCode.INVALID_ARGUMENT, message);
    }

    static Reject notFound(String message) {
        return new Reject(ErrorCode.NOT_FOUND, message);
    }

    /** The caller's text in quotes, cut at 64 characters, for a message. */
    static String quote(String text) {
        return "\"" + (text.length() > 64 ? text.substring(0, 64) + "..." : text) + "\"";
    }
}
