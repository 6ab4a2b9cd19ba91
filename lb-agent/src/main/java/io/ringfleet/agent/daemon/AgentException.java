package io.ringfleet.agent.daemon;

/** The agent could not start; the message says what failed and what to do, in one line. */
public final class AgentException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public AgentException(String message) {
        super(message);
    }

    public AgentException(String message, Throwable cause) {
        super(message, cause);
    }
}
