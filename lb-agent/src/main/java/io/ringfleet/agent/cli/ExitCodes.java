package io.ringfleet.agent.cli;

import io.grpc.Status;

/**
 * lbctl's exit codes, stable for scripts.
 *
 * <pre>
 * 0  ok
 * 1  failed: an internal error of the agent, or a local failure (certificate tool, I/O)
 * 2  usage: bad arguments or options, unreadable TLS files
 * 3  rejected: the fleet refused the request (invalid, not found, already exists, precondition, limit);
 *    the server's message is printed verbatim
 * 4  unavailable: no answer (agent down, no leader, deadline exceeded)
 * 5  not allowed: TLS handshake refused, no or unknown certificate, read-only certificate for a write
 * 6  applied, but not every live node programmed it within the wait timeout (--wait)
 * 7  the nodes disagree (explain: not every node answered, or they picked different reals)
 * </pre>
 */
public final class ExitCodes {
    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int USAGE = 2;
    public static final int REJECTED = 3;
    public static final int UNAVAILABLE = 4;
    public static final int NOT_ALLOWED = 5;
    public static final int WAIT_TIMED_OUT = 6;
    public static final int DISAGREE = 7;

    /** For the help footer. */
    static final String[] HELP = {
        "",
        "Exit codes:",
        "  0  ok",
        "  1  failed (internal error of the agent, or a local failure)",
        "  2  usage (bad arguments, unreadable TLS files)",
        "  3  rejected by the fleet (invalid, not found, already exists, precondition, limit)",
        "  4  unavailable (agent down, no leader, deadline exceeded)",
        "  5  not allowed (TLS refused, no or unknown certificate, read-only certificate)",
        "  6  applied, but not programmed fleet-wide within the wait timeout",
        "  7  the nodes disagree (explain)",
    };

    private ExitCodes() {}

    static int of(Status.Code code) {
        switch (code) {
            case OK:
                return OK;
            case INVALID_ARGUMENT:
            case NOT_FOUND:
            case ALREADY_EXISTS:
            case FAILED_PRECONDITION:
            case RESOURCE_EXHAUSTED:
            case OUT_OF_RANGE:
            case ABORTED:
                return REJECTED;
            case UNAVAILABLE:
            case DEADLINE_EXCEEDED:
            case CANCELLED:
                return UNAVAILABLE;
            case PERMISSION_DENIED:
            case UNAUTHENTICATED:
                return NOT_ALLOWED;
            default:
                return FAILED;
        }
    }
}
