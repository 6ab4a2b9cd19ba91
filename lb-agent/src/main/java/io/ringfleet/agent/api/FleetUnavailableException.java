package io.ringfleet.agent.api;

/** The fleet log cannot serve the request now (no leader, no quorum, shutting down, lagging). Retryable. */
public final class FleetUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public FleetUnavailableException(String message) {
        super(message);
    }

    public FleetUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
