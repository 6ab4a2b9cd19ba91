package io.ringfleet.agent.cli;

/** A failure lbctl reports as one line with a given exit code. */
final class LbctlException extends Exception {
    private static final long serialVersionUID = 1L;
    final int exitCode;

    LbctlException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }
}
